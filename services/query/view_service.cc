#include "services/query/view_service.h"

#include <algorithm>
#include <cctype>
#include <string_view>
#include <chrono>
#include <deque>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/base/status_macros.h"
#include "libs/privacy/personal_info.h"
#include "libs/rpc/status.h"
#include "libs/views/figures.h"
#include "services/query/level_figures.h"
#include "vanguard/v1/token.pb.h"

namespace vanguard::query {
namespace {

using views::MemberNode;
using views::OrganisationNode;

constexpr int32_t kDefaultPageSize = 100;
constexpr int32_t kMaxPageSize = 1000;

absl::Time DeadlineOf(const grpc::ServerContext& context) {
  auto deadline = context.deadline();
  if (deadline == std::chrono::system_clock::time_point::max()) {
    return absl::Now() + ViewServiceImpl::kDefaultWait;
  }
  return absl::FromChrono(deadline);
}

// Waits until the views include what `token` names.
absl::Status WaitFor(const views::ViewStore& views, const std::string& token,
                     const grpc::ServerContext& context) {
  if (token.empty()) return absl::OkStatus();
  v1::ConsistencyToken parsed;
  if (!parsed.ParseFromString(token)) {
    return absl::InvalidArgumentError(
        "consistency_token: not a token a command returned (pass CommandResult.consistency_token "
        "as it was)");
  }
  if (parsed.log_id() != views.log_id()) {
    return absl::InvalidArgumentError(absl::StrCat("consistency_token: it is from log \"",
                                                   parsed.log_id(), "\"; these views follow \"",
                                                   views.log_id(), "\""));
  }
  eventlog::PositionMap target;
  for (const v1::PartitionOffset& at : parsed.positions()) {
    if (at.partition() < 0 || at.partition() >= views.partition_count() || at.offset() < 0) {
      return absl::InvalidArgumentError(absl::StrCat("consistency_token: partition ",
                                                     at.partition(), " offset ", at.offset(),
                                                     " is not in this log"));
    }
    target[at.partition()] = at.offset();
  }
  if (!views.WaitUntil(target, DeadlineOf(context))) {
    return absl::DeadlineExceededError(
        "the views did not reach the consistency token within the deadline; retry with a longer "
        "deadline, or read without the token");
  }
  return absl::OkStatus();
}

void FillApplied(const views::ViewStore& views, const views::ViewReader& reader,
                 v1::Applied& applied) {
  applied.mutable_position()->set_log_id(views.log_id());
  for (const auto& [partition, offset] : reader.positions()) {
    v1::PartitionOffset* at = applied.mutable_position()->add_positions();
    at->set_partition(partition);
    at->set_offset(offset);
  }
  applied.set_parked_aggregates(reader.parked_count());
  applied.set_rejected_records(reader.rejected_count());
}

bool ReadsEverything(const rpc::Principal& principal) {
  return principal.HasRole(rpc::Role::kAdmin) || principal.HasRole(rpc::Role::kAuditor);
}

// Whether `organisation_id` is `ancestor` or lies under it.
bool Within(const views::ViewReader& reader, const std::string& ancestor,
            std::string organisation_id) {
  for (int depth = 0; depth < 256 && !organisation_id.empty(); ++depth) {
    if (organisation_id == ancestor) return true;
    std::optional<v1::OrganisationRecord> o = reader.GetOrganisation(organisation_id);
    if (!o) return false;
    organisation_id = o->parent_id();
  }
  return false;
}

// The organisation as the principal may read it: NOT_FOUND for an unknown id
// (PERMISSION_DENIED for principals who could not read it anyway).
absl::StatusOr<v1::OrganisationRecord> ReadableOrganisation(const views::ViewReader& reader,
                                                            const rpc::Principal& principal,
                                                            const std::string& id,
                                                            absl::string_view field) {
  if (id.empty()) return absl::InvalidArgumentError(absl::StrCat(field, ": must not be empty"));
  if (!ReadsEverything(principal) && !Within(reader, principal.organisation_id, id)) {
    return absl::PermissionDeniedError(absl::StrCat("organisation ", id, " is outside the scope of ",
                                                    principal.id));
  }
  std::optional<v1::OrganisationRecord> o = reader.GetOrganisation(id);
  if (!o) return absl::NotFoundError(absl::StrCat("organisation ", id, " is not in the views"));
  return *o;
}

// For a record the caller named by its own id (a pledge, a member): outside
// the scope, the refusal names the record, never the organisation it belongs to.
absl::Status CheckOwnerReadable(const views::ViewReader& reader, const rpc::Principal& principal,
                                const std::string& organisation_id, absl::string_view target) {
  if (ReadsEverything(principal) || Within(reader, principal.organisation_id, organisation_id)) {
    return absl::OkStatus();
  }
  return absl::PermissionDeniedError(
      absl::StrCat(target, " is outside the scope of ", principal.id));
}

int32_t Today(absl::TimeZone zone) {
  absl::CivilDay day = absl::ToCivilDay(absl::Now(), zone);
  return static_cast<int32_t>(day.year() * 10000 + day.month() * 100 + day.day());
}

absl::StatusOr<int32_t> AsOf(const v1::Date& date, bool present, absl::TimeZone zone) {
  if (!present) return Today(zone);
  absl::CivilDay day(date.year(), date.month(), date.day());
  if (date.year() < 1 || day.year() != date.year() || day.month() != date.month() ||
      day.day() != date.day()) {
    return absl::InvalidArgumentError("as_of: not a calendar date");
  }
  return date.year() * 10000 + date.month() * 100 + date.day();
}

absl::StatusOr<BucketChoice> BucketOf(const views::ViewReader& reader, const v1::Bucket& bucket) {
  if (!views::IsPeriod(bucket.period())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "bucket.period: \"", bucket.period(), "\" is not \"\", yyyy, yyyy-Qn or yyyy-mm"));
  }
  if (!bucket.campaign_id().empty() && !reader.GetCampaign(bucket.campaign_id())) {
    return absl::NotFoundError(absl::StrCat("campaign ", bucket.campaign_id(), " is not in the views"));
  }
  return BucketChoice{bucket.campaign_id(), bucket.period()};
}

