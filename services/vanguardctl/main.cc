// vanguardctl: Vanguard for people at a terminal.
//
//   vanguardctl children township --by funds-received
//   vanguardctl pledge make --pledger_org village-1 --kind deed --text "修通村道" --due 2010-12-31
//   vanguardctl --json level county --period 2010-Q3
//
// The server is --server (or VANGUARD_SERVER), the bearer token --token (or
// VANGUARD_TOKEN). Exit codes: 0 done; 1 the server refused (the message
// names the field and the rule); 2 a usage error; 3 the server could not be
// reached or did not answer in time (retrying the same command is safe:
// commands carry a request id).
#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/random/random.h"
#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/grpcpp.h"
#include "libs/rpc/status.h"
#include "services/cli/flags_help.h"
#include "services/cli/text.h"
#include "services/vanguardctl/import.h"
#include "vanguard/v1/audit_service.grpc.pb.h"
#include "vanguard/v1/campaign_service.grpc.pb.h"
#include "vanguard/v1/funds_service.grpc.pb.h"
#include "vanguard/v1/pledge_service.grpc.pb.h"
#include "vanguard/v1/review_service.grpc.pb.h"
#include "vanguard/v1/view_service.grpc.pb.h"

ABSL_FLAG(std::string, server, "", "host:port of vanguard serve (default $VANGUARD_SERVER or 127.0.0.1:7400)");
ABSL_FLAG(std::string, token, "", "Bearer token (default $VANGUARD_TOKEN)");
ABSL_FLAG(bool, json, false, "Print the server's answer as JSON, for scripts");
ABSL_FLAG(int, timeout_s, 30, "Seconds a call may take");
ABSL_FLAG(std::string, request_id, "", "Idempotency key of a command (default: a fresh one); "
          "run a command again with the same id to retry it safely");
ABSL_FLAG(std::string, campaign, "", "A campaign id");
ABSL_FLAG(std::string, period, "", "2010, 2010-Q3 or 2010-07 (default: all time)");
ABSL_FLAG(std::string, by, "organisations", "children: the figure to rank by (see `children --help`)");
ABSL_FLAG(bool, ascending, false, "children: the smallest first");
ABSL_FLAG(std::string, pledger_org, "", "pledge make: the pledging organisation");
ABSL_FLAG(std::string, pledger_member, "", "pledge make: the pledging member");
ABSL_FLAG(std::string, kind, "", "pledge make: work or deed");
ABSL_FLAG(std::string, text, "", "pledge make: what is promised");
ABSL_FLAG(std::string, due, "", "pledge make: due day, yyyy-mm-dd");
ABSL_FLAG(std::string, target, "", "pledge make: the measurable target, e.g. \"8.5 km of road\"");
ABSL_FLAG(std::string, target_quantity, "", "pledge make: the target as a number, e.g. 8.5");
ABSL_FLAG(std::string, target_unit, "", "pledge make: its unit, e.g. km");
ABSL_FLAG(std::string, target_yuan, "", "pledge make: or the target as an amount in yuan");
ABSL_FLAG(std::string, pledge_theme, "",
          "pledge make: central-work, own-situation or peoples-wishes");
ABSL_FLAG(std::string, comment, "", "pledge approve / send-back: the reviewer's comment");
ABSL_FLAG(std::string, description, "", "pledge fulfil, funds: what was done or paid for");
ABSL_FLAG(std::string, source, "", "funds: the paying organisation");
ABSL_FLAG(std::string, purpose, "co-building",
          "funds: pioneer-post-subsidy, co-building, hardship-relief, donation, campaign-activity, other");
