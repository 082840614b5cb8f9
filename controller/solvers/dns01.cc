#include "controller/solvers/dns01.h"

#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "controller/issuers/generic_issuer.h"
#include "lib/dns/propagation.h"
#include "lib/dns/resolver.h"
#include "lib/dns/tsig.h"

namespace certkeeper::solvers {

namespace {

constexpr int kMaxCnameLinks = 10;

common::Error invalid(std::string message) {
  return {common::ErrorCode::kInvalidArgument, std::move(message)};
}

std::vector<std::string> resolv_conf_nameservers() {
  std::ifstream in("/etc/resolv.conf");
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) {
    std::istringstream words(line);
    std::string keyword;
    std::string address;
    if (words >> keyword >> address && keyword == "nameserver") {
      out.push_back(address.find(':') != std::string::npos ? "[" + address + "]:53"
                                                           : address + ":53");
    }
  }
  return out;
}

// Whether every server answers `value` among the TXT strings at `fqdn`, asked recursively.
common::Result<bool> seen_on_recursive(std::string_view fqdn, std::string_view value,
                                       const std::vector<std::string>& servers) {
  for (const auto& server : servers) {
    auto values = dns::query_txt(server, fqdn, {.recursion_desired = true});
    if (!values) {
      if (values.error().code() == common::ErrorCode::kNotFound) {
        return false;
      }
      return common::make_error(values.error());
    }
    if (std::find(values->begin(), values->end(), value) == values->end()) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::string configured_provider(const api::AcmeDns01& d) {
  const std::pair<bool, const char*> providers[] = {
      {d.rfc2136.has_value(), "rfc2136"},           {d.webhook.has_value(), "webhook"},
      {d.acme_dns.has_value(), "acmeDNS"},          {d.akamai.has_value(), "akamai"},
      {d.azure_dns.has_value(), "azureDNS"},        {d.cloud_dns.has_value(), "cloudDNS"},
      {d.cloudflare.has_value(), "cloudflare"},     {d.route53.has_value(), "route53"},
      {d.digitalocean.has_value(), "digitalocean"},
  };
  for (const auto& [set, name] : providers) {
    if (set) {
      return name;
    }
  }
  return "";
}

common::Result<dns::Rfc2136Config> rfc2136_config(
    const api::AcmeDns01Rfc2136& solver,
    const std::optional<std::map<std::string, std::string>>& secret_data) {
  dns::Rfc2136Config config;
  config.nameserver = solver.nameserver;
  config.tsig_key_name = solver.tsig_key_name.value_or("");
  config.tsig_algorithm = solver.tsig_algorithm.value_or("");
  if (auto algorithm = dns::parse_tsig_algorithm(config.tsig_algorithm); !algorithm) {
    return tl::unexpected(invalid(
        fmt::format("rfc2136.tsigAlgorithm: unsupported algorithm \"{}\" (want HMACMD5, HMACSHA1, "
                    "HMACSHA256 or HMACSHA512)",
                    config.tsig_algorithm)));
  }
  const std::string protocol = solver.protocol.value_or("");
  if (protocol == "TCP") {
    config.use_tcp = true;
  } else if (!protocol.empty() && protocol != "UDP") {
    return tl::unexpected(
        invalid(fmt::format("rfc2136.protocol: \"{}\" is not UDP or TCP", protocol)));
  }
  if (solver.tsig_secret_secret_ref && !solver.tsig_secret_secret_ref->name.empty()) {
    const auto& ref = *solver.tsig_secret_secret_ref;
    if (!secret_data) {
      return common::make_error(
          common::ErrorCode::kNotFound,
          fmt::format("rfc2136.tsigSecretSecretRef: secret \"{}\" not found", ref.name));
    }
    const auto it = secret_data->find(ref.key);
    if (it == secret_data->end() || it->second.empty()) {
      return common::make_error(
          common::ErrorCode::kNotFound,
          fmt::format(R"(rfc2136.tsigSecretSecretRef: no key "{}" in secret "{}")", ref.key,
                      ref.name));
    }
    config.tsig_secret = it->second;
  }
  if (!config.tsig_key_name.empty() && config.tsig_secret.empty()) {
    return tl::unexpected(invalid("rfc2136.tsigSecretSecretRef: required when tsigKeyName is set"));
  }
  return config;
}

common::Result<std::unique_ptr<dns::Dns01Provider>> SecretDns01ProviderFactory::make(
    const api::AcmeDns01& dns01, const std::string& resource_namespace) {
  const std::string provider = configured_provider(dns01);
  if (provider.empty()) {
    return tl::unexpected(invalid("the dns01 solver configures no provider"));
  }
  if (provider != "rfc2136") {
    return tl::unexpected(invalid(
        fmt::format("DNS-01 provider \"{}\" is not supported by certkeeper yet", provider)));
  }
  std::optional<std::map<std::string, std::string>> secret;
  if (const auto& ref = dns01.rfc2136->tsig_secret_secret_ref; ref && !ref->name.empty()) {
    auto read = issuers::read_secret(client_, resource_namespace, ref->name);
    if (!read) {
      return tl::unexpected(
          read.error().wrap(fmt::format("reading secret {}/{}", resource_namespace, ref->name)));
    }
    secret = std::move(*read);
  }
  auto config = rfc2136_config(*dns01.rfc2136, secret);
  if (!config) {
    return tl::unexpected(config.error());
  }
  auto made = dns::Rfc2136Provider::create(std::move(*config));
  if (!made) {
    return tl::unexpected(made.error());
  }
  return std::unique_ptr<dns::Dns01Provider>(
      std::make_unique<dns::Rfc2136Provider>(std::move(*made)));
}

common::Result<std::vector<std::string>> recursive_nameservers(const api::AcmeDns01& dns01,
                                                               const Dns01CheckSettings& settings) {
  std::vector<std::string> servers = !dns01.nameservers.empty() ? dns01.nameservers
                                     : !settings.recursive_nameservers.empty()
                                         ? settings.recursive_nameservers
                                         : resolv_conf_nameservers();
  if (servers.empty()) {
    return common::make_error(common::ErrorCode::kFailedPrecondition,
                              "no DNS server to ask: set --dns01-recursive-nameservers");
  }
  return servers;
}

common::Result<std::string> challenge_record_name(const api::AcmeDns01& dns01,
                                                  std::string_view dns_name,
                                                  const std::vector<std::string>& nameservers) {
  std::string name = fmt::format("_acme-challenge.{}", dns_name);
  if (dns01.cname_strategy.value_or("None") != "Follow") {
    return name;
  }
  for (int i = 0; i < kMaxCnameLinks; ++i) {
    auto target = dns::query_cname(nameservers.front(), name);
    if (!target) {
      return tl::unexpected(target.error().wrap("following the CNAME of " + name));
    }
    if (!*target) {
      return name;
    }
    name = **target;
  }
  return common::make_error(
      common::ErrorCode::kInvalidArgument,
      fmt::format("more than {} CNAMEs from _acme-challenge.{}", kMaxCnameLinks, dns_name));
}

common::Result<SelfCheck> dns01_self_check(const api::AcmeDns01& dns01, std::string_view dns_name,
                                           std::string_view fqdn, std::string_view value,
                                           const Dns01CheckSettings& settings) {
  auto servers = recursive_nameservers(dns01, settings);
  if (!servers) {
    return tl::unexpected(servers.error());
  }
  common::Result<bool> seen = false;
  if (settings.recursive_nameservers_only || !dns01.nameservers.empty()) {
    seen = seen_on_recursive(fqdn, value, *servers);
  } else {
    auto zone = dns::find_zone(fqdn, servers->front());
    if (!zone) {
      return tl::unexpected(zone.error());
    }
    auto authoritative = dns::authoritative_nameservers(*zone, servers->front());
    if (!authoritative) {
      return tl::unexpected(authoritative.error());
    }
    seen = dns::check_propagation(fqdn, value, *authoritative);
  }
  if (!seen) {
    return tl::unexpected(seen.error());
  }
  if (!*seen) {
    return SelfCheck{false, fmt::format("DNS record for \"{}\" not yet propagated", dns_name)};
  }
  return SelfCheck{true, ""};
}

}  // namespace certkeeper::solvers