absl::StatusOr<int32_t> PageSize(int32_t requested, absl::string_view field) {
  if (requested < 0 || requested > kMaxPageSize) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": must be 0 (default ", kDefaultPageSize,
                                                   ") to ", kMaxPageSize));
  }
  return requested == 0 ? kDefaultPageSize : requested;
}

// Natural order: digits compare as numbers, so village-9 comes before village-10.
bool NaturalLess(const std::string& a, const std::string& b) {
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (std::isdigit(static_cast<unsigned char>(a[i])) &&
        std::isdigit(static_cast<unsigned char>(b[j]))) {
      size_t ei = i, ej = j;
      while (ei < a.size() && std::isdigit(static_cast<unsigned char>(a[ei]))) ++ei;
      while (ej < b.size() && std::isdigit(static_cast<unsigned char>(b[ej]))) ++ej;
      std::string_view da(a.data() + i, ei - i), db(b.data() + j, ej - j);
      while (da.size() > 1 && da[0] == '0') da.remove_prefix(1);
      while (db.size() > 1 && db[0] == '0') db.remove_prefix(1);
      if (da.size() != db.size()) return da.size() < db.size();
      if (da != db) return da < db;
      i = ei;
      j = ej;
    } else {
      if (a[i] != b[j]) return a[i] < b[j];
      ++i;
      ++j;
    }
  }
  if ((a.size() - i) != (b.size() - j)) return a.size() - i < b.size() - j;
  return a < b;  // equal up to leading zeros: still a total order
}

absl::StatusOr<size_t> OffsetToken(const std::string& token, absl::string_view field) {
  if (token.empty()) return 0;
  size_t offset = 0;
  if (!absl::SimpleAtoi(token, &offset)) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": not a token this service returned"));
  }
  return offset;
}