ABSL_FLAG(int, year, 0, "funds: the budget's year");
ABSL_FLAG(std::string, yuan, "", "funds: the amount in yuan, e.g. 20000 or 20,000.50");
ABSL_FLAG(std::string, to_org, "", "funds disburse: the receiving organisation");
ABSL_FLAG(std::string, to_member, "", "funds disburse: the receiving member");
ABSL_FLAG(std::string, leader_name, "", "review leader: who reviews, e.g. 镇党委书记 王某");
ABSL_FLAG(std::string, rating, "", "review leader: excellent, good, fair or poor");
ABSL_FLAG(std::string, achievements, "", "review leader: what was achieved");
ABSL_FLAG(std::string, problems, "", "review leader: the problems found");
ABSL_FLAG(std::string, suggestions, "", "review leader: what to do next");
ABSL_FLAG(std::string, member, "", "review leader: review a member instead of an organisation");
ABSL_FLAG(int, satisfied, 0, "review evaluate: evaluators satisfied");
ABSL_FLAG(int, basically_satisfied, 0, "review evaluate: evaluators basically satisfied");
ABSL_FLAG(int, unsatisfied, 0, "review evaluate: evaluators unsatisfied");
ABSL_FLAG(std::string, rows, "", "import: members, pledges or disbursements");
ABSL_FLAG(std::string, org, "", "campaign launch: the launching organisation");
ABSL_FLAG(std::string, name, "", "campaign launch: the campaign's name");
ABSL_FLAG(std::string, theme, "", "campaign launch: its theme");
ABSL_FLAG(std::string, carrier, "", "campaign launch: its carrier (载体), e.g. 四创四争");
ABSL_FLAG(std::string, from, "", "campaign launch: first day, yyyy-mm-dd");
ABSL_FLAG(std::string, to, "", "campaign launch: last day, yyyy-mm-dd");

namespace vanguard::ctl {
namespace {

using cli::Percent;
using cli::Table;
using cli::Yuan;

constexpr int kRefused = 1, kUsage = 2, kUnreachable = 3;

const std::map<std::string, std::string> kHelp = {
    {"level", "vanguardctl level ORG [--campaign C] [--period P]\n"
              "  The figures of ORG's whole subtree."},
    {"children", "vanguardctl children ORG [--by FIGURE] [--ascending] [--campaign C] [--period P]\n"
                 "  ORG's direct children ranked (争先进位). FIGURE: organisations, members,\n"
                 "  pledges-made, pledges-fulfilled, pledges-overdue, completion-rate,\n"
                 "  revision-rate, leader-reviews, review-coverage, satisfaction-rate,\n"
                 "  rectifications-open, posts-passed, subsidies-paid, funds-received,\n"
                 "  budget-left, advanced-organisations, excellent-members, meetings."},
    {"series", "vanguardctl series ORG [--campaign C]\n  Monthly figures of ORG's subtree."},
    {"pledge", "vanguardctl pledge show ID\n"
               "vanguardctl pledge make --campaign C (--pledger_org O | --pledger_member M)\n"
               "    --kind work|deed --pledge_theme central-work|own-situation|peoples-wishes\n"
               "    --text T --target T (--target_quantity 8.5 --target_unit km | --target_yuan N)\n"
               "    --due yyyy-mm-dd\n"
               "vanguardctl pledge approve ID [--comment C]\n"
               "vanguardctl pledge send-back ID --comment C\n"
               "vanguardctl pledge fulfil ID [--description D]\n"
               "  Commands take --request_id to be retried safely."},
    {"funds", "vanguardctl funds allocate --source O --year Y --yuan N [--purpose P]\n"
              "vanguardctl funds disburse --source O --year Y --yuan N (--to_org O | --to_member M)\n"
              "    [--purpose P] [--description D]\n"
              "  Commands take --request_id to be retried safely."},
    {"campaign", "vanguardctl campaign launch --org O --name N --from yyyy-mm-dd --to yyyy-mm-dd\n"
                 "    [--theme T] [--carrier C]\n"
                 "  Launches a campaign for O's subtree with the five standard phases\n"
                 "  (动员部署, 公开承诺, 全面推进, 点评评议, 总结表彰) in equal parts of the period."},
    {"review", "vanguardctl review leader ORG --leader_name N --rating excellent|good|fair|poor\n"
               "    [--achievements A] [--problems P] [--suggestions S] [--member M] [--campaign C]\n"
               "  A leader's review (领导点评) of ORG (or of member M) by a superior, dated now.\n"
               "vanguardctl review evaluate ORG --satisfied N --basically_satisfied N\n"
               "    --unsatisfied N [--year Y] [--campaign C]\n"
               "  A half-year mass evaluation (群众评议) of ORG.\n"
               "  Commands take --request_id to be retried safely."},
    {"import", kImportHelp},
    {"compare", "vanguardctl compare\n"
                "  Replays the log on the server up to the live views' positions and compares\n"
                "  the digests (auditors and admins)."},
};

// A command's usage, then every flag it names and the ones every command
// takes, each with its default and help.
std::string CommandHelp(const std::string& command) {
  const std::string& usage = kHelp.at(command);
  std::vector<std::string> flags;
  for (size_t at = usage.find("--"); at != std::string::npos; at = usage.find("--", at + 2)) {
    size_t end = usage.find_first_not_of("abcdefghijklmnopqrstuvwxyz_", at + 2);
    std::string flag = usage.substr(at + 2, end - at - 2);
    if (!flag.empty() && std::find(flags.begin(), flags.end(), flag) == flags.end())
      flags.push_back(flag);
  }
  return absl::StrCat(usage, "\nFlags:\n", cli::FlagsHelp(flags), "Every command:\n",
                      cli::FlagsHelp({"server", "token", "json", "timeout_s"}));
}

std::string Env(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : fallback;
}

int Usage(const std::string& message) {
  std::cerr << "vanguardctl: " << message << "\n";
  return kUsage;
}

std::string Token() {
  std::string token = absl::GetFlag(FLAGS_token);
  return token.empty() ? Env("VANGUARD_TOKEN", "") : token;
}

// A call's context: token, deadline.
std::unique_ptr<grpc::ClientContext> Context() {
  auto context = std::make_unique<grpc::ClientContext>();
  std::string token = Token();
  if (!token.empty()) context->AddMetadata("authorization", "Bearer " + token);
  context->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::seconds(absl::GetFlag(FLAGS_timeout_s)));
  return context;
}

// Says what went wrong, and what to fix; returns the exit code.
int Report(const grpc::Status& status) {
  std::cerr << "vanguardctl: "
            << absl::StatusCodeToString(static_cast<absl::StatusCode>(status.error_code())) << ": "
            << status.error_message() << "\n";
  for (const auto& violation : rpc::FieldViolationsOf(status)) {
    std::cerr << "  " << violation.field() << ": " << violation.description() << "\n";
  }
  bool unreachable = status.error_code() == grpc::StatusCode::UNAVAILABLE ||
                     status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED;
  if (unreachable) std::cerr << "  (retrying the same command with the same --request_id is safe)\n";
  return unreachable ? kUnreachable : kRefused;
}

int PrintJson(const google::protobuf::Message& message) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(message, &json, options);
  std::cout << json;
  return 0;
}

