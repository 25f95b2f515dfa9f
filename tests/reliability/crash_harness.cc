#include "tests/reliability/crash_harness.h"

#include <signal.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/util/message_differencer.h"
#include "grpcpp/impl/codegen/client_unary_call.h"
#include "gtest/gtest.h"
#include "libs/eventlog/acceptance.h"
#include "libs/rpc/auth.h"
#include "vanguard/v1/audit_service.grpc.pb.h"
#include "vanguard/v1/campaign_service.grpc.pb.h"
#include "vanguard/v1/funds_service.grpc.pb.h"
#include "vanguard/v1/honour_service.grpc.pb.h"
#include "vanguard/v1/member_service.grpc.pb.h"
#include "vanguard/v1/organisation_service.grpc.pb.h"
#include "vanguard/v1/pledge_service.grpc.pb.h"
#include "vanguard/v1/review_service.grpc.pb.h"
#include "vanguard/v1/submit_service.grpc.pb.h"
#include "vanguard/v1/supervision_service.grpc.pb.h"
#include "vanguard/v1/token.pb.h"

namespace vanguard::reliability {
namespace {

// The tree the load works in: a province, its county, two townships with two
// villages each, and two county departments with a budget each.
constexpr char kRoot[] = "province";
const std::vector<std::string>& Townships() {
  static const auto* townships = new std::vector<std::string>{"township-0", "township-1"};
  return *townships;
}
const std::vector<std::string>& Villages() {
  static const auto* villages = new std::vector<std::string>{
      "township-0-village-0", "township-0-village-1", "township-1-village-0",
      "township-1-village-1"};
  return *villages;
}
const std::vector<std::string>& Departments() {
  static const auto* departments = new std::vector<std::string>{"department-0", "department-1"};
  return *departments;
}

int32_t Year() {
  return static_cast<int32_t>(absl::ToCivilYear(absl::Now(), absl::FixedTimeZone(8 * 3600)).year());
}

v1::Date DateOf(absl::CivilDay day) {
  v1::Date date;
  date.set_year(static_cast<int32_t>(day.year()));
  date.set_month(day.month());
  date.set_day(day.day());
  return date;
}

bool Unknown(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
    case grpc::StatusCode::CANCELLED:
    case grpc::StatusCode::ABORTED:
    case grpc::StatusCode::UNKNOWN:
    case grpc::StatusCode::INTERNAL:
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return true;
    default:
      return false;
  }
}

std::shared_ptr<grpc::Channel> NewChannel(const std::string& address) {
  // A connection of its own per client, as separate clients have.
  grpc::ChannelArguments arguments;
  arguments.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), arguments);
}

template <typename Request>
std::shared_ptr<Request> New(const std::string& request_id) {
  auto request = std::make_shared<Request>();
  request->set_request_id(request_id);
  return request;
}

v1::Subject Organisation(const std::string& id) {
  v1::Subject subject;
  subject.set_organisation_id(id);
  return subject;
}

// The token of an organisation's own principal.
std::string TokenOf(const std::string& organisation) {
  return absl::StrCat(kToken, "-", organisation);
}

std::string TownshipOf(const std::string& village) { return village.substr(0, 10); }

}  // namespace

std::string TokensFile() {
  std::string file =
      absl::StrCat(rpc::TokenStore::HashToken(kToken), " crash-admin admin ", kRoot, "\n");
  auto add = [&file](const std::string& organisation, const char* roles) {
    absl::StrAppend(&file, rpc::TokenStore::HashToken(TokenOf(organisation)), " principal-",
                    organisation, " ", roles, " ", organisation, "\n");
  };
  for (const std::string& township : Townships()) add(township, "reviewer");
  for (const std::string& village : Villages()) add(village, "clerk,reviewer");
  for (const std::string& department : Departments()) add(department, "department");
  return file;
}

uint64_t SeedFromEnv(uint64_t fallback) {
  uint64_t seed = fallback;
  if (const char* env = std::getenv("VANGUARD_CRASH_SEED"); env != nullptr && *env != '\0') {
    if (!absl::SimpleAtoi(env, &seed)) {
      ADD_FAILURE() << "VANGUARD_CRASH_SEED=" << env << " is not a number";
      seed = fallback;
    }
  }
  std::cout << "crash harness seed " << seed << " (replay with VANGUARD_CRASH_SEED=" << seed
            << ")" << std::endl;
  return seed;
}

int RoundsFromEnv(int fallback) {
  int rounds = fallback;
  const char* env = std::getenv("VANGUARD_CRASH_ROUNDS");
  if (env != nullptr && !absl::SimpleAtoi(env, &rounds)) rounds = fallback;
  return rounds;
}

std::string Digest(const std::vector<std::string>& argv) {
  testing::Subprocess process(argv);
  std::string line = process.ReadLine();
  EXPECT_EQ(process.Wait(), 0) << argv[1];
  EXPECT_TRUE(line.starts_with("digest ")) << line;
  return line.substr(std::min<size_t>(7, line.size()));
}

void Endpoint::Up(const std::string& address) {
  absl::MutexLock lock(&mu_);
  address_ = address;
  ++generation_;
}

void Endpoint::Down() {
  absl::MutexLock lock(&mu_);
  address_.clear();
}

std::string Endpoint::address(int64_t* generation) const {
  absl::MutexLock lock(&mu_);
  *generation = generation_;
  return address_;
}

bool Endpoint::WaitNewer(int64_t generation, absl::Time deadline) const {
  absl::MutexLock lock(&mu_);
  auto newer = [&] { return generation_ > generation && !address_.empty(); };
  return mu_.AwaitWithDeadline(absl::Condition(&newer), deadline);
}

