#include "libs/metrics/metrics.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "libs/rpc/server.h"
#include "vanguard/v1/view_service.grpc.pb.h"

namespace vanguard::metrics {
namespace {

using ::testing::HasSubstr;

// A service that answers every level view with NOT_FOUND.
class NowhereViews final : public v1::ViewService::Service {
  grpc::Status GetLevelView(grpc::ServerContext*, const v1::GetLevelViewRequest*,
                            v1::GetLevelViewResponse*) override {
    return grpc::Status(grpc::StatusCode::NOT_FOUND, "nowhere");
  }
};

// GET /metrics over plain HTTP.
std::string Scrape(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) return "";
  std::string request = "GET /metrics HTTP/1.0\r\nHost: localhost\r\n\r\n";
  (void)!write(fd, request.data(), request.size());
  std::string response;
  char buffer[4096];
  for (ssize_t n; (n = read(fd, buffer, sizeof(buffer))) > 0;) response.append(buffer, n);
  close(fd);
  return response;
}

TEST(MetricsTest, CountsCallsByMethodAndCodeAndServesThemWithGauges) {
  Metrics metrics;
  NowhereViews service;
  auto server = rpc::Server::Start({.interceptors = metrics.RpcInterceptors()}, {&service});
  ASSERT_TRUE(server.ok()) << server.status();
  auto stub = v1::ViewService::NewStub(grpc::CreateChannel(
      absl::StrCat("127.0.0.1:", (*server)->port()), grpc::InsecureChannelCredentials()));
  for (int i = 0; i < 2; ++i) {
    grpc::ClientContext context;
    v1::GetLevelViewResponse response;
    EXPECT_EQ(stub->GetLevelView(&context, {}, &response).error_code(), grpc::StatusCode::NOT_FOUND);
  }
  int parked = 3;
  metrics.AddGauge("vanguard_views_parked_aggregates", "Aggregates waiting", {},
                   [&] { return parked; });
  std::string text = metrics.Text();
  EXPECT_THAT(text, HasSubstr("vanguard_rpc_calls_total{code=\"NOT_FOUND\",method=\"/vanguard.v1."
                              "ViewService/GetLevelView\"} 2"));
  EXPECT_THAT(text, HasSubstr("vanguard_rpc_duration_seconds_count{method=\"/vanguard.v1."
                              "ViewService/GetLevelView\"} 2"));
  EXPECT_THAT(text, HasSubstr("vanguard_views_parked_aggregates 3"));

  auto port = metrics.Serve("127.0.0.1:0");
  ASSERT_TRUE(port.ok()) << port.status();
  ASSERT_GT(*port, 0);
  parked = 0;
  std::string scraped = Scrape(*port);
  EXPECT_THAT(scraped, HasSubstr("200 OK"));
  EXPECT_THAT(scraped, HasSubstr("vanguard_views_parked_aggregates 0")) << "read at each scrape";
  EXPECT_THAT(scraped, HasSubstr("vanguard_rpc_calls_total{code=\"NOT_FOUND\""));
}

}  // namespace
}  // namespace vanguard::metrics