std::optional<v1::Date> ParseDay(const std::string& text) {
  absl::CivilDay day;
  if (!absl::ParseCivilTime(text, &day)) return std::nullopt;
  v1::Date date;
  date.set_year(static_cast<int32_t>(day.year()));
  date.set_month(day.month());
  date.set_day(day.day());
  return date;
}

std::string RequestId(const std::string& what) {
  std::string id = absl::GetFlag(FLAGS_request_id);
  if (!id.empty()) return id;
  absl::BitGen random;
  return absl::StrFormat("ctl-%s-%016x", what, absl::Uniform<uint64_t>(random));
}

v1::Bucket BucketFromFlags() {
  v1::Bucket bucket;
  bucket.set_campaign_id(absl::GetFlag(FLAGS_campaign));
  bucket.set_period(absl::GetFlag(FLAGS_period));
  return bucket;
}

std::vector<std::string> FigureRow(const std::string& name, const v1::LevelFigures& f) {
  return {name,
          absl::StrCat(f.structure().organisations()),
          absl::StrCat(f.structure().members()),
          absl::StrCat(f.pledges().total().made()),
          Percent(f.pledges().completion_rate_bp()),
          absl::StrCat(f.pledges().total().overdue()),
          absl::StrCat(f.reviews().leader_reviews()),
          absl::StrCat(f.posts().passed()),
          Yuan(f.posts().subsidies_paid_fen()),
          Yuan(f.funds().received_fen())};
}

const std::vector<std::string> kFigureHeaders = {
    "organisation", "under it", "members", "pledges", "fulfilled", "overdue",
    "reviews", "posts passed", "subsidies", "funds received"};