const std::string& Command::request_id() const {
  const google::protobuf::FieldDescriptor* field =
      request->GetDescriptor()->FindFieldByName("request_id");
  return request->GetReflection()->GetStringReference(*request, field, nullptr);
}

Answer Send(grpc::Channel& channel, const Command& command, absl::Duration timeout) {
  const size_t slash = command.method.find('/');
  const google::protobuf::ServiceDescriptor* service =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
          command.method.substr(0, slash));
  const google::protobuf::MethodDescriptor* method =
      service == nullptr ? nullptr : service->FindMethodByName(command.method.substr(slash + 1));
  Answer answer;
  if (method == nullptr) {
    answer.status = grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                 absl::StrCat("no such method ", command.method));
    answer.outcome = Outcome::kRefused;
    return answer;
  }
  std::unique_ptr<google::protobuf::Message> response(
      google::protobuf::MessageFactory::generated_factory()
          ->GetPrototype(method->output_type())
          ->New());
  const std::string path = absl::StrCat("/", command.method);
  const grpc::internal::RpcMethod rpc(path.c_str(), grpc::internal::RpcMethod::NORMAL_RPC);
  grpc::ClientContext context;
  context.AddMetadata("authorization", absl::StrCat("Bearer ", command.token));
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  answer.status =
      grpc::internal::BlockingUnaryCall<google::protobuf::Message, google::protobuf::Message>(
          &channel, rpc, &context, *command.request, response.get());
  if (answer.status.ok()) {
    answer.outcome = Outcome::kAcknowledged;
    const google::protobuf::FieldDescriptor* result =
        method->output_type()->FindFieldByName("result");
    answer.result.CopyFrom(response->GetReflection()->GetMessage(*response, result));
  } else {
    answer.outcome = Unknown(answer.status.error_code()) ? Outcome::kUnknown : Outcome::kRefused;
  }
  return answer;
}

void Ledger::Add(Entry entry) {
  absl::MutexLock lock(&mu_);
  entries_.push_back(std::move(entry));
}

std::vector<Entry> Ledger::entries() const {
  absl::MutexLock lock(&mu_);
  return {entries_.begin(), entries_.end()};
}

// One client thread and what it knows of the aggregates it made.
struct Load::Client {
  Client(std::string name, uint64_t seed, Endpoint& endpoint, Ledger& ledger,
         const LoadOptions& options, const std::atomic<bool>& stopping,
         std::atomic<int64_t>& acknowledged, std::string campaign)
      : name(std::move(name)),
        rng(seed),
        endpoint(endpoint),
        ledger(ledger),
        options(options),
        stopping(stopping),
        acknowledged(acknowledged),
        campaign(std::move(campaign)) {}

  const std::string name;
  std::mt19937_64 rng;
  Endpoint& endpoint;
  Ledger& ledger;
  const LoadOptions& options;
  const std::atomic<bool>& stopping;
  std::atomic<int64_t>& acknowledged;
  const std::string campaign;
  int64_t sequence = 0;
  int64_t generation = -1;
  std::shared_ptr<grpc::Channel> channel;

  enum class State { kMade, kApproved };
  struct Pledge {
    std::string id;
    std::string village;   // the pledger's organisation
    std::string reviewer;  // its superior: the township, or the village for a member's pledge
    State state;
  };
  std::vector<Pledge> pledges;  // open pledges
  std::vector<Pledge> fulfilled;
  std::vector<std::pair<std::string, std::string>> members;  // (member, village)
  std::set<std::string> appraised;
  std::vector<std::string> organisations;  // registered by this client

  std::string NextId(const char* what) { return absl::StrCat(name, "-", sequence++, "-", what); }
  bool Percent(int percent) { return static_cast<int>(rng() % 100) < percent; }
  template <typename T>
  const T& Pick(const std::vector<T>& from) {
    return from[rng() % from.size()];
  }
  const std::string& AnyVillage() {
    return organisations.empty() || Percent(70) ? Pick(Villages()) : Pick(organisations);
  }

  // Sends until the answer is definite, a process is gone for good or the
  // client gives up on an unknown outcome; records the entry. No entry when
  // nothing was sent (the load stopped while no process was up).
  Entry Execute(std::string method, std::shared_ptr<const google::protobuf::Message> request,
                bool expect_refusal = false, bool give_up_allowed = true,
                std::string token = kToken) {
    Entry entry;
    entry.command = {std::move(method), std::move(request), std::move(token)};
    entry.expect_refusal = expect_refusal;
    const absl::Time give_up_at = absl::Now() + absl::Seconds(60);
    while (absl::Now() < give_up_at) {
      int64_t now_generation = 0;
      std::string address = endpoint.address(&now_generation);
      if (address.empty()) {
        if (entry.attempts == 0 && stopping) return entry;
        endpoint.WaitNewer(now_generation, absl::Now() + absl::Milliseconds(200));
        continue;
      }
      if (now_generation != generation) {
        generation = now_generation;
        channel = NewChannel(address);
      }
      // A few calls give up after 2 ms, mostly while the command is in flight.
      const absl::Duration timeout = Percent(3) ? absl::Milliseconds(2) : options.call_timeout;
      Answer answer = Send(*channel, entry.command, timeout);
      ++entry.attempts;
      entry.code = answer.status.error_code();
      entry.message = answer.status.error_message();
      entry.outcome = answer.outcome;
      if (answer.outcome == Outcome::kAcknowledged) {
        ++acknowledged;
        entry.result = answer.result;
        if (Percent(options.duplicate_percent)) SendDuplicate(entry);
        break;
      }
      if (answer.outcome == Outcome::kRefused) break;
      ++entry.unknown_attempts;
      // In the final phase a process stays up: every unknown is retried.
      if (!stopping && give_up_allowed && Percent(options.give_up_percent)) break;
      // Again once a newer process is up, or after a pause if this one lives.
      endpoint.WaitNewer(now_generation, absl::Now() + absl::Milliseconds(100));
    }
    ledger.Add(entry);
    return entry;
  }

