// A city like seed 003's (a city's campaign report): its whole year of the
// campaign loaded through the public gRPC API, in bulk (SubmitService), by
// the principals who would act.
//
// The city committee with 23 townships, streets and farms, and under them 276
// villages, communities and farm branches; 12,420 members; 24,768 deed
// pledges (one per village organisation, the rest two per pledging member),
// of which 25 organisations' and 268 members' were sent back once for
// revision, and 13,876 fulfilled (56%); a leader review of every village and
// township in each quarter of the year so far; a mass evaluation of every
// village; the city's honours. The population is synthetic; the figures the
// report gives are exact. Dates fall in the current year, so the pledges are
// never due before the day they are made.
//
//   rpc::TokenStore tokens = *rpc::TokenStore::Parse(SeedCityTokens());
//   ... serve CommandServices with `tokens` ...
//   RETURN_IF_ERROR(BuildSeedCity(channel, progress));
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "grpcpp/channel.h"

namespace vanguard::demo {

inline constexpr char kCityId[] = "city";
inline constexpr char kCityCampaignId[] = "city-campaign";
inline constexpr int kCityTownships = 23;
inline constexpr int kCityVillages = 276;
inline constexpr int kCityDeedPledges = 24'768;
inline constexpr int kCityFulfilled = 13'876;
inline constexpr int kCityOrganisationsSentBack = 25;
inline constexpr int kCityMembersSentBack = 268;
inline constexpr int kCityMembers = 12'420;

// The organisation id of township `t` (0-based) and of its village `v`.
std::string CityTownshipId(int t);
std::string CityVillageId(int t, int v);

// The city's principals (hashes only): its admin and reviewer, a reviewer per
// township, and a secretary (clerk and reviewer) per village. Each bearer
// token is SeedToken(principal).
std::string SeedCityTokens();

// Loads the city through `channel`, several streams at once;
// `progress(done, total)` is called (from one thread at a time) as commands
// are answered. Fails on the first command refused, naming it.
absl::Status BuildSeedCity(const std::shared_ptr<grpc::Channel>& channel,
                           const std::function<void(int64_t, int64_t)>& progress = nullptr);

}  // namespace vanguard::demo