int Level(v1::ViewService::Stub& views, const std::vector<std::string>& args) {
  if (args.size() != 1) return Usage(kHelp.at("level"));
  v1::GetLevelViewRequest request;
  request.set_organisation_id(args[0]);
  *request.mutable_bucket() = BucketFromFlags();
  v1::GetLevelViewResponse response;
  grpc::Status status = views.GetLevelView(Context().get(), request, &response);
  if (!status.ok()) return Report(status);
  if (absl::GetFlag(FLAGS_json)) return PrintJson(response);
  const v1::LevelFigures& f = response.view().figures();
  Table table({"figure", "value"});
  table.AddRow({"organisations under it", absl::StrCat(f.structure().organisations())});
  table.AddRow({"members", absl::StrCat(f.structure().members())});
  table.AddRow({"pledges made / fulfilled / overdue",
                absl::StrCat(f.pledges().total().made(), " / ", f.pledges().total().fulfilled(),
                             " / ", f.pledges().total().overdue())});
  table.AddRow({"completion rate", Percent(f.pledges().completion_rate_bp())});
  table.AddRow({"revision rate", Percent(f.pledges().revision_rate_bp())});
  table.AddRow({"leader reviews", absl::StrCat(f.reviews().leader_reviews())});
  if (f.reviews().coverage_bp() > 0) table.AddRow({"review coverage", Percent(f.reviews().coverage_bp())});
  table.AddRow({"satisfaction", Percent(f.reviews().satisfaction_rate_bp())});
  table.AddRow({"rectifications open", absl::StrCat(f.reviews().rectifications_open())});
  table.AddRow({"pioneer posts established / passed",
                absl::StrCat(f.posts().established(), " / ", f.posts().passed())});
  table.AddRow({"subsidies paid", Yuan(f.posts().subsidies_paid_fen())});
  table.AddRow({"funds received", Yuan(f.funds().received_fen())});
  for (const v1::SourceAmount& s : f.funds().received_by_source()) {
    table.AddRow({"  from " + s.source_organisation_id(), Yuan(s.amount_fen())});
  }
  table.AddRow({"budget allocated / left", absl::StrCat(Yuan(f.funds().budget_allocated_fen()),
                                                        " / ", Yuan(f.funds().budget_left_fen()))});
  table.AddRow({"advanced organisations", absl::StrCat(f.honours().advanced_organisations())});
  table.AddRow({"excellent members", absl::StrCat(f.honours().excellent_members())});
  std::cout << response.view().organisation().name() << " ("
            << response.view().organisation().organisation_id() << ")\n";
  table.Print(std::cout);
  return 0;
}

int Children(v1::ViewService::Stub& views, const std::vector<std::string>& args) {
  if (args.size() != 1) return Usage(kHelp.at("children"));
  std::string by = absl::GetFlag(FLAGS_by);
  std::string name = "FIGURE_" + by;
  for (char& c : name) c = c == '-' ? '_' : static_cast<char>(std::toupper(c));
  v1::Figure figure;
  if (!v1::Figure_Parse(name, &figure)) {
    return Usage(absl::StrCat("--by: \"", by, "\" is not a figure\n", kHelp.at("children")));
  }
  v1::ListChildrenRequest request;
  request.set_organisation_id(args[0]);
  *request.mutable_bucket() = BucketFromFlags();
  request.set_order_by(figure);
  request.set_ascending(absl::GetFlag(FLAGS_ascending));
  request.set_page_size(1000);
  v1::ListChildrenResponse response;
  grpc::Status status = views.ListChildren(Context().get(), request, &response);
  if (!status.ok()) return Report(status);
  if (absl::GetFlag(FLAGS_json)) return PrintJson(response);
  std::vector<std::string> headers = kFigureHeaders;
  headers.insert(headers.begin(), "#");
  Table table(headers);
  for (const v1::ChildRow& row : response.children()) {
    std::vector<std::string> cells = FigureRow(row.view().organisation().name(), row.view().figures());
    cells.insert(cells.begin(), absl::StrCat(row.rank()));
    table.AddRow(std::move(cells));
  }
  table.Print(std::cout);
  return 0;
}

