// Converts absl::Status to grpc::Status with google.rpc rich error details.
//
// Lower layers return absl::Status and attach details as payloads keyed by
// the detail's type URL; handlers convert once, at the edge:
//
//   absl::Status status = absl::AbortedError("version mismatch");
//   status = WithErrorInfo(std::move(status), "VERSION_MISMATCH",
//                          {{"current_version", "7"}});
//   return ToGrpcStatus(status);  // in a gRPC handler
//
// and clients (and tests) read them back:
//
//   std::optional<google::rpc::ErrorInfo> info = ErrorInfoOf(grpc_status);
//   if (info && info->reason() == "VERSION_MISMATCH") ...
//
// The details travel as a serialized google.rpc.Status in the grpc::Status's
// binary_error_details, which gRPC sends as `grpc-status-details-bin`.
// All functions are pure and thread-safe.
#pragma once

#include <grpcpp/support/status.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/error_info.pb.h"

namespace vanguard::rpc {

// The ErrorInfo domain of every error Vanguard reports.
inline constexpr char kErrorDomain[] = "vanguard.v1";
// Payloads with a type URL under this prefix become google.rpc.Status details.
inline constexpr char kGoogleRpcTypeUrlPrefix[] = "type.googleapis.com/google.rpc.";
inline constexpr char kErrorInfoTypeUrl[] = "type.googleapis.com/google.rpc.ErrorInfo";
inline constexpr char kBadRequestTypeUrl[] = "type.googleapis.com/google.rpc.BadRequest";

// Same code and message as `status`, with rich details:
// - every payload whose type URL starts with kGoogleRpcTypeUrlPrefix, as an Any;
// - for INVALID_ARGUMENT without a BadRequest payload, a BadRequest with one
//   field violation taken from a "field: description" message (the field is
//   the text before the first ": ", if it contains no whitespace; otherwise
//   the field is empty and the description is the whole message);
// - an ErrorInfo (domain kErrorDomain, reason the code's name, e.g.
//   "INVALID_ARGUMENT") unless a payload already holds one.
// An OK status maps to grpc::Status::OK.
grpc::Status ToGrpcStatus(const absl::Status& status);

// Attaches a google.rpc.ErrorInfo (domain kErrorDomain) to `status`,
// replacing any ErrorInfo it had. An OK status is returned unchanged.
absl::Status WithErrorInfo(absl::Status status, std::string reason,
                           std::map<std::string, std::string> metadata = {});

// The ErrorInfo in the status's details, if any.
std::optional<google::rpc::ErrorInfo> ErrorInfoOf(const grpc::Status& status);

// The field violations of every BadRequest in the status's details.
std::vector<google::rpc::BadRequest::FieldViolation> FieldViolationsOf(const grpc::Status& status);

}  // namespace vanguard::rpc