  void SendDuplicate(Entry& entry) {
    Answer again = Send(*channel, entry.command, options.call_timeout);
    if (again.outcome == Outcome::kUnknown) return;  // the process died under it
    ++entry.duplicates_sent;
    std::string problem;
    if (again.outcome != Outcome::kAcknowledged) {
      problem = absl::StrCat("refused: ", again.status.error_code(), " ",
                             again.status.error_message());
    } else if (!again.result.replayed()) {
      problem = "not answered as a replay";
    } else if (again.result.aggregate_id() != entry.result.aggregate_id() ||
               again.result.version() != entry.result.version() ||
               again.result.consistency_token() != entry.result.consistency_token()) {
      problem = absl::StrCat("another result: ", again.result.aggregate_id(), " v",
                             again.result.version(), " instead of ", entry.result.aggregate_id(),
                             " v", entry.result.version());
    }
    if (!problem.empty()) {
      ++entry.duplicates_wrong;
      entry.duplicate_problem = problem;
    }
  }

  static bool Acked(const Entry& entry) { return entry.outcome == Outcome::kAcknowledged; }

  void Step() {
    if (Percent(4)) return SubmitBatch();
    const int roll = static_cast<int>(rng() % 100);
    if (roll < 34) return PledgeStep();
    if (roll < 48) return Disburse();
    if (roll < 60) return Enrol();
    if (roll < 66) return UpdateMember();
    if (roll < 71) return Appraise();
    if (roll < 76) return RegisterOrganisation();
    if (roll < 80) return Rename();
    if (roll < 85) return Inspect();
    if (roll < 89) return HoldMeeting();
    if (roll < 93) return LeaderReview();
    if (roll < 97) return ConferHonour();
    return Refusable();
  }

  // A batch over one SubmitService stream, as a clerk syncing a sheet: a
  // village's clerk enrols members and makes pledges for the village. The
  // commands a cut stream left unanswered are unknown; they are sent again on
  // a new stream (same request ids) unless given up.
  void SubmitBatch() {
    const std::string village = Pick(Villages());
    const std::string token = TokenOf(village);
    std::vector<Entry> batch;
    const int size = 4 + static_cast<int>(rng() % 9);
    for (int i = 0; i < size; ++i) {
      Entry entry;
      entry.submitted = true;
      if (Percent(50)) {
        auto enrol = New<v1::EnrolMemberRequest>(NextId("submit-enrol"));
        enrol->set_organisation_id(village);
        enrol->mutable_attributes()->set_name(absl::StrCat("党员", sequence));
        enrol->mutable_attributes()->set_category(v1::MEMBER_CATEGORY_RURAL);
        entry.command = {"vanguard.v1.MemberService/EnrolMember", enrol, token};
      } else {
        auto make = New<v1::MakePledgeRequest>(NextId("submit-make"));
        make->set_campaign_id(campaign);
        make->mutable_pledger()->set_organisation_id(village);
        make->set_kind(v1::PLEDGE_KIND_DEED);
        make->set_theme(v1::PLEDGE_THEME_PEOPLES_WISHES);
        make->set_text("硬化村道两公里");
        make->mutable_target()->set_description("硬化村道两公里");
        make->mutable_target()->mutable_measure()->mutable_quantity()->set_value_milli(2000);
        make->mutable_target()->mutable_measure()->mutable_quantity()->set_unit("公里");
        *make->mutable_due_on() = DateOf(absl::CivilDay(Year(), 12, 31));
        entry.command = {"vanguard.v1.PledgeService/MakePledge", make, token};
      }
      batch.push_back(std::move(entry));
    }
    std::vector<size_t> open(batch.size());
    for (size_t i = 0; i < open.size(); ++i) open[i] = i;
    const absl::Time give_up_at = absl::Now() + absl::Seconds(60);
    while (!open.empty() && absl::Now() < give_up_at) {
      int64_t now_generation = 0;
      std::string address = endpoint.address(&now_generation);
      if (address.empty()) {
        if (stopping && batch[open[0]].attempts == 0) break;
        endpoint.WaitNewer(now_generation, absl::Now() + absl::Milliseconds(200));
        continue;
      }
      if (now_generation != generation) {
        generation = now_generation;
        channel = NewChannel(address);
      }
      auto stub = v1::SubmitService::NewStub(channel);
      grpc::ClientContext context;
      context.AddMetadata("authorization", absl::StrCat("Bearer ", token));
      context.set_deadline(absl::ToChronoTime(absl::Now() + options.call_timeout));
      auto stream = stub->Submit(&context);
      size_t written = 0;
      for (; written < open.size(); ++written) {
        if (!stream->Write(AsSubmit(*batch[open[written]].command.request))) break;
        ++batch[open[written]].attempts;
      }
      stream->WritesDone();
      std::vector<bool> answered(open.size(), false);
      v1::SubmitResponse response;
      while (stream->Read(&response)) {
        const size_t k = static_cast<size_t>(response.index());
        if (k >= written || answered[k]) continue;
        answered[k] = true;
        Entry& entry = batch[open[k]];
        if (response.has_result()) {
          ++acknowledged;
          entry.outcome = Outcome::kAcknowledged;
          entry.code = grpc::StatusCode::OK;
          entry.message.clear();
          entry.result = response.result();
        } else {
          entry.code = static_cast<grpc::StatusCode>(response.error().code());
          entry.message = response.error().message();
          entry.outcome = Unknown(entry.code) ? Outcome::kUnknown : Outcome::kRefused;
          if (entry.outcome == Outcome::kUnknown) ++entry.unknown_attempts;
        }
      }
      const grpc::Status finished = stream->Finish();
      std::vector<size_t> again;
      for (size_t k = 0; k < open.size(); ++k) {
        Entry& entry = batch[open[k]];
        if (k < written && !answered[k]) {
          entry.outcome = Outcome::kUnknown;
          entry.code = finished.ok() ? grpc::StatusCode::UNKNOWN : finished.error_code();
          entry.message = absl::StrCat("the stream ended before its answer: ",
                                       finished.error_message());
          ++entry.unknown_attempts;
        }
        if (entry.outcome != Outcome::kUnknown) continue;
        if (k >= written || stopping || !Percent(options.give_up_percent)) again.push_back(open[k]);
      }
      open = std::move(again);
      if (!open.empty()) endpoint.WaitNewer(now_generation, absl::Now() + absl::Milliseconds(100));
    }
    for (Entry& entry : batch) {
      if (entry.attempts == 0) continue;
      if (Acked(entry)) {
        if (entry.command.method.ends_with("EnrolMember")) {
          members.emplace_back(entry.result.aggregate_id(), village);
        } else {
          pledges.push_back(
              {entry.result.aggregate_id(), village, TownshipOf(village), State::kMade});
        }
      }
      ledger.Add(std::move(entry));
    }
  }

