// The township of seed 000 (a 2010 work report), built through the public
// gRPC API by the principals who would really act, and a census of the log.
//
// Its 67 organisations (8 organ/station branches, 11 village general
// branches, 48 village branches) under the township committee, 566 members
// (385 rural, 157 organ/station, 24 retired), 6 pioneer posts in each village
// with ¥600 each after passing, and 8 county departments paired with villages,
// disbursing ¥80,000, 50,000, 40,000, 40,000, 30,000, 20,000, 20,000 and
// 20,000. Used by `vanguard demo` and by the scenario test.
//
//   rpc::TokenStore tokens = *rpc::TokenStore::Parse(SeedTownshipTokens());
//   ... serve CommandServices with `tokens` ...
//   RETURN_IF_ERROR(BuildSeedTownship(channel, progress));
//   ASSIGN_OR_RETURN(LogCensus census, TakeCensus(*log, deadline));
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/channel.h"
#include "libs/eventlog/event_log.h"
#include "vanguard/v1/common.pb.h"
#include "vanguard/v1/organisation_service.pb.h"

namespace vanguard::demo {

// The departments of the seed and what each gave its village, in yuan.
struct Department {
  const char* id;
  const char* name;
  int64_t yuan;
};
inline constexpr Department kSeedDepartments[] = {
    {"water-bureau", "县水务局", 80'000},         {"forestry-bureau", "县林业局", 50'000},
    {"education-bureau", "县教育局", 40'000},     {"transport-bureau", "县交通局", 40'000},
    {"health-bureau", "县卫生局", 30'000},        {"agriculture-bureau", "县农业局", 20'000},
    {"civil-affairs-bureau", "县民政局", 20'000}, {"finance-bureau", "县财政局", 20'000},
};
inline constexpr int64_t kSubsidyFen = 600 * 100;

// The request registering organisation `id` under `parent` ("" for a root),
// under the request id "register-<id>".
v1::RegisterOrganisationRequest RegisterRequest(const std::string& id, const std::string& parent,
                                                const std::string& name, v1::OrganisationKind kind,
                                                v1::OrganisationLevel level, v1::Sector sector);

// The tokens file (hashes only) of the principals who act in the seed: the
// county admin, the township's reviewer and treasurer, a clerk per village and
// the departments. Each principal's bearer token is SeedToken(principal).
std::string SeedTownshipTokens();
std::string SeedToken(const std::string& principal);

// Builds the township through `channel`; `progress(done, total)` is called as
// commands complete. Fails on the first command that fails, naming it.
absl::Status BuildSeedTownship(const std::shared_ptr<grpc::Channel>& channel,
                               const std::function<void(int, int)>& progress = nullptr);

// What the log holds, read with the acceptance rule every reader uses.
struct LogCensus {
  int64_t records = 0;
  int64_t rejected = 0;
  std::map<std::string, int64_t> events;  // accepted, by event type
  std::map<v1::MemberCategory, int64_t> members;
  std::map<std::string, int64_t> organisations;  // by "SECTOR/KIND" names
  int64_t subsidies_fen = 0;
  std::map<std::string, int64_t> funds_by_source_fen;  // other than subsidies
};
absl::StatusOr<LogCensus> TakeCensus(eventlog::EventLog& log, absl::Time deadline);

}  // namespace vanguard::demo
