#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lib/common/error.h"

namespace certkeeper::http {

// Header fields in the order received. Lookups ignore case (RFC 9110 §5.1).
class Headers {
 public:
  void add(std::string name, std::string value);
  // The first value of `name`, if present.
  [[nodiscard]] std::optional<std::string> get(std::string_view name) const;
  // Every value of `name` in order (e.g. several Link headers).
  [[nodiscard]] std::vector<std::string> get_all(std::string_view name) const;
  [[nodiscard]] const std::vector<std::pair<std::string, std::string>>& fields() const {
    return fields_;
  }

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

struct Request {
  std::string method = "GET";
  std::string url;
  Headers headers;
  std::string body;
  // The whole exchange (connect, send, receive) must finish within this. Watches set it to the
  // server-side timeoutSeconds plus a margin.
  std::chrono::milliseconds timeout{std::chrono::seconds(30)};
  // Requesting a stop aborts the exchange within about a second with ErrorCode::kCancelled
  // (clean shutdown of a controller blocked in a watch).
  std::stop_token stop;
};

struct Response {
  int status = 0;
  Headers headers;
  std::string body;
  int http_version = 0;            // 10, 11, 20 or 30: what the exchange actually used
  bool reused_connection = false;  // true when no new connection was opened for it
};

// Receives response body bytes as they arrive (any split: not aligned to lines or events).
// Returning false ends the exchange early; that is not an error.
using BodyChunkHandler = std::function<bool(std::string_view chunk)>;

// An HTTP client. An HTTP error status is not an Error: callers read Response::status and decide
// (an apiserver 404 and an ACME 404 mean different things). Errors are transport failures:
// kUnavailable (could not connect, TLS failure, reset), kTimeout, kInvalidArgument (bad URL).
//
// Implementations are thread-safe: one client is shared by every reconciler of a process.
class HttpClient {
 public:
  virtual ~HttpClient() = default;
  virtual common::Result<Response> send(const Request& request) = 0;
  // Like send(), but hands the body to `on_chunk` as it streams in instead of collecting it:
  // the returned Response has the status and headers and an empty body. For Kubernetes watches
  // and large downloads.
  virtual common::Result<Response> send_streaming(const Request& request,
                                                  const BodyChunkHandler& on_chunk) = 0;
};

}  // namespace certkeeper::http