// Authenticates, waits for the token, and runs `read` on one snapshot.
template <typename Response, typename Body>
grpc::Status Read(const views::ViewStore& views, const rpc::TokenStore& tokens,
                  const grpc::ServerContext& context, const std::string& token,
                  Response* response, Body read) {
  absl::StatusOr<rpc::Principal> principal = tokens.Authenticate(context);
  if (!principal.ok()) return rpc::ToGrpcStatus(principal.status());
  if (absl::Status waited = WaitFor(views, token, context); !waited.ok()) {
    return rpc::ToGrpcStatus(waited);
  }
  std::unique_ptr<views::ViewReader> reader = views.NewReader();
  if (absl::Status status = read(*principal, *reader); !status.ok()) {
    return rpc::ToGrpcStatus(status);
  }
  FillApplied(views, *reader, *response->mutable_applied());
  return grpc::Status::OK;
}

}  // namespace

ViewServiceImpl::ViewServiceImpl(const views::ViewStore& views, const rpc::TokenStore& tokens)
    : views_(views), tokens_(tokens) {
  // ViewStore::Open refused to start without the zone; this cannot fail after it.
  absl::LoadTimeZone("Asia/Shanghai", &zone_);
}


grpc::Status ViewServiceImpl::GetLevelView(grpc::ServerContext* context,
                                           const v1::GetLevelViewRequest* request,
                                           v1::GetLevelViewResponse* response) {
  return Read(views_, tokens_, *context, request->consistency_token(), response,
              [&](const rpc::Principal& principal, const views::ViewReader& reader) -> absl::Status {
    ASSIGN_OR_RETURN(v1::OrganisationRecord organisation,
                     ReadableOrganisation(reader, principal, request->organisation_id(),
                                          "organisation_id"));
    ASSIGN_OR_RETURN(BucketChoice bucket, BucketOf(reader, request->bucket()));
    ASSIGN_OR_RETURN(int32_t as_of, AsOf(request->as_of(), request->has_as_of(), zone_));
    v1::LevelView* view = response->mutable_view();
    *view->mutable_figures() =
        LevelFiguresOf(reader, OrganisationNode(organisation.organisation_id()), &organisation,
                       bucket, as_of);
    *view->mutable_organisation() = std::move(organisation);
    *view->mutable_bucket() = request->bucket();
    return absl::OkStatus();
  });
}

grpc::Status ViewServiceImpl::ListChildren(grpc::ServerContext* context,
                                           const v1::ListChildrenRequest* request,
                                           v1::ListChildrenResponse* response) {
  return Read(views_, tokens_, *context, request->consistency_token(), response,
              [&](const rpc::Principal& principal, const views::ViewReader& reader) -> absl::Status {
    ASSIGN_OR_RETURN(v1::OrganisationRecord parent,
                     ReadableOrganisation(reader, principal, request->organisation_id(),
                                          "organisation_id"));
    ASSIGN_OR_RETURN(BucketChoice bucket, BucketOf(reader, request->bucket()));
    ASSIGN_OR_RETURN(int32_t as_of, AsOf(request->as_of(), request->has_as_of(), zone_));
    ASSIGN_OR_RETURN(int32_t page_size, PageSize(request->page_size(), "page_size"));
    ASSIGN_OR_RETURN(size_t offset, OffsetToken(request->page_token(), "page_token"));
    if (!v1::Figure_IsValid(request->order_by())) {
      return absl::InvalidArgumentError(
          absl::StrCat("order_by: ", request->order_by(), " is not a Figure"));
    }
    std::vector<v1::ChildRow> rows;
    for (const std::string& id : reader.Children(parent.organisation_id())) {
      std::optional<v1::OrganisationRecord> child = reader.GetOrganisation(id);
      if (!child || (child->dissolved() && !request->include_dissolved())) continue;
      v1::ChildRow row;
      v1::LevelView* view = row.mutable_view();
      *view->mutable_figures() =
          LevelFiguresOf(reader, OrganisationNode(id), &*child, bucket, as_of);
      *view->mutable_organisation() = std::move(*child);
      *view->mutable_bucket() = request->bucket();
      row.set_value(FigureValue(view->figures(), request->order_by()));
      rows.push_back(std::move(row));
    }
    bool ascending = request->ascending();
    std::stable_sort(rows.begin(), rows.end(), [&](const v1::ChildRow& a, const v1::ChildRow& b) {
      if (a.value() != b.value()) return ascending ? a.value() < b.value() : a.value() > b.value();
      return NaturalLess(a.view().organisation().organisation_id(),
                         b.view().organisation().organisation_id());
    });
    if (offset > rows.size()) return absl::InvalidArgumentError("page_token: past the last child");
    response->set_total_children(static_cast<int32_t>(rows.size()));
    size_t end = std::min(rows.size(), offset + page_size);
    for (size_t i = offset; i < end; ++i) {
      rows[i].set_rank(static_cast<int32_t>(i + 1));
      *response->add_children() = std::move(rows[i]);
    }
    if (end < rows.size()) response->set_next_page_token(absl::StrCat(end));
    return absl::OkStatus();
  });
}

