#include "libs/eventlog/kafka_log.h"

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <memory>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "libs/base/status_macros.h"

namespace vanguard::eventlog {
namespace {

int RemainingMs(absl::Time deadline) {
  return static_cast<int>(
      std::clamp<int64_t>(absl::ToInt64Milliseconds(deadline - absl::Now()), 0, 1 << 30));
}

absl::Status KafkaStatus(rd_kafka_resp_err_t err, absl::string_view context) {
  std::string message = absl::StrCat(context, ": ", rd_kafka_err2str(err));
  switch (err) {
    case RD_KAFKA_RESP_ERR_NO_ERROR:
      return absl::OkStatus();
    case RD_KAFKA_RESP_ERR__QUEUE_FULL:
      return absl::ResourceExhaustedError(message);
    case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
    case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
      return absl::FailedPreconditionError(message);
    case RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET:
    case RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE:
      return absl::OutOfRangeError(message);
    case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
    case RD_KAFKA_RESP_ERR_INVALID_MSG:
    case RD_KAFKA_RESP_ERR__INVALID_ARG:
      return absl::InvalidArgumentError(message);
    case RD_KAFKA_RESP_ERR__FATAL:
    case RD_KAFKA_RESP_ERR__FENCED:
      return absl::InternalError(message);
    default:
      // Transport, timeouts, leadership moves, not enough replicas: retrying may succeed.
      return absl::UnavailableError(message);
  }
}

struct ConfDeleter {
  void operator()(rd_kafka_conf_t* conf) const { rd_kafka_conf_destroy(conf); }
};
using ConfPtr = std::unique_ptr<rd_kafka_conf_t, ConfDeleter>;

absl::StatusOr<ConfPtr> MakeConf(
    std::initializer_list<std::pair<const char*, std::string>> settings) {
  ConfPtr conf(rd_kafka_conf_new());
  char error[512];
  for (const auto& [name, value] : settings) {
    if (rd_kafka_conf_set(conf.get(), name, value.c_str(), error, sizeof error) !=
        RD_KAFKA_CONF_OK) {
      return absl::InvalidArgumentError(absl::StrCat("kafka setting ", name, ": ", error));
    }
  }
  return conf;
}

absl::StatusOr<rd_kafka_t*> NewClient(rd_kafka_type_t type, ConfPtr conf) {
  char error[512];
  rd_kafka_t* rk = rd_kafka_new(type, conf.get(), error, sizeof error);
  if (!rk) return absl::InvalidArgumentError(absl::StrCat("kafka client: ", error));
  conf.release();  // owned by rk now
  return rk;
}

struct ClientDeleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
};
using ClientPtr = std::unique_ptr<rd_kafka_t, ClientDeleter>;

struct PartitionListDeleter {
  void operator()(rd_kafka_topic_partition_list_t* list) const {
    rd_kafka_topic_partition_list_destroy(list);
  }
};
using PartitionListPtr = std::unique_ptr<rd_kafka_topic_partition_list_t, PartitionListDeleter>;

PartitionListPtr ToPartitionList(const std::string& topic, const PositionMap& positions) {
  PartitionListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(positions.size())));
  for (const auto& [partition, offset] : positions) {
    rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), partition)->offset = offset;
  }
  return list;
}

// Records of earlier Append calls that returned before their delivery
// reports came (the call's deadline passed, or producing stopped half-way),
// per partition. While a partition has any, Append to it and its EndOffset
// fail at once: a new record would queue behind them in a cluster that is not
// answering, and an end offset read now could be passed by them later.
struct InFlight {
  absl::Mutex mu;
  std::map<int32_t, int64_t> records ABSL_GUARDED_BY(mu);

  int64_t Of(int32_t partition) {
    absl::MutexLock lock(&mu);
    auto it = records.find(partition);
    return it == records.end() ? 0 : it->second;
  }
};

