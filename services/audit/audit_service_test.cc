// An aggregate's history from the log, over gRPC: in log order, with hashes
// that chain, rejected records marked, pages that resume, a time range, and
// only for auditors and admins.
#include "services/audit/audit_service.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "libs/eventlog/embedded_log.h"
#include "libs/eventlog/hash_chain.h"
#include "libs/eventlog/testing.h"
#include "libs/rpc/server.h"

namespace vanguard::audit {
namespace {

class AuditServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto log = eventlog::OpenEmbeddedLog({.path = dir_.path() + "/log", .partitions = 4});
    ASSERT_TRUE(log.ok());
    log_ = *std::move(log);
    std::string text;
    for (const auto& [token, line] : {std::pair{"auditor", "auditor-1 auditor county"},
                                      std::pair{"clerk", "clerk-1 clerk village"}}) {
      absl::StrAppend(&text, rpc::TokenStore::HashToken(token), " ", line, "\n");
    }
    tokens_ = std::make_unique<rpc::TokenStore>(*rpc::TokenStore::Parse(text));
    service_ = std::make_unique<AuditServiceImpl>(*log_, *tokens_);
    server_ = *rpc::Server::Start({}, {service_.get()});
    stub_ = v1::AuditService::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", server_->port()), grpc::InsecureChannelCredentials()));

    // pledge-1's five events on five days, other aggregates between them, and
    // a forged version 3 after the real one.
    std::string head;
    for (int v = 1; v <= 5; ++v) {
      Append("pledge-1", v, head, v);
      Append(absl::StrCat("pledge-", 100 + v), 1, "", v);
      if (v == 3) Append("pledge-1", 3, std::string(eventlog::kHashBytes, 'x'), 3);
    }
  }

  void Append(const std::string& aggregate, int64_t version, std::string& head, int day) {
    v1::Envelope e = eventlog::testing::SampleEnvelope(aggregate, version);
    if (aggregate == "pledge-1") {  // 定诺 → 审诺 (sent back) → revised → approved → 践诺
      e.set_aggregate_type(v1::AGGREGATE_TYPE_PLEDGE);
      switch (version) {
        case 1:
          e.mutable_pledge_made()->set_text("修通村道 8.5 公里");
          break;
        case 2:
          e.mutable_pledge_sent_back()->set_comment("目标不具体");
          break;
        case 3:
          e.mutable_pledge_revised()->set_text("年底前修通村道 8.5 公里");
          break;
        case 4:
          e.mutable_pledge_approved()->set_comment("同意");
          break;
        default:
          e.mutable_pledge_fulfilled()->set_description("已修通");
          break;
      }
      e.set_event_type(std::string(v1::Envelope::descriptor()
                                       ->FindFieldByNumber(e.payload_case())
                                       ->message_type()
                                       ->full_name()));
    }
    e.mutable_recorded_at()->set_seconds(1286769600 + day * 86400);
    auto sealed = eventlog::Seal(e, head, "/test");
    ASSERT_TRUE(sealed.ok());
    ASSERT_TRUE(log_->Append({&sealed->record, 1}, absl::Now() + absl::Seconds(5)).ok());
    head = sealed->hash;
  }
  void Append(const std::string& aggregate, int64_t version, const std::string& prev, int day) {
    std::string head = prev;
    Append(aggregate, version, head, day);
  }

  std::vector<v1::StreamHistoryResponse> Read(const std::string& token,
                                              const v1::StreamHistoryRequest& request,
                                              grpc::Status* status) {
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer " + token);
    auto reader = stub_->StreamHistory(&context, request);
    std::vector<v1::StreamHistoryResponse> pages;
    v1::StreamHistoryResponse page;
    while (reader->Read(&page)) pages.push_back(page);
    *status = reader->Finish();
    return pages;
  }

