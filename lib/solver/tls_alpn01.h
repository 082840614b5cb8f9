#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "lib/acme/issuance.h"
#include "lib/common/clock.h"
#include "lib/common/error.h"
#include "lib/crypto/keys.h"
#include "lib/http/tls_alpn_server.h"

namespace certkeeper::solver {

struct TlsAlpn01Options {
  std::string address = "0.0.0.0";
  std::uint16_t port = 443;  // 0: an ephemeral port (tests)
};

// The SNI a CA sends when validating `identifier` with TLS-ALPN-01: the DNS name itself
// (RFC 8737 §3), or for an IP address its reverse-mapping name ("1.0.0.127.in-addr.arpa",
// nibbles under "ip6.arpa" for IPv6; RFC 8738 §6), since SNI cannot carry addresses (RFC 6066).
common::Result<std::string> tls_alpn01_server_name(const acme::Identifier& identifier);

// The built-in TLS-ALPN-01 responder: for each presented identifier a self-signed certificate
// from crypto::tls_alpn01_certificate (the single SAN and the critical acmeIdentifier extension
// with SHA-256 of the key authorization), served on "acme-tls/1" handshakes whose SNI names it.
//
// Owns its TlsAlpnServer and one ECDSA P-256 key for all challenge certificates of its lifetime.
// Borrows `clock` (certificate validity). Thread-safe as TlsAlpnServer.
class TlsAlpn01Solver final : public acme::ChallengeSolver {
 public:
  static common::Result<std::unique_ptr<TlsAlpn01Solver>> start(const TlsAlpn01Options& options,
                                                                const common::Clock& clock);

  [[nodiscard]] std::string_view type() const override { return "tls-alpn-01"; }
  common::Status present(const acme::Identifier& identifier, std::string_view token,
                         std::string_view key_authorization) override;
  common::Status cleanup(const acme::Identifier& identifier, std::string_view token,
                         std::string_view key_authorization) override;
  [[nodiscard]] std::uint16_t port() const { return server_.port(); }

  TlsAlpn01Solver(const TlsAlpn01Options& options, const common::Clock& clock,
                  crypto::PrivateKey key);

 private:
  http::TlsAlpnServer server_;
  const common::Clock& clock_;
  crypto::PrivateKey key_;
};

}  // namespace certkeeper::solver
