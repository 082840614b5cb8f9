#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "lib/common/error.h"

namespace certkeeper::http {

// The ALPN protocol of TLS-ALPN-01 (RFC 8737 §6.2).
inline constexpr char kAcmeTlsAlpnProtocol[] = "acme-tls/1";

struct TlsAlpnServerOptions {
  std::string address = "0.0.0.0";  // IPv4 or IPv6 literal to listen on
  std::uint16_t port = 443;         // 0 picks an ephemeral port; port() reports it
  // One connection's TLS handshake and close; the CA validates and hangs up.
  std::chrono::milliseconds handshake_timeout{std::chrono::seconds(10)};
};

// The TLS-ALPN-01 responder (RFC 8737 §3): a TLS 1.2+ listener that only negotiates ALPN
// "acme-tls/1" (any other offer gets the no_application_protocol alert) and answers each
// handshake with the certificate registered for the client's SNI name (unknown names get the
// unrecognized_name alert). It never carries application data: once the handshake is done the
// connection is closed. Certificates are passed in as PEM; lib/crypto makes them
// (tls_alpn01_certificate).
//
// Ownership: owns its socket, its connections and one I/O thread. Thread-safety: every method is
// thread-safe; certificates may be added and removed while it serves. Lifecycle: construct,
// start() once, stop() once (also run by the destructor).
class TlsAlpnServer {
 public:
  explicit TlsAlpnServer(TlsAlpnServerOptions options);
  ~TlsAlpnServer();
  TlsAlpnServer(const TlsAlpnServer&) = delete;
  TlsAlpnServer& operator=(const TlsAlpnServer&) = delete;

  // Serves `cert_pem`/`key_pem` to handshakes whose SNI is `server_name` (compared
  // case-insensitively). kInvalidArgument for PEM that does not parse or does not match.
  common::Status add_certificate(const std::string& server_name, const std::string& cert_pem,
                                 const std::string& key_pem);
  void remove_certificate(const std::string& server_name);

  // Binds and starts serving. kUnavailable when binding fails (naming the address),
  // kInvalidArgument for a bad address, kFailedPrecondition when called twice.
  common::Status start();
  void stop();
  [[nodiscard]] std::uint16_t port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace certkeeper::http
