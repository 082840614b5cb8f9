#include "lib/dns/server_address.h"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

namespace certkeeper::dns {
namespace {

common::Result<std::uint16_t> parse_port(std::string_view text, std::string_view field) {
  unsigned value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end || value == 0 || value > 65535) {
    return common::make_error(common::ErrorCode::kInvalidArgument,
                              fmt::format("{}: invalid port '{}'", field, text));
  }
  return static_cast<std::uint16_t>(value);
}

}  // namespace

std::string ServerAddress::to_string() const {
  if (host.find(':') != std::string::npos) {
    return fmt::format("[{}]:{}", host, port);
  }
  return fmt::format("{}:{}", host, port);
}

common::Result<ServerAddress> parse_server_address(std::string_view text, std::string_view field,
                                                   std::uint16_t default_port) {
  if (text.empty()) {
    return common::make_error(common::ErrorCode::kInvalidArgument,
                              fmt::format("{}: must not be empty", field));
  }
  ServerAddress address{.host = "", .port = default_port};
  if (text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos || close == 1) {
      return common::make_error(common::ErrorCode::kInvalidArgument,
                                fmt::format("{}: malformed bracketed address '{}'", field, text));
    }
    address.host = std::string(text.substr(1, close - 1));
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') {
        return common::make_error(
            common::ErrorCode::kInvalidArgument,
            fmt::format("{}: unexpected text after ']' in '{}'", field, text));
      }
      auto port = parse_port(rest.substr(1), field);
      if (!port) {
        return common::make_error(port.error());
      }
      address.port = *port;
    }
    return address;
  }
  const auto colons = std::count(text.begin(), text.end(), ':');
  if (colons > 1) {  // a bare IPv6 literal: no port possible without brackets
    address.host = std::string(text);
    return address;
  }
  const auto colon = text.find(':');
  address.host = std::string(text.substr(0, colon));
  if (address.host.empty()) {
    return common::make_error(common::ErrorCode::kInvalidArgument,
                              fmt::format("{}: missing host in '{}'", field, text));
  }
  if (colon != std::string_view::npos) {
    auto port = parse_port(text.substr(colon + 1), field);
    if (!port) {
      return common::make_error(port.error());
    }
    address.port = *port;
  }
  return address;
}

}  // namespace certkeeper::dns
