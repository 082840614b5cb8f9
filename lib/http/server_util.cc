#include "lib/http/server_util.h"

#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/address.hpp>
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

common::Result<std::uint16_t> open_listener(net::ip::tcp::acceptor& acceptor,
                                            const std::string& address, std::uint16_t port) {
  const std::string where = endpoint_string(address, port);
  boost::system::error_code ec;
  const auto ip = net::ip::make_address(address, ec);
  if (ec) {
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("listen address '{}': {}", address, ec.message()));
  }
  const net::ip::tcp::endpoint endpoint(ip, port);
  auto fail = [&](std::string_view step) {
    boost::system::error_code ignored;
    acceptor.close(ignored);
    return make_error(ErrorCode::kUnavailable,
                      fmt::format("listen on {}: {}: {}", where, step, ec.message()));
  };
  if (acceptor.open(endpoint.protocol(), ec); ec) {
    return fail("open");
  }
  if (acceptor.set_option(net::socket_base::reuse_address(true), ec); ec) {
    return fail("set SO_REUSEADDR");
  }
  if (acceptor.bind(endpoint, ec); ec) {
    return fail("bind");
  }
  if (acceptor.listen(net::socket_base::max_listen_connections, ec); ec) {
    return fail("listen");
  }
  const auto local = acceptor.local_endpoint(ec);
  if (ec) {
    return fail("local address");
  }
  return local.port();
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