int Series(v1::ViewService::Stub& views, const std::vector<std::string>& args) {
  if (args.size() != 1) return Usage(kHelp.at("series"));
  v1::GetSeriesRequest request;
  request.set_organisation_id(args[0]);
  request.set_campaign_id(absl::GetFlag(FLAGS_campaign));
  v1::GetSeriesResponse response;
  grpc::Status status = views.GetSeries(Context().get(), request, &response);
  if (!status.ok()) return Report(status);
  if (absl::GetFlag(FLAGS_json)) return PrintJson(response);
  std::vector<std::string> headers = kFigureHeaders;
  headers[0] = "month";
  Table table(headers);
  for (const v1::SeriesPoint& point : response.points()) table.AddRow(FigureRow(point.month(), point.figures()));
  table.Print(std::cout);
  return 0;
}

template <typename Response>
int PrintResult(const grpc::Status& status, const Response& response, const std::string& what) {
  if (!status.ok()) return Report(status);
  if (absl::GetFlag(FLAGS_json)) return PrintJson(response);
  std::cout << what << " " << response.result().aggregate_id() << " (version "
            << response.result().version() << (response.result().replayed() ? ", a retry" : "")
            << ")\n";
  return 0;
}

int Pledge(const std::shared_ptr<grpc::Channel>& channel, const std::vector<std::string>& args) {
  if (args.empty()) return Usage(kHelp.at("pledge"));
  auto pledges = v1::PledgeService::NewStub(channel);
  const std::string& verb = args[0];
  if (verb == "show" && args.size() == 2) {
    auto views = v1::ViewService::NewStub(channel);
    v1::GetPledgeRequest request;
    request.set_pledge_id(args[1]);
    v1::GetPledgeResponse response;
    grpc::Status status = views->GetPledge(Context().get(), request, &response);
    if (!status.ok()) return Report(status);
    if (absl::GetFlag(FLAGS_json)) return PrintJson(response);
    const v1::PledgeRecord& p = response.pledge();
    std::cout << p.pledge_id() << ": " << p.text() << "\n  "
              << v1::PledgeState_Name(p.state()).substr(13) << ", due "
              << absl::StrFormat("%04d-%02d-%02d", p.due_on().year(), p.due_on().month(),
                                 p.due_on().day())
              << ", sent back " << p.times_sent_back() << " time(s)\n";
    Table table({"version", "event", "recorded at", "by"});
    for (const v1::Envelope& e : response.history()) {
      table.AddRow({absl::StrCat(e.aggregate_version()), e.event_type().substr(11),
                    absl::FormatTime("%Y-%m-%d %H:%M:%S",
                                     absl::FromUnixSeconds(e.recorded_at().seconds()),
                                     absl::UTCTimeZone()),
                    e.actor().principal_id()});
    }
    table.Print(std::cout);
    return 0;
  }
  if (verb == "make" && args.size() == 1) {
    v1::MakePledgeRequest request;
    request.set_request_id(RequestId("pledge"));
    request.set_campaign_id(absl::GetFlag(FLAGS_campaign));
    if (!absl::GetFlag(FLAGS_pledger_member).empty()) {
      request.mutable_pledger()->set_member_id(absl::GetFlag(FLAGS_pledger_member));
    } else {
      request.mutable_pledger()->set_organisation_id(absl::GetFlag(FLAGS_pledger_org));
    }
    std::string kind = absl::GetFlag(FLAGS_kind);
    if (kind != "work" && kind != "deed") return Usage("--kind: work or deed");
    request.set_kind(kind == "work" ? v1::PLEDGE_KIND_WORK : v1::PLEDGE_KIND_DEED);
    request.set_text(absl::GetFlag(FLAGS_text));
    request.mutable_target()->set_description(absl::GetFlag(FLAGS_target));
    v1::Measure* measure = request.mutable_target()->mutable_measure();
    if (!absl::GetFlag(FLAGS_target_yuan).empty()) {
      std::optional<int64_t> fen = cli::ParseYuan(absl::GetFlag(FLAGS_target_yuan));
      if (!fen) return Usage("--target_yuan: an amount in yuan with at most two decimals");
      measure->set_amount_fen(*fen);
    } else if (!absl::GetFlag(FLAGS_target_quantity).empty()) {
      std::optional<int64_t> thousandths = cli::ParseDecimal(absl::GetFlag(FLAGS_target_quantity), 3);
      if (!thousandths) return Usage("--target_quantity: a number with at most three decimals");
      measure->mutable_quantity()->set_value_milli(*thousandths);
      measure->mutable_quantity()->set_unit(absl::GetFlag(FLAGS_target_unit));
    }
    if (!absl::GetFlag(FLAGS_pledge_theme).empty()) {
      std::string theme = "PLEDGE_THEME_" + absl::GetFlag(FLAGS_pledge_theme);
      for (char& c : theme) c = c == '-' ? '_' : static_cast<char>(std::toupper(c));
      v1::PledgeTheme parsed;
      if (!v1::PledgeTheme_Parse(theme, &parsed)) {
        return Usage("--pledge_theme: central-work, own-situation or peoples-wishes");
      }
      request.set_theme(parsed);
    }
    std::optional<v1::Date> due = ParseDay(absl::GetFlag(FLAGS_due));
    if (!due) return Usage("--due: a day, yyyy-mm-dd");
    *request.mutable_due_on() = *due;
    v1::MakePledgeResponse response;
    return PrintResult(pledges->MakePledge(Context().get(), request, &response), response,
                       "pledge made:");
  }
  if (args.size() != 2) return Usage(kHelp.at("pledge"));
  if (verb == "approve") {
    v1::ApprovePledgeRequest request;
    request.set_request_id(RequestId("approve"));
    request.set_pledge_id(args[1]);
    request.set_comment(absl::GetFlag(FLAGS_comment));
    v1::ApprovePledgeResponse response;
    return PrintResult(pledges->ApprovePledge(Context().get(), request, &response), response,
                       "approved:");
  }
  if (verb == "send-back") {
    v1::SendBackPledgeRequest request;
    request.set_request_id(RequestId("send-back"));
    request.set_pledge_id(args[1]);
    request.set_comment(absl::GetFlag(FLAGS_comment));
    v1::SendBackPledgeResponse response;
    return PrintResult(pledges->SendBackPledge(Context().get(), request, &response), response,
                       "sent back:");
  }
  if (verb == "fulfil") {
    v1::FulfilPledgeRequest request;
    request.set_request_id(RequestId("fulfil"));
    request.set_pledge_id(args[1]);
    request.set_description(absl::GetFlag(FLAGS_description));
    v1::FulfilPledgeResponse response;
    return PrintResult(pledges->FulfilPledge(Context().get(), request, &response), response,
                       "fulfilled:");
  }
  return Usage(kHelp.at("pledge"));
}

