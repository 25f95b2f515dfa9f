#include "libs/domain/pledge.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/base/status_macros.h"
#include "libs/domain/validation.h"

namespace vanguard::domain {
namespace {

constexpr size_t kMaxUnitBytes = 50;
constexpr size_t kSha256Bytes = 32;

absl::Status CheckExists(const Pledge& pledge) {
  if (pledge.status() == Pledge::Status::kUnknown) return absl::NotFoundError("pledge not found");
  if (pledge.evaluated()) {
    return absl::FailedPreconditionError(
        "pledge is evaluated; nothing follows the year-end evaluation");
  }
  return absl::OkStatus();
}

absl::Status CheckPledgerSide(const Pledge& pledge, const Context& context) {
  if (context.actor_organisation_id != pledge.organisation_id()) {
    return absl::PermissionDeniedError(absl::StrCat("only the pledger's organisation (",
                                                    pledge.organisation_id(), ") may do this"));
  }
  return absl::OkStatus();
}

absl::Status CheckReviewer(const Pledge& pledge, const Context& context) {
  if (context.actor_organisation_id != pledge.reviewer_organisation_id()) {
    // Not naming it: the caller may be outside its scope.
    return absl::PermissionDeniedError("only the pledger's superior may review this pledge");
  }
  return absl::OkStatus();
}

absl::Status CheckStatus(const Pledge& pledge, Pledge::Status wanted, absl::string_view action) {
  if (pledge.status() != wanted) {
    return absl::FailedPreconditionError(
        absl::StrCat("pledge is ", PledgeStatusName(pledge.status()), "; only a pledge that is ",
                     PledgeStatusName(wanted), " can be ", action));
  }
  return absl::OkStatus();
}

absl::Status CheckTarget(const v1::Target& target) {
  RETURN_IF_ERROR(
      CheckText("target.description", target.description(), kMaxTextBytes, Required::kYes));
  switch (target.measure().value_case()) {
    case v1::Measure::kQuantity:
      if (target.measure().quantity().value_milli() <= 0) {
        return absl::InvalidArgumentError("target.measure.quantity.value_milli: must be positive");
      }
      return CheckText("target.measure.quantity.unit", target.measure().quantity().unit(),
                       kMaxUnitBytes, Required::kYes);
    case v1::Measure::kAmountFen:
      if (target.measure().amount_fen() <= 0) {
        return absl::InvalidArgumentError("target.measure.amount_fen: must be positive");
      }
      return absl::OkStatus();
    case v1::Measure::VALUE_NOT_SET:
      break;
  }
  return absl::InvalidArgumentError("target.measure: must be a quantity or an amount");
}

// Achievements are compared with the target, so they must be in its measure.
absl::Status CheckAchieved(const Pledge& pledge, const v1::Measure& achieved) {
  const v1::Measure& target = pledge.target().measure();
  if (achieved.value_case() != target.value_case()) {
    return absl::InvalidArgumentError(
        "achieved: must be in the target's measure (a quantity or an amount, as the target)");
  }
  if (achieved.has_quantity()) {
    if (achieved.quantity().unit() != target.quantity().unit()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "achieved.quantity.unit: must be the target's unit \"", target.quantity().unit(), "\""));
    }
    if (achieved.quantity().value_milli() < 0) {
      return absl::InvalidArgumentError("achieved.quantity.value_milli: must not be negative");
    }
  } else if (achieved.amount_fen() < 0) {
    return absl::InvalidArgumentError("achieved.amount_fen: must not be negative");
  }
  return absl::OkStatus();
}

absl::Status CheckEvidence(const std::vector<v1::Evidence>& evidence) {
  for (size_t i = 0; i < evidence.size(); ++i) {
    const std::string field = absl::StrCat("evidence[", i, "]");
    RETURN_IF_ERROR(CheckText(absl::StrCat(field, ".description"), evidence[i].description(),
                              kMaxTextBytes, Required::kYes));
    RETURN_IF_ERROR(
        CheckText(absl::StrCat(field, ".uri"), evidence[i].uri(), kMaxTextBytes, Required::kNo));
    if (!evidence[i].sha256().empty() && evidence[i].sha256().size() != kSha256Bytes) {
      return absl::InvalidArgumentError(absl::StrCat(field, ".sha256: must be empty or 32 bytes"));
    }
  }
  return absl::OkStatus();
}

