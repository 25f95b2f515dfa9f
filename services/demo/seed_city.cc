#include "services/demo/seed_city.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "grpcpp/grpcpp.h"
#include "libs/base/status_macros.h"
#include "libs/domain/validation.h"
#include "libs/rpc/auth.h"
#include "services/demo/seed_township.h"
#include "vanguard/v1/submit_service.grpc.pb.h"

namespace vanguard::demo {
namespace {

constexpr int kVillagesPerTownship = kCityVillages / kCityTownships;  // 12
constexpr int kMembersPerVillage = kCityMembers / kCityVillages;        // 45
// Every village organisation makes one deed pledge; members make the rest.
constexpr int kMemberPledges = kCityDeedPledges - kCityVillages;
// Streams loading at once: enough to keep the server's writer groups full.
constexpr int kStreams = 8;

struct TownshipKind {
  const char* name;
  v1::Sector sector;
};
constexpr TownshipKind kTownships[kCityTownships] = {
    {"城关镇", v1::SECTOR_TERRITORIAL},   {"青山镇", v1::SECTOR_TERRITORIAL},
    {"河口镇", v1::SECTOR_TERRITORIAL},   {"白沙镇", v1::SECTOR_TERRITORIAL},
    {"石桥镇", v1::SECTOR_TERRITORIAL},   {"龙泉镇", v1::SECTOR_TERRITORIAL},
    {"马街镇", v1::SECTOR_TERRITORIAL},   {"新安镇", v1::SECTOR_TERRITORIAL},
    {"太平镇", v1::SECTOR_TERRITORIAL},   {"永兴镇", v1::SECTOR_TERRITORIAL},
    {"三合镇", v1::SECTOR_TERRITORIAL},   {"金山镇", v1::SECTOR_TERRITORIAL},
    {"大营镇", v1::SECTOR_TERRITORIAL},   {"平坝镇", v1::SECTOR_TERRITORIAL},
    {"东风镇", v1::SECTOR_TERRITORIAL},   {"清水镇", v1::SECTOR_TERRITORIAL},
    {"双龙镇", v1::SECTOR_TERRITORIAL},   {"东城街道", v1::SECTOR_COMMUNITY},
    {"西城街道", v1::SECTOR_COMMUNITY},   {"南城街道", v1::SECTOR_COMMUNITY},
    {"北城街道", v1::SECTOR_COMMUNITY},   {"红旗农场", v1::SECTOR_FARM},
    {"前进农场", v1::SECTOR_FARM},
};

// Spreads `chosen` of `total` evenly: whether item `i` is one of them.
bool Chosen(int64_t i, int64_t chosen, int64_t total) {
  return (i + 1) * chosen / total > i * chosen / total;
}

// Shares `total` out over groups of `sizes`, in proportion to size × weight,
// never more than a group's size, exactly `total` in all (the remainders go
// to the largest fractions).
std::vector<int64_t> Apportion(int64_t total, const std::vector<int64_t>& sizes,
                               const std::vector<double>& weights) {
  double sum = 0;
  for (size_t i = 0; i < sizes.size(); ++i) sum += static_cast<double>(sizes[i]) * weights[i];
  std::vector<int64_t> shares(sizes.size());
  std::vector<std::pair<double, size_t>> fractions;
  int64_t given = 0;
  for (size_t i = 0; i < sizes.size(); ++i) {
    const double exact = static_cast<double>(total) * static_cast<double>(sizes[i]) * weights[i] / sum;
    shares[i] = std::min<int64_t>(sizes[i], static_cast<int64_t>(exact));
    given += shares[i];
    fractions.emplace_back(exact - static_cast<double>(shares[i]), i);
  }
  std::sort(fractions.rbegin(), fractions.rend());
  for (size_t k = 0; given < total; k = (k + 1) % fractions.size()) {
    const size_t i = fractions[k].second;
    if (shares[i] < sizes[i]) {
      ++shares[i];
      ++given;
    }
  }
  return shares;
}

// Member pledges of village `village` (0-based over the city): 88 or 89.
int MemberPledgesOf(int village) {
  return static_cast<int>(static_cast<int64_t>(village + 1) * kMemberPledges / kCityVillages -
                          static_cast<int64_t>(village) * kMemberPledges / kCityVillages);
}
// The index over the city of the village's first member pledge.
int FirstMemberPledgeOf(int village) {
  return static_cast<int>(static_cast<int64_t>(village) * kMemberPledges / kCityVillages);
}

std::string VillageName(int t, int v) {
  const TownshipKind& township = kTownships[t];
  switch (township.sector) {
    case v1::SECTOR_COMMUNITY:
      return absl::StrCat(township.name, "第", v + 1, "社区党总支");
    case v1::SECTOR_FARM:
      return absl::StrCat(township.name, "第", v + 1, "分场党支部");
    default:
      return absl::StrCat(township.name, "第", v + 1, "村党总支");
  }
}

std::string Secretary(const std::string& village) { return "secretary-" + village; }
std::string Reviewer(const std::string& township) { return "reviewer-" + township; }

absl::CivilDay Today() {
  return absl::ToCivilDay(absl::Now(), absl::FixedTimeZone(8 * 3600));  // Asia/Shanghai
}

std::string RequestIdOf(const v1::SubmitRequest& command) {
  const google::protobuf::FieldDescriptor* field =
      v1::SubmitRequest::descriptor()->FindFieldByNumber(command.command_case());
  if (field == nullptr) return "a command with none set";
  const google::protobuf::Message& request = command.GetReflection()->GetMessage(command, field);
  return request.GetReflection()->GetString(
      request, request.GetDescriptor()->FindFieldByName("request_id"));
}

// One Submit stream as one principal; the results by index, or the first
// refusal, naming the command.
class Loader {
 public:
  Loader(std::shared_ptr<grpc::Channel> channel, std::function<void(int64_t, int64_t)> progress)
      : stub_(v1::SubmitService::NewStub(channel)), progress_(std::move(progress)) {}

