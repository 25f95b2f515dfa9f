#include "libs/rpc/server.h"

#include <arpa/inet.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/security/credentials.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <future>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/rpc/auth.h"
#include "libs/rpc/status.h"
#include "vanguard/v1/organisation_service.grpc.pb.h"

namespace vanguard::rpc {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::SizeIs;

// Answers RegisterOrganisation with the caller's principal id, or the error
// Authenticate gave; an empty name is INVALID_ARGUMENT, as a handler would say.
class WhoAmI final : public v1::OrganisationService::Service {
 public:
  explicit WhoAmI(const TokenStore* tokens) : tokens_(tokens) {}

  grpc::Status RegisterOrganisation(grpc::ServerContext* context,
                                    const v1::RegisterOrganisationRequest* request,
                                    v1::RegisterOrganisationResponse* response) override {
    absl::StatusOr<Principal> principal = tokens_->Authenticate(*context);
    if (!principal.ok()) return ToGrpcStatus(principal.status());
    if (request->name().empty()) {
      return ToGrpcStatus(absl::InvalidArgumentError("name: must not be empty"));
    }
    response->mutable_result()->set_aggregate_id(principal->id);
    return grpc::Status::OK;
  }

 private:
  const TokenStore* tokens_;
};

TokenStore Tokens() {
  absl::StatusOr<TokenStore> tokens =
      TokenStore::Parse(absl::StrCat(TokenStore::HashToken("s3cret"), " clerk-7 clerk yuxia\n",
                                     "cert:water-bureau dept-water department county-water\n"));
  EXPECT_TRUE(tokens.ok()) << tokens.status();
  return *std::move(tokens);
}

grpc::Status Call(const std::shared_ptr<grpc::Channel>& channel, const std::string& token,
                  const std::string& name, v1::RegisterOrganisationResponse* response) {
  auto stub = v1::OrganisationService::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  if (!token.empty()) context.AddMetadata("authorization", absl::StrCat("Bearer ", token));
  v1::RegisterOrganisationRequest request;
  request.set_request_id("r-1");
  request.set_name(name);
  return stub->RegisterOrganisation(&context, request, response);
}

std::shared_ptr<grpc::Channel> Plaintext(int port) {
  return grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials());
}

class PlaintextServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<Server>> server = Server::Start({}, {&service_});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    ASSERT_GT(server_->port(), 0);
  }

  TokenStore tokens_ = Tokens();
  WhoAmI service_{&tokens_};
  std::unique_ptr<Server> server_;
};

TEST_F(PlaintextServerTest, BearerTokenAuthenticates) {
  v1::RegisterOrganisationResponse response;
  grpc::Status status = Call(Plaintext(server_->port()), "s3cret", "支部", &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.result().aggregate_id(), "clerk-7");
}