  // Wraps a command request in the SubmitRequest field of its type.
  static v1::SubmitRequest AsSubmit(const google::protobuf::Message& request) {
    v1::SubmitRequest submit;
    const google::protobuf::OneofDescriptor* command =
        v1::SubmitRequest::descriptor()->FindOneofByName("command");
    for (int i = 0; i < command->field_count(); ++i) {
      const google::protobuf::FieldDescriptor* field = command->field(i);
      if (field->message_type() == request.GetDescriptor()) {
        submit.GetReflection()->MutableMessage(&submit, field)->CopyFrom(request);
        break;
      }
    }
    return submit;
  }

  void PledgeStep() {
    if (!pledges.empty() && Percent(65)) {
      const size_t at = rng() % pledges.size();
      Pledge pledge = pledges[at];
      pledges.erase(pledges.begin() + static_cast<std::ptrdiff_t>(at));
      if (pledge.state == State::kMade) {
        // Approved by the village's township.
        auto approve = New<v1::ApprovePledgeRequest>(NextId("approve"));
        approve->set_pledge_id(pledge.id);
        approve->set_comment("同意");
        if (Acked(Execute("vanguard.v1.PledgeService/ApprovePledge", approve, false, true,
                          TokenOf(pledge.reviewer)))) {
          pledge.state = State::kApproved;
          pledges.push_back(pledge);
        }
      } else {
        auto fulfil = New<v1::FulfilPledgeRequest>(NextId("fulfil"));
        fulfil->set_pledge_id(pledge.id);
        fulfil->mutable_achieved()->mutable_quantity()->set_value_milli(2000);
        fulfil->mutable_achieved()->mutable_quantity()->set_unit("公里");
        fulfil->set_description("村道硬化完成");
        if (Acked(Execute("vanguard.v1.PledgeService/FulfilPledge", fulfil, false, true,
                          TokenOf(pledge.village)))) {
          fulfilled.push_back(pledge);
        }
      }
      return;  // a pledge whose step is unknown is left alone from now on
    }
    auto make = New<v1::MakePledgeRequest>(NextId("make"));
    make->set_campaign_id(campaign);
    // Made by the village's clerk, for the village or for one of its members.
    std::string village, reviewer;
    if (!members.empty() && Percent(30)) {
      const auto& [member, of] = Pick(members);
      make->mutable_pledger()->set_member_id(member);
      village = reviewer = of;
    } else {
      village = Pick(Villages());
      reviewer = TownshipOf(village);
      make->mutable_pledger()->set_organisation_id(village);
    }
    make->set_kind(v1::PLEDGE_KIND_DEED);
    make->set_theme(v1::PLEDGE_THEME_PEOPLES_WISHES);
    make->set_text("硬化村道两公里");
    make->mutable_target()->set_description("硬化村道两公里");
    make->mutable_target()->mutable_measure()->mutable_quantity()->set_value_milli(2000);
    make->mutable_target()->mutable_measure()->mutable_quantity()->set_unit("公里");
    *make->mutable_due_on() = DateOf(absl::CivilDay(Year(), 12, 31));
    Entry made =
        Execute("vanguard.v1.PledgeService/MakePledge", make, false, true, TokenOf(village));
    if (Acked(made)) pledges.push_back({made.result.aggregate_id(), village, reviewer, State::kMade});
  }

  void Disburse() {
    auto pay = New<v1::DisburseFundsRequest>(NextId("disburse"));
    const std::string& department = Pick(Departments());
    pay->set_source_organisation_id(department);
    pay->set_purpose(v1::FUNDS_PURPOSE_CO_BUILDING);
    pay->set_year(Year());
    pay->mutable_recipient()->set_organisation_id(AnyVillage());
    pay->set_amount_fen(100 + static_cast<int64_t>(rng() % 900));
    pay->set_description("结对共建投入");
    Execute("vanguard.v1.FundsService/DisburseFunds", pay, false, true, TokenOf(department));
  }

  void Enrol() {
    auto enrol = New<v1::EnrolMemberRequest>(NextId("enrol"));
    const std::string& village = Pick(Villages());
    enrol->set_organisation_id(village);
    enrol->mutable_attributes()->set_name(absl::StrCat("党员", sequence));
    enrol->mutable_attributes()->set_category(v1::MEMBER_CATEGORY_RURAL);
    Entry enrolled = Execute("vanguard.v1.MemberService/EnrolMember", enrol);
    if (Acked(enrolled)) members.emplace_back(enrolled.result.aggregate_id(), village);
  }