// One Append call's outstanding deliveries. Shared with the delivery reports,
// which may arrive after the caller gave up at its deadline.
struct Delivery {
  Delivery(size_t n, std::shared_ptr<InFlight> in_flight)
      : in_flight(std::move(in_flight)), remaining(n), positions(n), partitions(n, -1),
        reported(n, false) {}
  const std::shared_ptr<InFlight> in_flight;
  absl::Mutex mu;  // taken before in_flight->mu
  absl::CondVar done;
  size_t remaining ABSL_GUARDED_BY(mu);
  std::vector<Position> positions ABSL_GUARDED_BY(mu);
  std::vector<int32_t> partitions ABSL_GUARDED_BY(mu);  // -1: not produced
  std::vector<bool> reported ABSL_GUARDED_BY(mu);
  bool abandoned ABSL_GUARDED_BY(mu) = false;  // the caller returned; reports count down in_flight
  absl::Status error ABSL_GUARDED_BY(mu);

  // The caller returns without waiting for the rest of the reports.
  void Abandon() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    abandoned = true;
    absl::MutexLock lock(&in_flight->mu);
    for (size_t i = 0; i < partitions.size(); ++i) {
      if (partitions[i] >= 0 && !reported[i]) ++in_flight->records[partitions[i]];
    }
  }
};

struct DeliverySlot {
  std::shared_ptr<Delivery> delivery;
  size_t index;
};

void OnDelivery(rd_kafka_t*, const rd_kafka_message_t* message, void*) {
  std::unique_ptr<DeliverySlot> slot(static_cast<DeliverySlot*>(message->_private));
  Delivery& delivery = *slot->delivery;
  absl::MutexLock lock(&delivery.mu);
  if (message->err) {
    if (delivery.error.ok()) {
      const char* persisted = rd_kafka_message_status(message) == RD_KAFKA_MSG_STATUS_NOT_PERSISTED
                                  ? "not written"
                                  : "possibly written";
      delivery.error = KafkaStatus(
          message->err,
          absl::StrCat("delivery to partition ", message->partition, " (", persisted, ")"));
    }
  } else {
    delivery.positions[slot->index] = {message->partition, message->offset};
  }
  delivery.reported[slot->index] = true;
  if (delivery.abandoned) {
    const int32_t partition = delivery.partitions[slot->index];
    absl::MutexLock in_flight_lock(&delivery.in_flight->mu);
    if (--delivery.in_flight->records[partition] <= 0) delivery.in_flight->records.erase(partition);
  }
  if (--delivery.remaining == 0) delivery.done.SignalAll();
}

class KafkaReader final : public LogReader {
 public:
  KafkaReader(ClientPtr consumer, PositionMap from)
      : consumer_(std::move(consumer)), positions_(std::move(from)) {}

  ~KafkaReader() override { rd_kafka_consumer_close(consumer_.get()); }

