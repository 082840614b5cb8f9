#include "lib/http/server_util.h"

#include <boost/asio/buffer.hpp>
#include <boost/asio/ssl.hpp>
#include <fmt/format.h>
#include <openssl/ssl.h>

namespace certkeeper::http {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using common::ErrorCode;
using common::make_error;

std::string endpoint_string(const std::string& address, std::uint16_t port) {
  if (address.find(':') != std::string::npos) {
    return fmt::format("[{}]:{}", address, port);
  }
  return fmt::format("{}:{}", address, port);
}

common::Result<std::shared_ptr<ssl::context>> make_bare_tls_context() {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  boost::system::error_code ec;
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                       ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                       ssl::context::single_dh_use,
                   ec);
  if (ec) {
    return make_error(ErrorCode::kInternal, "tls: setting options: " + ec.message());
  }
  return ctx;
}

// TLS 1.2 and newer only (the webhook's callers, the kube-apiserver, speak both; RFC 8737 §4
// requires at least 1.2 for TLS-ALPN-01).
common::Result<std::shared_ptr<ssl::context>> make_tls_context(const std::string& cert_pem,
                                                               const std::string& key_pem) {
  auto ctx = make_bare_tls_context();
  if (!ctx) {
    return ctx;
  }
  boost::system::error_code ec;
  (*ctx)->use_certificate_chain(net::buffer(cert_pem), ec);
  if (ec) {
    return make_error(ErrorCode::kInvalidArgument, "tls: certificate PEM: " + ec.message());
  }
  (*ctx)->use_private_key(net::buffer(key_pem), ssl::context::pem, ec);
  if (ec) {
    return make_error(ErrorCode::kInvalidArgument, "tls: private key PEM: " + ec.message());
  }
  // use_private_key only compares keys of the same type; this catches every mismatch.
  if (SSL_CTX_check_private_key((*ctx)->native_handle()) != 1) {
    return make_error(ErrorCode::kInvalidArgument,
                      "tls: the private key does not match the certificate");
  }
  return ctx;
}

}  // namespace certkeeper::http
