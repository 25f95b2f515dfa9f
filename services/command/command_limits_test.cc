// CommandLimits over real gRPC. The per-principal rate limit: a burst, then
// refusals (RESOURCE_EXHAUSTED with a RetryInfo) that append nothing, for
// unary calls and for each command of a Submit stream; other principals are
// unaffected, and a refused command retried after the delay is applied
// afresh. The length of a Submit stream: past it, the stream ends
// RESOURCE_EXHAUSTED and the commands after the limit are not run.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libs/rpc/rate_limiter.h"
#include "libs/rpc/status.h"
#include "services/command/command_services_test_fixture.h"
#include "vanguard/v1/submit_service.grpc.pb.h"

namespace vanguard::command::testing {
namespace {

constexpr double kPerSecond = 5;
constexpr int kBurst = 10;

constexpr int64_t kMaxCommandsPerStream = 5;

class RateLimitTest : public CommandServicesTest {
 protected:
  void SetUp() override {
    CommandServicesTest::SetUp();
    if (HasFatalFailure()) return;
    // The same writer and tokens, served again with limits.
    limiter_ = std::make_unique<rpc::RateLimiter>(
        rpc::RateLimitOptions{.per_second = kPerSecond, .burst = kBurst});
    limited_services_ =
        std::make_unique<CommandServices>(writer_.get(), tokens_.get(), Limits());
    auto server = rpc::Server::Start({}, limited_services_->services());
    ASSERT_TRUE(server.ok()) << server.status();
    limited_server_ = *std::move(server);
    auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", limited_server_->port()),
                                       grpc::InsecureChannelCredentials());
    limited_members_ = v1::MemberService::NewStub(channel);
    limited_submit_ = v1::SubmitService::NewStub(channel);
  }

  virtual CommandLimits Limits() { return {.rate_limiter = limiter_.get()}; }

  void TearDown() override {
    if (limited_server_) limited_server_->Shutdown(absl::Now() + absl::Seconds(5));
    CommandServicesTest::TearDown();
  }

  Outcome LimitedEnrol(const std::string& token, const v1::EnrolMemberRequest& request) {
    return Send(limited_members_.get(), &MemberStub::EnrolMember, token, request, Soon());
  }

  // Most calls a bucket can admit from full over `elapsed`.
  static int MostAdmitted(absl::Duration elapsed) {
    return kBurst + static_cast<int>(absl::ToDoubleSeconds(elapsed) * kPerSecond) + 1;
  }

  static void ExpectRateLimited(const grpc::Status& status) {
    EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << status.error_message();
    EXPECT_TRUE(rpc::IsRateLimited(status));
    std::optional<absl::Duration> delay = rpc::RetryDelayOf(status);
    ASSERT_TRUE(delay.has_value());
    EXPECT_GT(*delay, absl::ZeroDuration());
    EXPECT_LE(*delay, absl::Seconds(1 / kPerSecond));
    EXPECT_TRUE(absl::StrContains(status.error_message(), "retry in")) << status.error_message();
    EXPECT_TRUE(absl::StrContains(status.error_message(), "clerk-branch")) << status.error_message();
  }