  absl::StatusOr<std::vector<v1::CommandResult>> Submit(
      const std::string& principal, const std::vector<v1::SubmitRequest>& commands) {
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer " + SeedToken(principal));
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::minutes(5));
    auto stream = stub_->Submit(&context);
    std::vector<v1::CommandResult> results(commands.size());
    absl::Status refused;
    int64_t answered = 0;
    // One thread keeps at most a window's worth unanswered: write until the
    // window is full, then read one answer per command written.
    constexpr size_t kWindow = 64;
    auto read_one = [&]() -> bool {
      v1::SubmitResponse response;
      if (!stream->Read(&response)) return false;
      ++answered;
      const size_t index = static_cast<size_t>(response.index());
      if (index >= commands.size()) return false;
      if (response.has_result()) {
        results[index] = response.result();
      } else if (refused.ok()) {
        refused = absl::Status(static_cast<absl::StatusCode>(response.error().code()),
                               absl::StrCat(RequestIdOf(commands[index]), " by ", principal, ": ",
                                            response.error().message()));
      }
      if (answered % 64 == 0) Report(64);
      return true;
    };
    bool open = true;
    for (size_t sent = 0; open && sent < commands.size(); ++sent) {
      if (sent - static_cast<size_t>(answered) >= kWindow) open = read_one();
      if (open) open = stream->Write(commands[sent]);
    }
    stream->WritesDone();
    while (read_one()) {
    }
    Report(answered % 64);
    grpc::Status status = stream->Finish();
    if (!status.ok()) {
      return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                          absl::StrCat("the stream of ", principal, ": ", status.error_message()));
    }
    if (!refused.ok()) return refused;
    if (answered != static_cast<int64_t>(commands.size())) {
      return absl::InternalError(absl::StrCat(principal, ": ", answered, " of ", commands.size(),
                                              " commands answered"));
    }
    return results;
  }

  void set_total(int64_t total) { total_ = total; }

 private:
  void Report(int64_t more) {
    const int64_t done = done_ += more;
    if (!progress_) return;
    absl::MutexLock lock(&progress_mu_);
    progress_(done, total_);
  }

