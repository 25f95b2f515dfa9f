#include "services/vanguardctl/import.h"

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/grpcpp.h"
#include "libs/base/status_macros.h"
#include "libs/rpc/rate_limiter.h"
#include "libs/rpc/status.h"
#include "services/cli/text.h"
#include "vanguard/v1/submit_service.grpc.pb.h"

namespace vanguard::ctl {
namespace {

// An enum value from a friendly name: "co-building" → FUNDS_PURPOSE_CO_BUILDING.
template <typename Enum>
absl::StatusOr<Enum> EnumOf(const std::string& column, const std::string& value,
                            const std::string& prefix, bool (*parse)(const std::string&, Enum*)) {
  std::string name = prefix + value;
  for (char& c : name) c = c == '-' ? '_' : static_cast<char>(absl::ascii_toupper(c));
  Enum parsed;
  if (value.empty() || !parse(name, &parsed)) {
    return absl::InvalidArgumentError(absl::StrCat(column, ": \"", value, "\" is not known"));
  }
  return parsed;
}

absl::StatusOr<bool> BoolOf(const std::string& column, const std::string& value) {
  std::string v = absl::AsciiStrToLower(value);
  if (v.empty() || v == "no" || v == "false" || v == "0" || v == "否") return false;
  if (v == "yes" || v == "true" || v == "1" || v == "是") return true;
  return absl::InvalidArgumentError(absl::StrCat(column, ": \"", value, "\" is neither yes nor no"));
}

absl::StatusOr<v1::Date> DayOf(const std::string& column, const std::string& value) {
  absl::CivilDay day;
  if (!absl::ParseCivilTime(value, &day)) {
    return absl::InvalidArgumentError(absl::StrCat(column, ": \"", value, "\" is not yyyy-mm-dd"));
  }
  v1::Date date;
  date.set_year(static_cast<int32_t>(day.year()));
  date.set_month(day.month());
  date.set_day(day.day());
  return date;
}

// What a refused command's status says about its fields.
std::string Fields(const v1::SubmitError& error) {
  google::rpc::Status status;
  std::string fields;
  if (!status.ParseFromString(error.details())) return fields;
  for (const auto& detail : status.details()) {
    google::rpc::BadRequest bad;
    if (!detail.UnpackTo(&bad)) continue;
    for (const auto& v : bad.field_violations()) absl::StrAppend(&fields, fields.empty() ? "" : ", ", v.field());
  }
  return fields;
}

}  // namespace

absl::StatusOr<std::vector<std::vector<std::string>>> ParseCsv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false, any = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
      continue;
    }
    if (c == '"' && field.empty()) {
      quoted = any = true;
    } else if (c == ',') {
      row.push_back(std::move(field));
      field.clear();
      any = true;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      if (any || !field.empty()) {
        row.push_back(std::move(field));
        rows.push_back(std::move(row));
      }
      row.clear();
      field.clear();
      any = false;
    } else {
      field += c;
      any = true;
    }
  }
  if (quoted) return absl::InvalidArgumentError("the file ends inside a quoted field");
  if (any || !field.empty()) {
    row.push_back(std::move(field));
    rows.push_back(std::move(row));
  }
  return rows;
}

