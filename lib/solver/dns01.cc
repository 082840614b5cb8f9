#include "lib/solver/dns01.h"

#include <algorithm>
#include <thread>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "lib/acme/protocol.h"
#include "lib/common/log.h"
#include "lib/dns/propagation.h"
#include "lib/dns/resolver.h"
#include "lib/dns/server_address.h"

namespace certkeeper::solver {

using common::ErrorCode;
using common::make_error;

std::string dns01_record_name(const acme::Identifier& identifier) {
  return "_acme-challenge." + identifier.value;
}

Dns01Solver::Dns01Solver(dns::Dns01Provider& provider, Dns01Options options,
                         const common::Clock& clock)
    : provider_(provider), options_(std::move(options)), clock_(clock) {}

common::Status Dns01Solver::present(const acme::Identifier& identifier, std::string_view /*token*/,
                                    std::string_view key_authorization) {
  if (identifier.type != "dns") {
    return make_error(ErrorCode::kInvalidArgument,
                      "dns-01 cannot validate " + identifier.type + " identifier " +
                          identifier.value + " (RFC 8738 §7): use --http-01 or --tls-alpn-01");
  }
  auto value = acme::dns01_txt_value(key_authorization);
  if (!value) {
    return make_error(value.error());
  }
  Record record{dns01_record_name(identifier), std::move(*value)};
  if (auto status = provider_.present(record.fqdn, record.value); !status) {
    return make_error(status.error().wrap("TXT " + record.fqdn));
  }
  records_.push_back(std::move(record));
  return common::ok();
}

common::Result<std::vector<std::string>> Dns01Solver::servers_for(const std::string& fqdn) const {
  if (!options_.resolver.empty()) {
    return std::vector<std::string>{options_.resolver};
  }
  auto server = dns::parse_server_address(options_.discovery_server, "--dns-server");
  if (!server) {
    return make_error(server.error());
  }
  auto zone = dns::find_zone(fqdn, options_.discovery_server);
  if (!zone) {
    return make_error(zone.error().wrap("zone of " + fqdn));
  }
  auto servers = dns::authoritative_nameservers(*zone, options_.discovery_server, server->port);
  if (!servers) {
    return make_error(servers.error().wrap("nameservers of " + *zone));
  }
  return servers;
}

common::Status Dns01Solver::wait_ready(std::chrono::steady_clock::time_point deadline) {
  auto log = common::logger("dns-01");
  // A resolver is asked recursively; authoritative servers about their own data only.
  const dns::QueryOptions query{.recursion_desired = !options_.resolver.empty()};
  for (const auto& record : records_) {
    auto servers = servers_for(record.fqdn);
    if (!servers) {
      return make_error(servers.error());
    }
    for (;;) {
      auto visible = dns::check_propagation(record.fqdn, record.value, *servers, query);
      if (visible && *visible) {
        log->info("TXT {} visible at {}", record.fqdn, fmt::join(*servers, ", "));
        break;
      }
      if (clock_.steady_now() + options_.poll_interval > deadline) {
        return make_error(ErrorCode::kTimeout,
                          fmt::format("TXT {} not visible at {} before the deadline{}", record.fqdn,
                                      fmt::join(*servers, ", "),
                                      visible ? "" : ": " + visible.error().message()));
      }
      std::this_thread::sleep_for(options_.poll_interval);
    }
  }
  return common::ok();
}

common::Status Dns01Solver::cleanup(const acme::Identifier& identifier, std::string_view /*token*/,
                                    std::string_view key_authorization) {
  auto value = acme::dns01_txt_value(key_authorization);
  if (!value) {
    return make_error(value.error());
  }
  const std::string fqdn = dns01_record_name(identifier);
  std::erase_if(records_, [&](const Record& r) { return r.fqdn == fqdn && r.value == *value; });
  if (auto status = provider_.cleanup(fqdn, *value); !status) {
    return make_error(status.error().wrap("TXT " + fqdn));
  }
  return common::ok();
}

}  // namespace certkeeper::solver