  std::unique_ptr<v1::SubmitService::Stub> stub_;
  std::function<void(int64_t, int64_t)> progress_;
  absl::Mutex progress_mu_;
  std::atomic<int64_t> done_{0};
  int64_t total_ = 0;
};

// Runs `work(i)` for i in [0, n) on kStreams threads; the first error wins.
absl::Status InParallel(int n, const std::function<absl::Status(int)>& work) {
  std::atomic<int> next{0};
  absl::Mutex mu;
  absl::Status first;
  std::vector<std::thread> threads;
  for (int s = 0; s < kStreams; ++s) {
    threads.emplace_back([&] {
      for (int i = next++; i < n; i = next++) {
        absl::Status status = work(i);
        absl::MutexLock lock(&mu);
        if (!status.ok() && first.ok()) first = status;
        if (!first.ok()) return;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  return first;
}

// What each village's streams leave for the later ones.
struct Village {
  std::string id;
  int township = 0;
  int number = 0;  // over the city
  std::vector<std::string> members;
  std::vector<std::string> member_pledges;
  std::string organisation_pledge;
  int fulfilled = 0;  // of its pledges, the organisation's first
};

class CityBuilder {
 public:
  CityBuilder(std::shared_ptr<grpc::Channel> channel,
              std::function<void(int64_t, int64_t)> progress)
      : loader_(std::move(channel), std::move(progress)), today_(Today()) {
    for (int t = 0; t < kCityTownships; ++t) {
      for (int v = 0; v < kVillagesPerTownship; ++v) {
        villages_.push_back({.id = CityVillageId(t, v),
                             .township = t,
                             .number = t * kVillagesPerTownship + v});
      }
    }
    ShareOutFulfilment();
  }

  absl::Status Build() {
    const int quarters = (today_.month() - 1) / 3 + 1;
    loader_.set_total(2 + kCityTownships + kCityVillages + kCityMembers + kCityDeedPledges +
                      2 * (kCityOrganisationsSentBack + kCityMembersSentBack) +
                      kCityDeedPledges + kCityFulfilled +
                      quarters * (kCityVillages + kCityTownships) + kCityVillages + kHonours);
    RETURN_IF_ERROR(Structure());
    RETURN_IF_ERROR(InParallel(kCityVillages, [this](int v) { return Members(villages_[v]); }));
    RETURN_IF_ERROR(InParallel(kCityVillages, [this](int v) { return Pledges(villages_[v]); }));
    RETURN_IF_ERROR(InParallel(kCityTownships, [this, quarters](int t) { return ReviewVillages(t, quarters); }));
    RETURN_IF_ERROR(InParallel(kCityVillages, [this](int v) { return Revise(villages_[v]); }));
    RETURN_IF_ERROR(InParallel(kCityTownships, [this](int t) { return ApproveRevised(t); }));
    RETURN_IF_ERROR(InParallel(kCityVillages, [this](int v) { return Fulfil(villages_[v]); }));
    return City(quarters);
  }

 private:
  static constexpr int kAdvancedOrganisations = 28, kExcellentMembers = 276;
  static constexpr int kHonours = kAdvancedOrganisations + kExcellentMembers;

  bool OrganisationSentBack(const Village& village) const {
    return Chosen(village.number, kCityOrganisationsSentBack, kCityVillages);
  }
  // Pledges are numbered over the city: each village's organisation pledge,
  // then its members'; member_pledge -1 is the organisation's.
  bool Fulfilled(const Village& village, int member_pledge) const {
    return Chosen(member_pledge + 1, village.fulfilled, 1 + MemberPledgesOf(village.number));
  }

  // How many of each village's pledges are fulfilled: 56% over the city,
  // more in some townships and villages than in others (争先进位 needs a race).
  void ShareOutFulfilment() {
    std::vector<int64_t> township_pledges(kCityTownships, 0);
    for (const Village& village : villages_) {
      township_pledges[static_cast<size_t>(village.township)] += 1 + MemberPledgesOf(village.number);
    }
    std::vector<double> township_weights;
    for (int t = 0; t < kCityTownships; ++t) {
      township_weights.push_back(1.0 + 0.3 * (((t * 7) % kCityTownships) - 11) / 11.0);
    }
    const std::vector<int64_t> by_township =
        Apportion(kCityFulfilled, township_pledges, township_weights);
    for (int t = 0; t < kCityTownships; ++t) {
      std::vector<int64_t> sizes;
      std::vector<double> weights;
      for (int v = 0; v < kVillagesPerTownship; ++v) {
        sizes.push_back(1 + MemberPledgesOf(t * kVillagesPerTownship + v));
        weights.push_back(1.0 + 0.25 * (((v * 5 + t) % kVillagesPerTownship) - 5.5) / 5.5);
      }
      const std::vector<int64_t> by_village =
          Apportion(by_township[static_cast<size_t>(t)], sizes, weights);
      for (int v = 0; v < kVillagesPerTownship; ++v) {
        villages_[static_cast<size_t>(t * kVillagesPerTownship + v)].fulfilled =
            static_cast<int>(by_village[static_cast<size_t>(v)]);
      }
    }
  }
  bool MemberSentBack(const Village& village, int member_pledge) const {
    return Chosen(FirstMemberPledgeOf(village.number) + member_pledge, kCityMembersSentBack,
                  kMemberPledges);
  }

  v1::SubmitRequest Register(const std::string& id, const std::string& parent,
                             const std::string& name, v1::OrganisationKind kind,
                             v1::OrganisationLevel level, v1::Sector sector) const {
    v1::SubmitRequest command;
    *command.mutable_register_organisation() = RegisterRequest(id, parent, name, kind, level, sector);
    return command;
  }

  // The city committee, its townships and their villages, and the campaign.
  absl::Status Structure() {
    std::vector<v1::SubmitRequest> commands;
    commands.push_back(Register(kCityId, "", "市委", v1::ORGANISATION_KIND_COMMITTEE,
                                v1::ORGANISATION_LEVEL_CITY, v1::SECTOR_TERRITORIAL));
    for (int t = 0; t < kCityTownships; ++t) {
      const TownshipKind& township = kTownships[t];
      commands.push_back(Register(CityTownshipId(t), kCityId,
                                  absl::StrCat(township.name, "党", t < 17 ? "委" : "工委"),
                                  v1::ORGANISATION_KIND_COMMITTEE, v1::ORGANISATION_LEVEL_TOWNSHIP,
                                  v1::SECTOR_TERRITORIAL));
      for (int v = 0; v < kVillagesPerTownship; ++v) {
        commands.push_back(Register(
            CityVillageId(t, v), CityTownshipId(t), VillageName(t, v),
            township.sector == v1::SECTOR_FARM ? v1::ORGANISATION_KIND_BRANCH
                                               : v1::ORGANISATION_KIND_GENERAL_BRANCH,
            v1::ORGANISATION_LEVEL_GRASSROOTS,
            township.sector == v1::SECTOR_TERRITORIAL ? v1::SECTOR_VILLAGE : township.sector));
      }
    }
    v1::SubmitRequest launch;
    v1::LaunchCampaignRequest& campaign = *launch.mutable_launch_campaign();
    campaign.set_request_id("launch-city-campaign");
    campaign.set_organisation_id(kCityId);
    campaign.set_name(absl::StrCat(today_.year(), "年深入开展创先争优活动"));
    campaign.set_theme("强基础、转作风、树形象");
    campaign.set_carrier("公开承诺、领导点评、群众评议");
    const absl::CivilDay from(today_.year(), 1, 1), to(today_.year(), 12, 31);
    for (int phase = 1; phase <= 5; ++phase) {
      v1::PhasePlan* plan = campaign.add_phases();
      plan->set_phase(static_cast<v1::CampaignPhase>(phase));
      const int64_t days = to - from + 1;
      *plan->mutable_starts_on() = domain::ToDate(from + (phase - 1) * days / 5);
      *plan->mutable_ends_on() = domain::ToDate(phase == 5 ? to : from + phase * days / 5 - 1);
    }
    commands.push_back(launch);
    ASSIGN_OR_RETURN(std::vector<v1::CommandResult> results, loader_.Submit("city-admin", commands));
    campaign_id_ = results.back().aggregate_id();
    return absl::OkStatus();
  }

  absl::Status Members(Village& village) {
    const TownshipKind& township = kTownships[village.township];
    std::vector<v1::SubmitRequest> commands;
    for (int n = 0; n < kMembersPerVillage; ++n) {
      v1::SubmitRequest command;
      v1::EnrolMemberRequest& request = *command.mutable_enrol_member();
      request.set_request_id(absl::StrCat("enrol-", village.id, "-", n));
      request.set_organisation_id(village.id);
      v1::MemberAttributes& attributes = *request.mutable_attributes();
      attributes.set_name(absl::StrCat(VillageName(village.township, village.number %
                                                                          kVillagesPerTownship),
                                       "党员", n + 1));
      attributes.set_category(township.sector == v1::SECTOR_COMMUNITY ? v1::MEMBER_CATEGORY_COMMUNITY
                              : n % 9 == 8                           ? v1::MEMBER_CATEGORY_RETIRED
                                                                     : v1::MEMBER_CATEGORY_RURAL);
      attributes.set_gender(n % 4 == 1 ? v1::GENDER_FEMALE : v1::GENDER_MALE);
      attributes.set_ethnicity(n % 7 == 3 ? "苗族" : "汉族");
      commands.push_back(std::move(command));
    }
    ASSIGN_OR_RETURN(std::vector<v1::CommandResult> results,
                     loader_.Submit(Secretary(village.id), commands));
    for (const v1::CommandResult& result : results) village.members.push_back(result.aggregate_id());
    return absl::OkStatus();
  }

  v1::SubmitRequest Make(const std::string& request_id, v1::Subject pledger,
                         const std::string& text) const {
    const bool pledger_is_organisation = pledger.has_organisation_id();
    v1::SubmitRequest command;
    v1::MakePledgeRequest& request = *command.mutable_make_pledge();
    request.set_request_id(request_id);
    request.set_campaign_id(campaign_id_);
    *request.mutable_pledger() = std::move(pledger);
    request.set_kind(v1::PLEDGE_KIND_DEED);
    request.set_theme(v1::PLEDGE_THEME_PEOPLES_WISHES);
    request.set_text(text);
    request.mutable_target()->set_description(text);
    v1::Quantity& quantity = *request.mutable_target()->mutable_measure()->mutable_quantity();
    quantity.set_value_milli(pledger_is_organisation ? 2000 : 1000);
    quantity.set_unit(pledger_is_organisation ? "公里" : "件");
    *request.mutable_due_on() = domain::ToDate(absl::CivilDay(today_.year(), 12, 31));
    return command;
  }

  // The village's pledges made; the members' reviewed by the village itself
  // (some sent back once and revised), approved, and the chosen fulfilled.
  absl::Status Pledges(Village& village) {
    static const char* const kDeeds[] = {"帮扶困难群众 2 户", "调解邻里纠纷", "义务清扫村道",
                                         "帮助留守老人代购药品", "宣讲惠民政策 4 次",
                                         "带动 1 户发展种养殖"};
    std::vector<v1::SubmitRequest> makes;
    v1::Subject organisation;
    organisation.set_organisation_id(village.id);
    makes.push_back(Make("pledge-" + village.id, organisation, "年内硬化村组道路 2 公里"));
    const int pledges = MemberPledgesOf(village.number);
    for (int p = 0; p < pledges; ++p) {
      v1::Subject member;
      member.set_member_id(village.members[static_cast<size_t>(p / 2)]);
      makes.push_back(Make(absl::StrCat("pledge-", village.id, "-", p), member,
                           kDeeds[(village.number + p) % 6]));
    }
    ASSIGN_OR_RETURN(std::vector<v1::CommandResult> made,
                     loader_.Submit(Secretary(village.id), makes));
    village.organisation_pledge = made[0].aggregate_id();
    for (size_t i = 1; i < made.size(); ++i) village.member_pledges.push_back(made[i].aggregate_id());

    auto made_as_measure = [&makes](int p) {
      return makes[static_cast<size_t>(p) + 1].make_pledge().target().measure();
    };
    // One stream, in the order a secretary works: each pledge's commands keep theirs.
    std::vector<v1::SubmitRequest> review;
    for (int p = 0; p < pledges; ++p) {
      const std::string& id = village.member_pledges[static_cast<size_t>(p)];
      if (MemberSentBack(village, p)) {
        v1::SubmitRequest back;
        back.mutable_send_back_pledge()->set_request_id("send-back-" + id);
        back.mutable_send_back_pledge()->set_pledge_id(id);
        back.mutable_send_back_pledge()->set_comment("承诺内容不够具体，请细化");
        review.push_back(std::move(back));
        v1::SubmitRequest revise;
        v1::RevisePledgeRequest& request = *revise.mutable_revise_pledge();
        request.set_request_id("revise-" + id);
        request.set_pledge_id(id);
        const v1::MakePledgeRequest& made_as = makes[static_cast<size_t>(p) + 1].make_pledge();
        request.set_kind(made_as.kind());
        request.set_theme(made_as.theme());
        request.set_text(absl::StrCat(made_as.text(), "（已细化到户）"));
        *request.mutable_target() = made_as.target();
        *request.mutable_due_on() = made_as.due_on();
        request.set_comment("已按意见细化");
        review.push_back(std::move(revise));
      }
      v1::SubmitRequest approve;
      approve.mutable_approve_pledge()->set_request_id("approve-" + id);
      approve.mutable_approve_pledge()->set_pledge_id(id);
      review.push_back(std::move(approve));
      if (Fulfilled(village, p)) {
        v1::SubmitRequest fulfil;
        fulfil.mutable_fulfil_pledge()->set_request_id("fulfil-" + id);
        fulfil.mutable_fulfil_pledge()->set_pledge_id(id);
        *fulfil.mutable_fulfil_pledge()->mutable_fulfilled_on() = domain::ToDate(today_);
        fulfil.mutable_fulfil_pledge()->set_description("已兑现，群众认可");
        *fulfil.mutable_fulfil_pledge()->mutable_achieved() = made_as_measure(p);
        review.push_back(std::move(fulfil));
      }
    }
    return loader_.Submit(Secretary(village.id), review).status();
  }

  v1::SubmitRequest LeaderReview(const std::string& request_id, const std::string& subject,
                                 const std::string& leader, int quarter, int n) const {
    v1::SubmitRequest command;
    v1::DoLeaderReviewRequest& request = *command.mutable_do_leader_review();
    request.set_request_id(request_id);
    request.set_leader_name(leader);
    request.mutable_subject()->set_organisation_id(subject);
    request.set_campaign_id(campaign_id_);
    // The middle of the quarter, or today in the quarter under way.
    const absl::CivilDay mid(today_.year(), quarter * 3 - 1, 15);
    const absl::CivilDay day = std::min(mid, today_);
    request.mutable_reviewed_at()->set_seconds(
        absl::ToUnixSeconds(absl::FromCivil(absl::CivilSecond(day.year(), day.month(), day.day(),
                                                               10, 0, 0),
                                            absl::FixedTimeZone(8 * 3600))));
    request.set_achievements("承诺事项推进有力，群众反映较好");
    request.set_problems(n % 3 == 0 ? "台账资料不够规范" : "");
    request.set_suggestions("加强践诺过程公示");
    request.set_rating(n % 5 == 0 ? v1::RATING_EXCELLENT : v1::RATING_GOOD);
    return command;
  }

  // A township reviews its villages' pledges (sending back the chosen ones),
  // reviews each village every quarter and has each evaluated by the masses.
  absl::Status ReviewVillages(int t, int quarters) {
    std::vector<v1::SubmitRequest> commands;
    for (int v = 0; v < kVillagesPerTownship; ++v) {
      const Village& pledger = villages_[static_cast<size_t>(t * kVillagesPerTownship + v)];
      v1::SubmitRequest review;
      if (OrganisationSentBack(pledger)) {
        review.mutable_send_back_pledge()->set_request_id("send-back-" + pledger.organisation_pledge);
        review.mutable_send_back_pledge()->set_pledge_id(pledger.organisation_pledge);
        review.mutable_send_back_pledge()->set_comment("请明确完成时限和责任人");
      } else {
        review.mutable_approve_pledge()->set_request_id("approve-" + pledger.organisation_pledge);
        review.mutable_approve_pledge()->set_pledge_id(pledger.organisation_pledge);
      }
      commands.push_back(std::move(review));
      const std::string village = CityVillageId(t, v);
      for (int q = 1; q <= quarters; ++q) {
        commands.push_back(LeaderReview(absl::StrCat("review-", village, "-q", q), village,
                                        absl::StrCat(kTownships[t].name, "党委书记"), q, v + q));
      }
      v1::SubmitRequest evaluation;
      v1::DoMassEvaluationRequest& request = *evaluation.mutable_do_mass_evaluation();
      request.set_request_id("evaluation-" + village);
      request.mutable_subject()->set_organisation_id(village);
      request.set_campaign_id(campaign_id_);
      request.set_period(v1::REPORT_PERIOD_HALF_YEAR);
      request.set_year(static_cast<int32_t>(today_.year()));
      request.mutable_counts()->set_satisfied(40 + (t * 7 + v * 3) % 15);
      request.mutable_counts()->set_basically_satisfied(6 + (t + v) % 5);
      request.mutable_counts()->set_unsatisfied((t + 2 * v) % 3);
      commands.push_back(std::move(evaluation));
    }
    return loader_.Submit(Reviewer(CityTownshipId(t)), commands).status();
  }

  absl::Status Revise(const Village& village) {
    if (!OrganisationSentBack(village)) return absl::OkStatus();
    v1::SubmitRequest revise;
    v1::RevisePledgeRequest& request = *revise.mutable_revise_pledge();
    request.set_request_id("revise-" + village.organisation_pledge);
    request.set_pledge_id(village.organisation_pledge);
    request.set_kind(v1::PLEDGE_KIND_DEED);
    request.set_theme(v1::PLEDGE_THEME_PEOPLES_WISHES);
    request.set_text("年内硬化村组道路 2 公里，10 月底前完工，村支书负责");
    request.mutable_target()->set_description("硬化村组道路 2 公里");
    request.mutable_target()->mutable_measure()->mutable_quantity()->set_value_milli(2000);
    request.mutable_target()->mutable_measure()->mutable_quantity()->set_unit("公里");
    *request.mutable_due_on() = domain::ToDate(absl::CivilDay(today_.year(), 12, 31));
    request.set_comment("已明确时限和责任人");
    return loader_.Submit(Secretary(village.id), {revise}).status();
  }

  absl::Status ApproveRevised(int t) {
    std::vector<v1::SubmitRequest> commands;
    for (int v = 0; v < kVillagesPerTownship; ++v) {
      const Village& village = villages_[static_cast<size_t>(t * kVillagesPerTownship + v)];
      if (!OrganisationSentBack(village)) continue;
      v1::SubmitRequest approve;
      approve.mutable_approve_pledge()->set_request_id("approve-" + village.organisation_pledge);
      approve.mutable_approve_pledge()->set_pledge_id(village.organisation_pledge);
      commands.push_back(std::move(approve));
    }
    if (commands.empty()) return absl::OkStatus();
    return loader_.Submit(Reviewer(CityTownshipId(t)), commands).status();
  }

  absl::Status Fulfil(const Village& village) {
    if (!Fulfilled(village, -1)) return absl::OkStatus();
    v1::SubmitRequest fulfil;
    fulfil.mutable_fulfil_pledge()->set_request_id("fulfil-" + village.organisation_pledge);
    fulfil.mutable_fulfil_pledge()->set_pledge_id(village.organisation_pledge);
    *fulfil.mutable_fulfil_pledge()->mutable_fulfilled_on() = domain::ToDate(today_);
    fulfil.mutable_fulfil_pledge()->set_description("道路已硬化并验收");
    v1::Quantity& achieved = *fulfil.mutable_fulfil_pledge()->mutable_achieved()->mutable_quantity();
    achieved.set_value_milli(2000);
    achieved.set_unit("公里");
    return loader_.Submit(Secretary(village.id), {fulfil}).status();
  }

  // The city reviews its townships every quarter and confers its honours.
  absl::Status City(int quarters) {
    std::vector<v1::SubmitRequest> commands;
    for (int t = 0; t < kCityTownships; ++t) {
      for (int q = 1; q <= quarters; ++q) {
        commands.push_back(LeaderReview(absl::StrCat("review-", CityTownshipId(t), "-q", q),
                                        CityTownshipId(t), "市委联系领导", q, t + q));
      }
    }
    auto honour = [&](const std::string& request_id, v1::HonourKind kind, v1::Subject recipient,
                      const std::string& citation) {
      v1::SubmitRequest command;
      v1::ConferHonourRequest& request = *command.mutable_confer_honour();
      request.set_request_id(request_id);
      request.set_kind(kind);
      request.set_level(v1::HONOUR_LEVEL_CITY);
      request.set_year(static_cast<int32_t>(today_.year()));
      *request.mutable_recipient() = std::move(recipient);
      request.set_campaign_id(campaign_id_);
      *request.mutable_conferred_on() = domain::ToDate(today_);
      request.set_citation(citation);
      commands.push_back(std::move(command));
    };
    for (int i = 0; i < kAdvancedOrganisations; ++i) {
      const Village& village = villages_[static_cast<size_t>(i * kCityVillages / kAdvancedOrganisations)];
      v1::Subject recipient;
      recipient.set_organisation_id(village.id);
      honour("honour-" + village.id, v1::HONOUR_KIND_ADVANCED_ORGANISATION, recipient,
             "创先争优先进基层党组织");
    }
    for (int i = 0; i < kExcellentMembers; ++i) {
      const Village& village = villages_[static_cast<size_t>(i % kCityVillages)];
      v1::Subject recipient;
      recipient.set_member_id(village.members[static_cast<size_t>(i / kCityVillages)]);
      honour("honour-" + recipient.member_id(), v1::HONOUR_KIND_EXCELLENT_MEMBER, recipient,
             "践诺先锋");
    }
    return loader_.Submit("city-reviewer", commands).status();
  }

  Loader loader_;
  const absl::CivilDay today_;
  std::vector<Village> villages_;
  std::string campaign_id_;
};

}  // namespace

std::string CityTownshipId(int t) { return absl::StrCat("city-t", t + 1); }
std::string CityVillageId(int t, int v) { return absl::StrCat("city-t", t + 1, "-v", v + 1); }

std::string SeedCityTokens() {
  std::string tokens;
  auto add = [&](const std::string& principal, const std::string& roles, const std::string& org) {
    absl::StrAppend(&tokens, rpc::TokenStore::HashToken(SeedToken(principal)), " ", principal, " ",
                    roles, " ", org, "\n");
  };
  add("city-admin", "admin", kCityId);
  add("city-reviewer", "reviewer", kCityId);
  for (int t = 0; t < kCityTownships; ++t) {
    add(Reviewer(CityTownshipId(t)), "reviewer", CityTownshipId(t));
    for (int v = 0; v < kVillagesPerTownship; ++v) {
      add(Secretary(CityVillageId(t, v)), "clerk,reviewer", CityVillageId(t, v));
    }
  }
  return tokens;
}

absl::Status BuildSeedCity(const std::shared_ptr<grpc::Channel>& channel,
                           const std::function<void(int64_t, int64_t)>& progress) {
  return CityBuilder(channel, progress).Build();
}

}  // namespace vanguard::demo