absl::StatusOr<v1::SubmitRequest> RowToCommand(const std::string& rows,
                                               const std::vector<std::string>& header,
                                               const std::vector<std::string>& row) {
  if (row.size() != header.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the row has ", row.size(), " columns, the header ", header.size()));
  }
  std::map<std::string, std::string> at;
  for (size_t i = 0; i < header.size(); ++i) at[absl::AsciiStrToLower(header[i])] = row[i];
  v1::SubmitRequest command;
  if (rows == "members") {
    v1::EnrolMemberRequest* r = command.mutable_enrol_member();
    r->set_request_id(at["request_id"]);
    r->set_organisation_id(at["organisation_id"]);
    v1::MemberAttributes* a = r->mutable_attributes();
    a->set_name(at["name"]);
    ASSIGN_OR_RETURN(v1::MemberCategory category,
                     EnumOf<v1::MemberCategory>("category", at["category"], "MEMBER_CATEGORY_",
                                                &v1::MemberCategory_Parse));
    a->set_category(category);
    if (!at["gender"].empty()) {
      ASSIGN_OR_RETURN(v1::Gender gender,
                       EnumOf<v1::Gender>("gender", at["gender"], "GENDER_", &v1::Gender_Parse));
      a->set_gender(gender);
    }
    ASSIGN_OR_RETURN(bool probationary, BoolOf("probationary", at["probationary"]));
    ASSIGN_OR_RETURN(bool holds_post, BoolOf("holds_post", at["holds_post"]));
    a->set_probationary(probationary);
    a->set_holds_post(holds_post);
  } else if (rows == "pledges") {
    v1::MakePledgeRequest* r = command.mutable_make_pledge();
    r->set_request_id(at["request_id"]);
    r->set_campaign_id(at["campaign_id"]);
    if (!at["pledger_member"].empty()) {
      r->mutable_pledger()->set_member_id(at["pledger_member"]);
    } else {
      r->mutable_pledger()->set_organisation_id(at["pledger_org"]);
    }
    ASSIGN_OR_RETURN(v1::PledgeKind kind,
                     EnumOf<v1::PledgeKind>("kind", at["kind"], "PLEDGE_KIND_", &v1::PledgeKind_Parse));
    r->set_kind(kind);
    ASSIGN_OR_RETURN(v1::PledgeTheme theme, EnumOf<v1::PledgeTheme>("theme", at["theme"], "PLEDGE_THEME_",
                                                                    &v1::PledgeTheme_Parse));
    r->set_theme(theme);
    r->set_text(at["text"]);
    r->mutable_target()->set_description(at["target"]);
    std::optional<int64_t> milli = cli::ParseDecimal(at["quantity"], 3);
    if (!milli) return absl::InvalidArgumentError("quantity: a number with at most three decimals");
    r->mutable_target()->mutable_measure()->mutable_quantity()->set_value_milli(*milli);
    r->mutable_target()->mutable_measure()->mutable_quantity()->set_unit(at["unit"]);
    ASSIGN_OR_RETURN(*r->mutable_due_on(), DayOf("due_on", at["due_on"]));
  } else if (rows == "disbursements") {
    v1::DisburseFundsRequest* r = command.mutable_disburse_funds();
    r->set_request_id(at["request_id"]);
    r->set_source_organisation_id(at["source_organisation_id"]);
    ASSIGN_OR_RETURN(v1::FundsPurpose purpose, EnumOf<v1::FundsPurpose>("purpose", at["purpose"], "FUNDS_PURPOSE_",
                                                                       &v1::FundsPurpose_Parse));
    r->set_purpose(purpose);
    int32_t year = 0;
    if (!absl::SimpleAtoi(at["year"], &year)) return absl::InvalidArgumentError("year: a year, e.g. 2011");
    r->set_year(year);
    if (!at["to_member"].empty()) {
      r->mutable_recipient()->set_member_id(at["to_member"]);
    } else {
      r->mutable_recipient()->set_organisation_id(at["to_org"]);
    }
    std::optional<int64_t> fen = cli::ParseYuan(at["yuan"]);
    if (!fen) return absl::InvalidArgumentError("yuan: an amount with at most two decimals");
    r->set_amount_fen(*fen);
    r->set_description(at["description"]);
  } else {
    return absl::InvalidArgumentError("--rows: members, pledges or disbursements");
  }
  return command;
}

