#include "services/dashboard/json_api.h"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <grpcpp/client_context.h>

#include <optional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "libs/rpc/status.h"

namespace vanguard::dashboard {
namespace {

// A browser waits for a page; a read that takes longer is not coming.
constexpr absl::Duration kDeadline = absl::Seconds(10);

std::string ToJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  // Zeros are figures too: the page should not have to guess them.
  options.always_print_primitive_fields = true;
  std::string json;
  (void)google::protobuf::util::MessageToJsonString(message, &json, options);
  return json;
}

HttpAnswer Error(int status, absl::string_view code, absl::string_view message,
                 absl::string_view field = "") {
  google::protobuf::Struct body;
  auto& error = *(*body.mutable_fields())["error"].mutable_struct_value()->mutable_fields();
  error["code"].set_string_value(std::string(code));
  error["message"].set_string_value(std::string(message));
  error["field"].set_string_value(std::string(field));
  return {status, ToJson(body)};
}

HttpAnswer BadParam(absl::string_view field, absl::string_view message) {
  return Error(400, "INVALID_ARGUMENT", absl::StrCat(field, ": ", message), field);
}

int HttpStatusOf(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::OUT_OF_RANGE:
      return 400;
    case grpc::StatusCode::UNAUTHENTICATED:
      return 401;
    case grpc::StatusCode::PERMISSION_DENIED:
      return 403;
    case grpc::StatusCode::NOT_FOUND:
      return 404;
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return 504;
    case grpc::StatusCode::UNAVAILABLE:
      return 503;
    default:
      return 500;
  }
}

absl::string_view CodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::INVALID_ARGUMENT: return "INVALID_ARGUMENT";
    case grpc::StatusCode::OUT_OF_RANGE: return "OUT_OF_RANGE";
    case grpc::StatusCode::UNAUTHENTICATED: return "UNAUTHENTICATED";
    case grpc::StatusCode::PERMISSION_DENIED: return "PERMISSION_DENIED";
    case grpc::StatusCode::NOT_FOUND: return "NOT_FOUND";
    case grpc::StatusCode::DEADLINE_EXCEEDED: return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::UNAVAILABLE: return "UNAVAILABLE";
    default: return "INTERNAL";
  }
}

// One ViewService call as the browser's principal: the Authorization header
// travels as the call's own, so the service authenticates and scopes it.
template <typename Response, typename Rpc>
HttpAnswer Call(absl::string_view authorization, Rpc rpc) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + kDeadline));
  if (!authorization.empty()) context.AddMetadata("authorization", std::string(authorization));
  Response response;
  grpc::Status status = rpc(&context, &response);
  if (status.ok()) return {200, ToJson(response)};
  std::string field;
  for (const auto& violation : rpc::FieldViolationsOf(status)) {
    field = violation.field();
    break;
  }
  return Error(HttpStatusOf(status.error_code()), CodeName(status.error_code()),
               status.error_message(), field);
}

std::string Param(const Params& params, const std::string& name) {
  auto it = params.find(name);
  return it == params.end() ? "" : it->second;
}

// Checks and copies the request's parameters into a proto; the first bad one
// is the answer.
class Reader {
 public:
  explicit Reader(const Params& params) : params_(params) {}

  std::optional<HttpAnswer>& error() { return error_; }

  std::string Required(const std::string& name) {
    std::string value = Param(params_, name);
    if (value.empty()) Fail(name, "is required");
    return value;
  }

  std::string Optional(const std::string& name) { return Param(params_, name); }

  // yyyy-mm-dd into `date`; absent leaves it unset.
  void Date(const std::string& name, v1::Date* date, bool* present = nullptr) {
    std::string text = Param(params_, name);
    if (present) *present = !text.empty();
    if (text.empty()) return;
    absl::CivilDay day;
    if (!absl::ParseCivilTime(text, &day) || absl::FormatCivilTime(day) != text) {
      return Fail(name, absl::StrCat("\"", text, "\" is not a date yyyy-mm-dd"));
    }
    date->set_year(static_cast<int32_t>(day.year()));
    date->set_month(day.month());
    date->set_day(day.day());
  }

  // A request's as_of day, set only when the query gives one.
  template <typename Request>
  void AsOf(Request& request) {
    bool present = false;
    Date("as_of", request.mutable_as_of(), &present);
    if (!present) request.clear_as_of();
  }

  // A request's bucket: the period and the campaign.
  void Bucket(v1::Bucket* bucket) {
    bucket->set_period(Optional("period"));
    bucket->set_campaign_id(Optional("campaign"));
  }

  int32_t Int(const std::string& name) {
    std::string text = Param(params_, name);
    int32_t value = 0;
    if (!text.empty() && !absl::SimpleAtoi(text, &value)) {
      Fail(name, absl::StrCat("\"", text, "\" is not a number"));
    }
    return value;
  }

  bool Bool(const std::string& name) {
    std::string text = Param(params_, name);
    if (text.empty() || text == "false" || text == "0") return false;
    if (text != "true" && text != "1") Fail(name, "must be true or false");
    return true;
  }

  // "completion_rate", "COMPLETION_RATE" or "FIGURE_COMPLETION_RATE".
  v1::Figure Figure(const std::string& name) {
    std::string text = absl::AsciiStrToUpper(Param(params_, name));
    if (text.empty()) return v1::FIGURE_UNSPECIFIED;
    if (!absl::StartsWith(text, "FIGURE_")) text = "FIGURE_" + text;
    v1::Figure figure = v1::FIGURE_UNSPECIFIED;
    if (!v1::Figure_Parse(text, &figure) || figure == v1::FIGURE_UNSPECIFIED) {
      Fail(name, absl::StrCat("\"", Param(params_, name), "\" is not a figure (e.g. completion_rate)"));
    }
    return figure;
  }