  absl::StatusOr<std::vector<StoredRecord>> Poll(size_t max_records, absl::Time deadline) override {
    std::vector<StoredRecord> out;
    while (out.size() < max_records) {
      int timeout = out.empty() ? RemainingMs(deadline) : 0;
      rd_kafka_message_t* message = rd_kafka_consumer_poll(consumer_.get(), timeout);
      if (!message) {
        if (!out.empty() || absl::Now() >= deadline) break;
        continue;
      }
      std::unique_ptr<rd_kafka_message_t, decltype(&rd_kafka_message_destroy)> owned(
          message, &rd_kafka_message_destroy);
      if (message->err) {
        absl::Status status = KafkaStatus(message->err, "reading the log");
        if (absl::IsOutOfRange(status)) {
          return absl::OutOfRangeError(absl::StrCat(
              "partition ", message->partition, ": position ", positions_[message->partition],
              " is no longer in the log (", rd_kafka_message_errstr(message), ")"));
        }
        if (absl::IsInternal(status) || absl::IsFailedPrecondition(status)) return status;
        continue;  // transient: librdkafka reconnects and refetches by itself
      }
      StoredRecord record;
      record.partition = message->partition;
      record.offset = message->offset;
      record.key.assign(static_cast<const char*>(message->key), message->key_len);
      record.value.assign(static_cast<const char*>(message->payload), message->len);
      record.timestamp = absl::FromUnixMillis(rd_kafka_message_timestamp(message, nullptr));
      rd_kafka_headers_t* headers = nullptr;
      if (rd_kafka_message_headers(message, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        const char* name;
        const void* value;
        size_t size;
        for (size_t i = 0; !rd_kafka_header_get_all(headers, i, &name, &value, &size); ++i) {
          record.headers.emplace_back(name, std::string(static_cast<const char*>(value), size));
        }
      }
      positions_[record.partition] = record.offset + 1;
      out.push_back(std::move(record));
    }
    return out;
  }

  PositionMap positions() const override { return positions_; }

 private:
  ClientPtr consumer_;
  PositionMap positions_;
};

// One idempotent producer, its topic handle and the thread that serves its
// delivery reports. Replaced whole after a fatal error (an idempotent
// producer that lost its sequence state cannot go on).
class Producer {
 public:
  static absl::StatusOr<std::shared_ptr<Producer>> Create(const KafkaLogOptions& options) {
    ASSIGN_OR_RETURN(ConfPtr conf,
                     MakeConf({
                         {"bootstrap.servers", options.brokers},
                         {"client.id", options.client_id},
                         {"enable.idempotence", "true"},
                         {"acks", "all"},
                         // Without it, Nagle's algorithm meets delayed ACKs and pipelined
                         // produce requests stall ~40 ms each.
                         {"socket.nagle.disable", "true"},
                         {"linger.ms", absl::StrCat(options.linger_ms)},
                         // After an outage, reconnect within a second of the brokers'
                         // return (the default backs off to 10 s).
                         {"reconnect.backoff.max.ms", "1000"},
                         {"message.timeout.ms",
                          absl::StrCat(absl::ToInt64Milliseconds(options.delivery_timeout))},
                         {"log_level", "3"},
                     }));
    rd_kafka_conf_set_dr_msg_cb(conf.get(), &OnDelivery);
    ASSIGN_OR_RETURN(rd_kafka_t * rk, NewClient(RD_KAFKA_PRODUCER, std::move(conf)));
    return std::shared_ptr<Producer>(new Producer(ClientPtr(rk), options.topic));
  }

  ~Producer() {
    stopping_ = true;
    poller_.join();
    // Give what is in flight a moment (none after a fatal error), then fail
    // the rest so every delivery slot is freed.
    if (FatalError().empty()) rd_kafka_flush(rk_.get(), 2000);
    rd_kafka_purge(rk_.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    rd_kafka_poll(rk_.get(), 0);
    rd_kafka_topic_destroy(topic_);
  }

  rd_kafka_t* rk() const { return rk_.get(); }
  rd_kafka_topic_t* topic() const { return topic_; }

  // Why the producer failed for good; empty while it works.
  std::string FatalError() const {
    char reason[512];
    return rd_kafka_fatal_error(rk_.get(), reason, sizeof reason) ? reason : "";
  }

 private:
  Producer(ClientPtr rk, const std::string& topic) : rk_(std::move(rk)) {
    topic_ = rd_kafka_topic_new(rk_.get(), topic.c_str(), nullptr);
    poller_ = std::thread([this] {
      while (!stopping_.load()) rd_kafka_poll(rk_.get(), 100);
    });
  }

  ClientPtr rk_;
  rd_kafka_topic_t* topic_ = nullptr;
  std::atomic<bool> stopping_{false};
  std::thread poller_;
};

class KafkaLog final : public EventLog {
 public:
  KafkaLog(KafkaLogOptions options, std::shared_ptr<Producer> producer)
      : options_(std::move(options)), producer_(std::move(producer)) {}

  ~KafkaLog() override {
    absl::MutexLock lock(&committers_mu_);
    for (auto& [name, committer] : committers_) rd_kafka_consumer_close(committer.get());
  }