int Funds(const std::shared_ptr<grpc::Channel>& channel, const std::vector<std::string>& args) {
  if (args.size() != 1) return Usage(kHelp.at("funds"));
  auto funds = v1::FundsService::NewStub(channel);
  std::string purpose_name = "FUNDS_PURPOSE_" + absl::GetFlag(FLAGS_purpose);
  for (char& c : purpose_name) c = c == '-' ? '_' : static_cast<char>(std::toupper(c));
  v1::FundsPurpose purpose;
  if (!v1::FundsPurpose_Parse(purpose_name, &purpose)) return Usage("--purpose: see `funds --help`");
  std::optional<int64_t> fen = cli::ParseYuan(absl::GetFlag(FLAGS_yuan));
  if (!fen) return Usage("--yuan: an amount in yuan with at most two decimals, e.g. 20000.50");
  if (args[0] == "allocate") {
    v1::AllocateBudgetRequest request;
    request.set_request_id(RequestId("allocate"));
    request.set_source_organisation_id(absl::GetFlag(FLAGS_source));
    request.set_purpose(purpose);
    request.set_year(absl::GetFlag(FLAGS_year));
    request.set_amount_fen(*fen);
    request.set_campaign_id(absl::GetFlag(FLAGS_campaign));
    request.set_description(absl::GetFlag(FLAGS_description));
    v1::AllocateBudgetResponse response;
    return PrintResult(funds->AllocateBudget(Context().get(), request, &response), response,
                       absl::StrCat("allocated ", Yuan(*fen), ": budget"));
  }
  if (args[0] == "disburse") {
    v1::DisburseFundsRequest request;
    request.set_request_id(RequestId("disburse"));
    request.set_source_organisation_id(absl::GetFlag(FLAGS_source));
    request.set_purpose(purpose);
    request.set_year(absl::GetFlag(FLAGS_year));
    if (!absl::GetFlag(FLAGS_to_member).empty()) {
      request.mutable_recipient()->set_member_id(absl::GetFlag(FLAGS_to_member));
    } else {
      request.mutable_recipient()->set_organisation_id(absl::GetFlag(FLAGS_to_org));
    }
    request.set_amount_fen(*fen);
    request.set_description(absl::GetFlag(FLAGS_description));
    v1::DisburseFundsResponse response;
    return PrintResult(funds->DisburseFunds(Context().get(), request, &response), response,
                       absl::StrCat("paid ", Yuan(*fen), " from budget"));
  }
  return Usage(kHelp.at("funds"));
}

