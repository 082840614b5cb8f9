#include "tests/standins/ingress_router.h"

#include <array>
#include <string_view>
#include <vector>

#include "lib/common/log.h"
#include "lib/http/curl_client.h"
#include "tests/standins/routing.h"

namespace certkeeper::standins {
namespace {

std::vector<nlohmann::json> snapshot(const kube::Informer& informer) {
  std::vector<nlohmann::json> out;
  for (const auto& object : informer.list()) {
    out.push_back(*object);
  }
  return out;
}

// Hop-by-hop fields (RFC 9110 §7.6.1) and the framing the server and client set themselves.
bool forwarded(std::string_view name) {
  static constexpr std::array<std::string_view, 8> kSkip = {
      "connection", "keep-alive",       "transfer-encoding", "content-length",
      "host",       "proxy-connection", "upgrade",           "te"};
  std::string lower(name);
  for (char& c : lower) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return std::find(kSkip.begin(), kSkip.end(), lower) == kSkip.end();
}

http::Response plain(int status, std::string body) {
  http::Response response{.status = status, .body = std::move(body)};
  response.headers.add("Content-Type", "text/plain; charset=utf-8");
  return response;
}

}  // namespace

IngressRouter::IngressRouter(kube::Client& client, IngressRouterOptions options,
                             const common::Clock& clock)
    : options_(std::move(options)),
      ingresses_(client,
                 {.resource = {.group = "networking.k8s.io",
                               .version = "v1",
                               .resource = "ingresses",
                               .ns = options_.ns}},
                 clock),
      services_(
          client,
          {.resource = {.group = "", .version = "v1", .resource = "services", .ns = options_.ns}},
          clock),
      pods_(client,
            {.resource = {.group = "", .version = "v1", .resource = "pods", .ns = options_.ns}},
            clock),
      // The upstream is plain HTTP/1.1 to a Pod address; a Pod that does not accept must fail
      // the request quickly (502) rather than hold a validation.
      upstream_(std::make_unique<http::CurlHttpClient>(
          http::ClientOptions{.connect_timeout = std::chrono::seconds(2), .http2 = false})) {}

IngressRouter::~IngressRouter() { stop(); }

common::Status IngressRouter::start(std::chrono::milliseconds sync_timeout) {
  ingresses_.start();
  services_.start();
  pods_.start();
  for (const auto* informer : {&ingresses_, &services_, &pods_}) {
    if (!informer->wait_for_sync(sync_timeout)) {
      return common::make_error(
          common::ErrorCode::kUnavailable,
          "the Ingress, Service and Pod caches of namespace " + options_.ns + " did not sync");
    }
  }
  server_ = std::make_unique<http::HttpServer>(http::ServerOptions{
      .address = options_.listen_address,
      .port = options_.port,
      .read_timeout = std::chrono::seconds(10),
      .write_timeout = std::chrono::seconds(10),
      .threads = 4,
  });
  for (const char* method : {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}) {
    server_->route(
        method, "/", [this](const http::ServerRequest& r) { return handle(r); },
        http::PathMatch::kPrefix);
  }
  return server_->start();
}

void IngressRouter::stop() {
  if (server_) {
    server_->stop();
  }
  ingresses_.stop();
  services_.stop();
  pods_.stop();
}

http::Response IngressRouter::handle(const http::ServerRequest& request) {
  auto log = common::logger("ingress-router");
  const std::string host_header = request.headers.get("host").value_or("");
  const std::string host = normalize_host(host_header);
  const auto started = std::chrono::steady_clock::now();
  const auto done = [&](const http::Response& response, std::string_view route) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - started)
                        .count();
    log->info("{} {} host={} from={} -> {} status={} {}ms", request.method, request.path,
              host_header, request.peer_address, route, response.status, ms);
    return response;
  };

  const auto match = match_route(snapshot(ingresses_), options_.ingress_class, host, request.path);
  if (!match) {
    return done(plain(404, "no Ingress rule matches\n"), "no-rule");
  }
  const std::string route = "ingress/" + match->ingress + " " + match->path_type + " " +
                            match->path + " service/" + match->service;
  const auto service = services_.get(options_.ns + "/" + match->service);
  if (!service) {
    return done(plain(503, "service " + match->service + " not found\n"), route);
  }
  auto endpoints = ready_endpoints(*match, *service, snapshot(pods_));
  if (!endpoints) {
    return done(plain(503, endpoints.error().message() + "\n"), route);
  }
  if (endpoints->empty()) {
    return done(plain(503, "no ready endpoint for service " + match->service + "\n"), route);
  }
  const auto& endpoint = (*endpoints)[next_++ % endpoints->size()];
  http::Request upstream{.method = request.method,
                         .url = "http://" + endpoint.ip + ":" + std::to_string(endpoint.port) +
                                request.path + (request.query.empty() ? "" : "?" + request.query),
                         .body = request.body,
                         .timeout = std::chrono::seconds(10)};
  upstream.headers.add("Host", host_header);
  for (const auto& [name, value] : request.headers.fields()) {
    if (forwarded(name)) {
      upstream.headers.add(name, value);
    }
  }
  upstream.headers.add("X-Forwarded-For", request.peer_address);
  const std::string target =
      route + " pod/" + endpoint.pod + " " + endpoint.ip + ":" + std::to_string(endpoint.port);
  auto answer = upstream_->send(upstream);
  if (!answer) {
    return done(plain(502, "upstream " + endpoint.ip + ": " + answer.error().message() + "\n"),
                target);
  }
  http::Response response{.status = answer->status, .body = std::move(answer->body)};
  for (const auto& [name, value] : answer->headers.fields()) {
    if (forwarded(name)) {
      response.headers.add(name, value);
    }
  }
  return done(response, target);
}

}  // namespace certkeeper::standins