// What a pledge says, when made and when revised.
absl::Status CheckContent(v1::PledgeKind kind, v1::PledgeTheme theme, const std::string& text,
                          const v1::Target& target, const v1::Date& due_on, absl::CivilDay today) {
  if (kind == v1::PLEDGE_KIND_UNSPECIFIED || !v1::PledgeKind_IsValid(kind)) {
    return absl::InvalidArgumentError("kind: must be work or deed");
  }
  if (!v1::PledgeTheme_IsValid(theme)) return absl::InvalidArgumentError("theme: unknown value");
  RETURN_IF_ERROR(CheckText("text", text, kMaxTextBytes, Required::kYes));
  RETURN_IF_ERROR(CheckTarget(target));
  ASSIGN_OR_RETURN(absl::CivilDay due, ToCivilDay("due_on", due_on));
  if (due < today) {
    return absl::InvalidArgumentError(absl::StrCat("due_on: ", absl::FormatCivilTime(due),
                                                   " is before today, ",
                                                   absl::FormatCivilTime(today)));
  }
  return absl::OkStatus();
}

// The organisation a pledge counts under and its reviewer (分级审核).
struct Placement {
  std::string organisation_id;
  std::string reviewer_organisation_id;
};

absl::StatusOr<Placement> PlacePledge(const v1::Subject& pledger, const OrgTree& tree,
                                      const Member* member) {
  switch (pledger.id_case()) {
    case v1::Subject::kOrganisationId: {
      const std::string& id = pledger.organisation_id();
      RETURN_IF_ERROR(CheckId("pledger.organisation_id", id));
      if (!tree.Exists(id))
        return absl::NotFoundError(absl::StrCat("organisation ", id, " not found"));
      if (!tree.IsLive(id)) {
        return absl::FailedPreconditionError(absl::StrCat("organisation ", id, " is dissolved"));
      }
      const Organisation* superior = tree.DirectSuperior(id);
      if (superior == nullptr) {
        return absl::FailedPreconditionError(
            absl::StrCat("organisation ", id,
                         " is a root of the tree; it has no superior to review its pledge"));
      }
      return Placement{id, superior->organisation_id};
    }
    case v1::Subject::kMemberId: {
      RETURN_IF_ERROR(CheckId("pledger.member_id", pledger.member_id()));
      if (member == nullptr || member->status() == Member::Status::kUnknown) {
        return absl::NotFoundError(absl::StrCat("member ", pledger.member_id(), " not found"));
      }
      if (member->status() == Member::Status::kLeft) {
        return absl::FailedPreconditionError(
            absl::StrCat("member ", pledger.member_id(), " has left"));
      }
      if (!tree.IsLive(member->organisation_id())) {
        return absl::FailedPreconditionError(
            absl::StrCat("the member's organisation ", member->organisation_id(), " is not live"));
      }
      return Placement{member->organisation_id(), member->organisation_id()};
    }
    case v1::Subject::ID_NOT_SET:
      break;
  }
  return absl::InvalidArgumentError("pledger: must name an organisation or a member");
}

}  // namespace

absl::string_view PledgeStatusName(Pledge::Status status) {
  switch (status) {
    case Pledge::Status::kUnknown:
      return "unknown";
    case Pledge::Status::kUnderReview:
      return "under review";
    case Pledge::Status::kSentBack:
      return "sent back";
    case Pledge::Status::kApproved:
      return "approved";
    case Pledge::Status::kFulfilled:
      return "fulfilled";
    case Pledge::Status::kWithdrawn:
      return "withdrawn";
  }
  return "unknown";
}

bool Pledge::AssessedFor(int32_t year, int32_t quarter) const {
  return std::find(assessed_quarters_.begin(), assessed_quarters_.end(),
                   std::make_pair(year, quarter)) != assessed_quarters_.end();
}

