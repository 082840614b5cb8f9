#pragma once

#include <chrono>
#include <optional>
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
  // The whole exchange (connect, send, receive) must finish within this.
  std::chrono::milliseconds timeout{std::chrono::seconds(30)};
};

struct Response {
  int status = 0;
  Headers headers;
  std::string body;
};

// An HTTP client. An HTTP error status is not an Error: callers read Response::status and decide
// (an apiserver 404 and an ACME 404 mean different things). Errors are transport failures:
// kUnavailable (could not connect, TLS failure, reset), kTimeout, kInvalidArgument (bad URL).
//
// Implementations are thread-safe: one client is shared by every reconciler of a process.
class HttpClient {
 public:
  virtual ~HttpClient() = default;
  virtual common::Result<Response> send(const Request& request) = 0;
};

}  // namespace certkeeper::http