grpc::Status ViewServiceImpl::GetSeries(grpc::ServerContext* context,
                                        const v1::GetSeriesRequest* request,
                                        v1::GetSeriesResponse* response) {
  return Read(views_, tokens_, *context, request->consistency_token(), response,
              [&](const rpc::Principal& principal, const views::ViewReader& reader) -> absl::Status {
    ASSIGN_OR_RETURN(v1::OrganisationRecord organisation,
                     ReadableOrganisation(reader, principal, request->organisation_id(),
                                          "organisation_id"));
    for (const auto& [month, field] : {std::pair{request->from_month(), "from_month"},
                                       std::pair{request->to_month(), "to_month"}}) {
      if (!month.empty() && !views::IsMonthPeriod(month)) {
        return absl::InvalidArgumentError(absl::StrCat(field, ": \"", month, "\" is not yyyy-mm"));
      }
    }
    if (!request->campaign_id().empty() && !reader.GetCampaign(request->campaign_id())) {
      return absl::NotFoundError(
          absl::StrCat("campaign ", request->campaign_id(), " is not in the views"));
    }
    std::string node = OrganisationNode(organisation.organisation_id());
    int32_t today = Today(zone_);
    for (const std::string& period : reader.Periods(node, request->campaign_id())) {
      if (!views::IsMonthPeriod(period)) continue;
      if (!request->from_month().empty() && period < request->from_month()) continue;
      if (!request->to_month().empty() && period > request->to_month()) continue;
      v1::SeriesPoint* point = response->add_points();
      point->set_month(period);
      *point->mutable_figures() = LevelFiguresOf(
          reader, node, &organisation, {request->campaign_id(), period}, today);
    }
    return absl::OkStatus();
  });
}

grpc::Status ViewServiceImpl::GetPledge(grpc::ServerContext* context,
                                        const v1::GetPledgeRequest* request,
                                        v1::GetPledgeResponse* response) {
  return Read(views_, tokens_, *context, request->consistency_token(), response,
              [&](const rpc::Principal& principal, const views::ViewReader& reader) -> absl::Status {
    if (request->pledge_id().empty()) {
      return absl::InvalidArgumentError("pledge_id: must not be empty");
    }
    std::optional<v1::PledgeRecord> pledge = reader.GetPledge(request->pledge_id());
    if (!pledge) {
      return absl::NotFoundError(absl::StrCat("pledge ", request->pledge_id(), " is not in the views"));
    }
    RETURN_IF_ERROR(CheckOwnerReadable(reader, principal, pledge->organisation_id(),
                                       absl::StrCat("pledge ", request->pledge_id())));
    ASSIGN_OR_RETURN(std::vector<v1::Envelope> history, reader.PledgeHistory(request->pledge_id()));
    for (v1::Envelope& e : history) *response->add_history() = std::move(e);
    *response->mutable_pledge() = std::move(*pledge);
    return absl::OkStatus();
  });
}