  // "2010-Q3" into year and quarter.
  void Quarter(const std::string& name, int32_t* year, int32_t* quarter) {
    std::string text = Param(params_, name);
    absl::string_view rest = text;
    int32_t y = 0, q = 0;
    size_t at = text.find("-Q");
    if (at == std::string::npos || !absl::SimpleAtoi(rest.substr(0, at), &y) ||
        !absl::SimpleAtoi(rest.substr(at + 2), &q) || y < 1 || q < 1 || q > 4) {
      return Fail(name, absl::StrCat("\"", text, "\" is not a quarter yyyy-Qn"));
    }
    *year = y;
    *quarter = q;
  }

 private:
  void Fail(const std::string& field, absl::string_view message) {
    if (!error_) error_ = BadParam(field, message);
  }

  const Params& params_;
  std::optional<HttpAnswer> error_;
};

}  // namespace

JsonApi::JsonApi(std::shared_ptr<grpc::ChannelInterface> views, const rpc::TokenStore& tokens,
                 std::string store)
    : stub_(v1::ViewService::NewStub(std::move(views))), tokens_(tokens), store_(std::move(store)) {}

HttpAnswer JsonApi::Handle(absl::string_view endpoint, const Params& params,
                           absl::string_view authorization) const {
  Reader in(params);
  v1::ViewService::Stub& stub = *stub_;
  if (endpoint == "me") {
    absl::string_view token = authorization;
    if (!absl::ConsumePrefix(&token, "Bearer ") || token.empty()) {
      return Error(401, "UNAUTHENTICATED", "missing bearer token");
    }
    absl::StatusOr<rpc::Principal> principal = tokens_.FindByToken(token);
    // "unknown token" or "token expired"; never the token.
    if (!principal.ok()) return Error(401, "UNAUTHENTICATED", principal.status().message());
    google::protobuf::Struct body;
    auto& fields = *body.mutable_fields();
    fields["principal"].set_string_value(principal->id);
    fields["organisation_id"].set_string_value(principal->organisation_id);
    auto* roles = fields["roles"].mutable_list_value();
    for (rpc::Role role : principal->roles) roles->add_values()->set_string_value(rpc::RoleName(role));
    fields["store"].set_string_value(store_);
    return {200, ToJson(body)};
  }
  if (endpoint == "organisation") {
    v1::GetOrganisationRequest request;
    request.set_organisation_id(in.Required("id"));
    if (in.error()) return *in.error();
    return Call<v1::GetOrganisationResponse>(authorization, [&](auto* context, auto* response) {
      return stub.GetOrganisation(context, request, response);
    });
  }
  if (endpoint == "level") {
    v1::GetLevelViewRequest request;
    request.set_organisation_id(in.Required("id"));
    in.Bucket(request.mutable_bucket());
    in.AsOf(request);
    if (in.error()) return *in.error();
    return Call<v1::GetLevelViewResponse>(authorization, [&](auto* context, auto* response) {
      return stub.GetLevelView(context, request, response);
    });
  }
  if (endpoint == "children") {
    v1::ListChildrenRequest request;
    request.set_organisation_id(in.Required("id"));
    in.Bucket(request.mutable_bucket());
    in.AsOf(request);
    request.set_order_by(in.Figure("by"));
    request.set_ascending(in.Bool("ascending"));
    request.set_page_size(in.Int("page_size"));
    request.set_page_token(in.Optional("page_token"));
    if (in.error()) return *in.error();
    return Call<v1::ListChildrenResponse>(authorization, [&](auto* context, auto* response) {
      return stub.ListChildren(context, request, response);
    });
  }
  if (endpoint == "series") {
    v1::GetSeriesRequest request;
    request.set_organisation_id(in.Required("id"));
    request.set_campaign_id(in.Optional("campaign"));
    request.set_from_month(in.Optional("from"));
    request.set_to_month(in.Optional("to"));
    if (in.error()) return *in.error();
    return Call<v1::GetSeriesResponse>(authorization, [&](auto* context, auto* response) {
      return stub.GetSeries(context, request, response);
    });
  }
  if (endpoint == "unreviewed") {
    v1::ListUnreviewedOrganisationsRequest request;
    request.set_organisation_id(in.Required("id"));
    int32_t year = 0, quarter = 0;
    in.Quarter("quarter", &year, &quarter);
    request.set_year(year);
    request.set_quarter(quarter);
    request.set_campaign_id(in.Optional("campaign"));
    request.set_page_size(in.Int("page_size"));
    request.set_page_token(in.Optional("page_token"));
    if (in.error()) return *in.error();
    return Call<v1::ListUnreviewedOrganisationsResponse>(
        authorization, [&](auto* context, auto* response) {
          return stub.ListUnreviewedOrganisations(context, request, response);
        });
  }
  if (endpoint == "overdue") {
    v1::ListOverduePledgesRequest request;
    request.set_organisation_id(in.Required("id"));
    in.AsOf(request);
    request.set_page_size(in.Int("page_size"));
    request.set_page_token(in.Optional("page_token"));
    if (in.error()) return *in.error();
    return Call<v1::ListOverduePledgesResponse>(authorization, [&](auto* context, auto* response) {
      return stub.ListOverduePledges(context, request, response);
    });
  }
  if (endpoint == "pledge") {
    v1::GetPledgeRequest request;
    request.set_pledge_id(in.Required("id"));
    if (in.error()) return *in.error();
    return Call<v1::GetPledgeResponse>(authorization, [&](auto* context, auto* response) {
      return stub.GetPledge(context, request, response);
    });
  }
  return Error(404, "NOT_FOUND", absl::StrCat("no endpoint /api/", endpoint));
}

}  // namespace vanguard::dashboard
