#include "libs/rpc/status.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/any.pb.h"
#include "google/rpc/status.pb.h"

namespace vanguard::rpc {
namespace {

// Splits "field: description"; a prefix with whitespace is prose, not a field.
google::rpc::BadRequest::FieldViolation ViolationFromMessage(absl::string_view message) {
  google::rpc::BadRequest::FieldViolation violation;
  const size_t colon = message.find(": ");
  if (colon != absl::string_view::npos && colon > 0) {
    absl::string_view field = message.substr(0, colon);
    bool has_space = false;
    for (char c : field)
      has_space = has_space || absl::ascii_isspace(static_cast<unsigned char>(c));
    if (!has_space) {
      violation.set_field(std::string(field));
      violation.set_description(std::string(message.substr(colon + 2)));
      return violation;
    }
  }
  violation.set_description(std::string(message));
  return violation;
}

void AddDetail(google::rpc::Status& rpc_status, const char* type_url, std::string value) {
  google::protobuf::Any* any = rpc_status.add_details();
  any->set_type_url(type_url);
  any->set_value(std::move(value));
}

std::optional<google::rpc::Status> DetailsOf(const grpc::Status& status) {
  if (status.error_details().empty()) return std::nullopt;
  google::rpc::Status rpc_status;
  if (!rpc_status.ParseFromString(status.error_details())) return std::nullopt;
  return rpc_status;
}

}  // namespace

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  google::rpc::Status rpc_status;
  rpc_status.set_code(static_cast<int>(status.code()));
  rpc_status.set_message(std::string(status.message()));
  bool has_error_info = false;
  bool has_bad_request = false;
  status.ForEachPayload([&](absl::string_view type_url, const absl::Cord& payload) {
    if (!absl::StartsWith(type_url, kGoogleRpcTypeUrlPrefix)) return;
    google::protobuf::Any* any = rpc_status.add_details();
    any->set_type_url(std::string(type_url));
    any->set_value(std::string(payload));
    has_error_info = has_error_info || type_url == kErrorInfoTypeUrl;
    has_bad_request = has_bad_request || type_url == kBadRequestTypeUrl;
  });
  if (status.code() == absl::StatusCode::kInvalidArgument && !has_bad_request) {
    google::rpc::BadRequest bad_request;
    *bad_request.add_field_violations() = ViolationFromMessage(status.message());
    AddDetail(rpc_status, kBadRequestTypeUrl, bad_request.SerializeAsString());
  }
  if (!has_error_info) {
    google::rpc::ErrorInfo info;
    info.set_domain(kErrorDomain);
    info.set_reason(absl::StatusCodeToString(status.code()));
    AddDetail(rpc_status, kErrorInfoTypeUrl, info.SerializeAsString());
  }
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()),
                      rpc_status.SerializeAsString());
}

absl::Status WithErrorInfo(absl::Status status, std::string reason,
                           std::map<std::string, std::string> metadata) {
  if (status.ok()) return status;
  google::rpc::ErrorInfo info;
  info.set_domain(kErrorDomain);
  info.set_reason(std::move(reason));
  for (auto& [key, value] : metadata) (*info.mutable_metadata())[key] = std::move(value);
  status.SetPayload(kErrorInfoTypeUrl, absl::Cord(info.SerializeAsString()));
  return status;
}

std::optional<google::rpc::ErrorInfo> ErrorInfoOf(const grpc::Status& status) {
  std::optional<google::rpc::Status> details = DetailsOf(status);
  if (!details) return std::nullopt;
  for (const google::protobuf::Any& any : details->details()) {
    google::rpc::ErrorInfo info;
    if (any.Is<google::rpc::ErrorInfo>() && any.UnpackTo(&info)) return info;
  }
  return std::nullopt;
}

std::vector<google::rpc::BadRequest::FieldViolation> FieldViolationsOf(const grpc::Status& status) {
  std::vector<google::rpc::BadRequest::FieldViolation> violations;
  std::optional<google::rpc::Status> details = DetailsOf(status);
  if (!details) return violations;
  for (const google::protobuf::Any& any : details->details()) {
    google::rpc::BadRequest bad_request;
    if (!any.Is<google::rpc::BadRequest>() || !any.UnpackTo(&bad_request)) continue;
    for (const auto& violation : bad_request.field_violations()) violations.push_back(violation);
  }
  return violations;
}

}  // namespace vanguard::rpc