  std::unique_ptr<rpc::RateLimiter> limiter_;
  std::unique_ptr<CommandServices> limited_services_;
  std::unique_ptr<rpc::Server> limited_server_;
  std::unique_ptr<MemberStub> limited_members_;
  std::unique_ptr<v1::SubmitService::Stub> limited_submit_;
};

TEST_F(RateLimitTest, UnaryCallsPastTheBurstAreRefusedAndAppendNothing) {
  // What one enrolment appends, measured unlimited.
  const int64_t before_one = TotalRecords();
  ASSERT_TRUE(Enrol(kBranchClerk, EnrolRequest("unlimited", "branch", "张三")).ok());
  const int64_t per_enrolment = TotalRecords() - before_one;
  ASSERT_GT(per_enrolment, 0);

  // Requests that fail before the writer (a missing request id) take nothing.
  for (int i = 0; i < 3 * kBurst; ++i) {
    EXPECT_EQ(LimitedEnrol(kBranchClerk, EnrolRequest("", "branch", "张三")).code(),
              grpc::StatusCode::INVALID_ARGUMENT);
  }

  constexpr int kCalls = 40;
  const int64_t before = TotalRecords();
  const absl::Time start = absl::Now();
  std::vector<std::string> refused;
  int admitted = 0;
  for (int i = 0; i < kCalls; ++i) {
    const std::string request_id = absl::StrCat("limited-", i);
    Outcome outcome = LimitedEnrol(kBranchClerk, EnrolRequest(request_id, "branch", "张三"));
    if (outcome.ok()) {
      ++admitted;
      EXPECT_TRUE(refused.empty()) << "admitted after a refusal within the burst: " << i;
    } else {
      ExpectRateLimited(outcome.status);
      refused.push_back(request_id);
    }
  }
  const absl::Duration elapsed = absl::Now() - start;
  EXPECT_GE(admitted, kBurst);
  EXPECT_LE(admitted, MostAdmitted(elapsed));
  EXPECT_EQ(TotalRecords() - before, admitted * per_enrolment) << "refusals appended";

  // Another principal has a bucket of its own.
  EXPECT_TRUE(LimitedEnrol(kGeneralClerk, EnrolRequest("other", "branch", "李四")).ok());
  // The unlimited server is not affected either.
  EXPECT_TRUE(Enrol(kBranchClerk, EnrolRequest("unlimited-2", "branch", "张三")).ok());

  // After the delay it named, a refused command is decided afresh: applied, not replayed.
  Outcome again = LimitedEnrol(kBranchClerk, EnrolRequest(refused.back(), "branch", "张三"));
  if (!again.ok()) {
    ExpectRateLimited(again.status);
    absl::SleepFor(*rpc::RetryDelayOf(again.status));
    again = LimitedEnrol(kBranchClerk, EnrolRequest(refused.back(), "branch", "张三"));
  }
  ASSERT_TRUE(again.ok()) << again;
  EXPECT_FALSE(again.result.replayed());
  std::printf("rate limit (unary): %d calls in %s, %d admitted (burst %d, %g/s), %zu refused\n",
              kCalls, absl::FormatDuration(elapsed).c_str(), admitted, kBurst, kPerSecond,
              refused.size());
}

// A slow refill (one a second), so that the command after the burst is
// refused however slowly the machine runs the burst.
class SlowRefillTest : public RateLimitTest {
 protected:
  static constexpr double kSlowPerSecond = 1;
  CommandLimits Limits() override {
    slow_ = std::make_unique<rpc::RateLimiter>(
        rpc::RateLimitOptions{.per_second = kSlowPerSecond, .burst = kBurst});
    return {.rate_limiter = slow_.get()};
  }
  std::unique_ptr<rpc::RateLimiter> slow_;
};

TEST_F(SlowRefillTest, ACommandThatDependsOnARefusedOneIsRefusedLikeIt) {
  // The burst goes to enrolments; the registration after them is over the
  // limit, and the enrolment in the organisation it would have made, sent
  // once the bucket has refilled, is refused with it rather than NOT_FOUND.
  constexpr int kEnrolments = 2 * kBurst;
  const int64_t before = TotalRecords();
  grpc::ClientContext context;
  context.AddMetadata("authorization", absl::StrCat("Bearer ", kGeneralClerk));
  context.set_deadline(absl::ToChronoTime(Soon()));
  auto stream = limited_submit_->Submit(&context);
  for (int i = 0; i < kEnrolments; ++i) {
    v1::SubmitRequest command;
    *command.mutable_enrol_member() = EnrolRequest(absl::StrCat("dep-", i), "branch", "张三");
    ASSERT_TRUE(stream->Write(command));
  }
  v1::SubmitRequest registration;
  *registration.mutable_register_organisation() =
      RegisterRequest("dep-register", "branch-dep", "general", v1::ORGANISATION_KIND_BRANCH,
                      v1::ORGANISATION_LEVEL_GRASSROOTS);
  ASSERT_TRUE(stream->Write(registration));
  // Answers up to the registration's, then time for the bucket to refill.
  std::vector<v1::SubmitResponse> responses;
  v1::SubmitResponse response;
  while (static_cast<int>(responses.size()) < kEnrolments + 1 && stream->Read(&response)) {
    responses.push_back(response);
  }
  absl::SleepFor(absl::Seconds(2 / kSlowPerSecond));
  v1::SubmitRequest enrolment;
  *enrolment.mutable_enrol_member() = EnrolRequest("dep-in-new", "branch-dep", "李四");
  ASSERT_TRUE(stream->Write(enrolment));
  stream->WritesDone();
  while (stream->Read(&response)) responses.push_back(response);
  ASSERT_TRUE(stream->Finish().ok());
  ASSERT_EQ(responses.size(), static_cast<size_t>(kEnrolments + 2));
  int admitted = 0;
  for (const v1::SubmitResponse& answer : responses) {
    const grpc::Status status(static_cast<grpc::StatusCode>(answer.error().code()),
                              answer.error().message(), answer.error().details());
    if (answer.index() < kEnrolments) {
      admitted += answer.has_result();
      continue;
    }
    ASSERT_TRUE(answer.has_error()) << answer.index();
    EXPECT_TRUE(rpc::IsRateLimited(status)) << answer.index() << ": " << status.error_message();
    if (answer.index() == kEnrolments + 1) {
      EXPECT_TRUE(absl::StrContains(status.error_message(),
                                    absl::StrCat("command ", kEnrolments, " of this stream")))
          << status.error_message();
    }
  }
  EXPECT_GE(admitted, kBurst);
  EXPECT_LT(admitted, kEnrolments);
  // Only the admitted enrolments were appended (one record each).
  EXPECT_EQ(TotalRecords() - before, admitted);
  std::printf("rate limit (dependent): %d of %d enrolments admitted; the registration after them "
              "and the enrolment that depends on it refused\n",
              admitted, kEnrolments);
}

class StreamLengthTest : public RateLimitTest {
 protected:
  CommandLimits Limits() override { return {.max_commands_per_stream = kMaxCommandsPerStream}; }
};

// Sends `commands` enrolments over one Submit stream; the indices of the
// answers that succeeded, and the stream's status.
std::vector<int64_t> SubmitEnrolments(v1::SubmitService::Stub& stub, const std::string& prefix,
                                      int commands, grpc::Status* status) {
  grpc::ClientContext context;
  context.AddMetadata("authorization", absl::StrCat("Bearer ", kGeneralClerk));
  context.set_deadline(absl::ToChronoTime(Soon()));
  auto stream = stub.Submit(&context);
  for (int i = 0; i < commands; ++i) {
    v1::SubmitRequest command;
    *command.mutable_enrol_member() = EnrolRequest(absl::StrCat(prefix, "-", i), "branch", "张三");
    if (!stream->Write(command)) break;
  }
  stream->WritesDone();
  std::vector<int64_t> applied;
  v1::SubmitResponse response;
  while (stream->Read(&response)) {
    EXPECT_TRUE(response.has_result()) << response.error().message();
    if (response.has_result()) applied.push_back(response.index());
  }
  *status = stream->Finish();
  std::sort(applied.begin(), applied.end());
  return applied;
}

TEST_F(StreamLengthTest, AStreamLongerThanTheLimitEndsResourceExhaustedAfterTheLimit) {
  const std::vector<int64_t> first_five = {0, 1, 2, 3, 4};
  // Exactly the limit: an ordinary end.
  grpc::Status status;
  EXPECT_EQ(SubmitEnrolments(*limited_submit_, "exact", kMaxCommandsPerStream, &status),
            first_five);
  EXPECT_TRUE(status.ok()) << status.error_message();

  const int64_t before = TotalRecords();
  EXPECT_EQ(SubmitEnrolments(*limited_submit_, "long", kMaxCommandsPerStream + 3, &status),
            first_five);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_TRUE(absl::StrContains(status.error_message(), "at most 5 commands"))
      << status.error_message();
  EXPECT_TRUE(absl::StrContains(status.error_message(), "from index 5 on were not run"))
      << status.error_message();
  // The first five were applied and nothing after them: the sixth, sent
  // alone, is new.
  const int64_t per_enrolment = (TotalRecords() - before) / kMaxCommandsPerStream;
  EXPECT_EQ(TotalRecords() - before, per_enrolment * kMaxCommandsPerStream);
  Outcome sixth = LimitedEnrol(kGeneralClerk, EnrolRequest("long-5", "branch", "张三"));
  ASSERT_TRUE(sixth.ok()) << sixth;
  EXPECT_FALSE(sixth.result.replayed());
  EXPECT_EQ(TotalRecords() - before, per_enrolment * (kMaxCommandsPerStream + 1));
}

TEST_F(RateLimitTest, EachCommandOfASubmitStreamCounts) {
  constexpr int kCommands = 60;
  const int64_t before_one = TotalRecords();
  ASSERT_TRUE(Enrol(kBranchClerk, EnrolRequest("unlimited", "branch", "张三")).ok());
  const int64_t per_enrolment = TotalRecords() - before_one;

  const int64_t before = TotalRecords();
  const absl::Time start = absl::Now();
  grpc::ClientContext context;
  context.AddMetadata("authorization", absl::StrCat("Bearer ", kBranchClerk));
  context.set_deadline(absl::ToChronoTime(Soon()));
  auto stream = limited_submit_->Submit(&context);
  for (int i = 0; i < kCommands; ++i) {
    v1::SubmitRequest command;
    *command.mutable_enrol_member() = EnrolRequest(absl::StrCat("bulk-", i), "branch", "张三");
    ASSERT_TRUE(stream->Write(command));
  }
  stream->WritesDone();
  int admitted = 0, refused = 0;
  v1::SubmitResponse response;
  while (stream->Read(&response)) {
    if (response.has_result()) {
      ++admitted;
      continue;
    }
    ++refused;
    ExpectRateLimited(grpc::Status(static_cast<grpc::StatusCode>(response.error().code()),
                                   response.error().message(), response.error().details()));
  }
  grpc::Status status = stream->Finish();
  const absl::Duration elapsed = absl::Now() - start;
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(admitted + refused, kCommands);
  EXPECT_GE(admitted, kBurst);
  EXPECT_LE(admitted, MostAdmitted(elapsed));
  EXPECT_EQ(TotalRecords() - before, admitted * per_enrolment) << "refusals appended";
  std::printf("rate limit (Submit): %d commands in %s, %d admitted (burst %d, %g/s), %d refused\n",
              kCommands, absl::FormatDuration(elapsed).c_str(), admitted, kBurst, kPerSecond,
              refused);
}

}  // namespace
}  // namespace vanguard::command::testing
