// `certkeeper acmesolver`: the HTTP-01 solver pod, with cert-manager's flags. It answers
// GET /.well-known/acme-challenge/<token> with the key authorization (RFC 8555 §8.3) and 404 for
// anything else, until SIGTERM or SIGINT.
#include <signal.h>

#include <cstdint>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>

#include "cmd/certkeeper/subcommands.h"
#include "lib/common/log.h"
#include "lib/http/server.h"

namespace certkeeper::cmd {
namespace {

constexpr std::string_view kChallengePrefix = "/.well-known/acme-challenge/";

// "example.com:8089" → "example.com"; "[::1]:80" → "[::1]"; case-folded (RFC 9110 §4.2.3).
std::string host_without_port(std::string_view host) {
  const auto colon = host.rfind(':');
  if (colon != std::string_view::npos && host.find(']', colon) == std::string_view::npos) {
    host = host.substr(0, colon);
  }
  std::string out(host);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return out;
}

struct SolverFlags {
  int listen_port = 8089;
  std::string domain;
  std::string token;
  std::string key;
};

int run_solver(const SolverFlags& flags) {
  auto log = common::logger("acmesolver");
  // Blocked before the server's threads start so that they inherit the mask and the signals
  // are delivered only to sigwait below.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  if (const int rc = pthread_sigmask(SIG_BLOCK, &signals, nullptr); rc != 0) {
    std::cerr << "certkeeper acmesolver: blocking signals failed\n";
    return 1;
  }

  http::HttpServer server({.address = "0.0.0.0",
                           .port = static_cast<std::uint16_t>(flags.listen_port),
                           .read_timeout = std::chrono::seconds(10),
                           .write_timeout = std::chrono::seconds(10)});
  const std::string challenge_path = std::string(kChallengePrefix) + flags.token;
  // Every GET is routed here so that each one is logged. As cert-manager's solver does, the
  // answer also requires the Host to be the domain under validation (port ignored).
  server.route(
      "GET", "/",
      [&flags, &log, challenge_path](const http::ServerRequest& request) {
        http::Response response;
        response.headers.add("Content-Type", "text/plain");
        const std::string host_header = request.headers.get("host").value_or("");
        const std::string host = host_without_port(host_header);
        if (request.path == challenge_path && (flags.domain.empty() || host == flags.domain)) {
          response.status = 200;
          response.body = flags.key;
        } else {
          response.status = 404;
          response.body = "404 page not found\n";
        }
        log->info("{} {} host={} from={} status={}", request.method, request.path, host_header,
                  request.peer_address, response.status);
        return response;
      },
      http::PathMatch::kPrefix);

  if (auto status = server.start(); !status) {
    std::cerr << "certkeeper acmesolver: " << status.error().message() << '\n';
    return 1;
  }
  log->info("serving the HTTP-01 challenge for domain {} on port {}", flags.domain, server.port());

  int received = 0;
  if (const int rc = sigwait(&signals, &received); rc != 0) {
    std::cerr << "certkeeper acmesolver: sigwait failed\n";
    server.stop();
    return 1;
  }
  log->info("received {}, shutting down", received == SIGTERM ? "SIGTERM" : "SIGINT");
  server.stop();
  return 0;
}

}  // namespace

Runner register_acmesolver(CLI::App& app) {
  auto* sub = app.add_subcommand("acmesolver", "Serve one ACME HTTP-01 challenge response");
  auto flags = std::make_shared<SolverFlags>();
  sub->add_option("--listen-port", flags->listen_port, "Port to listen on")
      ->check(CLI::Range(1, 65535))
      ->capture_default_str();
  sub->add_option("--domain", flags->domain,
                  "The domain being validated; requests for other hosts get 404");
  sub->add_option("--token", flags->token, "The challenge token")->required();
  sub->add_option("--key", flags->key, "The key authorization to answer with")->required();
  return [flags] { return run_solver(*flags); };
}

}  // namespace certkeeper::cmd