int Campaign(const std::shared_ptr<grpc::Channel>& channel, const std::vector<std::string>& args) {
  if (args.size() != 1 || args[0] != "launch") return Usage(kHelp.at("campaign"));
  absl::CivilDay from, to;
  if (!absl::ParseCivilTime(absl::GetFlag(FLAGS_from), &from) ||
      !absl::ParseCivilTime(absl::GetFlag(FLAGS_to), &to) || to < from) {
    return Usage("--from, --to: days yyyy-mm-dd, --to not before --from");
  }
  v1::LaunchCampaignRequest request;
  request.set_request_id(RequestId("campaign"));
  request.set_organisation_id(absl::GetFlag(FLAGS_org));
  request.set_name(absl::GetFlag(FLAGS_name));
  request.set_theme(absl::GetFlag(FLAGS_theme));
  request.set_carrier(absl::GetFlag(FLAGS_carrier));
  const int64_t days = to - from + 1;
  auto date = [](absl::CivilDay day) {
    v1::Date d;
    d.set_year(static_cast<int32_t>(day.year()));
    d.set_month(day.month());
    d.set_day(day.day());
    return d;
  };
  for (int phase = 1; phase <= 5; ++phase) {
    v1::PhasePlan* plan = request.add_phases();
    plan->set_phase(static_cast<v1::CampaignPhase>(phase));
    absl::CivilDay start = from + (phase - 1) * days / 5;
    absl::CivilDay end = phase == 5 ? to : from + phase * days / 5 - 1;
    *plan->mutable_starts_on() = date(start);
    *plan->mutable_ends_on() = date(std::max(start, end));
  }
  auto campaigns = v1::CampaignService::NewStub(channel);
  v1::LaunchCampaignResponse response;
  return PrintResult(campaigns->LaunchCampaign(Context().get(), request, &response), response,
                     "campaign launched:");
}

int Review(const std::shared_ptr<grpc::Channel>& channel, const std::vector<std::string>& args) {
  if (args.size() != 2) return Usage(kHelp.at("review"));
  auto reviews = v1::ReviewService::NewStub(channel);
  if (args[0] == "leader") {
    static const std::map<std::string, v1::Rating> kRatings = {
        {"excellent", v1::RATING_EXCELLENT},
        {"good", v1::RATING_GOOD},
        {"fair", v1::RATING_FAIR},
        {"poor", v1::RATING_POOR}};
    auto rating = kRatings.find(absl::GetFlag(FLAGS_rating));
    if (rating == kRatings.end()) {
      return Usage("--rating: must be excellent, good, fair or poor");
    }
    v1::DoLeaderReviewRequest request;
    request.set_request_id(RequestId("review"));
    request.set_leader_name(absl::GetFlag(FLAGS_leader_name));
    if (!absl::GetFlag(FLAGS_member).empty()) {
      request.mutable_subject()->set_member_id(absl::GetFlag(FLAGS_member));
    } else {
      request.mutable_subject()->set_organisation_id(args[1]);
    }
    request.set_campaign_id(absl::GetFlag(FLAGS_campaign));
    request.set_achievements(absl::GetFlag(FLAGS_achievements));
    request.set_problems(absl::GetFlag(FLAGS_problems));
    request.set_suggestions(absl::GetFlag(FLAGS_suggestions));
    request.set_rating(rating->second);
    v1::DoLeaderReviewResponse response;
    return PrintResult(reviews->DoLeaderReview(Context().get(), request, &response), response,
                       "leader review recorded:");
  }
  if (args[0] == "evaluate") {
    v1::DoMassEvaluationRequest request;
    request.set_request_id(RequestId("evaluation"));
    request.mutable_subject()->set_organisation_id(args[1]);
    request.set_campaign_id(absl::GetFlag(FLAGS_campaign));
    request.set_period(v1::REPORT_PERIOD_HALF_YEAR);
    int year = absl::GetFlag(FLAGS_year);
    if (year == 0) {
      year = static_cast<int>(
          absl::ToCivilDay(absl::Now(), absl::FixedTimeZone(8 * 3600)).year());
    }
    request.set_year(year);
    request.mutable_counts()->set_satisfied(absl::GetFlag(FLAGS_satisfied));
    request.mutable_counts()->set_basically_satisfied(absl::GetFlag(FLAGS_basically_satisfied));
    request.mutable_counts()->set_unsatisfied(absl::GetFlag(FLAGS_unsatisfied));
    v1::DoMassEvaluationResponse response;
    return PrintResult(reviews->DoMassEvaluation(Context().get(), request, &response), response,
                       "mass evaluation recorded:");
  }
  return Usage(kHelp.at("review"));
}

