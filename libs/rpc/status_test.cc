#include "libs/rpc/status.h"

#include "gmock/gmock.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"

namespace vanguard::rpc {
namespace {

using ::testing::IsEmpty;
using ::testing::SizeIs;

TEST(ToGrpcStatus, OkIsOk) { EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok()); }

TEST(ToGrpcStatus, KeepsCodeAndMessage) {
  grpc::Status status = ToGrpcStatus(absl::NotFoundError("pledge not found"));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(status.error_message(), "pledge not found");
  google::rpc::Status details;
  ASSERT_TRUE(details.ParseFromString(status.error_details()));
  EXPECT_EQ(details.code(), static_cast<int>(grpc::StatusCode::NOT_FOUND));
  EXPECT_EQ(details.message(), "pledge not found");
}

TEST(ToGrpcStatus, AddsErrorInfoNamedAfterTheCode) {
  grpc::Status status = ToGrpcStatus(absl::PermissionDeniedError("not your organisation"));
  std::optional<google::rpc::ErrorInfo> info = ErrorInfoOf(status);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->domain(), "vanguard.v1");
  EXPECT_EQ(info->reason(), "PERMISSION_DENIED");
  EXPECT_THAT(FieldViolationsOf(status), IsEmpty());
}

TEST(ToGrpcStatus, ParsesFieldViolationFromInvalidArgument) {
  grpc::Status status =
      ToGrpcStatus(absl::InvalidArgumentError("attributes.category: must be specified"));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  auto violations = FieldViolationsOf(status);
  ASSERT_THAT(violations, SizeIs(1));
  EXPECT_EQ(violations[0].field(), "attributes.category");
  EXPECT_EQ(violations[0].description(), "must be specified");
  ASSERT_TRUE(ErrorInfoOf(status).has_value());
  EXPECT_EQ(ErrorInfoOf(status)->reason(), "INVALID_ARGUMENT");
}

TEST(ToGrpcStatus, ProseBeforeColonIsNotAField) {
  auto violations =
      FieldViolationsOf(ToGrpcStatus(absl::InvalidArgumentError("bad request: no fields")));
  ASSERT_THAT(violations, SizeIs(1));
  EXPECT_EQ(violations[0].field(), "");
  EXPECT_EQ(violations[0].description(), "bad request: no fields");
}

TEST(ToGrpcStatus, KeepsBadRequestPayloadInsteadOfParsing) {
  google::rpc::BadRequest bad_request;
  auto* a = bad_request.add_field_violations();
  a->set_field("name");
  a->set_description("must not be empty");
  auto* b = bad_request.add_field_violations();
  b->set_field("kind");
  b->set_description("must be specified");
  absl::Status status = absl::InvalidArgumentError("2 fields are invalid");
  status.SetPayload(kBadRequestTypeUrl, absl::Cord(bad_request.SerializeAsString()));
  auto violations = FieldViolationsOf(ToGrpcStatus(status));
  ASSERT_THAT(violations, SizeIs(2));
  EXPECT_EQ(violations[0].field(), "name");
  EXPECT_EQ(violations[1].field(), "kind");
}

TEST(ToGrpcStatus, ErrorInfoFromPayloadWins) {
  absl::Status status = WithErrorInfo(absl::AbortedError("version mismatch"), "VERSION_MISMATCH",
                                      {{"current_version", "7"}});
  grpc::Status grpc_status = ToGrpcStatus(status);
  EXPECT_EQ(grpc_status.error_code(), grpc::StatusCode::ABORTED);
  std::optional<google::rpc::ErrorInfo> info = ErrorInfoOf(grpc_status);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), "VERSION_MISMATCH");
  EXPECT_EQ(info->domain(), "vanguard.v1");
  EXPECT_EQ(info->metadata().at("current_version"), "7");
  google::rpc::Status details;
  ASSERT_TRUE(details.ParseFromString(grpc_status.error_details()));
  EXPECT_EQ(details.details_size(), 1);  // no second, generic ErrorInfo
}

TEST(ToGrpcStatus, PassesOtherGoogleRpcPayloadsAndDropsForeignOnes) {
  google::rpc::RetryInfo retry;
  retry.mutable_retry_delay()->set_seconds(2);
  absl::Status status = absl::UnavailableError("not the owner");
  status.SetPayload("type.googleapis.com/google.rpc.RetryInfo",
                    absl::Cord(retry.SerializeAsString()));
  status.SetPayload("example.com/private", absl::Cord("secret"));
  google::rpc::Status details;
  ASSERT_TRUE(details.ParseFromString(ToGrpcStatus(status).error_details()));
  ASSERT_EQ(details.details_size(), 2);  // RetryInfo and the generic ErrorInfo
  bool found_retry = false;
  for (const auto& any : details.details()) {
    EXPECT_NE(any.type_url(), "example.com/private");
    google::rpc::RetryInfo unpacked;
    if (any.UnpackTo(&unpacked)) {
      found_retry = true;
      EXPECT_EQ(unpacked.retry_delay().seconds(), 2);
    }
  }
  EXPECT_TRUE(found_retry);
}

TEST(ErrorInfoOf, NoDetailsIsNullopt) {
  EXPECT_FALSE(ErrorInfoOf(grpc::Status(grpc::StatusCode::INTERNAL, "boom")).has_value());
  EXPECT_THAT(FieldViolationsOf(grpc::Status(grpc::StatusCode::INTERNAL, "boom")), IsEmpty());
}

TEST(WithErrorInfo, OkStaysOk) { EXPECT_TRUE(WithErrorInfo(absl::OkStatus(), "X").ok()); }

}  // namespace
}  // namespace vanguard::rpc