grpc::Status ViewServiceImpl::GetOrganisation(grpc::ServerContext* context,
                                              const v1::GetOrganisationRequest* request,
                                              v1::GetOrganisationResponse* response) {
  return Read(views_, tokens_, *context, request->consistency_token(), response,
              [&](const rpc::Principal& principal, const views::ViewReader& reader) -> absl::Status {
    ASSIGN_OR_RETURN(v1::OrganisationRecord organisation,
                     ReadableOrganisation(reader, principal, request->organisation_id(),
                                          "organisation_id"));
    std::deque<v1::OrganisationRecord> path;
    for (std::string up = organisation.parent_id(); !up.empty() && path.size() < 256;) {
      std::optional<v1::OrganisationRecord> o = reader.GetOrganisation(up);
      if (!o) break;
      up = o->parent_id();
      path.push_front(std::move(*o));
    }
    for (v1::OrganisationRecord& o : path) *response->add_path() = std::move(o);
    for (const std::string& id : reader.Children(organisation.organisation_id())) {
      if (std::optional<v1::OrganisationRecord> child = reader.GetOrganisation(id)) {
        *response->add_children() = std::move(*child);
      }
    }
    *response->mutable_organisation() = std::move(organisation);
    return absl::OkStatus();
  });
}

grpc::Status ViewServiceImpl::GetMember(grpc::ServerContext* context,
                                        const v1::GetMemberRequest* request,
                                        v1::GetMemberResponse* response) {
  return Read(views_, tokens_, *context, request->consistency_token(), response,
              [&](const rpc::Principal& principal, const views::ViewReader& reader) -> absl::Status {
    if (request->member_id().empty()) return absl::InvalidArgumentError("member_id: must not be empty");
    std::optional<v1::MemberRecord> member = reader.GetMember(request->member_id());
    if (!member) {
      return absl::NotFoundError(absl::StrCat("member ", request->member_id(), " is not in the views"));
    }
    RETURN_IF_ERROR(CheckOwnerReadable(reader, principal, member->organisation_id(),
                                       absl::StrCat("member ", request->member_id())));
    // Personal information only for the member's own organisation and those
    // above it, never merely for reading everything (admin, auditor).
    const bool in_scope = Within(reader, principal.organisation_id, member->organisation_id());
    response->set_personal_info(privacy::Reveal(keys_, member->member_id(), in_scope,
                                                member->personal_info_erased(),
                                                *member->mutable_attributes()));
    *response->mutable_figures() =
        LevelFiguresOf(reader, MemberNode(member->member_id()), nullptr, {}, Today(zone_));
    *response->mutable_member() = std::move(*member);
    return absl::OkStatus();
  });
}

grpc::Status ViewServiceImpl::ListOverduePledges(grpc::ServerContext* context,
                                                 const v1::ListOverduePledgesRequest* request,
                                                 v1::ListOverduePledgesResponse* response) {
  return Read(views_, tokens_, *context, request->consistency_token(), response,
              [&](const rpc::Principal& principal, const views::ViewReader& reader) -> absl::Status {
    ASSIGN_OR_RETURN(v1::OrganisationRecord root,
                     ReadableOrganisation(reader, principal, request->organisation_id(),
                                          "organisation_id"));
    ASSIGN_OR_RETURN(int32_t as_of, AsOf(request->as_of(), request->has_as_of(), zone_));
    ASSIGN_OR_RETURN(int32_t page_size, PageSize(request->page_size(), "page_size"));
    std::string after;
    if (!request->page_token().empty() &&
        !absl::WebSafeBase64Unescape(request->page_token(), &after)) {
      return absl::InvalidArgumentError("page_token: not a token this service returned");
    }
    // Whether an organisation lies in the subtree, remembered for this call.
    absl::flat_hash_map<std::string, bool> within;
    auto in_subtree = [&](const std::string& organisation_id) {
      auto [it, fresh] = within.try_emplace(organisation_id, false);
      if (fresh) it->second = Within(reader, root.organisation_id(), organisation_id);
      return it->second;
    };
    std::string last;
    bool more = true;
    while (response->pledges_size() < page_size && more) {
      std::vector<views::OpenPledge> batch = reader.OpenPledgesDueBefore(as_of, after, 512);
      more = batch.size() == 512;
      for (const views::OpenPledge& open : batch) {
        after = absl::StrCat("u|", absl::Dec(open.due_on, absl::kZeroPad8),
                             absl::string_view("\0", 1), open.pledge_id);
        std::optional<v1::PledgeRecord> pledge = reader.GetPledge(open.pledge_id);
        if (!pledge || !in_subtree(pledge->organisation_id())) continue;
        *response->add_pledges() = std::move(*pledge);
        last = after;
        if (response->pledges_size() == page_size) {
          more = true;
          break;
        }
      }
    }
    if (more && response->pledges_size() == page_size) {
      response->set_next_page_token(absl::WebSafeBase64Escape(last));
    }
    return absl::OkStatus();
  });
}

