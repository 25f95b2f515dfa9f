// The PostgreSQL peer over real gRPC against a real PostgreSQL: the four
// commands, request-id replay, refusals, concurrent writers on one budget,
// and the projector's roll-ups at every level.
#include "tests/bench/peer/pg_peer.h"

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <chrono>
#include <set>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "vanguard/v1/funds_service.grpc.pb.h"
#include "vanguard/v1/pledge_service.grpc.pb.h"

namespace vanguard::bench {
namespace {

using ::testing::StartsWith;

constexpr char kToken[] = "peer-test-token";
constexpr int64_t kBudgetFen = 100'000;

class PgPeerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<PgPeer>> started = PgPeer::Start(
        {.token = kToken,
         // Children before parents: the tree may come in any order.
         .organisations = {{"v1", "t"}, {"v2", "t"}, {"t", "k"}, {"k", "c"}, {"c", "p"}, {"p", ""}},
         .budgets = {{"k", v1::FUNDS_PURPOSE_CO_BUILDING, 2024, kBudgetFen}},
         .server_threads = 4});
    ASSERT_TRUE(started.ok()) << started.status();
    peer_ = std::move(*started);
    auto channel = grpc::CreateChannel(peer_->address(), grpc::InsecureChannelCredentials());
    pledges_ = v1::PledgeService::NewStub(channel);
    funds_ = v1::FundsService::NewStub(channel);
  }

  static std::unique_ptr<grpc::ClientContext> Context(const std::string& token = kToken) {
    auto context = std::make_unique<grpc::ClientContext>();
    if (!token.empty()) context->AddMetadata("authorization", absl::StrCat("Bearer ", token));
    context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    return context;
  }

  grpc::Status Make(const std::string& request_id, const std::string& pledger,
                    v1::MakePledgeResponse* response, const std::string& text = "修好村道") {
    v1::MakePledgeRequest request;
    request.set_request_id(request_id);
    request.mutable_pledger()->set_organisation_id(pledger);
    request.set_kind(v1::PLEDGE_KIND_DEED);
    request.set_text(text);
    return pledges_->MakePledge(Context().get(), request, response);
  }

  grpc::Status Approve(const std::string& request_id, const std::string& pledge_id,
                       v1::ApprovePledgeResponse* response) {
    v1::ApprovePledgeRequest request;
    request.set_request_id(request_id);
    request.set_pledge_id(pledge_id);
    return pledges_->ApprovePledge(Context().get(), request, response);
  }

  grpc::Status Fulfil(const std::string& request_id, const std::string& pledge_id,
                      v1::FulfilPledgeResponse* response) {
    v1::FulfilPledgeRequest request;
    request.set_request_id(request_id);
    request.set_pledge_id(pledge_id);
    return pledges_->FulfilPledge(Context().get(), request, response);
  }

  grpc::Status Disburse(const std::string& request_id, int64_t amount_fen,
                        v1::DisburseFundsResponse* response, const std::string& source = "k") {
    v1::DisburseFundsRequest request;
    request.set_request_id(request_id);
    request.set_source_organisation_id(source);
    request.set_purpose(v1::FUNDS_PURPOSE_CO_BUILDING);
    request.set_year(2024);
    request.mutable_recipient()->set_organisation_id("v1");
    request.set_amount_fen(amount_fen);
    return funds_->DisburseFunds(Context().get(), request, response);
  }

  int64_t Query(const std::string& sql) {
    absl::StatusOr<int64_t> value = peer_->QueryInt(sql);
    EXPECT_TRUE(value.ok()) << value.status();
    return value.value_or(-1);
  }

  int64_t Rollup(const std::string& org, const std::string& figure) {
    absl::StatusOr<int64_t> value = peer_->QueryInt(absl::StrCat(
        "SELECT value FROM rollup WHERE org_id = '", org, "' AND figure = '", figure, "'"));
    return value.ok() ? *value : 0;
  }

  void AwaitProjection() {
    const absl::Time deadline = absl::Now() + absl::Seconds(20);
    while (peer_->ProjectedPosition() < peer_->LastPosition() && absl::Now() < deadline) {
      absl::SleepFor(absl::Milliseconds(5));
    }
    ASSERT_GE(peer_->ProjectedPosition(), peer_->LastPosition());
  }

