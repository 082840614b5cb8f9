#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include "lib/common/error.h"

// Pieces shared by the servers of lib/http (HttpServer, TlsAlpnServer). Internal to lib/http: it
// exposes Boost.Asio types, so nothing outside this directory includes it.
namespace certkeeper::http {

// "address:port", with IPv6 literals in brackets, for log lines and errors.
std::string endpoint_string(const std::string& address, std::uint16_t port);

// A server context from PEM blobs (certificate chain, leaf first, and its key). TLS 1.2 and newer
// only. Malformed PEM or a key that does not match the certificate is kInvalidArgument.
common::Result<std::shared_ptr<boost::asio::ssl::context>> make_tls_context(
    const std::string& cert_pem, const std::string& key_pem);

// Opens, binds (SO_REUSEADDR) and listens on `address`:`port` and returns the bound port.
// kInvalidArgument for an address that is not an IP literal; kUnavailable naming the address and
// the step that failed (the acceptor is closed again).
common::Result<std::uint16_t> open_listener(boost::asio::ip::tcp::acceptor& acceptor,
                                            const std::string& address, std::uint16_t port);

// A server context with the same protocol settings and no certificate yet.
common::Result<std::shared_ptr<boost::asio::ssl::context>> make_bare_tls_context();

}  // namespace certkeeper::http
