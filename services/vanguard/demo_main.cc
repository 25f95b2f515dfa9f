// `vanguard demo`: the township of seed 000 built through the real command
// services (gRPC on loopback, the embedded log by default), then what the log
// holds, read back with the acceptance rule and verified, and the township's
// villages as the per-level views rank them, read through the ViewService;
// then a city like seed 003's, a year of its campaign loaded in bulk through
// SubmitService, and its report from city to township to village.
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <map>
#include <string>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "grpcpp/grpcpp.h"
#include "libs/base/status_macros.h"
#include "libs/eventlog/hash_chain.h"
#include "libs/rpc/auth.h"
#include "libs/rpc/server.h"
#include "libs/writer/state_store.h"
#include "libs/writer/writer.h"
#include "services/cli/text.h"
#include "services/command/command_services.h"
#include "services/demo/seed_city.h"
#include "services/demo/seed_township.h"
#include "services/audit/audit_service.h"
#include "services/projector/projector.h"
#include "services/query/view_service.h"
#include "services/vanguard/log_flags.h"
#include "services/vanguard/server_flags.h"
#include "services/vanguard/stores.h"
#include "services/vanguard/subcommands.h"
#include "vanguard/v1/view_service.grpc.pb.h"

ABSL_FLAG(bool, city, true,
          "After the township, load the city like seed 003's (about half a minute on 2 cores)");
ABSL_FLAG(bool, once, false,
          "Exit after the report instead of serving on --listen until Ctrl-C");

namespace vanguard {
namespace {

int Fail(const absl::Status& status) {
  std::cerr << "\nvanguard demo: " << status << std::endl;
  return 1;
}

using cli::DisplayWidth;
using cli::Yuan;

void Row(const std::string& what, const std::string& figure) {
  std::cout << "  " << what << std::string(std::max(1, 50 - DisplayWidth(what)), ' ')
            << std::string(std::max(0, 16 - DisplayWidth(figure)), ' ') << figure << "\n";
}

// Reads through the ViewService as `principal`.
class ViewReader {
 public:
  explicit ViewReader(const std::shared_ptr<grpc::Channel>& channel)
      : stub_(v1::ViewService::NewStub(channel)) {}

  absl::StatusOr<v1::ListChildrenResponse> Children(const std::string& principal,
                                                    const std::string& organisation,
                                                    v1::Figure order_by) {
    v1::ListChildrenRequest request;
    request.set_organisation_id(organisation);
    request.set_order_by(order_by);
    v1::ListChildrenResponse response;
    RETURN_IF_ERROR(Call(principal, &v1::ViewService::Stub::ListChildren, request, &response));
    return response;
  }

  absl::StatusOr<v1::LevelView> Level(const std::string& principal, const std::string& organisation,
                                      const std::string& period = "") {
    v1::GetLevelViewRequest request;
    request.set_organisation_id(organisation);
    request.mutable_bucket()->set_period(period);
    v1::GetLevelViewResponse response;
    RETURN_IF_ERROR(Call(principal, &v1::ViewService::Stub::GetLevelView, request, &response));
    return response.view();
  }

 private:
  template <typename Request, typename Response>
  absl::Status Call(const std::string& principal,
                    grpc::Status (v1::ViewService::Stub::*method)(grpc::ClientContext*,
                                                                  const Request&, Response*),
                    const Request& request, Response* response) {
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer " + demo::SeedToken(principal));
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    grpc::Status status = (stub_.get()->*method)(&context, request, response);
    if (status.ok()) return absl::OkStatus();
    return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                        absl::StrCat("reading the views: ", status.error_message()));
  }

