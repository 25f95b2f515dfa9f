// `vanguard demo`: the township of seed 000 built through the real command
// services (gRPC on loopback, the embedded log by default), then what the log
// holds, read back with the acceptance rule and verified, and the township's
// villages as the per-level views rank them, read through the ViewService.
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
#include "absl/time/clock.h"
#include "grpcpp/grpcpp.h"
#include "libs/eventlog/hash_chain.h"
#include "libs/rpc/auth.h"
#include "libs/rpc/server.h"
#include "libs/writer/state_store.h"
#include "libs/writer/writer.h"
#include "services/cli/text.h"
#include "services/command/command_services.h"
#include "services/demo/seed_township.h"
#include "services/audit/audit_service.h"
#include "services/projector/projector.h"
#include "services/query/view_service.h"
#include "services/vanguard/log_flags.h"
#include "services/vanguard/server_flags.h"
#include "services/vanguard/stores.h"
#include "services/vanguard/subcommands.h"
#include "vanguard/v1/view_service.grpc.pb.h"

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

// The township's children as the views rank them, through the ViewService.
absl::Status PrintChildren(const std::shared_ptr<grpc::Channel>& channel) {
  auto views = v1::ViewService::NewStub(channel);
  grpc::ClientContext context;
  context.AddMetadata("authorization", "Bearer " + demo::SeedToken("township-reviewer"));
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  v1::ListChildrenRequest request;
  request.set_organisation_id("township");
  request.set_order_by(v1::FIGURE_FUNDS_RECEIVED);
  v1::ListChildrenResponse response;
  grpc::Status status = views->ListChildren(&context, request, &response);
  if (!status.ok()) {
    return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                        absl::StrCat("reading the views: ", status.error_message()));
  }
  auto cell = [](const std::string& text, int width) {
    return std::string(std::max(0, width - DisplayWidth(text)), ' ') + text;
  };
  std::cout << "\nThe township's organisations ranked by funds received (the views, "
               "ViewService.ListChildren)\n  "
            << cell("#", 3) << "  " << cell("organisation", 20) << cell("under it", 10)
            << cell("members", 9) << cell("posts passed", 14) << cell("subsidies", 13)
            << cell("funds received", 16) << "\n";
  for (const v1::ChildRow& row : response.children()) {
    const v1::LevelFigures& f = row.view().figures();
    std::cout << "  " << cell(absl::StrCat(row.rank()), 3) << "  "
              << cell(row.view().organisation().name(), 20)
              << cell(absl::StrCat(f.structure().organisations()), 10)
              << cell(absl::StrCat(f.structure().members()), 9)
              << cell(absl::StrCat(f.posts().passed()), 14)
              << cell(Yuan(f.posts().subsidies_paid_fen()), 13)
              << cell(Yuan(f.funds().received_fen()), 16) << "\n";
  }
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
  auto tokens = rpc::TokenStore::Parse(demo::SeedTownshipTokens());
  if (!tokens.ok()) return Fail(tokens.status());
  command::CommandServices services(writer->writer.get(), &*tokens);
  auto views = OpenViewsFromFlags(**log);
  if (!views.ok()) return Fail(views.status());
  auto projector = projector::Projector::Start(**log, **views);
  if (!projector.ok()) return Fail(projector.status());
  query::ViewServiceImpl view_service(**views, *tokens);
  std::vector<grpc::Service*> all = services.services();
  all.push_back(&view_service);
  audit::AuditServiceImpl audit(**log, *tokens, views->get());
  all.push_back(&audit);
  // Kept serving afterwards, the demo listens where vanguardctl looks by
  // default; run once (tests, scripts), it takes any free port.
  const bool once = absl::GetFlag(FLAGS_once);
  auto server = rpc::Server::Start(
      {.listen_address = once ? "127.0.0.1:0" : absl::GetFlag(FLAGS_listen)}, all);
  if (!server.ok()) return Fail(server.status());
  std::string address = absl::StrCat("127.0.0.1:", (*server)->port());
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
  if (absl::Status printed =
          PrintChildren(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
      !printed.ok()) {
    return Fail(printed);
  }
  // The seed's principals, so that the township can be explored afterwards.
  std::string tokens_file = absl::GetFlag(FLAGS_data_dir) + "/tokens";
  std::ofstream(tokens_file) << demo::SeedTownshipTokens();
  const bool intact = report->breaks.empty() && census->rejected == 0;
  if (!once && intact) {
    std::cout << "\nServing on " << address << " until Ctrl-C. Explore with vanguardctl:\n"
              << "  export VANGUARD_SERVER=" << address
              << " VANGUARD_TOKEN=seed-token-of-township-reviewer\n"
              << "  build/services/vanguardctl/vanguardctl children township --by members\n"
              << "  (the tokens are seed-token-of-<principal>, listed in " << tokens_file << ")\n"
              << std::flush;
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
