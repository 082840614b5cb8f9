#include "lib/solver/tls_alpn01.h"

#include <array>
#include <cstddef>
#include <utility>

#include <arpa/inet.h>
#include <fmt/format.h>

#include "lib/crypto/signer.h"

namespace certkeeper::solver {

using common::ErrorCode;
using common::make_error;

common::Result<std::string> tls_alpn01_server_name(const acme::Identifier& identifier) {
  if (identifier.type == "dns") {
    return identifier.value;
  }
  if (identifier.type != "ip") {
    return make_error(ErrorCode::kInvalidArgument,
                      "tls-alpn-01: unsupported identifier type " + identifier.type);
  }
  std::array<unsigned char, 16> bytes{};
  if (inet_pton(AF_INET, identifier.value.c_str(), bytes.data()) == 1) {
    return fmt::format("{}.{}.{}.{}.in-addr.arpa", bytes[3], bytes[2], bytes[1], bytes[0]);
  }
  if (inet_pton(AF_INET6, identifier.value.c_str(), bytes.data()) == 1) {
    std::string name;
    static constexpr char kHex[] = "0123456789abcdef";
    // Nibbles from the last octet to the first, low nibble first (RFC 3596 §2.5).
    for (std::size_t i = bytes.size(); i-- > 0;) {
      const unsigned char byte = bytes[i];
      name += kHex[byte & 0x0f];
      name += '.';
      name += kHex[byte >> 4];
      name += '.';
    }
    return name + "ip6.arpa";
  }
  return make_error(ErrorCode::kInvalidArgument,
                    "tls-alpn-01: not an IP address: " + identifier.value);
}

TlsAlpn01Solver::TlsAlpn01Solver(const TlsAlpn01Options& options, const common::Clock& clock,
                                 crypto::PrivateKey key)
    : server_({.address = options.address, .port = options.port}),
      clock_(clock),
      key_(std::move(key)) {}

common::Result<std::unique_ptr<TlsAlpn01Solver>> TlsAlpn01Solver::start(
    const TlsAlpn01Options& options, const common::Clock& clock) {
  auto key = crypto::PrivateKey::generate(crypto::KeyAlgorithm::kEcdsa, 256);
  if (!key) {
    return make_error(key.error().wrap("tls-alpn-01 key"));
  }
  auto solver = std::make_unique<TlsAlpn01Solver>(options, clock, std::move(*key));
  if (auto status = solver->server_.start(); !status) {
    return make_error(status.error().wrap("tls-alpn-01 listener"));
  }
  return solver;
}

common::Status TlsAlpn01Solver::present(const acme::Identifier& identifier,
                                        std::string_view /*token*/,
                                        std::string_view key_authorization) {
  auto name = tls_alpn01_server_name(identifier);
  if (!name) {
    return make_error(name.error());
  }
  auto certificate =
      crypto::tls_alpn01_certificate(identifier.value, key_authorization, key_, clock_.now());
  if (!certificate) {
    return make_error(certificate.error());
  }
  auto key_pem = key_.to_pem(crypto::KeyEncoding::kPkcs8);
  if (!key_pem) {
    return make_error(key_pem.error());
  }
  return server_.add_certificate(*name, certificate->pem(), *key_pem);
}

common::Status TlsAlpn01Solver::cleanup(const acme::Identifier& identifier,
                                        std::string_view /*token*/,
                                        std::string_view /*key_authorization*/) {
  auto name = tls_alpn01_server_name(identifier);
  if (!name) {
    return make_error(name.error());
  }
  server_.remove_certificate(*name);
  return common::ok();
}

}  // namespace certkeeper::solver
