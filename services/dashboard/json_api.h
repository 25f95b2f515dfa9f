// The dashboard's JSON API: each endpoint is one ViewService read, called
// over a gRPC channel with the browser's bearer token, so authentication and
// scope are the ViewService's own (a token outside the subtree is 403 here
// because it is PERMISSION_DENIED there).
//
//   JsonApi api(server->InProcessChannel(), tokens, "live");
//   HttpAnswer answer = api.Handle("level", {{"id", "city"}, {"period", "2010-Q3"}},
//                                  "Bearer seed-token-of-city-reviewer");
//
// Endpoints (GET /api/<name>?...; JSON as protobuf prints it, field names as
// in proto/vanguard/v1/view_service.proto, int64 as strings):
//   me            the principal of the token, and which store is served
//   organisation  id                                       GetOrganisation
//   level         id [period campaign as_of]               GetLevelView
//   children      id [period campaign as_of by ascending page_size page_token]
//                                                          ListChildren
//   series        id [campaign from to]                    GetSeries
//   unreviewed    id quarter=yyyy-Qn [campaign page_size page_token]
//                                                          ListUnreviewedOrganisations
//   overdue       id [as_of page_size page_token]          ListOverduePledges
//   pledge        id                                       GetPledge
// as_of is yyyy-mm-dd: the day "overdue" is computed for. Errors are
// {"error": {"code", "message", "field"}} with 400 (naming the field), 401,
// 403, 404, 504 or 503 for the gRPC code.
//
// Thread safety: Handle may be called from any number of threads at once.
#pragma once

#include <grpcpp/channel.h>

#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "libs/rpc/auth.h"
#include "vanguard/v1/view_service.grpc.pb.h"

namespace vanguard::dashboard {

struct HttpAnswer {
  int status = 200;
  std::string json;
};

using Params = absl::flat_hash_map<std::string, std::string>;

class JsonApi {
 public:
  // `store` names what the views are ("live", "replay"), for the page's banner.
  JsonApi(std::shared_ptr<grpc::ChannelInterface> views, const rpc::TokenStore& tokens,
          std::string store);

  // `authorization` is the request's Authorization header ("" when absent).
  HttpAnswer Handle(absl::string_view endpoint, const Params& params,
                    absl::string_view authorization) const;

 private:
  std::unique_ptr<v1::ViewService::Stub> stub_;
  const rpc::TokenStore& tokens_;
  std::string store_;
};

}  // namespace vanguard::dashboard