  std::unique_ptr<v1::ViewService::Stub> stub_;
};

std::string Cell(const std::string& text, int width) {
  return std::string(std::max(0, width - DisplayWidth(text)), ' ') + text;
}

// The township's children as the views rank them, through the ViewService.
absl::Status PrintChildren(ViewReader& reader) {
  ASSIGN_OR_RETURN(v1::ListChildrenResponse response,
                   reader.Children("township-reviewer", "township", v1::FIGURE_FUNDS_RECEIVED));
  std::cout << "\nThe township's organisations ranked by funds received (the views, "
               "ViewService.ListChildren)\n  "
            << Cell("#", 3) << "  " << Cell("organisation", 20) << Cell("under it", 10)
            << Cell("members", 9) << Cell("posts passed", 14) << Cell("subsidies", 13)
            << Cell("funds received", 16) << "\n";
  for (const v1::ChildRow& row : response.children()) {
    const v1::LevelFigures& f = row.view().figures();
    std::cout << "  " << Cell(absl::StrCat(row.rank()), 3) << "  "
              << Cell(row.view().organisation().name(), 20)
              << Cell(absl::StrCat(f.structure().organisations()), 10)
              << Cell(absl::StrCat(f.structure().members()), 9)
              << Cell(absl::StrCat(f.posts().passed()), 14)
              << Cell(Yuan(f.posts().subsidies_paid_fen()), 13)
              << Cell(Yuan(f.funds().received_fen()), 16) << "\n";
  }
  return absl::OkStatus();
}

// Ranked children with the campaign's headline figures.
void PrintRanked(const std::string& title, const v1::ListChildrenResponse& response, size_t rows) {
  std::cout << "\n" << title << "\n  " << Cell("#", 3) << "  " << Cell("organisation", 24)
            << Cell("members", 9) << Cell("pledges", 9) << Cell("fulfilled", 11)
            << Cell("completion", 12) << Cell("sent back", 11) << Cell("reviews", 9)
            << Cell("satisfied", 11) << "\n";
  size_t shown = 0;
  for (const v1::ChildRow& row : response.children()) {
    if (shown++ == rows) {
      std::cout << "  " << Cell("…", 3) << "  (" << response.children_size() - rows
                << " more)\n";
      break;
    }
    const v1::LevelFigures& f = row.view().figures();
    std::cout << "  " << Cell(absl::StrCat(row.rank()), 3) << "  "
              << Cell(row.view().organisation().name(), 24)
              << Cell(absl::StrCat(f.structure().members()), 9)
              << Cell(absl::StrCat(f.pledges().total().made()), 9)
              << Cell(absl::StrCat(f.pledges().total().fulfilled()), 11)
              << Cell(cli::Percent(f.pledges().completion_rate_bp()), 12)
              << Cell(absl::StrCat(f.pledges().sent_back_once()), 11)
              << Cell(absl::StrCat(f.reviews().leader_reviews()), 9)
              << Cell(cli::Percent(f.reviews().satisfaction_rate_bp()), 11) << "\n";
  }
}

// The city → township → village report, through the ViewService.
absl::Status PrintCity(ViewReader& reader) {
  const absl::CivilDay today = absl::ToCivilDay(absl::Now(), absl::FixedTimeZone(8 * 3600));
  const std::string quarter = absl::StrCat(today.year(), "-Q", (today.month() - 1) / 3 + 1);
  ASSIGN_OR_RETURN(v1::LevelView city, reader.Level("city-reviewer", demo::kCityId));
  ASSIGN_OR_RETURN(v1::LevelView this_quarter,
                   reader.Level("city-reviewer", demo::kCityId, quarter));
  const v1::LevelFigures& f = city.figures();
  std::cout << "\nThe city (" << city.organisation().name() << "), as its level view reads\n";
  Row("organisations / members",
      absl::StrCat(f.structure().organisations(), " / ", f.structure().members()));
  Row("deed pledges made", absl::StrCat(f.pledges().total().made()));
  Row("  fulfilled (completion rate)",
      absl::StrCat(f.pledges().total().fulfilled(), " (",
                   cli::Percent(f.pledges().completion_rate_bp()), ")"));
  Row("  sent back once: organisations' / members'",
      absl::StrCat(f.pledges().organisation_pledges_sent_back(), " / ",
                   f.pledges().member_pledges_sent_back()));
  Row("leader reviews (all quarters)", absl::StrCat(f.reviews().leader_reviews()));
  Row(absl::StrCat("review coverage in ", quarter),
      cli::Percent(this_quarter.figures().reviews().coverage_bp()));
  Row("mass evaluations (satisfaction rate)",
      absl::StrCat(f.reviews().mass_evaluations(), " (",
                   cli::Percent(f.reviews().satisfaction_rate_bp()), ")"));
  Row("advanced organisations / excellent members",
      absl::StrCat(f.honours().advanced_organisations(), " / ", f.honours().excellent_members()));

  ASSIGN_OR_RETURN(v1::ListChildrenResponse townships,
                   reader.Children("city-reviewer", demo::kCityId, v1::FIGURE_COMPLETION_RATE));
  PrintRanked("The city's townships, streets and farms ranked by completion rate (争先进位)",
              townships, 10);
  const v1::ChildRow& first = townships.children(0);
  const std::string township = first.view().organisation().organisation_id();
  ASSIGN_OR_RETURN(v1::ListChildrenResponse villages,
                   reader.Children("reviewer-" + township, township, v1::FIGURE_COMPLETION_RATE));
  PrintRanked(absl::StrCat("Its first, ", first.view().organisation().name(),
                           ": its villages ranked by completion rate"),
              villages, 12);
  const std::string village = villages.children(0).view().organisation().organisation_id();
  ASSIGN_OR_RETURN(v1::LevelView top, reader.Level("secretary-" + village, village));
  std::cout << "\nIts first village, " << top.organisation().name() << " (" << village << "): "
            << top.figures().structure().members() << " members, "
            << top.figures().pledges().total().made() << " pledges, "
            << top.figures().pledges().total().fulfilled() << " fulfilled ("
            << cli::Percent(top.figures().pledges().completion_rate_bp()) << "), "
            << top.figures().reviews().leader_reviews() << " leader reviews\n";
  return absl::OkStatus();
}

}  // namespace

