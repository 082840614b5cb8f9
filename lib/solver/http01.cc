#include "lib/solver/http01.h"

#include <chrono>
#include <utility>

#include "lib/common/log.h"

namespace certkeeper::solver {

Http01Solver::Http01Solver(const Http01Options& options)
    : server_({.address = options.address,
               .port = options.port,
               .read_timeout = std::chrono::seconds(10),
               .write_timeout = std::chrono::seconds(10)}) {}

common::Result<std::unique_ptr<Http01Solver>> Http01Solver::start(const Http01Options& options) {
  auto solver = std::make_unique<Http01Solver>(options);
  solver->server_.route(
      "GET", std::string(kHttp01Prefix),
      [raw = solver.get()](const http::ServerRequest& request) { return raw->answer(request); },
      http::PathMatch::kPrefix);
  if (auto status = solver->server_.start(); !status) {
    return common::make_error(status.error().wrap("http-01 listener"));
  }
  return solver;
}

http::Response Http01Solver::answer(const http::ServerRequest& request) {
  http::Response response;
  response.headers.add("Content-Type", "text/plain");
  const std::string_view token = std::string_view(request.path).substr(kHttp01Prefix.size());
  {
    const std::lock_guard lock(mu_);
    if (const auto it = tokens_.find(token); it != tokens_.end()) {
      response.status = 200;
      response.body = it->second;
    }
  }
  if (response.status != 200) {
    response.status = 404;
    response.body = "404 page not found\n";
  }
  common::logger("http-01")->info("GET {} from {}: {}", request.path, request.peer_address,
                                  response.status);
  return response;
}

common::Status Http01Solver::present(const acme::Identifier& /*identifier*/, std::string_view token,
                                     std::string_view key_authorization) {
  const std::lock_guard lock(mu_);
  tokens_[std::string(token)] = std::string(key_authorization);
  return common::ok();
}

common::Status Http01Solver::cleanup(const acme::Identifier& /*identifier*/, std::string_view token,
                                     std::string_view /*key_authorization*/) {
  const std::lock_guard lock(mu_);
  if (const auto it = tokens_.find(token); it != tokens_.end()) {
    tokens_.erase(it);
  }
  return common::ok();
}

}  // namespace certkeeper::solver
