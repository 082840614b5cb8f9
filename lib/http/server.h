#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "lib/common/error.h"
#include "lib/http/client.h"

namespace certkeeper::http {

// One request as the server received it, handed to a route's handler.
struct ServerRequest {
  std::string method;  // as sent, e.g. "GET"
  std::string path;    // the target up to '?', not percent-decoded
  std::string query;   // the target after '?', without it; empty if none
  Headers headers;
  std::string body;
  std::string peer_address;  // the client's IP address, e.g. "127.0.0.1" or "::1"
  std::uint16_t peer_port = 0;
};

// A handler answers with the existing Response type: status, headers and body are sent; the
// server adds Content-Length and the connection handling. A handler that throws, or returns a
// status outside 100-599, produces a 500 (logged).
using RouteHandler = std::function<Response(const ServerRequest&)>;

enum class PathMatch {
  kExact,   // the path equals the route's path
  kPrefix,  // the path starts with the route's path (the longest matching prefix wins)
};

// A response with a text/plain (UTF-8) body, as health endpoints and plain errors answer.
Response text_response(int status, std::string body);

// PEM blobs of the serving certificate (leaf first, then intermediates) and its private key.
struct ServerTls {
  std::string cert_pem;
  std::string key_pem;
};

struct ServerOptions {
  std::string address = "0.0.0.0";  // IPv4 or IPv6 literal to listen on
  std::uint16_t port = 0;           // 0 picks an ephemeral port; HttpServer::port() reports it
  std::optional<ServerTls> tls;     // HTTPS when set; replaceable later with set_tls()
  std::size_t body_limit = std::size_t{1} << 20;  // larger request bodies get 413
  // Reading one request (or the TLS handshake, or waiting on an idle keep-alive connection).
  std::chrono::milliseconds read_timeout{std::chrono::seconds(30)};
  // Writing one response.
  std::chrono::milliseconds write_timeout{std::chrono::seconds(30)};
  int threads = 1;  // I/O threads; handlers run on them, so a slow handler occupies one
};

// A small HTTP/1.1 server (Boost.Beast) for the admission webhook, the HTTP-01 solver and the
// health and metrics endpoints. Keep-alive, optional TLS (1.2+) with certificate hot reload,
// per-request read/write deadlines and a request body limit. Unknown routes answer 404.
//
// Ownership: owns its listening socket, its connections and its I/O threads.
// Thread-safety: every method is thread-safe. Handlers run concurrently on the I/O threads (when
// threads > 1) and must be thread-safe themselves; they must not call stop().
// Lifecycle: construct, add routes (before or after start), start() once, stop() once (also run
// by the destructor). A stopped server cannot be started again.
class HttpServer {
 public:
  explicit HttpServer(ServerOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Routes `method` requests for `path`. A later route for the same method, path and match
  // replaces the earlier one.
  void route(std::string method, std::string path, RouteHandler handler,
             PathMatch match = PathMatch::kExact);

  // Binds, listens and starts the I/O threads. Errors: kInvalidArgument for a bad address or
  // TLS material, kUnavailable when binding fails (the message names the address),
  // kFailedPrecondition when called twice.
  common::Status start();

  // Stops accepting, closes idle connections, lets requests whose handler already runs finish
  // and be answered, then joins the I/O threads. Idempotent.
  void stop();

  // The bound port after a successful start(); 0 before.
  [[nodiscard]] std::uint16_t port() const;

  // Replaces the serving certificate and key; handshakes that start afterwards use them, open
  // connections keep theirs (webhook certificate rotation). Before start() it turns TLS on.
  // kInvalidArgument when the PEM does not parse or the key does not belong to the certificate
  // (the old pair stays in use); kFailedPrecondition on a server already started without TLS.
  common::Status set_tls(const std::string& cert_pem, const std::string& key_pem);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace certkeeper::http