int RunDemo(const SignalWaiter& wait_for_signal) {
  auto log = OpenLogFromFlags();
  if (!log.ok()) return Fail(log.status());
  for (int32_t p = 0; p < (*log)->partition_count(); ++p) {
    if (auto end = (*log)->EndOffset(p, absl::Now() + absl::Seconds(30)); !end.ok() || *end != 0) {
      std::cerr << "vanguard demo: the log " << (*log)->log_id()
                << " is not empty; give the demo a fresh --data_dir\n";
      return 2;
    }
  }
  auto writer = StartWriterFromFlags(**log, {.endpoint = "demo"});
  if (!writer.ok()) return Fail(writer.status());
  const std::string seed_tokens = demo::SeedTownshipTokens() + demo::SeedCityTokens();
  auto tokens = rpc::TokenStore::Parse(seed_tokens);
  if (!tokens.ok()) return Fail(tokens.status());
  auto keys = OpenKeysFromFlags();
  if (!keys.ok()) return Fail(keys.status());
  command::CommandServices services(writer->writer.get(), &*tokens, {}, keys->get());
  auto views = OpenViewsFromFlags(**log);
  if (!views.ok()) return Fail(views.status());
  auto projector = projector::Projector::Start(**log, **views);
  if (!projector.ok()) return Fail(projector.status());
  query::ViewServiceImpl view_service(**views, *tokens);
  view_service.set_key_store(keys->get());
  std::vector<grpc::Service*> all = services.services();
  all.push_back(&view_service);
  audit::AuditServiceImpl audit(**log, *tokens, views->get());
  audit.set_key_store(keys->get());
  all.push_back(&audit);
  // Kept serving afterwards, the demo listens where vanguardctl looks by
  // default; run once (tests, scripts), it takes any free port.
  const bool once = absl::GetFlag(FLAGS_once);
  auto server = rpc::Server::Start(
      {.listen_address = once ? "127.0.0.1:0" : absl::GetFlag(FLAGS_listen)}, all);
  if (!server.ok()) return Fail(server.status());
  std::string address = absl::StrCat("127.0.0.1:", (*server)->port());
  auto dashboard = StartDashboardFromFlags(**server, *tokens, "live");
  if (!dashboard.ok()) return Fail(dashboard.status());
  std::cout << "Vanguard's command services on " << address << ", log " << (*log)->log_id()
            << "\nBuilding the township of seed 000 through the gRPC API, as its clerks, "
               "reviewer, treasurer and county departments would:\n";

  absl::Time start = absl::Now();
  absl::Status built = demo::BuildSeedTownship(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()), [](int done, int total) {
        if (isatty(STDERR_FILENO) && (done % 20 == 0 || done == total)) {
          int width = 40, filled = done * width / total;
          std::cerr << "\r  [" << std::string(filled, '#') << std::string(width - filled, '.')
                    << "] " << done << "/" << total << " commands" << std::flush;
        }
      });
  if (!built.ok()) return Fail(built);
  absl::Duration took = absl::Now() - start;
  if (isatty(STDERR_FILENO)) std::cerr << "\n";

  auto census = demo::TakeCensus(**log, absl::Now() + absl::Minutes(1));
  if (!census.ok()) return Fail(census.status());
  auto report = eventlog::VerifyLog(**log, absl::Now() + absl::Minutes(1));
  if (!report.ok()) return Fail(report.status());

  int64_t commands = 0;
  for (const auto& [type, count] : census->events) {
    if (type != "vanguard.v1.OwnerClaimed") commands += count;
  }
  std::cout << "\nThe township in the log\n";
  Row("organisations (branches of organs and stations)",
      absl::StrCat(census->organisations["SECTOR_ORGAN_STATION/ORGANISATION_KIND_BRANCH"]));
  Row("organisations (village general branches)",
      absl::StrCat(census->organisations["SECTOR_VILLAGE/ORGANISATION_KIND_GENERAL_BRANCH"]));
  Row("organisations (village branches)",
      absl::StrCat(census->organisations["SECTOR_VILLAGE/ORGANISATION_KIND_BRANCH"]));
  Row("members (rural)", absl::StrCat(census->members[v1::MEMBER_CATEGORY_RURAL]));
  Row("members (organs and stations)",
      absl::StrCat(census->members[v1::MEMBER_CATEGORY_ORGAN_STATION]));
  Row("members (retired)", absl::StrCat(census->members[v1::MEMBER_CATEGORY_RETIRED]));
  Row("pioneer posts established / passed",
      absl::StrCat(census->events["vanguard.v1.PioneerPostEstablished"], " / ",
                   census->events["vanguard.v1.PioneerPostAssessed"]));
  Row("pioneer post subsidies paid", Yuan(census->subsidies_fen));
  std::cout << "\nPairing funds by department\n";
  int64_t pairing_total = 0;
  for (const demo::Department& d : demo::kSeedDepartments) {
    Row(d.name, Yuan(census->funds_by_source_fen[d.id]));
    pairing_total += census->funds_by_source_fen[d.id];
  }
  Row("total", Yuan(pairing_total));
  std::cout << "\n  " << commands << " commands, each one event, in " << absl::FormatDuration(took)
            << " (" << static_cast<int64_t>(commands / absl::ToDoubleSeconds(took))
            << " commands/s), " << census->records << " records in " << (*log)->partition_count()
            << " partitions\n"
            << "  verify: every hash chain "
            << (report->breaks.empty() && census->rejected == 0 ? "intact, nothing rejected"
                                                                : "BROKEN")
            << "\n";
  if (!(*projector)->WaitCaughtUp(absl::Now() + absl::Minutes(1))) {
    return Fail((*projector)->status().ok()
                    ? absl::DeadlineExceededError("the views did not catch up in a minute")
                    : (*projector)->status());
  }
  ViewReader reader(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  if (absl::Status printed = PrintChildren(reader); !printed.ok()) return Fail(printed);

  if (absl::GetFlag(FLAGS_city)) {
    std::cout << "\nLoading a city like seed 003's through SubmitService: 23 townships, streets "
                 "and farms, 276 villages, 12,420 members, 24,768 deed pledges and a year of "
                 "reviews\n"
              << std::flush;
    start = absl::Now();
    int64_t city_commands = 0;
    absl::Status city = demo::BuildSeedCity(
        grpc::CreateChannel(address, grpc::InsecureChannelCredentials()),
        [&city_commands](int64_t done, int64_t total) {
          city_commands = done;
          if (isatty(STDERR_FILENO)) {
            int width = 40, filled = static_cast<int>(done * width / std::max<int64_t>(1, total));
            std::cerr << "\r  [" << std::string(filled, '#') << std::string(width - filled, '.')
                      << "] " << done << "/" << total << " commands" << std::flush;
          }
        });
    if (!city.ok()) return Fail(city);
    took = absl::Now() - start;
    if (isatty(STDERR_FILENO)) std::cerr << "\n";
    std::cout << "  " << city_commands << " commands in " << absl::FormatDuration(absl::Trunc(took, absl::Milliseconds(1)))
              << " (" << static_cast<int64_t>(city_commands / absl::ToDoubleSeconds(took))
              << " commands/s)\n";
    if (!(*projector)->WaitCaughtUp(absl::Now() + absl::Minutes(2))) {
      return Fail((*projector)->status().ok()
                      ? absl::DeadlineExceededError("the views did not catch up in two minutes")
                      : (*projector)->status());
    }
    if (absl::Status printed = PrintCity(reader); !printed.ok()) return Fail(printed);
  }

  // The seed's principals, so that the township can be explored afterwards.
  std::string tokens_file = absl::GetFlag(FLAGS_data_dir) + "/tokens";
  std::ofstream(tokens_file) << seed_tokens;
  const bool intact = report->breaks.empty() && census->rejected == 0;
  if (!once && intact) {
    std::cout << "\nServing on " << address << " until Ctrl-C. Explore with vanguardctl:\n"
              << "  export VANGUARD_SERVER=" << address
              << " VANGUARD_TOKEN=seed-token-of-township-reviewer\n"
              << "  build/services/vanguardctl/vanguardctl children township --by members\n"
              << "  (the tokens are seed-token-of-<principal>, listed in " << tokens_file << ")\n";
    if (*dashboard) {
      std::cout << "Or open the dashboard at http://127.0.0.1:" << (*dashboard)->port()
                << "/ with the token seed-token-of-city-reviewer (or of township-reviewer)\n";
    }
    std::cout << std::flush;
    wait_for_signal();
  } else {
    std::cout << "\nServe it again: vanguard serve --data_dir " << absl::GetFlag(FLAGS_data_dir)
              << " --tokens_file " << tokens_file
              << "\n  (bearer tokens: seed-token-of-<principal>, e.g. seed-token-of-county-admin)\n";
  }
  (*server)->Shutdown(absl::Now() + absl::Seconds(5));
  return report->breaks.empty() && census->rejected == 0 ? 0 : 1;
}

}  // namespace vanguard
