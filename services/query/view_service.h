// The ViewService (vanguard.v1.ViewService): reads of the per-level views,
// over gRPC, each from one snapshot of the views.
//
//   ASSIGN_OR_RETURN(auto views, views::ViewStore::Open({...}));
//   query::ViewServiceImpl service(*views, tokens);
//   ASSIGN_OR_RETURN(auto server, rpc::Server::Start(options, {&service}));
//
// Thread safety: the service's methods run concurrently on gRPC's threads;
// the store and the tokens must outlive the service.
#pragma once

#include "absl/time/time.h"
#include "libs/privacy/key_store.h"
#include "libs/rpc/auth.h"
#include "libs/views/view_store.h"
#include "vanguard/v1/view_service.grpc.pb.h"

namespace vanguard::query {

class ViewServiceImpl final : public v1::ViewService::Service {
 public:
  // The longest a call with a consistency token waits when the client set no deadline.
  static constexpr absl::Duration kDefaultWait = absl::Seconds(30);

  ViewServiceImpl(const views::ViewStore& views, const rpc::TokenStore& tokens);

  // The key store GetMember opens members' personal information with, for
  // callers whose organisation is the member's or lies above it (see
  // privacy::Reveal); without one it shows as unreadable to them. Set before
  // serving; it must outlive the service.
  void set_key_store(const privacy::KeyStore* keys) { keys_ = keys; }

  grpc::Status GetLevelView(grpc::ServerContext* context, const v1::GetLevelViewRequest* request,
                            v1::GetLevelViewResponse* response) override;
  grpc::Status ListChildren(grpc::ServerContext* context, const v1::ListChildrenRequest* request,
                            v1::ListChildrenResponse* response) override;
  grpc::Status GetSeries(grpc::ServerContext* context, const v1::GetSeriesRequest* request,
                         v1::GetSeriesResponse* response) override;
  grpc::Status GetPledge(grpc::ServerContext* context, const v1::GetPledgeRequest* request,
                         v1::GetPledgeResponse* response) override;
  grpc::Status GetOrganisation(grpc::ServerContext* context,
                               const v1::GetOrganisationRequest* request,
                               v1::GetOrganisationResponse* response) override;
  grpc::Status GetMember(grpc::ServerContext* context, const v1::GetMemberRequest* request,
                         v1::GetMemberResponse* response) override;
  grpc::Status ListOverduePledges(grpc::ServerContext* context,
                                  const v1::ListOverduePledgesRequest* request,
                                  v1::ListOverduePledgesResponse* response) override;
  grpc::Status ListUnreviewedOrganisations(
      grpc::ServerContext* context, const v1::ListUnreviewedOrganisationsRequest* request,
      v1::ListUnreviewedOrganisationsResponse* response) override;
  grpc::Status ListParkedEvents(grpc::ServerContext* context,
                                const v1::ListParkedEventsRequest* request,
                                v1::ListParkedEventsResponse* response) override;

 private:
  const views::ViewStore& views_;
  const rpc::TokenStore& tokens_;
  const privacy::KeyStore* keys_ = nullptr;
  absl::TimeZone zone_;
};

}  // namespace vanguard::query