int Compare(const std::shared_ptr<grpc::Channel>& channel) {
  auto audit = v1::AuditService::NewStub(channel);
  v1::CompareWithReplayResponse response;
  grpc::Status status = audit->CompareWithReplay(Context().get(), {}, &response);
  if (!status.ok()) return Report(status);
  if (absl::GetFlag(FLAGS_json)) return PrintJson(response);
  std::cout << (response.equal() ? "equal" : "DIFFERENT") << ": live " << response.live_digest()
            << "\n       replay " << response.replay_digest() << " (" << response.records_replayed()
            << " records)\n";
  return response.equal() ? 0 : kRefused;
}

}  // namespace
}  // namespace vanguard::ctl

int main(int argc, char** argv) {
  using namespace vanguard::ctl;
  absl::SetProgramUsageMessage(
      "vanguardctl [--server H:P] [--token T] [--json] COMMAND ...\n"
      "  level ORG | children ORG | series ORG | pledge show|make|approve|send-back|fulfil |\n"
      "  funds allocate|disburse | review leader|evaluate | campaign launch | import FILE.csv |\n"
      "  compare\n"
      "Run `vanguardctl COMMAND --help` for one command.");
  // `vanguardctl COMMAND [...] --help` explains that command and its flags.
  if (argc >= 3 && kHelp.contains(argv[1])) {
    for (int i = 2; i < argc; ++i) {
      if (vanguard::cli::IsHelpFlag(argv[i])) {
        std::cout << CommandHelp(argv[1]);
        return 0;
      }
    }
  }
  std::vector<char*> positional = absl::ParseCommandLine(argc, argv);
  std::vector<std::string> args(positional.begin() + 1, positional.end());
  if (args.empty()) {
    std::cerr << absl::ProgramUsageMessage() << "\n";
    return kUsage;
  }
  std::string server = absl::GetFlag(FLAGS_server);
  if (server.empty()) server = Env("VANGUARD_SERVER", "127.0.0.1:7400");
  auto channel = grpc::CreateChannel(server, grpc::InsecureChannelCredentials());
  auto views = vanguard::v1::ViewService::NewStub(channel);
  const std::string command = args[0];
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (command == "level") return Level(*views, rest);
  if (command == "children") return Children(*views, rest);
  if (command == "series") return Series(*views, rest);
  if (command == "pledge") return Pledge(channel, rest);
  if (command == "funds") return Funds(channel, rest);
  if (command == "campaign") return Campaign(channel, rest);
  if (command == "review") return Review(channel, rest);
  if (command == "compare") return Compare(channel);
  if (command == "import") {
    if (rest.size() != 1) return Usage(kImportHelp);
    return RunImport(channel, rest[0], absl::GetFlag(FLAGS_rows), Token());
  }
  return Usage(absl::StrCat("unknown command \"", command, "\"\n", absl::ProgramUsageMessage()));
}