  absl::Status Connect(absl::Time deadline) {
    std::shared_ptr<Producer> producer = CurrentProducer();
    const rd_kafka_metadata_t* metadata = nullptr;
    rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR__TIMED_OUT;
    while (absl::Now() < deadline) {
      err =
          rd_kafka_metadata(producer->rk(), 0, producer->topic(), &metadata, RemainingMs(deadline));
      if (err) break;
      std::unique_ptr<const rd_kafka_metadata_t, decltype(&rd_kafka_metadata_destroy)> owned(
          metadata, &rd_kafka_metadata_destroy);
      const rd_kafka_metadata_topic_t& topic = metadata->topics[0];
      if (topic.err == RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE) {
        absl::SleepFor(absl::Milliseconds(50));
        continue;
      }
      if (topic.err) {
        return absl::FailedPreconditionError(absl::StrCat(
            "topic ", options_.topic, " at ", options_.brokers, ": ", rd_kafka_err2str(topic.err),
            "; create it with ", options_.partitions, " partitions"));
      }
      if (topic.partition_cnt != options_.partitions) {
        return absl::FailedPreconditionError(
            absl::StrCat("topic ", options_.topic, " has ", topic.partition_cnt,
                         " partitions; this process is configured for ", options_.partitions));
      }
      char* cluster = rd_kafka_clusterid(producer->rk(), RemainingMs(deadline));
      log_id_ = absl::StrCat("kafka:", cluster ? cluster : options_.brokers, "/", options_.topic);
      if (cluster) rd_kafka_mem_free(producer->rk(), cluster);
      return absl::OkStatus();
    }
    return absl::UnavailableError(absl::StrCat(
        "no broker of ", options_.brokers, " answered by the deadline: ", rd_kafka_err2str(err)));
  }

  const std::string& log_id() const override { return log_id_; }
  int32_t partition_count() const override { return options_.partitions; }

  absl::StatusOr<std::vector<Position>> Append(std::span<const Record> records,
                                               absl::Time deadline) override {
    RETURN_IF_ERROR(ValidateRecords(records, partition_count()));
    std::shared_ptr<Producer> producer = CurrentProducer();
    if (std::string fatal = producer->FatalError(); !fatal.empty()) {
      RETURN_IF_ERROR(Replace(producer));
      return absl::UnavailableError(absl::StrCat(
          "the producer failed for good (", fatal,
          ") and was replaced; nothing of this call was written, but earlier deliveries "
          "may have been"));
    }
    for (const Record& record : records) {
      const int32_t partition = PartitionOf(record, partition_count());
      if (int64_t earlier = in_flight_->Of(partition); earlier > 0) {
        return absl::UnavailableError(absl::StrCat(
            "nothing of this call was written: ", earlier, " records of an earlier append to "
            "partition ", partition, " are still in flight (", options_.brokers,
            " is not answering)"));
      }
    }
    auto delivery = std::make_shared<Delivery>(records.size(), in_flight_);
    for (size_t i = 0; i < records.size(); ++i) {
      const Record& record = records[i];
      const int32_t partition = PartitionOf(record, partition_count());
      rd_kafka_headers_t* headers = rd_kafka_headers_new(6);
      for (const auto& [name, value] : CloudEventHeaders(record.cloud_event)) {
        rd_kafka_header_add(headers, name.data(), static_cast<ssize_t>(name.size()), value.data(),
                            static_cast<ssize_t>(value.size()));
      }
      auto slot = std::make_unique<DeliverySlot>(DeliverySlot{delivery, i});
      {
        // Before producing: the report may come before producev returns.
        absl::MutexLock lock(&delivery->mu);
        delivery->partitions[i] = partition;
      }
      rd_kafka_resp_err_t err = rd_kafka_producev(
          producer->rk(), RD_KAFKA_V_RKT(producer->topic()), RD_KAFKA_V_PARTITION(partition),
          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
          RD_KAFKA_V_KEY(record.key.data(), record.key.size()),
          RD_KAFKA_V_VALUE(const_cast<char*>(record.value.data()), record.value.size()),
          RD_KAFKA_V_HEADERS(headers),
          RD_KAFKA_V_TIMESTAMP(absl::ToUnixMillis(record.cloud_event.time)),
          RD_KAFKA_V_OPAQUE(slot.get()), RD_KAFKA_V_END);
      if (err) {
        rd_kafka_headers_destroy(headers);
        absl::MutexLock lock(&delivery->mu);
        delivery->partitions[i] = -1;
        delivery->Abandon();
        return KafkaStatus(err, i == 0 ? std::string("producing (nothing written)")
                                       : absl::StrCat("producing record ", i, " (records 0..",
                                                      i - 1, " possibly written)"));
      }
      slot.release();  // freed by OnDelivery
    }
    absl::MutexLock lock(&delivery->mu);
    while (delivery->remaining > 0) {
      if (delivery->done.WaitWithDeadline(&delivery->mu, deadline)) break;
    }
    if (delivery->remaining > 0) {
      delivery->Abandon();
      return absl::UnavailableError(absl::StrCat(
          "no acknowledgement from ", options_.brokers, " by the deadline for ",
          delivery->remaining, " of ", records.size(), " records; they may still be written"));
    }
    if (!delivery->error.ok()) {
      if (!producer->FatalError().empty()) RETURN_IF_ERROR(Replace(producer));
      return delivery->error;
    }
    return delivery->positions;
  }

