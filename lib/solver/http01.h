#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "lib/acme/issuance.h"
#include "lib/common/error.h"
#include "lib/http/server.h"

namespace certkeeper::solver {

inline constexpr std::string_view kHttp01Prefix = "/.well-known/acme-challenge/";

struct Http01Options {
  std::string address = "0.0.0.0";
  std::uint16_t port = 80;  // 0: an ephemeral port (tests)
};

// The built-in HTTP-01 responder (RFC 8555 §8.3): answers GET
// /.well-known/acme-challenge/<token> with the key authorization of every presented token
// (text/plain, no trailing newline) and 404 for anything else. Any Host is accepted, since the
// same listener serves every identifier of an order, IP addresses included (RFC 8738 §4).
//
// Owns its HttpServer (listening from start() until destruction) and the token table.
// Thread-safe: the server's thread reads the table while the workflow changes it.
class Http01Solver final : public acme::ChallengeSolver {
 public:
  // Binds the listener. kUnavailable when the port is taken, naming the address.
  static common::Result<std::unique_ptr<Http01Solver>> start(const Http01Options& options);

  [[nodiscard]] std::string_view type() const override { return "http-01"; }
  common::Status present(const acme::Identifier& identifier, std::string_view token,
                         std::string_view key_authorization) override;
  common::Status cleanup(const acme::Identifier& identifier, std::string_view token,
                         std::string_view key_authorization) override;
  [[nodiscard]] std::uint16_t port() const { return server_.port(); }

  explicit Http01Solver(const Http01Options& options);

 private:
  http::Response answer(const http::ServerRequest& request);

  http::HttpServer server_;
  std::mutex mu_;
  std::map<std::string, std::string, std::less<>> tokens_;  // token → key authorization
};

}  // namespace certkeeper::solver
