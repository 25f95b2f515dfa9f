// Secrets never reach the logs or an error: `vanguard serve` with TLS (and
// mTLS) and a per-principal rate limit, its JSON logs on stderr captured,
// gets calls with a valid token, an unknown one, an expired one, malformed
// `authorization` headers, a client certificate the tokens file does not
// list, bad input, reads and audits it may not make, and more commands than
// its rate limit admits. No bearer token, no token's SHA-256, and no line of
// a private key's PEM appears in any log line or error message (and the logs
// do hold the refusals, so the check has something to read).
//
// Plaintext off loopback: `vanguard serve --listen=0.0.0.0:0` without TLS
// refuses to start, unless --insecure_listen says so.
#include <signal.h>

#include <cstdio>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "libs/eventlog/testing.h"
#include "libs/rpc/auth.h"
#include "tests/support/subprocess.h"
#include "vanguard/v1/audit_service.grpc.pb.h"
#include "vanguard/v1/member_service.grpc.pb.h"
#include "vanguard/v1/organisation_service.grpc.pb.h"
#include "vanguard/v1/submit_service.grpc.pb.h"
#include "vanguard/v1/view_service.grpc.pb.h"

namespace vanguard {
namespace {

// Tokens as a department would be handed them: random-looking text.
constexpr char kAdminToken[] = "tok-admin-5c3f9a1e7b2d48f0a6e1";
constexpr char kClerkToken[] = "tok-clerk-0d8e4b7a2c9f13e65b70";
constexpr char kExpiredToken[] = "tok-expired-9a7c5e3b1d2f4068ac";
constexpr char kUnknownToken[] = "tok-unknown-4e2a8c6b0f1d3957bd";

std::string ReadFile(const std::string& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

// The base64 lines of every private key's PEM in `dir`.
std::vector<std::string> KeyMaterial(const std::string& dir, const std::vector<std::string>& keys) {
  std::vector<std::string> lines;
  for (const std::string& key : keys) {
    for (absl::string_view line : absl::StrSplit(ReadFile(dir + "/" + key), '\n')) {
      line = absl::StripAsciiWhitespace(line);
      if (line.size() >= 16 && !absl::StartsWith(line, "-----")) lines.emplace_back(line);
    }
  }
  return lines;
}

bool MakeCertificates(const std::string& dir) {
  const std::string ec = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
  auto client = [&](const std::string& name) {
    return absl::StrCat("openssl req ", ec, " -keyout ", name, ".key -out ", name,
                        ".csr -subj /CN=", name, ";", "openssl x509 -req -in ", name,
                        ".csr -CA ca.pem -CAkey ca.key -CAcreateserial -out ", name,
                        ".pem -days 1;");
  };
  const std::string script = absl::StrCat(
      "set -e; cd ", dir, ";", "printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\\\n' > server.ext;",
      "openssl req -x509 ", ec, " -keyout ca.key -out ca.pem -days 1 -subj /CN=secrets-ca;",
      "openssl req ", ec, " -keyout server.key -out server.csr -subj /CN=localhost;",
      "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial",
      " -out server.pem -days 1 -extfile server.ext;", client("listed-client"),
      client("unlisted-client"));
  return std::system(absl::StrCat("sh -c \"", script, "\" >/dev/null 2>&1").c_str()) == 0;
}

class SecretsTest : public ::testing::Test {
 protected:
  std::shared_ptr<grpc::Channel> Tls(const std::string& client) {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = ReadFile(dir_.path() + "/ca.pem");
    if (!client.empty()) {
      ssl.pem_private_key = ReadFile(dir_.path() + "/" + client + ".key");
      ssl.pem_cert_chain = ReadFile(dir_.path() + "/" + client + ".pem");
    }
    grpc::ChannelArguments arguments;
    arguments.SetSslTargetNameOverride("localhost");
    return grpc::CreateCustomChannel(address_, grpc::SslCredentials(ssl), arguments);
  }

  eventlog::testing::ScopedTempDir dir_;
  std::string address_;
};

// Adds `authorization` ("" for none) and a deadline to a context.
void Prepare(grpc::ClientContext& context, const std::string& authorization) {
  if (!authorization.empty()) context.AddMetadata("authorization", authorization);
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(15));
}

v1::EnrolMemberRequest Enrol(const std::string& request_id, const std::string& name) {
  v1::EnrolMemberRequest request;
  request.set_request_id(request_id);
  request.set_organisation_id("county");
  request.mutable_attributes()->set_name(name);
  request.mutable_attributes()->set_category(v1::MEMBER_CATEGORY_OTHER);
  return request;
}

TEST_F(SecretsTest, NoTokenHashOrKeyInLogsOrErrors) {
  ASSERT_TRUE(MakeCertificates(dir_.path())) << "openssl could not make test certificates";
  std::ofstream(dir_.path() + "/tokens")
      << rpc::TokenStore::HashToken(kAdminToken) << " admin-1 admin county\n"
      << rpc::TokenStore::HashToken(kClerkToken) << " clerk-1 clerk county\n"
      << rpc::TokenStore::HashToken(kExpiredToken)
      << " clerk-2 clerk county expires=2025-01-01T00:00:00Z\n"
      << "cert:listed-client dept-1 department county\n";
  const std::string logs = dir_.path() + "/logs.jsonl";
  testing::Subprocess serve(
      {"/bin/sh", "-c",
       absl::StrCat("exec ", VANGUARD_BINARY, " serve --listen=127.0.0.1:0 --data_dir=",
                    dir_.path(), "/data --tokens_file=", dir_.path(), "/tokens --tls_cert=",
                    dir_.path(), "/server.pem --tls_key=", dir_.path(),
                    "/server.key --tls_client_ca=", dir_.path(),
                    "/ca.pem --rate_limit_per_principal=2 --rate_burst=20 --drain_seconds=5 2>>",
                    logs)});
  address_ = serve.ReadLine();
  ASSERT_FALSE(address_.empty()) << ReadFile(logs);

  auto channel = Tls("");
  auto organisations = v1::OrganisationService::NewStub(channel);
  auto members = v1::MemberService::NewStub(channel);
  std::vector<grpc::Status> errors;
  auto keep = [&](const grpc::Status& status) {
    if (!status.ok()) errors.push_back(status);
    return status;
  };

  // The county, once the server is ready.
  v1::RegisterOrganisationRequest county;
  county.set_request_id("register-county");
  county.set_organisation_id("county");
  county.set_name("县委");
  county.set_kind(v1::ORGANISATION_KIND_COMMITTEE);
  county.set_level(v1::ORGANISATION_LEVEL_COUNTY);
  county.set_sector(v1::SECTOR_TERRITORIAL);
  grpc::Status registered;
  for (absl::Time until = absl::Now() + absl::Seconds(30); absl::Now() < until;
       absl::SleepFor(absl::Milliseconds(100))) {
    grpc::ClientContext context;
    Prepare(context, absl::StrCat("Bearer ", kAdminToken));
    v1::RegisterOrganisationResponse response;
    registered = organisations->RegisterOrganisation(&context, county, &response);
    if (registered.error_code() != grpc::StatusCode::UNAVAILABLE) break;
  }
  ASSERT_TRUE(registered.ok()) << registered.error_message();

  // Every way to present a token, good or bad, with good and bad input.
  const std::vector<std::string> authorizations = {
      absl::StrCat("Bearer ", kAdminToken),
      absl::StrCat("Bearer ", kClerkToken),
      absl::StrCat("Bearer ", kExpiredToken),
      absl::StrCat("Bearer ", kUnknownToken),
      absl::StrCat("Bearer ", rpc::TokenStore::HashToken(kAdminToken)),  // the hash as a token
      kAdminToken,                                                      // no "Bearer "
      absl::StrCat("Basic ", kClerkToken),
      absl::StrCat("bearer  ", kClerkToken, "  "),
      ""};
  int calls = 0;
  for (size_t a = 0; a < authorizations.size(); ++a) {
    const std::string& authorization = authorizations[a];
    for (const std::string& name : {std::string("张三"), std::string(""), std::string(300, 'x')}) {
      grpc::ClientContext context;
      Prepare(context, authorization);
      v1::EnrolMemberResponse response;
      keep(members->EnrolMember(&context, Enrol(absl::StrCat("enrol-", a, "-", name.size()), name),
                                &response));
      ++calls;
    }
    {  // An id that is not one.
      grpc::ClientContext context;
      Prepare(context, authorization);
      v1::RenameOrganisationRequest request;
      request.set_request_id(absl::StrCat("rename-", a));
      request.set_organisation_id(std::string(200, 'o'));
      request.set_name("新名");
      v1::RenameOrganisationResponse response;
      keep(organisations->RenameOrganisation(&context, request, &response));
      ++calls;
    }
    {  // A read and an audit.
      auto views = v1::ViewService::NewStub(channel);
      grpc::ClientContext context;
      Prepare(context, authorization);
      v1::GetOrganisationRequest request;
      request.set_organisation_id("county");
      v1::GetOrganisationResponse response;
      keep(views->GetOrganisation(&context, request, &response));
      auto audit = v1::AuditService::NewStub(channel);
      grpc::ClientContext audit_context;
      Prepare(audit_context, authorization);
      v1::StreamHistoryRequest history;
      history.set_aggregate_id("org-tree");
      auto reader = audit->StreamHistory(&audit_context, history);
      v1::StreamHistoryResponse page;
      while (reader->Read(&page)) {
      }
      keep(reader->Finish());
      calls += 2;
    }
    {  // Bulk, past the rate limit for the principals that have one.
      auto submit = v1::SubmitService::NewStub(channel);
      grpc::ClientContext context;
      Prepare(context, authorization);
      auto stream = submit->Submit(&context);
      for (int i = 0; i < 30; ++i) {
        v1::SubmitRequest command;
        *command.mutable_enrol_member() = Enrol(absl::StrCat("bulk-", a, "-", i), "李四");
        if (!stream->Write(command)) break;
      }
      stream->WritesDone();
      v1::SubmitResponse response;
      while (stream->Read(&response)) {
        if (response.has_error()) {
          errors.emplace_back(static_cast<grpc::StatusCode>(response.error().code()),
                              response.error().message(), response.error().details());
        }
      }
      keep(stream->Finish());
      ++calls;
    }
  }
  // Client certificates: one the tokens file lists, one it does not.
  for (const std::string client : {"listed-client", "unlisted-client"}) {
    auto certified = v1::MemberService::NewStub(Tls(client));
    grpc::ClientContext context;
    Prepare(context, "");
    v1::EnrolMemberResponse response;
    keep(certified->EnrolMember(&context, Enrol(absl::StrCat("cert-", client), "王五"), &response));
    ++calls;
  }

  serve.Signal(SIGTERM);
  EXPECT_EQ(serve.Wait(), 0);

  const std::string log_text = ReadFile(logs);
  std::vector<std::string> secrets = {kAdminToken, kClerkToken, kExpiredToken, kUnknownToken};
  for (const char* token : {kAdminToken, kClerkToken, kExpiredToken, kUnknownToken}) {
    secrets.push_back(rpc::TokenStore::HashToken(token));
  }
  const std::vector<std::string> keys =
      KeyMaterial(dir_.path(), {"server.key", "ca.key", "listed-client.key", "unlisted-client.key"});
  ASSERT_GE(keys.size(), 8u);
  secrets.insert(secrets.end(), keys.begin(), keys.end());

  int lines = 0;
  for (absl::string_view line : absl::StrSplit(log_text, '\n', absl::SkipEmpty())) {
    ++lines;
    EXPECT_TRUE(absl::StartsWith(line, "{") && absl::EndsWith(line, "}")) << line;
    for (const std::string& secret : secrets) {
      EXPECT_FALSE(absl::StrContains(line, secret)) << "a secret in the log: " << line;
    }
  }
  for (const grpc::Status& status : errors) {
    for (const std::string& secret : secrets) {
      EXPECT_FALSE(absl::StrContains(status.error_message(), secret)) << status.error_message();
      EXPECT_FALSE(absl::StrContains(status.error_details(), secret)) << status.error_message();
    }
  }
  // The logs and errors hold what was refused, so the checks above read something.
  EXPECT_TRUE(absl::StrContains(log_text, "\"command refused\"")) << log_text;
  EXPECT_TRUE(absl::StrContains(log_text, "\"rate limit reached\"")) << log_text;
  int expired = 0, unknown = 0, rate_limited = 0;
  for (const grpc::Status& status : errors) {
    expired += status.error_message() == "token expired";
    unknown += absl::StrContains(status.error_message(), "unknown");
    rate_limited += status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED;
  }
  EXPECT_GT(expired, 0);
  EXPECT_GT(unknown, 0);
  EXPECT_GT(rate_limited, 0);
  std::printf(
      "secrets: %d calls, %zu errors (%d expired, %d unknown, %d rate limited), %d log lines, "
      "%zu secrets looked for\n",
      calls, errors.size(), expired, unknown, rate_limited, lines, secrets.size());
}

// Starts `vanguard serve` with `flags`; its exit code once it stops (after
// SIGTERM when it serves), and whether it printed an address.
int Serve(const std::string& dir, const std::string& flags, bool* served, std::string* logs) {
  testing::Subprocess serve(
      {"/bin/sh", "-c",
       absl::StrCat("exec ", VANGUARD_BINARY, " serve --data_dir=", dir, "/data --tokens_file=",
                    dir, "/tokens --drain_seconds=1 ", flags, " 2>>", dir, "/logs.jsonl")});
  const std::string address = serve.ReadLine();
  *served = !address.empty();
  if (*served) serve.Signal(SIGTERM);
  const int code = serve.Wait();
  *logs = ReadFile(dir + "/logs.jsonl");
  return code;
}

TEST(PlaintextTest, OffLoopbackOnlyWithInsecureListen) {
  eventlog::testing::ScopedTempDir dir;
  std::ofstream(dir.path() + "/tokens")
      << rpc::TokenStore::HashToken(kAdminToken) << " admin-1 admin county\n";
  bool served = false;
  std::string logs;
  EXPECT_NE(Serve(dir.path(), "--listen=0.0.0.0:0", &served, &logs), 0);
  EXPECT_FALSE(served);
  EXPECT_TRUE(absl::StrContains(logs, "plaintext is allowed on loopback only")) << logs;

  EXPECT_EQ(Serve(dir.path(), "--listen=0.0.0.0:0 --insecure_listen", &served, &logs), 0);
  EXPECT_TRUE(served);
  EXPECT_TRUE(absl::StrContains(logs, "plaintext off loopback (--insecure_listen)")) << logs;

  // Loopback needs neither.
  EXPECT_EQ(Serve(dir.path(), "--listen=127.0.0.1:0", &served, &logs), 0);
  EXPECT_TRUE(served);
}

}  // namespace
}  // namespace vanguard