  absl::StatusOr<std::unique_ptr<LogReader>> OpenReader(const PositionMap& from) override {
    for (const auto& [partition, offset] : from) {
      if (partition < 0 || partition >= partition_count() || offset < 0) {
        return absl::InvalidArgumentError(
            absl::StrCat("position ", offset, " of partition ", partition, " is not valid"));
      }
    }
    ASSIGN_OR_RETURN(ConfPtr conf,
                     MakeConf({
                         {"bootstrap.servers", options_.brokers},
                         {"client.id", options_.client_id},
                         {"group.id", options_.client_id + "-reader"},
                         {"enable.auto.commit", "false"},
                         {"enable.auto.offset.store", "false"},
                         {"auto.offset.reset", "error"},
                         {"enable.partition.eof", "false"},
                         {"fetch.wait.max.ms", absl::StrCat(options_.fetch_wait_max_ms)},
                         {"socket.nagle.disable", "true"},
                         {"reconnect.backoff.max.ms", "1000"},
                         {"log_level", "3"},
                     }));
    ASSIGN_OR_RETURN(rd_kafka_t * raw, NewClient(RD_KAFKA_CONSUMER, std::move(conf)));
    ClientPtr consumer(raw);
    rd_kafka_poll_set_consumer(consumer.get());
    PartitionListPtr assignment = ToPartitionList(options_.topic, from);
    if (rd_kafka_resp_err_t err = rd_kafka_assign(consumer.get(), assignment.get())) {
      return KafkaStatus(err, "assigning partitions");
    }
    return std::make_unique<KafkaReader>(std::move(consumer), from);
  }

  absl::StatusOr<int64_t> EndOffset(int32_t partition, absl::Time deadline) override {
    if (partition < 0 || partition >= partition_count()) {
      return absl::InvalidArgumentError(
          absl::StrCat("partition ", partition, " is not in [0, ", partition_count(), ")"));
    }
    if (int64_t earlier = in_flight_->Of(partition); earlier > 0) {
      return absl::UnavailableError(absl::StrCat(
          "end offset of partition ", partition, ": not known while ", earlier,
          " records appended to it are still in flight (", options_.brokers,
          " is not answering)"));
    }
    int64_t low = 0, high = 0;
    rd_kafka_resp_err_t err =
        rd_kafka_query_watermark_offsets(CurrentProducer()->rk(), options_.topic.c_str(), partition,
                                         &low, &high, RemainingMs(deadline));
    if (err) return KafkaStatus(err, absl::StrCat("end offset of partition ", partition));
    return high;
  }

  absl::Status CommitPositions(std::string_view consumer, const PositionMap& positions,
                               absl::Time deadline) override {
    ASSIGN_OR_RETURN(rd_kafka_t * committer, Committer(consumer));
    PartitionListPtr offsets = ToPartitionList(options_.topic, positions);
    rd_kafka_queue_t* queue = rd_kafka_queue_new(committer);
    rd_kafka_resp_err_t err =
        rd_kafka_commit_queue(committer, offsets.get(), queue, nullptr, nullptr);
    absl::Status status = KafkaStatus(err, "committing positions");
    if (status.ok()) {
      rd_kafka_event_t* event = rd_kafka_queue_poll(queue, RemainingMs(deadline));
      if (!event) {
        status = absl::UnavailableError("committing positions: no answer by the deadline");
      } else {
        status = KafkaStatus(rd_kafka_event_error(event), "committing positions");
        if (const rd_kafka_topic_partition_list_t* result =
                rd_kafka_event_topic_partition_list(event);
            status.ok() && result) {
          for (int i = 0; i < result->cnt && status.ok(); ++i) {
            status = KafkaStatus(result->elems[i].err,
                                 absl::StrCat("committing partition ", result->elems[i].partition));
          }
        }
        rd_kafka_event_destroy(event);
      }
    }
    rd_kafka_queue_destroy(queue);
    return status;
  }