  void UpdateMember() {
    if (members.empty()) return Enrol();
    auto update = New<v1::UpdateMemberRequest>(NextId("update"));
    update->set_member_id(Pick(members).first);
    update->mutable_attributes()->set_name(absl::StrCat("党员", sequence, "号"));
    update->mutable_attributes()->set_category(v1::MEMBER_CATEGORY_RURAL);
    update->set_reason("更正");
    Execute("vanguard.v1.MemberService/UpdateMember", update);
  }

  void Appraise() {
    std::vector<std::pair<std::string, std::string>> open;
    for (const auto& member : members) {
      if (!appraised.contains(member.first)) open.push_back(member);
    }
    if (open.empty()) return Enrol();
    // By the member's own organisation, once a year, whatever the outcome.
    const auto [member, village] = Pick(open);
    appraised.insert(member);
    auto appraise = New<v1::AppraiseMemberRequest>(NextId("appraise"));
    appraise->set_member_id(member);
    appraise->set_campaign_id(campaign);
    appraise->set_year(Year());
    appraise->set_grade(v1::APPRAISAL_GRADE_EXCELLENT);
    Execute("vanguard.v1.ReviewService/AppraiseMember", appraise, false, true, TokenOf(village));
  }

  void RegisterOrganisation() {
    const std::string id = NextId("org");
    auto organisation = New<v1::RegisterOrganisationRequest>(id);
    organisation->set_organisation_id(id);
    organisation->set_parent_id(Pick(Townships()));
    organisation->set_name(absl::StrCat(id, "党支部"));
    organisation->set_kind(v1::ORGANISATION_KIND_BRANCH);
    organisation->set_level(v1::ORGANISATION_LEVEL_GRASSROOTS);
    organisation->set_sector(v1::SECTOR_VILLAGE);
    if (Acked(Execute("vanguard.v1.OrganisationService/RegisterOrganisation", organisation))) {
      organisations.push_back(id);
    }
  }

  void Rename() {
    auto rename = New<v1::RenameOrganisationRequest>(NextId("rename"));
    rename->set_organisation_id(AnyVillage());
    rename->set_name(absl::StrCat("村党支部 ", name, "-", sequence));
    Execute("vanguard.v1.OrganisationService/RenameOrganisation", rename);
  }

  void Inspect() {
    auto inspection = New<v1::RecordInspectionRequest>(NextId("inspect"));
    inspection->set_inspected_organisation_id(Percent(50) ? Pick(Townships()) : AnyVillage());
    inspection->set_campaign_id(campaign);
    inspection->set_kind(v1::INSPECTION_KIND_SUPERVISION);
    inspection->set_period(v1::REPORT_PERIOD_MONTHLY);
    inspection->set_inspector_count(3);
    inspection->set_findings("承诺公示到位");
    inspection->set_rating(v1::RATING_GOOD);
    Execute("vanguard.v1.SupervisionService/RecordInspection", inspection);
  }

  void HoldMeeting() {
    auto meeting = New<v1::HoldMeetingRequest>(NextId("meeting"));
    meeting->set_campaign_id(campaign);
    meeting->set_kind(v1::MEETING_KIND_PARTY_LECTURE);
    meeting->set_title("创先争优专题党课");
    meeting->set_expected_count(30);
    meeting->set_attended_count(static_cast<int32_t>(20 + rng() % 11));
    Execute("vanguard.v1.SupervisionService/HoldMeeting", meeting);
  }

  void LeaderReview() {
    auto review = New<v1::DoLeaderReviewRequest>(NextId("review"));
    review->set_leader_name("镇党委书记 王某");
    *review->mutable_subject() = Organisation(AnyVillage());
    review->set_campaign_id(campaign);
    review->set_achievements("承诺践诺扎实");
    review->set_rating(v1::RATING_GOOD);
    Execute("vanguard.v1.ReviewService/DoLeaderReview", review);
  }

  void ConferHonour() {
    auto honour = New<v1::ConferHonourRequest>(NextId("honour"));
    honour->set_kind(v1::HONOUR_KIND_ADVANCED_ORGANISATION);
    honour->set_level(v1::HONOUR_LEVEL_TOWNSHIP);
    honour->set_year(Year());
    *honour->mutable_recipient() = Organisation(AnyVillage());
    honour->set_campaign_id(campaign);
    honour->set_citation("创先争优成绩突出");
    Execute("vanguard.v1.HonourService/ConferHonour", honour);
  }

  // A command the rules refuse: approving a fulfilled pledge, or paying from
  // a budget that was never allocated.
  void Refusable() {
    if (!fulfilled.empty() && Percent(70)) {
      const Pledge& pledge = Pick(fulfilled);
      auto approve = New<v1::ApprovePledgeRequest>(NextId("approve-fulfilled"));
      approve->set_pledge_id(pledge.id);
      approve->set_comment("再次同意");
      Execute("vanguard.v1.PledgeService/ApprovePledge", approve, /*expect_refusal=*/true, true,
              TokenOf(pledge.reviewer));
      return;
    }
    auto pay = New<v1::DisburseFundsRequest>(NextId("disburse-nothing"));
    const std::string& department = Pick(Departments());
    pay->set_source_organisation_id(department);
    pay->set_purpose(v1::FUNDS_PURPOSE_PIONEER_POST_SUBSIDY);
    pay->set_year(Year());
    pay->mutable_recipient()->set_organisation_id(AnyVillage());
    pay->set_amount_fen(100);
    pay->set_description("无此预算");
    Execute("vanguard.v1.FundsService/DisburseFunds", pay, /*expect_refusal=*/true, true,
            TokenOf(department));
  }
};

Load::Load(Endpoint& endpoint, Ledger& ledger, LoadOptions options)
    : endpoint_(endpoint), ledger_(ledger), options_(options) {}