  std::unique_ptr<PgPeer> peer_;
  std::unique_ptr<v1::PledgeService::Stub> pledges_;
  std::unique_ptr<v1::FundsService::Stub> funds_;
};

TEST_F(PgPeerTest, PledgeLifecycleAndDisbursementRollUpToEveryLevel) {
  v1::MakePledgeResponse made;
  ASSERT_TRUE(Make("make-1", "v1", &made).ok());
  const std::string pledge_id = made.result().aggregate_id();
  EXPECT_THAT(pledge_id, StartsWith("pledge-"));
  EXPECT_EQ(made.result().version(), 1);
  EXPECT_FALSE(made.result().replayed());

  v1::ApprovePledgeResponse approved;
  ASSERT_TRUE(Approve("approve-1", pledge_id, &approved).ok());
  EXPECT_EQ(approved.result().aggregate_id(), pledge_id);
  EXPECT_EQ(approved.result().version(), 2);
  v1::FulfilPledgeResponse fulfilled;
  ASSERT_TRUE(Fulfil("fulfil-1", pledge_id, &fulfilled).ok());
  EXPECT_EQ(fulfilled.result().version(), 3);

  v1::DisburseFundsResponse disbursed;
  ASSERT_TRUE(Disburse("disburse-1", 30'000, &disbursed).ok());
  EXPECT_THAT(disbursed.disbursement_id(), StartsWith("disb-"));
  EXPECT_EQ(disbursed.result().version(), 2);  // after the allocation
  ASSERT_TRUE(Make("make-2", "v2", &made).ok());

  AwaitProjection();
  EXPECT_EQ(Rollup("v1", "pledges_made"), 1);
  EXPECT_EQ(Rollup("v1", "pledges_approved"), 1);
  EXPECT_EQ(Rollup("v1", "pledges_fulfilled"), 1);
  EXPECT_EQ(Rollup("v1", "funds_received_fen"), 30'000);
  EXPECT_EQ(Rollup("v2", "pledges_made"), 1);
  EXPECT_EQ(Rollup("v2", "pledges_approved"), 0);
  EXPECT_EQ(Rollup("t", "pledges_made"), 2);
  EXPECT_EQ(Rollup("p", "pledges_made"), 2);
  EXPECT_EQ(Rollup("p", "pledges_approved"), 1);
  EXPECT_EQ(Rollup("p", "pledges_fulfilled"), 1);
  EXPECT_EQ(Rollup("p", "funds_received_fen"), 30'000);
  EXPECT_EQ(Query("SELECT level FROM organisations WHERE id = 'v1'"), 5);
}

TEST_F(PgPeerTest, ReplayAnswersTheFirstResultAndAppendsNothing) {
  v1::MakePledgeResponse first, again;
  ASSERT_TRUE(Make("make-1", "v1", &first).ok());
  v1::DisburseFundsResponse paid, paid_again;
  ASSERT_TRUE(Disburse("disburse-1", 1'000, &paid).ok());
  const int64_t events = Query("SELECT count(*) FROM events");

  ASSERT_TRUE(Make("make-1", "v1", &again).ok());
  EXPECT_EQ(again.result().aggregate_id(), first.result().aggregate_id());
  EXPECT_EQ(again.result().version(), 1);
  EXPECT_TRUE(again.result().replayed());
  ASSERT_TRUE(Disburse("disburse-1", 1'000, &paid_again).ok());
  EXPECT_EQ(paid_again.disbursement_id(), paid.disbursement_id());
  EXPECT_EQ(paid_again.result().version(), paid.result().version());
  EXPECT_TRUE(paid_again.result().replayed());
  EXPECT_EQ(Query("SELECT count(*) FROM events"), events);

  // The same id for another request, or for another command, is refused.
  EXPECT_EQ(Make("make-1", "v1", &again, "another text").error_code(),
            grpc::StatusCode::ALREADY_EXISTS);
  v1::ApprovePledgeResponse approved;
  EXPECT_EQ(Approve("make-1", first.result().aggregate_id(), &approved).error_code(),
            grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(Query("SELECT count(*) FROM events"), events);
  EXPECT_EQ(Query("SELECT count(*) FROM request_ids"), 2);
}

TEST_F(PgPeerTest, RefusesWhatTheStateOrTheCallerDoesNotAllow) {
  v1::MakePledgeResponse made;
  ASSERT_TRUE(Make("make-1", "v1", &made).ok());
  const std::string pledge_id = made.result().aggregate_id();
  const int64_t events = Query("SELECT count(*) FROM events");

  v1::FulfilPledgeResponse fulfilled;
  EXPECT_EQ(Fulfil("fulfil-1", pledge_id, &fulfilled).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  v1::ApprovePledgeResponse approved;
  EXPECT_EQ(Approve("approve-0", "pledge-nonexistent", &approved).error_code(),
            grpc::StatusCode::NOT_FOUND);
  v1::DisburseFundsResponse disbursed;
  EXPECT_EQ(Disburse("disburse-1", kBudgetFen + 1, &disbursed).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Disburse("disburse-2", 1, &disbursed, "t").error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Make("make-2", "nowhere", &made).error_code(), grpc::StatusCode::NOT_FOUND);

  v1::MakePledgeRequest request;
  request.set_request_id("make-3");
  request.mutable_pledger()->set_organisation_id("v1");
  EXPECT_EQ(pledges_->MakePledge(Context("wrong-token").get(), request, &made).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(pledges_->MakePledge(Context("").get(), request, &made).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  v1::SendBackPledgeRequest send_back;
  v1::SendBackPledgeResponse sent_back;
  EXPECT_EQ(pledges_->SendBackPledge(Context().get(), send_back, &sent_back).error_code(),
            grpc::StatusCode::UNIMPLEMENTED);
  EXPECT_EQ(Query("SELECT count(*) FROM events"), events);

  // A refused request left nothing behind: its retry is decided afresh.
  ASSERT_TRUE(Approve("approve-1", pledge_id, &approved).ok());
  EXPECT_EQ(Approve("approve-2", pledge_id, &approved).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  ASSERT_TRUE(Fulfil("fulfil-1", pledge_id, &fulfilled).ok());
  EXPECT_FALSE(fulfilled.result().replayed());
  EXPECT_EQ(fulfilled.result().version(), 3);
}

// Writers race on one budget stream and on the events table's positions: the
// unique (stream_id, version) key must keep the budget from being overdrawn,
// and the projector must count every event, whatever order they commit in.
TEST_F(PgPeerTest, ConcurrentWritersNeverOverdrawAndAreAllProjected) {
  constexpr int kThreads = 8, kPerThread = 10, kAmount = 2'000;
  std::atomic<int> paid{0}, refused{0}, pledged{0};
  absl::Mutex mutex;
  std::set<int64_t> versions;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const std::string id = absl::StrCat(t, "-", i);
        v1::DisburseFundsResponse disbursed;
        grpc::Status status = Disburse("disburse-" + id, kAmount, &disbursed);
        if (status.ok()) {
          ++paid;
          absl::MutexLock lock(&mutex);
          EXPECT_TRUE(versions.insert(disbursed.result().version()).second);
        } else {
          EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION)
              << status.error_message();
          ++refused;
        }
        v1::MakePledgeResponse made;
        v1::ApprovePledgeResponse approved;
        if (Make("make-" + id, t % 2 ? "v1" : "v2", &made).ok() &&
            Approve("approve-" + id, made.result().aggregate_id(), &approved).ok()) {
          ++pledged;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();

  EXPECT_EQ(paid.load(), kBudgetFen / kAmount);
  EXPECT_EQ(refused.load(), kThreads * kPerThread - kBudgetFen / kAmount);
  EXPECT_EQ(pledged.load(), kThreads * kPerThread);
  EXPECT_EQ(Query("SELECT count(*) FROM events WHERE type = 'FundsDisbursed'"), paid.load());
  AwaitProjection();
  EXPECT_EQ(Rollup("v1", "funds_received_fen"), kBudgetFen);
  EXPECT_EQ(Rollup("p", "funds_received_fen"), kBudgetFen);
  EXPECT_EQ(Rollup("p", "pledges_made"), kThreads * kPerThread);
  EXPECT_EQ(Rollup("p", "pledges_approved"), kThreads * kPerThread);
  EXPECT_EQ(Rollup("t", "pledges_approved"),
            Rollup("v1", "pledges_approved") + Rollup("v2", "pledges_approved"));
}

}  // namespace
}  // namespace vanguard::bench