TEST_F(PlaintextServerTest, MissingTokenIsUnauthenticated) {
  v1::RegisterOrganisationResponse response;
  grpc::Status status = Call(Plaintext(server_->port()), "", "支部", &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(status.error_message(), "missing bearer token");
}

TEST_F(PlaintextServerTest, UnknownTokenIsUnauthenticatedAndNotEchoed) {
  v1::RegisterOrganisationResponse response;
  grpc::Status status = Call(Plaintext(server_->port()), "guessed-token", "支部", &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(status.error_message(), "unknown token");
  EXPECT_THAT(status.error_details(), Not(HasSubstr("guessed-token")));
  ASSERT_TRUE(ErrorInfoOf(status).has_value());
  EXPECT_EQ(ErrorInfoOf(status)->reason(), "UNAUTHENTICATED");
}

TEST_F(PlaintextServerTest, RichErrorDetailsReachTheClient) {
  v1::RegisterOrganisationResponse response;
  grpc::Status status = Call(Plaintext(server_->port()), "s3cret", "", &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  auto violations = FieldViolationsOf(status);
  ASSERT_THAT(violations, SizeIs(1));
  EXPECT_EQ(violations[0].field(), "name");
  EXPECT_EQ(violations[0].description(), "must not be empty");
}

// Asks grpc.health.v1.Health/Check about `service`; the serialized response.
std::string HealthOf(int port, const std::string& service, grpc::Status* status) {
  grpc::GenericStub stub(Plaintext(port));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  std::string request_bytes;
  if (!service.empty()) {
    request_bytes = std::string(1, '\x0a') + static_cast<char>(service.size()) + service;
  }
  grpc::Slice slice(request_bytes);
  grpc::ByteBuffer request(&slice, 1);  // HealthCheckRequest{service}
  grpc::ByteBuffer response;
  std::promise<grpc::Status> done;
  stub.UnaryCall(&context, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request, &response,
                 [&done](grpc::Status status) { done.set_value(status); });
  *status = done.get_future().get();
  std::vector<grpc::Slice> slices;
  if (!response.Dump(&slices).ok()) return "";
  std::string bytes;
  for (const grpc::Slice& part : slices) {
    bytes.append(reinterpret_cast<const char*>(part.begin()), part.size());
  }
  return bytes;
}

const std::string kServing("\x08\x01", 2), kNotServing("\x08\x02", 2);

TEST_F(PlaintextServerTest, HealthAnswersLivenessAndReadiness) {
  grpc::Status status;
  EXPECT_EQ(HealthOf(server_->port(), "", &status), kServing);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(HealthOf(server_->port(), "liveness", &status), kServing);
  server_->SetReady(false);  // draining
  EXPECT_EQ(HealthOf(server_->port(), "", &status), kNotServing);
  EXPECT_EQ(HealthOf(server_->port(), "liveness", &status), kServing) << "alive while draining";
}

TEST(Server, AServerStartedNotReadyIsAliveButNotReady) {
  absl::StatusOr<std::unique_ptr<Server>> server = Server::Start({.start_ready = false}, {});
  ASSERT_TRUE(server.ok()) << server.status();
  grpc::Status status;
  EXPECT_EQ(HealthOf((*server)->port(), "", &status), kNotServing);
  EXPECT_EQ(HealthOf((*server)->port(), "liveness", &status), kServing);
  (*server)->SetReady(true);
  EXPECT_EQ(HealthOf((*server)->port(), "", &status), kServing);
}

TEST_F(PlaintextServerTest, ShutdownIsIdempotent) {
  server_->Shutdown(absl::Now() + absl::Seconds(1));
  server_->Shutdown(absl::Now());
  server_->Wait();
}

TEST(Server, PlaintextRefusedOffLoopback) {
  absl::StatusOr<std::unique_ptr<Server>> server =
      Server::Start({.listen_address = "0.0.0.0:0"}, {});
  EXPECT_EQ(server.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(server.status().message(), HasSubstr("0.0.0.0:0"));
  EXPECT_EQ(Server::Start({.listen_address = "[::]:0"}, {}).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(Server, PlaintextOffLoopbackOnlyWhenInsecureListenSaysSo) {
  absl::StatusOr<std::unique_ptr<Server>> server =
      Server::Start({.listen_address = "0.0.0.0:0", .insecure_listen = true}, {});
  ASSERT_TRUE(server.ok()) << server.status();
  grpc::Status status;
  EXPECT_EQ(HealthOf((*server)->port(), "liveness", &status), kServing);
}

TEST(Server, ARequestOverTheReceiveLimitIsResourceExhausted) {
  TokenStore tokens = Tokens();
  WhoAmI service(&tokens);
  absl::StatusOr<std::unique_ptr<Server>> server =
      Server::Start({.max_receive_bytes = 64 << 10}, {&service});
  ASSERT_TRUE(server.ok()) << server.status();
  v1::RegisterOrganisationResponse response;
  grpc::Status status =
      Call(Plaintext((*server)->port()), "s3cret", std::string(65 << 10, 'x'), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << status.error_message();
  status = Call(Plaintext((*server)->port()), "s3cret", std::string(60 << 10, 'x'), &response);
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(ServerOptions().max_receive_bytes, 1 << 20);
}

TEST(Server, BindFailureIsUnavailable) {
  // A listener without SO_REUSEPORT keeps gRPC from binding the same port.
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ASSERT_EQ(listen(fd, 1), 0);
  socklen_t length = sizeof(address);
  ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length), 0);
  const std::string taken = absl::StrCat("127.0.0.1:", ntohs(address.sin_port));

  absl::StatusOr<std::unique_ptr<Server>> server = Server::Start({.listen_address = taken}, {});
  EXPECT_EQ(server.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(server.status().message(), HasSubstr(taken));
  close(fd);
}

TEST(Server, InconsistentTlsOptionsAreInvalid) {
  EXPECT_EQ(Server::Start({.tls_cert_file = "server.pem"}, {}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Server::Start({.tls_client_ca_file = "ca.pem"}, {}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Server::Start({.tls_cert_file = "/nonexistent/server.pem",
                           .tls_key_file = "/nonexistent/server.key"},
                          {})
                .status()
                .code(),
            absl::StatusCode::kNotFound);
}

TEST(IsLoopbackAddress, RecognisesLoopbackOnly) {
  EXPECT_TRUE(IsLoopbackAddress("127.0.0.1:0"));
  EXPECT_TRUE(IsLoopbackAddress("127.8.9.10:443"));
  EXPECT_TRUE(IsLoopbackAddress("[::1]:50051"));
  EXPECT_TRUE(IsLoopbackAddress("localhost:50051"));
  EXPECT_TRUE(IsLoopbackAddress("LOCALHOST:1"));
  EXPECT_FALSE(IsLoopbackAddress("0.0.0.0:0"));
  EXPECT_FALSE(IsLoopbackAddress("[::]:0"));
  EXPECT_FALSE(IsLoopbackAddress("10.0.0.1:50051"));
  EXPECT_FALSE(IsLoopbackAddress("128.0.0.1:50051"));
  EXPECT_FALSE(IsLoopbackAddress("example.com:443"));
  EXPECT_FALSE(IsLoopbackAddress("localhost.example.com:443"));
}

// A throwaway CA with a server certificate for localhost and a client
// certificate with common name "water-bureau", made with the openssl tool.
class TlsServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // Per process: test runners may run each test case in its own process.
    dir_ = new std::string(absl::StrCat(::testing::TempDir(), "/vanguard_rpc_tls_", getpid()));
    const std::string& d = *dir_;
    const std::string ec = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
    const std::string script = absl::StrCat(
        "set -e; rm -rf ", d, "; mkdir -p ", d, "; cd ", d, ";",
        "printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\n' > server.ext;", "openssl req -x509 ",
        ec, " -keyout ca.key -out ca.pem -days 1 -subj /CN=test-ca;", "openssl req ", ec,
        " -keyout server.key -out server.csr -subj /CN=localhost;",
        "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial",
        " -out server.pem -days 1 -extfile server.ext;", "openssl req ", ec,
        " -keyout client.key -out client.csr -subj /CN=water-bureau;",
        "openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial",
        " -out client.pem -days 1;");
    made_ = std::system(absl::StrCat("sh -c \"", script, "\" >/dev/null 2>&1").c_str()) == 0;
  }

  static void TearDownTestSuite() {
    if (std::system(absl::StrCat("rm -rf ", *dir_).c_str()) != 0) {
      // Leftovers in the temporary directory are harmless.
    }
    delete dir_;
    dir_ = nullptr;
  }

  void SetUp() override {
    if (!made_) GTEST_SKIP() << "openssl could not make test certificates";
    absl::StatusOr<std::unique_ptr<Server>> server =
        Server::Start({.listen_address = "127.0.0.1:0",
                       .tls_cert_file = *dir_ + "/server.pem",
                       .tls_key_file = *dir_ + "/server.key",
                       .tls_client_ca_file = *dir_ + "/ca.pem"},
                      {&service_});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
  }

  static std::string Read(const std::string& name) {
    std::ifstream file(*dir_ + "/" + name);
    std::stringstream text;
    text << file.rdbuf();
    return text.str();
  }

  std::shared_ptr<grpc::Channel> Tls(bool with_client_certificate) {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = Read("ca.pem");
    if (with_client_certificate) {
      ssl.pem_private_key = Read("client.key");
      ssl.pem_cert_chain = Read("client.pem");
    }
    grpc::ChannelArguments arguments;
    arguments.SetSslTargetNameOverride("localhost");
    return grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", server_->port()),
                                     grpc::SslCredentials(ssl), arguments);
  }

  static inline std::string* dir_ = nullptr;
  static inline bool made_ = false;
  TokenStore tokens_ = Tokens();
  WhoAmI service_{&tokens_};
  std::unique_ptr<Server> server_;
};

TEST_F(TlsServerTest, ClientCertificateAuthenticatesByCommonName) {
  v1::RegisterOrganisationResponse response;
  grpc::Status status = Call(Tls(/*with_client_certificate=*/true), "", "支部", &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.result().aggregate_id(), "dept-water");
}

TEST_F(TlsServerTest, BearerTokenWinsOverCertificate) {
  v1::RegisterOrganisationResponse response;
  grpc::Status status = Call(Tls(/*with_client_certificate=*/true), "s3cret", "支部", &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.result().aggregate_id(), "clerk-7");
}

TEST_F(TlsServerTest, BearerTokenWithoutClientCertificate) {
  v1::RegisterOrganisationResponse response;
  grpc::Status status = Call(Tls(/*with_client_certificate=*/false), "s3cret", "支部", &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.result().aggregate_id(), "clerk-7");
}

TEST_F(TlsServerTest, NeitherTokenNorCertificateIsUnauthenticated) {
  v1::RegisterOrganisationResponse response;
  grpc::Status status = Call(Tls(/*with_client_certificate=*/false), "", "支部", &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(status.error_message(), "missing bearer token");
}

TEST_F(TlsServerTest, PlaintextClientIsRefused) {
  v1::RegisterOrganisationResponse response;
  grpc::Status status = Call(Plaintext(server_->port()), "s3cret", "支部", &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
}

}  // namespace
}  // namespace vanguard::rpc