  eventlog::testing::ScopedTempDir dir_;
  std::unique_ptr<eventlog::EventLog> log_;
  std::unique_ptr<rpc::TokenStore> tokens_;
  std::unique_ptr<AuditServiceImpl> service_;
  std::unique_ptr<rpc::Server> server_;
  std::unique_ptr<v1::AuditService::Stub> stub_;
};

TEST_F(AuditServiceTest, TheLifecycleInLogOrderWithHashesThatChain) {
  v1::StreamHistoryRequest request;
  request.set_aggregate_id("pledge-1");
  grpc::Status status;
  std::vector<v1::StreamHistoryResponse> pages = Read("auditor", request, &status);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(pages.size(), 1u);
  const auto& records = pages[0].records();
  ASSERT_EQ(records.size(), 6);
  std::string head;
  int accepted = 0;
  for (int i = 0; i < records.size(); ++i) {
    if (i > 0) {
      EXPECT_GT(records[i].offset(), records[i - 1].offset());
    }
    if (!records[i].accepted()) {
      EXPECT_EQ(records[i].envelope().aggregate_version(), 3);
      EXPECT_FALSE(records[i].rejection_reason().empty());
      continue;
    }
    ++accepted;
    EXPECT_EQ(records[i].envelope().aggregate_version(), accepted);
    EXPECT_EQ(records[i].prev_hash(), head);
    EXPECT_EQ(records[i].hash(), eventlog::ChainHash(head, records[i].envelope_bytes()));
    head = records[i].hash();
  }
  EXPECT_EQ(accepted, 5);
  EXPECT_TRUE(pages[0].next_page_token().empty());
  std::vector<std::string> lifecycle;
  for (const auto& r : records) {
    if (r.accepted()) lifecycle.push_back(r.envelope().event_type());
  }
  EXPECT_EQ(lifecycle, (std::vector<std::string>{
                           "vanguard.v1.PledgeMade", "vanguard.v1.PledgeSentBack",
                           "vanguard.v1.PledgeRevised", "vanguard.v1.PledgeApproved",
                           "vanguard.v1.PledgeFulfilled"}));
}

TEST_F(AuditServiceTest, PagesResumeAndATimeRangeNarrows) {
  v1::StreamHistoryRequest request;
  request.set_aggregate_id("pledge-1");
  request.set_page_size(2);
  grpc::Status status;
  std::vector<v1::StreamHistoryResponse> pages = Read("auditor", request, &status);
  ASSERT_TRUE(status.ok());
  ASSERT_EQ(pages.size(), 3u);
  // A broken stream resumes after its second page.
  request.set_page_token(pages[1].next_page_token());
  std::vector<v1::StreamHistoryResponse> rest = Read("auditor", request, &status);
  ASSERT_TRUE(status.ok());
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(rest[0].SerializeAsString(), pages[2].SerializeAsString());

  v1::StreamHistoryRequest range;
  range.set_aggregate_id("pledge-1");
  range.mutable_recorded_from()->set_seconds(1286769600 + 2 * 86400);
  range.mutable_recorded_to()->set_seconds(1286769600 + 4 * 86400);
  pages = Read("auditor", range, &status);
  ASSERT_TRUE(status.ok());
  ASSERT_EQ(pages.size(), 1u);
  EXPECT_EQ(pages[0].records_size(), 3) << "days 2 and 3, the forgery included";
}

TEST_F(AuditServiceTest, OnlyAuditorsAndPreciseErrors) {
  v1::StreamHistoryRequest request;
  request.set_aggregate_id("pledge-1");
  grpc::Status status;
  Read("clerk", request, &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  Read("nobody", request, &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  v1::StreamHistoryRequest empty;
  Read("auditor", empty, &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  request.set_page_token("%%%");
  Read("auditor", request, &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  v1::StreamHistoryRequest unknown;
  unknown.set_aggregate_id("pledge-none");
  EXPECT_TRUE(Read("auditor", unknown, &status).empty());
  EXPECT_TRUE(status.ok());
}

}  // namespace
}  // namespace vanguard::audit