void Pledge::Apply(const v1::Envelope& envelope) {
  switch (envelope.payload_case()) {
    case v1::Envelope::kPledgeMade:
      made_ = envelope.pledge_made();
      status_ = Status::kUnderReview;
      break;
    case v1::Envelope::kPledgeApproved:
      status_ = Status::kApproved;
      ever_approved_ = true;
      break;
    case v1::Envelope::kPledgeSentBack:
      status_ = Status::kSentBack;
      break;
    case v1::Envelope::kPledgeRevised: {
      const v1::PledgeRevised& revised = envelope.pledge_revised();
      made_.set_kind(revised.kind());
      made_.set_theme(revised.theme());
      made_.set_text(revised.text());
      *made_.mutable_target() = revised.target();
      *made_.mutable_due_on() = revised.due_on();
      status_ = Status::kUnderReview;
      break;
    }
    case v1::Envelope::kPledgeProgressReported:
      achieved_ = envelope.pledge_progress_reported().achieved();
      break;
    case v1::Envelope::kPledgeAssessed:
      assessed_quarters_.emplace_back(envelope.pledge_assessed().year(),
                                      envelope.pledge_assessed().quarter());
      break;
    case v1::Envelope::kPledgeFulfilled:
      achieved_ = envelope.pledge_fulfilled().achieved();
      status_ = Status::kFulfilled;
      break;
    case v1::Envelope::kPledgeWithdrawn:
      status_ = Status::kWithdrawn;
      break;
    case v1::Envelope::kPledgeEvaluated:
      evaluated_ = true;
      break;
    default:
      return;
  }
  ++version_;
}

absl::StatusOr<std::vector<v1::Envelope>> Decide(const Pledge& pledge, const MakePledge& command,
                                                 const OrgTree& tree, const Member* member,
                                                 const Context& context) {
  if (pledge.status() != Pledge::Status::kUnknown) {
    return absl::AlreadyExistsError("pledge already exists");
  }
  RETURN_IF_ERROR(CheckId("campaign_id", command.campaign_id));
  ASSIGN_OR_RETURN(absl::CivilDay today, ShanghaiDay(context.now));
  RETURN_IF_ERROR(CheckContent(command.kind, command.theme, command.text, command.target,
                               command.due_on, today));
  ASSIGN_OR_RETURN(Placement placement, PlacePledge(command.pledger, tree, member));
  if (context.actor_organisation_id != placement.organisation_id) {
    return absl::PermissionDeniedError(absl::StrCat(
        "only the pledger's organisation (", placement.organisation_id, ") may make its pledge"));
  }

  v1::Envelope envelope;
  v1::PledgeMade& event = *envelope.mutable_pledge_made();
  event.set_campaign_id(command.campaign_id);
  *event.mutable_pledger() = command.pledger;
  event.set_organisation_id(placement.organisation_id);
  event.set_reviewer_organisation_id(placement.reviewer_organisation_id);
  event.set_kind(command.kind);
  event.set_theme(command.theme);
  event.set_text(command.text);
  *event.mutable_target() = command.target;
  *event.mutable_due_on() = command.due_on;
  return OneEvent(std::move(envelope));
}

absl::StatusOr<std::vector<v1::Envelope>> Decide(const Pledge& pledge, const ApprovePledge& command,
                                                 const Context& context) {
  RETURN_IF_ERROR(CheckExists(pledge));
  RETURN_IF_ERROR(CheckReviewer(pledge, context));
  RETURN_IF_ERROR(CheckStatus(pledge, Pledge::Status::kUnderReview, "approved"));
  RETURN_IF_ERROR(CheckText("comment", command.comment, kMaxTextBytes, Required::kNo));

  v1::Envelope envelope;
  v1::PledgeApproved& event = *envelope.mutable_pledge_approved();
  event.set_reviewer_organisation_id(pledge.reviewer_organisation_id());
  event.set_comment(command.comment);
  return OneEvent(std::move(envelope));
}

absl::StatusOr<std::vector<v1::Envelope>> Decide(const Pledge& pledge,
                                                 const SendBackPledge& command,
                                                 const Context& context) {
  RETURN_IF_ERROR(CheckExists(pledge));
  RETURN_IF_ERROR(CheckReviewer(pledge, context));
  RETURN_IF_ERROR(CheckStatus(pledge, Pledge::Status::kUnderReview, "sent back"));
  RETURN_IF_ERROR(CheckText("comment", command.comment, kMaxTextBytes, Required::kYes));

  v1::Envelope envelope;
  v1::PledgeSentBack& event = *envelope.mutable_pledge_sent_back();
  event.set_reviewer_organisation_id(pledge.reviewer_organisation_id());
  event.set_comment(command.comment);
  return OneEvent(std::move(envelope));
}