  absl::StatusOr<PositionMap> CommittedPositions(std::string_view consumer,
                                                 absl::Time deadline) override {
    ASSIGN_OR_RETURN(rd_kafka_t * committer, Committer(consumer));
    PositionMap all;
    for (int32_t p = 0; p < partition_count(); ++p) all[p] = RD_KAFKA_OFFSET_INVALID;
    PartitionListPtr list = ToPartitionList(options_.topic, all);
    if (rd_kafka_resp_err_t err =
            rd_kafka_committed(committer, list.get(), RemainingMs(deadline))) {
      return KafkaStatus(err, "reading committed positions");
    }
    PositionMap positions;
    for (int i = 0; i < list->cnt; ++i) {
      const rd_kafka_topic_partition_t& entry = list->elems[i];
      if (entry.err) return KafkaStatus(entry.err, "reading committed positions");
      if (entry.offset >= 0) positions[entry.partition] = entry.offset;
    }
    return positions;
  }

  absl::Status FailProducerForTesting() {
    return KafkaStatus(rd_kafka_test_fatal_error(CurrentProducer()->rk(),
                                                 RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER,
                                                 "injected by a test"),
                       "injecting a fatal error");
  }

 private:
  std::shared_ptr<Producer> CurrentProducer() {
    absl::MutexLock lock(&producer_mu_);
    return producer_;
  }

  // Puts a new producer in place of `failed` (once, whoever notices first).
  // The writer fences its partitions on the error its caller gets.
  absl::Status Replace(const std::shared_ptr<Producer>& failed) {
    absl::MutexLock lock(&producer_mu_);
    if (producer_ != failed) return absl::OkStatus();
    ASSIGN_OR_RETURN(producer_, Producer::Create(options_));
    return absl::OkStatus();
  }

  // A consumer handle per consumer name, used only to commit and read positions.
  absl::StatusOr<rd_kafka_t*> Committer(std::string_view consumer) {
    if (consumer.empty()) return absl::InvalidArgumentError("consumer: must not be empty");
    absl::MutexLock lock(&committers_mu_);
    auto it = committers_.find(consumer);
    if (it != committers_.end()) return it->second.get();
    ASSIGN_OR_RETURN(ConfPtr conf, MakeConf({
                                       {"bootstrap.servers", options_.brokers},
                                       {"client.id", options_.client_id},
                                       {"group.id", std::string(consumer)},
                                       {"enable.auto.commit", "false"},
                                       {"log_level", "3"},
                                   }));
    ASSIGN_OR_RETURN(rd_kafka_t * raw, NewClient(RD_KAFKA_CONSUMER, std::move(conf)));
    return committers_.emplace(std::string(consumer), ClientPtr(raw)).first->second.get();
  }

  const KafkaLogOptions options_;
  const std::shared_ptr<InFlight> in_flight_ = std::make_shared<InFlight>();
  absl::Mutex producer_mu_;
  std::shared_ptr<Producer> producer_ ABSL_GUARDED_BY(producer_mu_);
  std::string log_id_;

  absl::Mutex committers_mu_;
  std::map<std::string, ClientPtr, std::less<>> committers_ ABSL_GUARDED_BY(committers_mu_);
};

}  // namespace

namespace internal {

absl::Status FailProducerForTesting(EventLog& log) {
  auto* kafka = dynamic_cast<KafkaLog*>(&log);
  if (!kafka) return absl::InvalidArgumentError("not a Kafka log");
  return kafka->FailProducerForTesting();
}

}  // namespace internal

absl::StatusOr<std::unique_ptr<EventLog>> OpenKafkaLog(const KafkaLogOptions& options,
                                                       absl::Time deadline) {
  if (options.brokers.empty()) return absl::InvalidArgumentError("brokers: must not be empty");
  if (options.partitions <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("partitions: ", options.partitions, " must be positive"));
  }
  ASSIGN_OR_RETURN(std::shared_ptr<Producer> producer, Producer::Create(options));
  auto log = std::make_unique<KafkaLog>(options, std::move(producer));
  RETURN_IF_ERROR(log->Connect(deadline));
  return log;
}

}  // namespace vanguard::eventlog