Load::~Load() { Stop(); }

absl::Status Load::SetUp(absl::Time deadline) {
  Client setup("setup", options_.seed, endpoint_, ledger_, options_, stopping_, acknowledged_,
               "");
  auto until_acknowledged = [&](const std::string& method,
                                std::shared_ptr<const google::protobuf::Message> request,
                                const std::string& token = kToken)
      -> absl::StatusOr<v1::CommandResult> {
    while (absl::Now() < deadline) {
      Entry entry = setup.Execute(method, request, false, /*give_up_allowed=*/false, token);
      if (entry.outcome == Outcome::kAcknowledged) return entry.result;
      if (entry.outcome == Outcome::kRefused) {
        return absl::InternalError(absl::StrCat(method, " ", entry.command.request_id(), ": ",
                                                entry.code, " ", entry.message));
      }
    }
    return absl::DeadlineExceededError(absl::StrCat(method, " was not acknowledged in time"));
  };
  std::vector<std::pair<std::string, std::string>> tree = {{kRoot, ""},
                                                           {"county", kRoot}};
  for (const std::string& township : Townships()) tree.emplace_back(township, "county");
  for (const std::string& village : Villages()) tree.emplace_back(village, TownshipOf(village));
  for (const std::string& department : Departments()) tree.emplace_back(department, "county");
  for (const auto& [id, parent] : tree) {
    auto request = New<v1::RegisterOrganisationRequest>("setup-register-" + id);
    request->set_organisation_id(id);
    request->set_parent_id(parent);
    request->set_name(id);
    const bool department = id.starts_with("department-");
    const bool village = id.find("village") != std::string::npos;
    request->set_kind(department ? v1::ORGANISATION_KIND_LEADING_GROUP
                      : village  ? v1::ORGANISATION_KIND_BRANCH
                                 : v1::ORGANISATION_KIND_COMMITTEE);
    request->set_level(department || village        ? v1::ORGANISATION_LEVEL_GRASSROOTS
                       : id.starts_with("township") ? v1::ORGANISATION_LEVEL_TOWNSHIP
                       : id == "county"             ? v1::ORGANISATION_LEVEL_COUNTY
                                                    : v1::ORGANISATION_LEVEL_PROVINCE);
    request->set_sector(department ? v1::SECTOR_DEPARTMENT
                        : village  ? v1::SECTOR_VILLAGE
                                   : v1::SECTOR_TERRITORIAL);
    auto result = until_acknowledged("vanguard.v1.OrganisationService/RegisterOrganisation", request);
    if (!result.ok()) return result.status();
  }
  auto launch = New<v1::LaunchCampaignRequest>("setup-launch");
  launch->set_organisation_id(kRoot);
  launch->set_name("深入开展创先争优活动");
  launch->set_theme("强基础、转作风、树形象");
  launch->set_carrier("公开承诺、领导点评、群众评议");
  const absl::CivilDay from(Year(), 1, 1), to(Year(), 12, 31);
  const int64_t days = to - from + 1;
  for (int phase = 1; phase <= 5; ++phase) {
    v1::PhasePlan* plan = launch->add_phases();
    plan->set_phase(static_cast<v1::CampaignPhase>(phase));
    *plan->mutable_starts_on() = DateOf(from + (phase - 1) * days / 5);
    *plan->mutable_ends_on() = DateOf(phase == 5 ? to : from + phase * days / 5 - 1);
  }
  auto launched = until_acknowledged("vanguard.v1.CampaignService/LaunchCampaign", launch);
  if (!launched.ok()) return launched.status();
  campaign_id_ = launched->aggregate_id();
  for (const std::string& department : Departments()) {
    auto allocate = New<v1::AllocateBudgetRequest>("setup-allocate-" + department);
    allocate->set_source_organisation_id(department);
    allocate->set_purpose(v1::FUNDS_PURPOSE_CO_BUILDING);
    allocate->set_year(Year());
    allocate->set_amount_fen(int64_t{1} << 50);
    allocate->set_campaign_id(campaign_id_);
    allocate->set_description("结对共建经费");
    auto allocated = until_acknowledged("vanguard.v1.FundsService/AllocateBudget", allocate,
                                        TokenOf(department));
    if (!allocated.ok()) return allocated.status();
  }
  return absl::OkStatus();
}

void Load::Start() {
  stopping_ = false;
  for (int c = 0; c < options_.clients; ++c) {
    clients_.push_back(std::make_unique<Client>(absl::StrCat("c", c), options_.seed * 1000 + c,
                                                endpoint_, ledger_, options_, stopping_,
                                                acknowledged_, campaign_id_));
    threads_.emplace_back([client = clients_.back().get(), this] {
      while (!stopping_) client->Step();
    });
  }
}

bool Load::WaitAcknowledgement(absl::Time deadline) const {
  const int64_t before = acknowledged_;
  while (acknowledged_ == before) {
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(10));
  }
  return true;
}

void Load::Stop() {
  stopping_ = true;
  for (std::thread& thread : threads_) thread.join();
  threads_.clear();
}