absl::StatusOr<std::vector<v1::Envelope>> Decide(const Pledge& pledge, const RevisePledge& command,
                                                 const Context& context) {
  RETURN_IF_ERROR(CheckExists(pledge));
  RETURN_IF_ERROR(CheckPledgerSide(pledge, context));
  RETURN_IF_ERROR(CheckStatus(pledge, Pledge::Status::kSentBack, "revised"));
  ASSIGN_OR_RETURN(absl::CivilDay today, ShanghaiDay(context.now));
  RETURN_IF_ERROR(CheckContent(command.kind, command.theme, command.text, command.target,
                               command.due_on, today));
  RETURN_IF_ERROR(CheckText("comment", command.comment, kMaxTextBytes, Required::kNo));

  v1::Envelope envelope;
  v1::PledgeRevised& event = *envelope.mutable_pledge_revised();
  event.set_kind(command.kind);
  event.set_theme(command.theme);
  event.set_text(command.text);
  *event.mutable_target() = command.target;
  *event.mutable_due_on() = command.due_on;
  event.set_comment(command.comment);
  return OneEvent(std::move(envelope));
}

absl::StatusOr<std::vector<v1::Envelope>> Decide(const Pledge& pledge,
                                                 const ReportPledgeProgress& command,
                                                 const Context& context) {
  RETURN_IF_ERROR(CheckExists(pledge));
  RETURN_IF_ERROR(CheckPledgerSide(pledge, context));
  RETURN_IF_ERROR(CheckStatus(pledge, Pledge::Status::kApproved, "reported on"));
  ASSIGN_OR_RETURN(absl::CivilDay as_of, ToCivilDay("as_of", command.as_of));
  ASSIGN_OR_RETURN(absl::CivilDay today, ShanghaiDay(context.now));
  if (as_of > today) return absl::InvalidArgumentError("as_of: must not be in the future");
  RETURN_IF_ERROR(CheckAchieved(pledge, command.achieved));
  RETURN_IF_ERROR(CheckText("description", command.description, kMaxTextBytes, Required::kNo));
  RETURN_IF_ERROR(CheckEvidence(command.evidence));

  v1::Envelope envelope;
  v1::PledgeProgressReported& event = *envelope.mutable_pledge_progress_reported();
  *event.mutable_as_of() = command.as_of;
  *event.mutable_achieved() = command.achieved;
  event.set_description(command.description);
  for (const v1::Evidence& evidence : command.evidence) *event.add_evidence() = evidence;
  return OneEvent(std::move(envelope));
}

absl::StatusOr<std::vector<v1::Envelope>> Decide(const Pledge& pledge, const AssessPledge& command,
                                                 const Context& context) {
  RETURN_IF_ERROR(CheckExists(pledge));
  RETURN_IF_ERROR(CheckReviewer(pledge, context));
  RETURN_IF_ERROR(CheckStatus(pledge, Pledge::Status::kApproved, "assessed"));
  if (command.quarter < 1 || command.quarter > 4) {
    return absl::InvalidArgumentError("quarter: must be 1..4");
  }
  ASSIGN_OR_RETURN(absl::CivilDay today, ShanghaiDay(context.now));
  const int current_quarter = (today.month() - 1) / 3 + 1;
  if (command.year < 1000 || command.year > today.year() ||
      (command.year == today.year() && command.quarter > current_quarter)) {
    return absl::InvalidArgumentError(
        absl::StrCat("year: ", command.year, " Q", command.quarter, " has not begun"));
  }
  if (command.rating == v1::RATING_UNSPECIFIED || !v1::Rating_IsValid(command.rating)) {
    return absl::InvalidArgumentError("rating: must be specified");
  }
  RETURN_IF_ERROR(CheckText("comment", command.comment, kMaxTextBytes, Required::kNo));
  if (pledge.AssessedFor(command.year, command.quarter)) {
    return absl::FailedPreconditionError(
        absl::StrCat("pledge is already assessed for ", command.year, " Q", command.quarter));
  }

  v1::Envelope envelope;
  v1::PledgeAssessed& event = *envelope.mutable_pledge_assessed();
  event.set_assessor_organisation_id(pledge.reviewer_organisation_id());
  event.set_year(command.year);
  event.set_quarter(command.quarter);
  event.set_rating(command.rating);
  event.set_comment(command.comment);
  return OneEvent(std::move(envelope));
}

