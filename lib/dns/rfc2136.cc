#include "lib/dns/rfc2136.h"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <utility>

#include <fmt/format.h>

#include "lib/common/encoding.h"
#include "lib/dns/internal/ldns.h"
#include "lib/dns/resolver.h"

namespace certkeeper::dns {
namespace {

// The TSIG fudge (RFC 8945 §5.2.3 recommends 300 s).
constexpr std::uint16_t kTsigFudge = 300;
// A <character-string> holds at most 255 octets (RFC 1035 §3.3).
constexpr std::size_t kMaxCharacterString = 255;

tl::unexpected<common::Error> invalid(std::string message) {
  return common::make_error(common::ErrorCode::kInvalidArgument, std::move(message));
}

// The TXT RR carrying `value`: for kAdd class IN and the challenge TTL (RFC 2136 §2.5.1), for
// kDelete class NONE and TTL 0 (§2.5.4).
common::Result<internal::Rr> make_txt_rr(std::string_view fqdn, std::string_view value,
                                         UpdateAction action) {
  auto owner = internal::make_dname(fqdn);
  if (!owner) {
    return common::make_error(owner.error());
  }
  internal::Rr rr{ldns_rr_new()};
  if (!rr) {
    return common::make_error(common::ErrorCode::kInternal, "ldns_rr_new failed");
  }
  ldns_rr_set_owner(rr.get(), owner->release());  // the RR owns it from here
  ldns_rr_set_type(rr.get(), LDNS_RR_TYPE_TXT);
  ldns_rr_set_class(rr.get(), action == UpdateAction::kAdd ? LDNS_RR_CLASS_IN : LDNS_RR_CLASS_NONE);
  ldns_rr_set_ttl(rr.get(), action == UpdateAction::kAdd ? kChallengeTtl : 0);
  // Long values are split into several character-strings; query_txt joins them again.
  std::size_t offset = 0;
  do {
    const std::string_view chunk = value.substr(offset, kMaxCharacterString);
    std::string wire(1, static_cast<char>(static_cast<unsigned char>(chunk.size())));
    wire.append(chunk);
    internal::Rdf rdf{ldns_rdf_new_frm_data(LDNS_RDF_TYPE_STR, wire.size(), wire.data())};
    if (!rdf || !ldns_rr_push_rdf(rr.get(), rdf.get())) {
      return common::make_error(common::ErrorCode::kInternal, "building the TXT RDATA failed");
    }
    static_cast<void>(rdf.release());  // owned by the RR now
    offset += chunk.size();
  } while (offset < value.size());
  return rr;
}

// The UPDATE for one TXT RR, TSIG-signed (RFC 8945 §4) unless `key_name` is empty.
common::Result<internal::Pkt> build_update_pkt(std::string_view zone, std::string_view fqdn,
                                               std::string_view value, UpdateAction action,
                                               const std::string& key_name,
                                               const std::string& secret, TsigAlgorithm algorithm) {
  auto zone_rdf = internal::make_dname(zone);
  if (!zone_rdf) {
    return common::make_error(zone_rdf.error());
  }
  auto fqdn_rdf = internal::make_dname(fqdn);
  if (!fqdn_rdf) {
    return common::make_error(fqdn_rdf.error());
  }
  // RFC 2136 §3.1.1 (NOTZONE): the name must lie in the zone.
  if (ldns_dname_compare(fqdn_rdf->get(), zone_rdf->get()) != 0 &&
      !ldns_dname_is_subdomain(fqdn_rdf->get(), zone_rdf->get())) {
    return common::make_error(common::ErrorCode::kInvalidArgument,
                              fmt::format("{} is not inside zone {}", fqdn, zone));
  }
  auto rr = make_txt_rr(fqdn, value, action);
  if (!rr) {
    return common::make_error(rr.error());
  }
  internal::RrList updates{ldns_rr_list_new()};
  internal::RrList prerequisites{ldns_rr_list_new()};
  if (!updates || !prerequisites || !ldns_rr_list_push_rr(updates.get(), rr->get())) {
    return common::make_error(common::ErrorCode::kInternal, "ldns_rr_list_new failed");
  }
  static_cast<void>(rr->release());  // owned by `updates`
  // The packet takes the zone name (it becomes the Zone section, RFC 2136 §2.3) and copies the
  // lists.
  internal::Pkt pkt{ldns_update_pkt_new(zone_rdf->release(), LDNS_RR_CLASS_IN, prerequisites.get(),
                                        updates.get(), nullptr)};
  if (!pkt) {
    return common::make_error(common::ErrorCode::kInternal, "ldns_update_pkt_new failed");
  }
  ldns_pkt_set_random_id(pkt.get());
  if (!key_name.empty()) {
    const std::string algorithm_name(tsig_algorithm_dname(algorithm));
    const ldns_status status = ldns_pkt_tsig_sign(pkt.get(), key_name.c_str(), secret.c_str(),
                                                  kTsigFudge, algorithm_name.c_str(), nullptr);
    if (status != LDNS_STATUS_OK) {
      return common::make_error(common::ErrorCode::kInternal,
                                fmt::format("TSIG signing with {} failed: {}", to_string(algorithm),
                                            ldns_get_errorstr_by_id(status)));
    }
  }
  return pkt;
}

}  // namespace

common::Result<Rfc2136Provider> Rfc2136Provider::create(Rfc2136Config config) {
  auto nameserver = parse_server_address(config.nameserver, "nameserver");
  if (!nameserver) {
    return common::make_error(nameserver.error());
  }
  auto algorithm = parse_tsig_algorithm(config.tsig_algorithm, "tsigAlgorithm");
  if (!algorithm) {
    return common::make_error(algorithm.error());
  }
  std::string secret;
  std::string key_name;
  if (!config.tsig_key_name.empty() || !config.tsig_secret.empty()) {
    if (config.tsig_key_name.empty()) {
      return invalid("tsigKeyName: required when a TSIG secret is given");
    }
    auto key_dname = internal::make_dname(config.tsig_key_name);
    if (!key_dname) {
      return invalid(
          fmt::format("tsigKeyName: '{}' is not a valid key name", config.tsig_key_name));
    }
    key_name = internal::rdf_to_string(key_dname->get()) + ".";
    if (config.tsig_secret.empty()) {
      return invalid("tsigSecretSecretRef: the TSIG secret is empty");
    }
    auto bytes = common::base64_decode(config.tsig_secret);
    if (!bytes || bytes->empty()) {
      return invalid("tsigSecretSecretRef: the TSIG secret is not valid base64");
    }
    secret = common::base64_encode(*bytes);
  }
  config.tsig_secret.clear();  // kept once, canonical, in secret_
  if (!config.zone.empty()) {
    if (!internal::make_dname(config.zone)) {
      return invalid(fmt::format("zone: '{}' is not a valid domain name", config.zone));
    }
    if (config.zone.size() > 1 && config.zone.back() == '.') {
      config.zone.pop_back();
    }
  }
  ServerAddress address = std::move(*nameserver);
  return Rfc2136Provider(std::move(config), std::move(address), *algorithm, std::move(key_name),
                         std::move(secret));
}

common::Result<std::string> Rfc2136Provider::build_update(std::string_view zone,
                                                          std::string_view fqdn,
                                                          std::string_view value,
                                                          UpdateAction action) const {
  auto pkt = build_update_pkt(zone, fqdn, value, action, key_name_, secret_, algorithm_);
  if (!pkt) {
    return common::make_error(pkt.error());
  }
  uint8_t* raw = nullptr;
  std::size_t size = 0;
  const ldns_status status = ldns_pkt2wire(&raw, pkt->get(), &size);
  std::unique_ptr<uint8_t, internal::MallocDeleter> wire(raw);
  if (status != LDNS_STATUS_OK || !wire) {
    return common::make_error(
        common::ErrorCode::kInternal,
        fmt::format("encoding the UPDATE failed: {}", ldns_get_errorstr_by_id(status)));
  }
  return std::string(reinterpret_cast<const char*>(wire.get()), size);
}

common::Status Rfc2136Provider::present(std::string_view fqdn, std::string_view value) {
  return update(fqdn, value, UpdateAction::kAdd);
}

common::Status Rfc2136Provider::cleanup(std::string_view fqdn, std::string_view value) {
  return update(fqdn, value, UpdateAction::kDelete);
}

common::Status Rfc2136Provider::update(std::string_view fqdn, std::string_view value,
                                       UpdateAction action) const {
  const std::string server = nameserver_.to_string();
  const char* verb = action == UpdateAction::kAdd ? "present" : "cleanup";
  std::string zone = config_.zone;
  if (zone.empty()) {
    auto found = find_zone(
        fqdn, server,
        {.timeout = config_.timeout, .use_tcp = config_.use_tcp, .recursion_desired = false});
    if (!found) {
      return common::make_error(found.error().wrap(fmt::format("rfc2136 {} {}", verb, fqdn)));
    }
    zone = std::move(*found);
  }
  auto query = build_update_pkt(zone, fqdn, value, action, key_name_, secret_, algorithm_);
  if (!query) {
    return common::make_error(query.error().wrap(fmt::format("rfc2136 {} {}", verb, fqdn)));
  }
  auto resolver =
      internal::make_resolver(server, {.timeout = config_.timeout, .use_tcp = config_.use_tcp});
  if (!resolver) {
    return common::make_error(resolver.error());
  }
  if (!key_name_.empty()) {
    // ldns verifies the reply's TSIG (RFC 8945 §5.3) with the resolver's key.
    ldns_resolver_set_tsig_keyname(resolver->get(), key_name_.c_str());
    ldns_resolver_set_tsig_keydata(resolver->get(), secret_.c_str());
    ldns_resolver_set_tsig_algorithm(resolver->get(),
                                     std::string(tsig_algorithm_dname(algorithm_)).c_str());
  }
  ldns_pkt* raw = nullptr;
  const ldns_status status = ldns_resolver_send_pkt(&raw, resolver->get(), query->get());
  internal::Pkt reply(raw);
  const std::string what =
      fmt::format("rfc2136 {} of TXT {} in zone {} at {}", verb, fqdn, zone, server);
  if (reply) {
    const ldns_pkt_rcode rcode = ldns_pkt_get_rcode(reply.get());
    if (rcode == LDNS_RCODE_NOTAUTH || rcode == LDNS_RCODE_REFUSED) {
      return common::make_error(
          common::ErrorCode::kPermissionDenied,
          fmt::format("{}: the server answered {} (check tsigKeyName, tsigAlgorithm, the TSIG "
                      "secret and the zone's update policy)",
                      what, internal::rcode_name(rcode)));
    }
    if (rcode != LDNS_RCODE_NOERROR) {
      return common::make_error(
          common::ErrorCode::kUnavailable,
          fmt::format("{}: the server answered {}", what, internal::rcode_name(rcode)));
    }
  }
  if (status == LDNS_STATUS_CRYPTO_TSIG_BOGUS || status == LDNS_STATUS_CRYPTO_TSIG_ERR) {
    return common::make_error(
        common::ErrorCode::kPermissionDenied,
        fmt::format("{}: the reply's TSIG did not verify (check the TSIG secret)", what));
  }
  if (status != LDNS_STATUS_OK || !reply) {
    return common::make_error(common::ErrorCode::kUnavailable,
                              fmt::format("{}: {}", what, ldns_get_errorstr_by_id(status)));
  }
  return common::ok();
}

}  // namespace certkeeper::dns