absl::StatusOr<LogScan> ScanLog(eventlog::EventLog& log, absl::Time deadline) {
  LogScan scan;
  std::map<std::string, eventlog::AggregateHead> heads;
  for (int32_t p = 0; p < log.partition_count(); ++p) {
    absl::StatusOr<int64_t> end = log.EndOffset(p, deadline);
    if (!end.ok()) return end.status();
    scan.ends[p] = *end;
    if (*end == 0) continue;
    absl::StatusOr<std::unique_ptr<eventlog::LogReader>> reader = log.OpenReader({{p, 0}});
    if (!reader.ok()) return reader.status();
    int64_t epoch = 0;
    for (int64_t read = 0; read < *end;) {
      absl::StatusOr<std::vector<eventlog::StoredRecord>> records =
          (*reader)->Poll(1000, std::min(deadline, absl::Now() + absl::Seconds(10)));
      if (!records.ok()) return records.status();
      if (records->empty()) {
        return absl::DeadlineExceededError(
            absl::StrCat("partition ", p, ": read ", read, " of ", *end, " records"));
      }
      for (const eventlog::StoredRecord& record : *records) {
        ++read;
        ++scan.records;
        eventlog::Judgement j =
            eventlog::Accept(record, heads[record.key], epoch, log.partition_count());
        if (!j.accepted) {
          ++scan.rejected;
          continue;
        }
        heads[record.key] = {j.envelope.aggregate_version(), j.hash};
        if (j.is_claim) {
          epoch = j.envelope.owner_claimed().epoch();
          ++scan.claims;
          continue;
        }
        scan.accepted_by_request[j.envelope.request_id()].push_back(
            {j.envelope.aggregate_id(), j.envelope.aggregate_version(),
             {record.partition, record.offset}});
      }
    }
  }
  return scan;
}

std::string Figures::Summary() const {
  std::string rpcs;
  for (const auto& [rpc, count] : by_rpc) absl::StrAppend(&rpcs, " ", rpc, "=", count);
  std::string answers;
  for (const auto& [error, count] : errors) absl::StrAppend(&answers, "\n    ", count, " x ", error);
  return absl::StrCat(
      "commands ", commands, " (sends ", attempts, "): acknowledged ", acknowledged, ", refused ",
      refused, " (unexpectedly ", refused_unexpectedly, "), unknown ", unknown, " (in the log ",
      unknown_in_log, "); retried after an unknown outcome ", retried, " (then acknowledged ",
      acknowledged_after_unknown, "); immediate duplicates ", duplicates_sent,
      "; acknowledged found in the log ", found_in_log, ", lost ", lost, ", duplicates in the log ",
      duplicates_in_log, ", refused in the log ", refused_in_log, ", events of no command ",
      foreign_in_log, "\n  per RPC:", rpcs, "\n  refusals and unknown outcomes:", answers);
}

Figures CheckAgainstLog(const std::vector<Entry>& entries, const LogScan& scan) {
  Figures f;
  std::set<std::string> known;
  int reported = 0;
  auto report = [&reported] { return ++reported <= 20; };  // the first few of each kind
  for (const Entry& entry : entries) {
    const std::string& id = entry.command.request_id();
    known.insert(id);
    ++f.commands;
    f.attempts += entry.attempts;
    ++f.by_rpc[absl::StrCat(entry.submitted ? "Submit:" : "",
                            entry.command.method.substr(entry.command.method.find('/') + 1))];
    if (entry.unknown_attempts > 0 && entry.attempts > 1) ++f.retried;
    if (entry.outcome != Outcome::kAcknowledged) {
      // Digits blanked, so that "partition 7 is served by 127.0.0.1:40457" is one kind.
      std::string kind = entry.message.substr(0, 48);
      for (char& c : kind) c = absl::ascii_isdigit(static_cast<unsigned char>(c)) ? '#' : c;
      ++f.errors[absl::StrCat(entry.command.method.substr(entry.command.method.find('/') + 1), " ",
                              entry.code, ": ", kind)];
    }
    f.duplicates_sent += entry.duplicates_sent;
    EXPECT_EQ(entry.duplicates_wrong, 0) << id << ": an immediate duplicate was "
                                         << entry.duplicate_problem;
    auto found = scan.accepted_by_request.find(id);
    const size_t in_log = found == scan.accepted_by_request.end() ? 0 : found->second.size();
    if (in_log > 1) {
      ++f.duplicates_in_log;
      if (report()) {
        ADD_FAILURE() << id << " (" << entry.command.method << ") is in the log " << in_log
                      << " times, at versions " << found->second[0].version << " and "
                      << found->second[1].version;
      }
    }
    switch (entry.outcome) {
      case Outcome::kAcknowledged:
        ++f.acknowledged;
        if (entry.unknown_attempts > 0) ++f.acknowledged_after_unknown;
        if (in_log == 0) {
          ++f.lost;
          if (report()) {
            ADD_FAILURE() << "acknowledged " << id << " (" << entry.command.method << ", "
                          << entry.result.aggregate_id() << " v" << entry.result.version()
                          << ") is not in the log";
          }
        } else {
          ++f.found_in_log;
          EXPECT_EQ(found->second[0].aggregate_id, entry.result.aggregate_id()) << id;
          EXPECT_EQ(found->second[0].version, entry.result.version()) << id;
        }
        if (entry.expect_refusal && report()) {
          ADD_FAILURE() << id << " (" << entry.command.method << ") was acknowledged; "
                        << "the rules refuse it";
        }
        break;
      case Outcome::kRefused:
        ++f.refused;
        if (!entry.expect_refusal) {
          ++f.refused_unexpectedly;
          if (report()) {
            ADD_FAILURE() << id << " (" << entry.command.method << ") was refused: " << entry.code
                          << " " << entry.message;
          }
        }
        if (in_log > 0) {
          ++f.refused_in_log;
          if (report()) ADD_FAILURE() << "refused " << id << " is in the log";
        }
        break;
      case Outcome::kUnknown:
        ++f.unknown;
        if (in_log > 0) ++f.unknown_in_log;
        break;
    }
  }
  for (const auto& [id, found] : scan.accepted_by_request) {
    if (known.contains(id)) continue;
    ++f.foreign_in_log;
    if (report()) {
      ADD_FAILURE() << "an event of request " << id << " (" << found[0].aggregate_id << " v"
                    << found[0].version << ") has no command in the ledger";
    }
  }
  EXPECT_EQ(f.lost, 0);
  EXPECT_EQ(f.duplicates_in_log, 0);
  EXPECT_EQ(f.refused_in_log, 0);
  EXPECT_EQ(f.refused_unexpectedly, 0);
  EXPECT_EQ(f.foreign_in_log, 0);
  return f;
}