absl::StatusOr<std::vector<v1::Envelope>> Decide(const Pledge& pledge, const FulfilPledge& command,
                                                 const Context& context) {
  RETURN_IF_ERROR(CheckExists(pledge));
  RETURN_IF_ERROR(CheckPledgerSide(pledge, context));
  RETURN_IF_ERROR(CheckStatus(pledge, Pledge::Status::kApproved, "fulfilled"));
  ASSIGN_OR_RETURN(v1::Date fulfilled_on,
                   EffectiveDate("fulfilled_on", command.fulfilled_on, context.now));
  ASSIGN_OR_RETURN(absl::CivilDay today, ShanghaiDay(context.now));
  if (ToCivilDay("fulfilled_on", fulfilled_on).value() > today) {
    return absl::InvalidArgumentError("fulfilled_on: must not be in the future");
  }
  RETURN_IF_ERROR(CheckAchieved(pledge, command.achieved));
  RETURN_IF_ERROR(CheckText("description", command.description, kMaxTextBytes, Required::kYes));
  RETURN_IF_ERROR(CheckEvidence(command.evidence));

  v1::Envelope envelope;
  v1::PledgeFulfilled& event = *envelope.mutable_pledge_fulfilled();
  *event.mutable_fulfilled_on() = fulfilled_on;
  *event.mutable_achieved() = command.achieved;
  event.set_description(command.description);
  for (const v1::Evidence& evidence : command.evidence) *event.add_evidence() = evidence;
  return OneEvent(std::move(envelope));
}

absl::StatusOr<std::vector<v1::Envelope>> Decide(const Pledge& pledge,
                                                 const WithdrawPledge& command,
                                                 const Context& context) {
  RETURN_IF_ERROR(CheckExists(pledge));
  RETURN_IF_ERROR(CheckPledgerSide(pledge, context));
  if (pledge.status() == Pledge::Status::kFulfilled ||
      pledge.status() == Pledge::Status::kWithdrawn) {
    return absl::FailedPreconditionError(absl::StrCat(
        "pledge is ", PledgeStatusName(pledge.status()), "; only an open pledge can be withdrawn"));
  }
  RETURN_IF_ERROR(CheckText("reason", command.reason, kMaxTextBytes, Required::kYes));

  v1::Envelope envelope;
  envelope.mutable_pledge_withdrawn()->set_reason(command.reason);
  return OneEvent(std::move(envelope));
}

absl::StatusOr<std::vector<v1::Envelope>> Decide(const Pledge& pledge,
                                                 const EvaluatePledge& command,
                                                 const Context& context) {
  RETURN_IF_ERROR(CheckExists(pledge));
  RETURN_IF_ERROR(CheckReviewer(pledge, context));
  if (!pledge.ever_approved()) {
    return absl::FailedPreconditionError(
        absl::StrCat("pledge is ", PledgeStatusName(pledge.status()),
                     " and was never approved; only an approved pledge can be evaluated"));
  }
  ASSIGN_OR_RETURN(absl::CivilDay today, ShanghaiDay(context.now));
  if (command.year < 1000 || command.year > today.year()) {
    return absl::InvalidArgumentError(
        absl::StrCat("year: ", command.year, " must not be after the current year"));
  }
  if (command.rating == v1::RATING_UNSPECIFIED || !v1::Rating_IsValid(command.rating)) {
    return absl::InvalidArgumentError("rating: must be specified");
  }
  const v1::SatisfactionCounts& counts = command.mass_counts;
  if (counts.satisfied() < 0 || counts.basically_satisfied() < 0 || counts.unsatisfied() < 0) {
    return absl::InvalidArgumentError("mass_counts: counts must not be negative");
  }
  RETURN_IF_ERROR(CheckText("comment", command.comment, kMaxTextBytes, Required::kNo));

  v1::Envelope envelope;
  v1::PledgeEvaluated& event = *envelope.mutable_pledge_evaluated();
  event.set_evaluator_organisation_id(pledge.reviewer_organisation_id());
  event.set_year(command.year);
  event.set_rating(command.rating);
  *event.mutable_mass_counts() = counts;
  event.set_comment(command.comment);
  return OneEvent(std::move(envelope));
}

}  // namespace vanguard::domain