int RunImport(const std::shared_ptr<grpc::Channel>& channel, const std::string& file,
              const std::string& rows, const std::string& token) {
  if (rows != "members" && rows != "pledges" && rows != "disbursements") {
    std::cerr << "vanguardctl: --rows: members, pledges or disbursements\n" << kImportHelp << "\n";
    return 2;
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    std::cerr << "vanguardctl: " << file << " cannot be read\n";
    return 2;
  }
  std::stringstream text;
  text << in.rdbuf();
  absl::StatusOr<std::vector<std::vector<std::string>>> csv = ParseCsv(text.str());
  if (!csv.ok() || csv->empty()) {
    std::cerr << "vanguardctl: " << file << ": "
              << (csv.ok() ? "no header row" : std::string(csv.status().message())) << "\n";
    return 2;
  }
  const std::vector<std::string> header = csv->front();
  cli::Table refused({"line", "request_id", "code", "field", "reason"});
  std::vector<v1::SubmitRequest> commands;
  std::vector<size_t> lines;  // the CSV line of each command
  for (size_t i = 1; i < csv->size(); ++i) {
    absl::StatusOr<v1::SubmitRequest> command = RowToCommand(rows, header, (*csv)[i]);
    if (!command.ok()) {
      std::string message(command.status().message());
      size_t colon = message.find(": ");
      refused.AddRow({absl::StrCat(i + 1), "", "INVALID_ARGUMENT (in the file)",
                      colon == std::string::npos ? "" : message.substr(0, colon),
                      colon == std::string::npos ? message : message.substr(colon + 2)});
      continue;
    }
    commands.push_back(*std::move(command));
    lines.push_back(i + 1);
  }
  auto submit = v1::SubmitService::NewStub(channel);
  const bool tty = isatty(STDERR_FILENO);
  int64_t done = 0, applied = 0, replayed = 0, failed_on_server = 0;
  // The commands (indices into `commands`) a stream sends; those the server's
  // rate limit refused are sent again on a new stream once its retry delay
  // has passed.
  std::vector<size_t> pending(commands.size());
  for (size_t i = 0; i < pending.size(); ++i) pending[i] = i;
  while (!pending.empty()) {
    grpc::ClientContext context;
    if (!token.empty()) context.AddMetadata("authorization", "Bearer " + token);
    auto stream = submit->Submit(&context);
    std::thread writer([&] {
      for (size_t index : pending) {
        if (!stream->Write(commands[index])) break;
      }
      stream->WritesDone();
    });
    std::vector<size_t> limited;
    absl::Duration wait = absl::ZeroDuration();
    double per_second = 0, burst = 0;
    v1::SubmitResponse response;
    while (stream->Read(&response)) {
      const size_t index = pending[static_cast<size_t>(response.index())];
      if (response.has_error()) {
        const grpc::Status error(static_cast<grpc::StatusCode>(response.error().code()),
                                 response.error().message(), response.error().details());
        if (rpc::IsRateLimited(error)) {
          limited.push_back(index);
          wait = std::max(wait, rpc::RetryDelayOf(error).value_or(absl::Seconds(1)));
          if (std::optional<google::rpc::ErrorInfo> info = rpc::ErrorInfoOf(error)) {
            auto rate = info->metadata().find("per_second");
            if (rate != info->metadata().end()) absl::SimpleAtod(rate->second, &per_second);
            auto most = info->metadata().find("burst");
            if (most != info->metadata().end()) absl::SimpleAtod(most->second, &burst);
          }
          continue;
        }
      }
      ++done;
      if (response.has_result()) {
        ++applied;
        replayed += response.result().replayed();
      } else {
        ++failed_on_server;
        const v1::SubmitRequest& command = commands[index];
        const google::protobuf::FieldDescriptor* field =
            v1::SubmitRequest::descriptor()->FindFieldByNumber(command.command_case());
        const google::protobuf::Message& request =
            command.GetReflection()->GetMessage(command, field);
        std::string request_id = request.GetReflection()->GetString(
            request, request.GetDescriptor()->FindFieldByName("request_id"));
        refused.AddRow({absl::StrCat(lines[index]), request_id,
                        absl::StatusCodeToString(static_cast<absl::StatusCode>(response.error().code())),
                        Fields(response.error()), response.error().message()});
      }
      if (tty && (done % 50 == 0 || done == static_cast<int64_t>(commands.size()))) {
        int width = 40, filled = static_cast<int>(done * width / std::max<size_t>(1, commands.size()));
        std::cerr << "\r  [" << std::string(filled, '#') << std::string(width - filled, '.') << "] "
                  << done << "/" << commands.size() << " rows" << std::flush;
      }
    }
    writer.join();
    grpc::Status status = stream->Finish();
    if (!status.ok()) {
      if (tty) std::cerr << "\n";
      std::cerr << "vanguardctl: the stream broke after " << done << " of " << commands.size()
                << " rows: " << status.error_message()
                << "\n  (import the same file again: rows already applied apply nothing twice)\n";
      return status.error_code() == grpc::StatusCode::UNAVAILABLE ||
                     status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED
                 ? 3
                 : 1;
    }
    // Rows past the server's rate limit: again, once it says they may be, and
    // once it has refilled for as many as it holds at once (its burst).
    std::sort(limited.begin(), limited.end());
    pending = std::move(limited);
    if (per_second > 0) {
      const double refill = std::min(static_cast<double>(pending.size()), std::max(burst, 1.0));
      wait = std::max(wait, std::min(absl::Minutes(1), absl::Seconds(refill / per_second)));
    }
    if (!pending.empty()) absl::SleepFor(wait);
  }
  if (tty) std::cerr << "\n";
  const size_t refused_rows = csv->size() - 1 - applied;
  std::cout << "imported " << applied << " of " << csv->size() - 1 << " rows";
  if (replayed > 0) std::cout << " (" << replayed << " were in the ledger already)";
  std::cout << "; refused " << refused_rows << "\n";
  if (refused_rows > 0) refused.Print(std::cout);
  return refused_rows == 0 ? 0 : 1;
}

}  // namespace vanguard::ctl
