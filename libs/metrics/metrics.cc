#include "libs/metrics/metrics.h"

#include <prometheus/collectable.h>
#include <prometheus/counter.h>
#include <prometheus/exposer.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"

namespace vanguard::metrics {
namespace {

const char* CodeName(grpc::StatusCode code) {
  static const char* const kNames[] = {
      "OK",           "CANCELLED",          "UNKNOWN",   "INVALID_ARGUMENT", "DEADLINE_EXCEEDED",
      "NOT_FOUND",    "ALREADY_EXISTS",     "PERMISSION_DENIED", "RESOURCE_EXHAUSTED",
      "FAILED_PRECONDITION", "ABORTED",     "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL",
      "UNAVAILABLE",  "DATA_LOSS",          "UNAUTHENTICATED"};
  int i = static_cast<int>(code);
  return i >= 0 && i < 17 ? kNames[i] : "UNKNOWN";
}

// Gauges computed when scraped.
class GaugeFunctions : public prometheus::Collectable {
 public:
  void Add(const std::string& name, const std::string& help, const Labels& labels,
           std::function<double()> read) {
    absl::MutexLock lock(&mu_);
    auto& family = families_[name];
    family.help = help;
    family.gauges.push_back({labels, std::move(read)});
  }

  std::vector<prometheus::MetricFamily> Collect() const override {
    absl::MutexLock lock(&mu_);
    std::vector<prometheus::MetricFamily> out;
    for (const auto& [name, family] : families_) {
      prometheus::MetricFamily f;
      f.name = name;
      f.help = family.help;
      f.type = prometheus::MetricType::Gauge;
      for (const auto& [labels, read] : family.gauges) {
        prometheus::ClientMetric metric;
        for (const auto& [key, value] : labels) metric.label.push_back({key, value});
        metric.gauge.value = read();
        f.metric.push_back(std::move(metric));
      }
      out.push_back(std::move(f));
    }
    return out;
  }

 private:
  struct Family {
    std::string help;
    std::vector<std::pair<Labels, std::function<double()>>> gauges;
  };
  mutable absl::Mutex mu_;
  std::map<std::string, Family> families_ ABSL_GUARDED_BY(mu_);
};

class CallInterceptor : public grpc::experimental::Interceptor {
 public:
  CallInterceptor(Metrics* metrics, std::string method)
      : metrics_(metrics), method_(std::move(method)), start_(absl::Now()) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::PRE_SEND_STATUS)) {
      metrics_->RecordCall(method_, methods->GetSendStatus().error_code(), absl::Now() - start_);
    }
    methods->Proceed();
  }

 private:
  Metrics* metrics_;
  std::string method_;
  absl::Time start_;
};

class CallInterceptorFactory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit CallInterceptorFactory(Metrics* metrics) : metrics_(metrics) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new CallInterceptor(metrics_, info->method());
  }

 private:
  Metrics* metrics_;
};

}  // namespace

struct Metrics::Impl {
  std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();
  std::shared_ptr<GaugeFunctions> gauges = std::make_shared<GaugeFunctions>();
  prometheus::Family<prometheus::Counter>& calls =
      prometheus::BuildCounter()
          .Name("vanguard_rpc_calls_total")
          .Help("gRPC calls answered, by method and status code")
          .Register(*registry);
  prometheus::Family<prometheus::Histogram>& durations =
      prometheus::BuildHistogram()
          .Name("vanguard_rpc_duration_seconds")
          .Help("Time from a call's arrival to its status, by method")
          .Register(*registry);
  prometheus::Family<prometheus::Histogram>& appends =
      prometheus::BuildHistogram()
          .Name("vanguard_log_append_seconds")
          .Help("Time of one durable append to the event log (a group of commands' events)")
          .Register(*registry);
  prometheus::Family<prometheus::Counter>& appended =
      prometheus::BuildCounter()
          .Name("vanguard_log_appended_records_total")
          .Help("Records the writer appended to the event log")
          .Register(*registry);
  std::unique_ptr<prometheus::Exposer> exposer;
};

namespace {
const prometheus::Histogram::BucketBoundaries kAppendBuckets = {
    0.0001, 0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 5};
}  // namespace

Metrics::Metrics() : impl_(std::make_unique<Impl>()) {
  // Served from the start, at zero, so a dashboard sees them before the first append.
  impl_->appends.Add({}, kAppendBuckets);
  impl_->appended.Add({});
}
Metrics::~Metrics() = default;

void Metrics::RecordCall(const std::string& method, grpc::StatusCode code, absl::Duration took) {
  impl_->calls.Add({{"method", method}, {"code", CodeName(code)}}).Increment();
  static const prometheus::Histogram::BucketBoundaries kBuckets = {
      0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10};
  impl_->durations.Add({{"method", method}}, kBuckets).Observe(absl::ToDoubleSeconds(took));
}

void Metrics::RecordAppend(size_t records, absl::Duration took) {
  impl_->appends.Add({}, kAppendBuckets).Observe(absl::ToDoubleSeconds(took));
  impl_->appended.Add({}).Increment(static_cast<double>(records));
}

void Metrics::AddGauge(const std::string& name, const std::string& help, const Labels& labels,
                       std::function<double()> read) {
  impl_->gauges->Add(name, help, labels, std::move(read));
}

std::function<std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>()>
Metrics::RpcInterceptors() {
  return [this] {
    std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> out;
    out.push_back(std::make_unique<CallInterceptorFactory>(this));
    return out;
  };
}

std::string Metrics::Text() const {
  std::vector<prometheus::MetricFamily> families = impl_->registry->Collect();
  for (auto& family : impl_->gauges->Collect()) families.push_back(std::move(family));
  return prometheus::TextSerializer().Serialize(families);
}

absl::StatusOr<int> Metrics::Serve(const std::string& listen) {
  try {
    impl_->exposer = std::make_unique<prometheus::Exposer>(listen);
  } catch (const std::exception& e) {
    return absl::UnavailableError(absl::StrCat("metrics: cannot listen on ", listen, ": ", e.what()));
  }
  impl_->exposer->RegisterCollectable(impl_->registry);
  impl_->exposer->RegisterCollectable(impl_->gauges);
  std::vector<int> ports = impl_->exposer->GetListeningPorts();
  return ports.empty() ? 0 : ports.front();
}

}  // namespace vanguard::metrics
