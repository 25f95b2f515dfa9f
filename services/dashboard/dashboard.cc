#include "services/dashboard/dashboard.h"

#include <civetweb.h>

#include <cstring>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "libs/rpc/server.h"

namespace vanguard::dashboard {

const char kDefaultStaticDir[] = VANGUARD_DASHBOARD_STATIC_DIR;

namespace {

// A query string has a handful of parameters; more is not a dashboard's request.
constexpr unsigned kMaxParams = 16;

Params ParseQuery(const char* query) {
  Params params;
  if (query == nullptr) return params;
  std::string text(query);  // decoded in place
  mg_header fields[kMaxParams];
  int count = mg_split_form_urlencoded(text.data(), fields, kMaxParams);
  for (int i = 0; i < count; ++i) {
    if (fields[i].name && fields[i].value) params[fields[i].name] = fields[i].value;
  }
  return params;
}

}  // namespace

Dashboard::Dashboard(std::shared_ptr<grpc::ChannelInterface> views, const rpc::TokenStore& tokens,
                     std::string store)
    : api_(std::move(views), tokens, std::move(store)) {}

absl::StatusOr<std::unique_ptr<Dashboard>> Dashboard::Start(
    const DashboardOptions& options, std::shared_ptr<grpc::ChannelInterface> views,
    const rpc::TokenStore& tokens) {
  if (!rpc::IsLoopbackAddress(options.listen_address)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "--http_listen: ", options.listen_address,
        " is not loopback; the dashboard speaks plain HTTP with bearer tokens, so put a TLS "
        "proxy or a tunnel in front of a loopback address"));
  }
  std::error_code error;
  if (!std::filesystem::exists(options.static_dir + "/index.html", error)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--http_dir: ", options.static_dir, " has no index.html (the build puts the page in "
        "build/services/dashboard/www)"));
  }
  std::unique_ptr<Dashboard> dashboard(new Dashboard(std::move(views), tokens, options.store));
  // "localhost:PORT" is not a form civetweb binds; loopback by number is.
  std::string listen = options.listen_address;
  if (absl::StartsWith(listen, "localhost:")) listen = "127.0.0.1" + listen.substr(9);
  const char* civet_options[] = {"listening_ports", listen.c_str(),
                                 "document_root", options.static_dir.c_str(),
                                 "enable_directory_listing", "no",
                                 "num_threads", "8",
                                 // Revalidated by ETag every time: a new build is seen at once.
                                 "static_file_max_age", "0",
                                 "additional_header", "X-Content-Type-Options: nosniff",
                                 nullptr};
  mg_init_library(0);
  mg_callbacks callbacks{};
  dashboard->context_ = mg_start(&callbacks, nullptr, civet_options);
  if (dashboard->context_ == nullptr) {
    mg_exit_library();
    return absl::UnavailableError(absl::StrCat("--http_listen: cannot listen on ", listen));
  }
  mg_set_request_handler(dashboard->context_, "/api/", &Dashboard::HandleApi, dashboard.get());
  mg_server_port ports[1];
  if (mg_get_server_ports(dashboard->context_, 1, ports) == 1) dashboard->port_ = ports[0].port;
  return dashboard;
}

Dashboard::~Dashboard() {
  if (context_ != nullptr) {
    mg_stop(context_);
    mg_exit_library();
  }
}

int Dashboard::HandleApi(mg_connection* connection, void* self) {
  const mg_request_info* request = mg_get_request_info(connection);
  HttpAnswer answer;
  absl::string_view endpoint = request->local_uri ? request->local_uri : "";
  absl::ConsumePrefix(&endpoint, "/api/");
  if (std::strcmp(request->request_method, "GET") != 0) {
    answer = {405, R"({"error":{"code":"METHOD_NOT_ALLOWED","message":"the API only reads: use GET","field":""}})"};
  } else {
    const char* authorization = mg_get_header(connection, "Authorization");
    answer = static_cast<Dashboard*>(self)->api_.Handle(endpoint, ParseQuery(request->query_string),
                                                        authorization ? authorization : "");
  }
  mg_printf(connection,
            "HTTP/1.1 %d %s\r\nContent-Type: application/json; charset=utf-8\r\n"
            "Content-Length: %zu\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
            answer.status, mg_get_response_code_text(connection, answer.status),
            answer.json.size());
  mg_write(connection, answer.json.data(), answer.json.size());
  return answer.status;
}

}  // namespace vanguard::dashboard