grpc::Status ViewServiceImpl::ListUnreviewedOrganisations(
    grpc::ServerContext* context, const v1::ListUnreviewedOrganisationsRequest* request,
    v1::ListUnreviewedOrganisationsResponse* response) {
  return Read(views_, tokens_, *context, request->consistency_token(), response,
              [&](const rpc::Principal& principal, const views::ViewReader& reader) -> absl::Status {
    ASSIGN_OR_RETURN(v1::OrganisationRecord root,
                     ReadableOrganisation(reader, principal, request->organisation_id(),
                                          "organisation_id"));
    if (request->year() < 1) return absl::InvalidArgumentError("year: must be positive");
    if (request->quarter() < 1 || request->quarter() > 4) {
      return absl::InvalidArgumentError("quarter: must be 1 to 4");
    }
    ASSIGN_OR_RETURN(int32_t page_size, PageSize(request->page_size(), "page_size"));
    ASSIGN_OR_RETURN(size_t offset, OffsetToken(request->page_token(), "page_token"));
    // The subtree, breadth first: X, its children, their children...
    std::vector<v1::OrganisationRecord> unreviewed;
    std::deque<v1::OrganisationRecord> queue = {root};
    int32_t total = 0;
    while (!queue.empty()) {
      v1::OrganisationRecord o = std::move(queue.front());
      queue.pop_front();
      for (const std::string& id : reader.Children(o.organisation_id())) {
        if (std::optional<v1::OrganisationRecord> child = reader.GetOrganisation(id)) {
          queue.push_back(std::move(*child));
        }
      }
      if (o.dissolved()) continue;
      ++total;
      if (!reader.Reviewed(request->campaign_id(), request->year(), request->quarter(),
                           o.organisation_id())) {
        unreviewed.push_back(std::move(o));
      }
    }
    if (offset > unreviewed.size()) return absl::InvalidArgumentError("page_token: past the end");
    size_t end = std::min(unreviewed.size(), offset + page_size);
    for (size_t i = offset; i < end; ++i) *response->add_organisations() = std::move(unreviewed[i]);
    if (end < unreviewed.size()) response->set_next_page_token(absl::StrCat(end));
    response->set_total_organisations(total);
    return absl::OkStatus();
  });
}

grpc::Status ViewServiceImpl::ListParkedEvents(grpc::ServerContext* context,
                                               const v1::ListParkedEventsRequest* request,
                                               v1::ListParkedEventsResponse* response) {
  return Read(views_, tokens_, *context, std::string(), response,
              [&](const rpc::Principal& principal, const views::ViewReader& reader) -> absl::Status {
    if (!ReadsEverything(principal)) {
      return absl::PermissionDeniedError("parked events are for admins and auditors");
    }
    ASSIGN_OR_RETURN(int32_t page_size, PageSize(request->page_size(), "page_size"));
    std::string after;
    if (!request->page_token().empty() &&
        !absl::WebSafeBase64Unescape(request->page_token(), &after)) {
      return absl::InvalidArgumentError("page_token: not a token this service returned");
    }
    std::vector<v1::ParkedAggregate> parked = reader.Parked(after, page_size + 1);
    for (size_t i = 0; i < parked.size() && static_cast<int32_t>(i) < page_size; ++i) {
      v1::ParkedSummary* summary = response->add_parked();
      summary->set_aggregate_id(parked[i].aggregate_id());
      summary->set_reason(parked[i].reason());
      summary->set_partition(parked[i].partition());
      summary->set_offset(parked[i].offset());
      summary->set_event_type(parked[i].event_type());
      summary->set_waiting_events(parked[i].envelopes_size());
    }
    if (static_cast<int32_t>(parked.size()) > page_size) {
      response->set_next_page_token(
          absl::WebSafeBase64Escape(parked[page_size - 1].aggregate_id()));
    }
    return absl::OkStatus();
  });
}

}  // namespace vanguard::query
