#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "lib/common/error.h"

namespace certkeeper::dns {

// The default DNS port (RFC 1035 §4.2).
inline constexpr std::uint16_t kDefaultDnsPort = 53;

// A DNS server as cert-manager writes it: "host", "host:port", "[v6]" or "[v6]:port" (the
// rfc2136 solver's `nameserver` field). A plain value; copyable, thread-compatible.
struct ServerAddress {
  std::string host;  // an IPv4/IPv6 literal (without brackets) or a host name
  std::uint16_t port = kDefaultDnsPort;

  // "host:port", with IPv6 literals in brackets.
  [[nodiscard]] std::string to_string() const;
};

// Parses a server address; `field` names the setting in error messages (e.g. "nameserver").
// An empty value, an empty host, a bad or out-of-range port, or an unbracketed IPv6 literal
// with a port are kInvalidArgument. An unbracketed IPv6 literal without a port is accepted.
common::Result<ServerAddress> parse_server_address(std::string_view text,
                                                   std::string_view field = "nameserver",
                                                   std::uint16_t default_port = kDefaultDnsPort);

}  // namespace certkeeper::dns