int64_t ResendAcknowledged(const std::vector<Entry>& entries, Endpoint& endpoint) {
  int64_t generation = 0;
  std::shared_ptr<grpc::Channel> channel = NewChannel(endpoint.address(&generation));
  int64_t sent = 0;
  int reported = 0;
  for (const Entry& entry : entries) {
    if (entry.outcome != Outcome::kAcknowledged) continue;
    Answer again = Send(*channel, entry.command, absl::Seconds(10));
    ++sent;
    const bool right = again.status.ok() && again.result.replayed() &&
                       again.result.aggregate_id() == entry.result.aggregate_id() &&
                       again.result.version() == entry.result.version() &&
                       again.result.consistency_token() == entry.result.consistency_token();
    if (!right && ++reported <= 20) {
      ADD_FAILURE() << "resending acknowledged " << entry.command.request_id() << " ("
                    << entry.command.method << "): " << again.status.error_code() << " "
                    << again.status.error_message() << ", replayed " << again.result.replayed()
                    << ", " << again.result.aggregate_id() << " v" << again.result.version()
                    << " (first: " << entry.result.aggregate_id() << " v"
                    << entry.result.version() << ")";
    }
  }
  EXPECT_EQ(reported, 0) << "acknowledged commands resent with another answer";
  return sent;
}

absl::StatusOr<Comparison> CompareWithReplay(const std::string& address,
                                             const std::map<int32_t, int64_t>& ends,
                                             absl::Time deadline) {
  auto audit = v1::AuditService::NewStub(NewChannel(address));
  while (true) {
    grpc::ClientContext context;
    context.AddMetadata("authorization", absl::StrCat("Bearer ", kToken));
    context.set_deadline(absl::ToChronoTime(deadline));
    v1::CompareWithReplayResponse response;
    grpc::Status status =
        audit->CompareWithReplay(&context, v1::CompareWithReplayRequest(), &response);
    if (!status.ok()) {
      return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                          status.error_message());
    }
    std::map<int32_t, int64_t> at;
    for (const v1::PartitionOffset& position : response.position().positions()) {
      at[position.partition()] = position.offset();
    }
    bool caught_up = true;
    for (const auto& [partition, end] : ends) caught_up = caught_up && at[partition] >= end;
    if (caught_up) {
      return Comparison{.live_digest = response.live_digest(),
                        .replay_digest = response.replay_digest(),
                        .equal = response.equal(),
                        .records_replayed = response.records_replayed()};
    }
    if (absl::Now() > deadline) {
      return absl::DeadlineExceededError("the live views did not reach the log's end");
    }
    absl::SleepFor(absl::Milliseconds(200));
  }
}

void Victim::Spawn() {
  process = std::make_unique<testing::Subprocess>(argv);
  address.clear();
}

bool Victim::ReadAddress() {
  if (!address.empty()) return true;
  address = process->ReadLine();
  if (address.empty()) return false;
  up(address);
  return true;
}

void RunCrashRounds(const std::vector<Victim*>& victims, int rounds, std::mt19937_64& rng,
                    absl::Duration longest) {
  const int64_t longest_ms = absl::ToInt64Milliseconds(longest);
  for (int round = 0; round < rounds; ++round) {
    Victim& victim = *victims[rng() % victims.size()];
    const int64_t delay_ms = rng() % 6 == 0 ? static_cast<int64_t>(rng() % 250)
                                            : 250 + static_cast<int64_t>(rng() % (longest_ms - 250));
    const bool early = delay_ms < 250;
    std::thread killer([&victim, delay_ms, early] {
      if (!early && victim.settle) victim.settle();
      absl::SleepFor(absl::Milliseconds(delay_ms));
      victim.process->Signal(SIGKILL);
    });
    for (Victim* other : victims) {
      if (!other->ReadAddress() && other != &victim) {
        ADD_FAILURE() << other->name << " died while starting (round " << round << ")";
      }
    }
    killer.join();
    if (victim.address.empty()) ++victim.kills_while_starting;
    ++victim.kills;
    const int code = victim.process->Wait();
    EXPECT_EQ(code, 128 + SIGKILL) << victim.name << " ended by itself in round " << round;
    victim.down();
    victim.Spawn();
  }
  for (Victim* victim : victims) {
    EXPECT_TRUE(victim->ReadAddress()) << victim->name << " did not start after the rounds";
  }
}

bool WaitServing(const std::string& address, absl::Time deadline) {
  std::shared_ptr<grpc::Channel> channel = NewChannel(address);
  const grpc::internal::RpcMethod check("/grpc.health.v1.Health/Check",
                                        grpc::internal::RpcMethod::NORMAL_RPC);
  while (absl::Now() < deadline) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(2)));
    grpc::Slice empty("");  // an empty HealthCheckRequest: the whole server
    grpc::ByteBuffer request(&empty, 1), response;
    grpc::Status status = grpc::internal::BlockingUnaryCall<grpc::ByteBuffer, grpc::ByteBuffer>(
        channel.get(), check, &context, request, &response);
    std::vector<grpc::Slice> slices;
    if (status.ok() && response.Dump(&slices).ok()) {
      std::string answer;
      for (const grpc::Slice& part : slices) {
        answer.append(reinterpret_cast<const char*>(part.begin()), part.size());
      }
      if (answer == std::string("\x08\x01", 2)) return true;  // status: SERVING
    }
    absl::SleepFor(absl::Milliseconds(100));
  }
  return false;
}

}  // namespace vanguard::reliability
