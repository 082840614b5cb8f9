#include "lib/dns/resolver.h"

#include <netdb.h>

#include <algorithm>
#include <memory>
#include <utility>

#include <fmt/format.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "lib/dns/internal/ldns.h"

namespace certkeeper::dns {
namespace internal {
namespace {

struct AddrinfoDeleter {
  void operator()(addrinfo* p) const { freeaddrinfo(p); }
};

// The server's address as an ldns A/AAAA rdf; host names are resolved with getaddrinfo.
common::Result<Rdf> address_rdf(const std::string& host) {
  if (Rdf a{ldns_rdf_new_frm_str(LDNS_RDF_TYPE_A, host.c_str())}) {
    return a;
  }
  if (Rdf aaaa{ldns_rdf_new_frm_str(LDNS_RDF_TYPE_AAAA, host.c_str())}) {
    return aaaa;
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  addrinfo* raw = nullptr;
  const int rc = getaddrinfo(host.c_str(), nullptr, &hints, &raw);
  std::unique_ptr<addrinfo, AddrinfoDeleter> result(raw);
  if (rc != 0 || !result) {
    return common::make_error(
        common::ErrorCode::kUnavailable,
        fmt::format("cannot resolve DNS server host '{}': {}", host, gai_strerror(rc)));
  }
  char text[NI_MAXHOST] = {};
  if (getnameinfo(result->ai_addr, result->ai_addrlen, text, sizeof text, nullptr, 0,
                  NI_NUMERICHOST) != 0) {
    return common::make_error(common::ErrorCode::kUnavailable,
                              fmt::format("cannot resolve DNS server host '{}'", host));
  }
  const ldns_rdf_type type = result->ai_family == AF_INET6 ? LDNS_RDF_TYPE_AAAA : LDNS_RDF_TYPE_A;
  Rdf rdf{ldns_rdf_new_frm_str(type, text)};
  if (!rdf) {
    return common::make_error(common::ErrorCode::kInternal,
                              fmt::format("cannot convert address of '{}'", host));
  }
  return rdf;
}

}  // namespace

common::Result<Rdf> make_dname(std::string_view name) {
  std::string absolute(name);
  if (absolute.empty() || absolute.back() != '.') {
    absolute.push_back('.');
  }
  Rdf rdf{ldns_dname_new_frm_str(absolute.c_str())};
  if (!rdf) {
    return common::make_error(common::ErrorCode::kInvalidArgument,
                              fmt::format("invalid domain name '{}'", name.substr(0, 255)));
  }
  return rdf;
}

std::string rdf_to_string(const ldns_rdf* rdf) {
  std::unique_ptr<char, MallocDeleter> text(ldns_rdf2str(rdf));
  if (!text) {
    return "";
  }
  std::string result(text.get());
  if (ldns_rdf_get_type(rdf) == LDNS_RDF_TYPE_DNAME && result.size() > 1 && result.back() == '.') {
    result.pop_back();
  }
  return result;
}

std::string rcode_name(ldns_pkt_rcode rcode) {
  switch (rcode) {
    case LDNS_RCODE_NOERROR:
      return "NOERROR";
    case LDNS_RCODE_FORMERR:
      return "FORMERR";
    case LDNS_RCODE_SERVFAIL:
      return "SERVFAIL";
    case LDNS_RCODE_NXDOMAIN:
      return "NXDOMAIN";
    case LDNS_RCODE_NOTIMPL:
      return "NOTIMP";
    case LDNS_RCODE_REFUSED:
      return "REFUSED";
    case LDNS_RCODE_YXDOMAIN:
      return "YXDOMAIN";
    case LDNS_RCODE_YXRRSET:
      return "YXRRSET";
    case LDNS_RCODE_NXRRSET:
      return "NXRRSET";
    case LDNS_RCODE_NOTAUTH:
      return "NOTAUTH";
    case LDNS_RCODE_NOTZONE:
      return "NOTZONE";
  }
  return fmt::format("RCODE{}", static_cast<int>(rcode));
}

common::Result<Resolver> make_resolver(std::string_view server, const ResolverOptions& options) {
  auto address = parse_server_address(server, "DNS server");
  if (!address) {
    return common::make_error(address.error());
  }
  auto rdf = address_rdf(address->host);
  if (!rdf) {
    return common::make_error(rdf.error());
  }
  Resolver resolver{ldns_resolver_new()};
  if (!resolver) {
    return common::make_error(common::ErrorCode::kInternal, "ldns_resolver_new failed");
  }
  if (ldns_resolver_push_nameserver(resolver.get(), rdf->get()) != LDNS_STATUS_OK) {
    return common::make_error(common::ErrorCode::kInternal, "ldns_resolver_push_nameserver failed");
  }
  ldns_resolver_set_port(resolver.get(), address->port);
  ldns_resolver_set_usevc(resolver.get(), options.use_tcp);
  ldns_resolver_set_fallback(resolver.get(), true);  // TC=1 over UDP: retry over TCP
  ldns_resolver_set_random(resolver.get(), false);
  ldns_resolver_set_dnssec(resolver.get(), false);
  ldns_resolver_set_defnames(resolver.get(), false);
  ldns_resolver_set_dnsrch(resolver.get(), false);
  ldns_resolver_set_retry(resolver.get(), 1);
  const auto ms = options.timeout.count() > 0 ? options.timeout.count() : 1;
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms % 1000) * 1000);
  ldns_resolver_set_timeout(resolver.get(), tv);
  // Seconds between UDP retransmissions (at most 255): the whole timeout, since we try once.
  ldns_resolver_set_retrans(resolver.get(),
                            static_cast<uint8_t>(std::clamp<long long>(ms / 1000, 1, 255)));
  return resolver;
}

}  // namespace internal

namespace {

// Sends one query and maps the outcome to an error unless the RCODE is NOERROR, or NXDOMAIN
// when `accept_nxdomain` (the zone walk reads the SOA from negative answers, RFC 2308 §2).
common::Result<internal::Pkt> send_query(std::string_view server, std::string_view name,
                                         ldns_rr_type type, const QueryOptions& options,
                                         bool accept_nxdomain) {
  auto dname = internal::make_dname(name);
  if (!dname) {
    return common::make_error(dname.error());
  }
  auto resolver =
      internal::make_resolver(server, {.timeout = options.timeout, .use_tcp = options.use_tcp});
  if (!resolver) {
    return common::make_error(resolver.error());
  }
  ldns_resolver_set_recursive(resolver->get(), options.recursion_desired);
  const uint16_t flags = options.recursion_desired ? static_cast<uint16_t>(LDNS_RD) : 0;
  ldns_pkt* raw = nullptr;
  const ldns_status status =
      ldns_resolver_send(&raw, resolver->get(), dname->get(), type, LDNS_RR_CLASS_IN, flags);
  internal::Pkt reply(raw);
  const char* type_name = type == LDNS_RR_TYPE_TXT     ? "TXT"
                          : type == LDNS_RR_TYPE_SOA   ? "SOA"
                          : type == LDNS_RR_TYPE_NS    ? "NS"
                          : type == LDNS_RR_TYPE_A     ? "A"
                          : type == LDNS_RR_TYPE_CNAME ? "CNAME"
                                                       : "AAAA";
  if (status != LDNS_STATUS_OK || !reply) {
    return common::make_error(common::ErrorCode::kUnavailable,
                              fmt::format("{} query for {} at {} failed: {}", type_name, name,
                                          server, ldns_get_errorstr_by_id(status)));
  }
  const ldns_pkt_rcode rcode = ldns_pkt_get_rcode(reply.get());
  if (rcode == LDNS_RCODE_NOERROR || (accept_nxdomain && rcode == LDNS_RCODE_NXDOMAIN)) {
    return reply;
  }
  const auto code =
      rcode == LDNS_RCODE_NXDOMAIN ? common::ErrorCode::kNotFound : common::ErrorCode::kUnavailable;
  return common::make_error(code, fmt::format("{} query for {} at {}: {}", type_name, name, server,
                                              internal::rcode_name(rcode)));
}

// The records of `type` in a section of `pkt`; the pointers are owned by the packet.
std::vector<const ldns_rr*> records(const ldns_rr_list* list, ldns_rr_type type) {
  std::vector<const ldns_rr*> result;
  const size_t count = list ? ldns_rr_list_rr_count(list) : 0;
  for (size_t i = 0; i < count; ++i) {
    const ldns_rr* rr = ldns_rr_list_rr(list, i);
    if (ldns_rr_get_type(rr) == type) {
      result.push_back(rr);
    }
  }
  return result;
}

}  // namespace

common::Result<std::vector<std::string>> query_txt(std::string_view server, std::string_view name,
                                                   const QueryOptions& options) {
  auto reply = send_query(server, name, LDNS_RR_TYPE_TXT, options, false);
  if (!reply) {
    return common::make_error(reply.error());
  }
  std::vector<std::string> values;
  for (const ldns_rr* rr : records(ldns_pkt_answer(reply->get()), LDNS_RR_TYPE_TXT)) {
    std::string joined;
    for (size_t i = 0; i < ldns_rr_rd_count(rr); ++i) {
      const ldns_rdf* rdf = ldns_rr_rdf(rr, i);
      const size_t size = ldns_rdf_size(rdf);
      const uint8_t* data = ldns_rdf_data(rdf);
      // A <character-string> is a length octet and that many octets (RFC 1035 §3.3).
      if (size == 0 || data[0] + size_t{1} != size) {
        return common::make_error(
            common::ErrorCode::kUnavailable,
            fmt::format("TXT query for {} at {}: malformed character-string", name, server));
      }
      joined.append(reinterpret_cast<const char*>(data + 1), size - 1);
    }
    values.push_back(std::move(joined));
  }
  return values;
}

common::Result<std::string> find_zone(std::string_view name, std::string_view server,
                                      const QueryOptions& options) {
  auto current = internal::make_dname(name);
  if (!current) {
    return common::make_error(current.error());
  }
  internal::Rdf dname = std::move(*current);
  while (true) {
    const std::string candidate = internal::rdf_to_string(dname.get());
    auto reply = send_query(server, candidate, LDNS_RR_TYPE_SOA, options, true);
    if (!reply) {
      return common::make_error(reply.error().wrap(fmt::format("finding the zone of {}", name)));
    }
    for (const ldns_rr* rr : records(ldns_pkt_answer(reply->get()), LDNS_RR_TYPE_SOA)) {
      if (ldns_dname_compare(ldns_rr_owner(rr), dname.get()) == 0) {
        return internal::rdf_to_string(ldns_rr_owner(rr));
      }
    }
    // A negative answer's SOA (RFC 2308 §2.1/§2.2) is that of the zone holding the name.
    for (const ldns_rr* rr : records(ldns_pkt_authority(reply->get()), LDNS_RR_TYPE_SOA)) {
      if (ldns_dname_is_subdomain(dname.get(), ldns_rr_owner(rr)) ||
          ldns_dname_compare(ldns_rr_owner(rr), dname.get()) == 0) {
        return internal::rdf_to_string(ldns_rr_owner(rr));
      }
    }
    if (ldns_dname_label_count(dname.get()) == 0) {
      break;
    }
    internal::Rdf parent{ldns_dname_left_chop(dname.get())};
    if (!parent) {
      break;
    }
    dname = std::move(parent);
  }
  return common::make_error(common::ErrorCode::kNotFound,
                            fmt::format("no SOA found for {} or any parent at {}", name, server));
}

common::Result<std::vector<std::string>> authoritative_nameservers(std::string_view zone,
                                                                   std::string_view server,
                                                                   std::uint16_t port,
                                                                   const QueryOptions& options) {
  auto reply = send_query(server, zone, LDNS_RR_TYPE_NS, options, false);
  if (!reply) {
    return common::make_error(reply.error());
  }
  std::vector<std::string> addresses;
  for (const ldns_rr* ns : records(ldns_pkt_answer(reply->get()), LDNS_RR_TYPE_NS)) {
    const std::string ns_name = internal::rdf_to_string(ldns_rr_ns_nsdname(ns));
    for (ldns_rr_type type : {LDNS_RR_TYPE_A, LDNS_RR_TYPE_AAAA}) {
      auto answer = send_query(server, ns_name, type, options, false);
      if (!answer) {
        if (answer.error().code() == common::ErrorCode::kNotFound) {
          continue;
        }
        return common::make_error(answer.error());
      }
      for (const ldns_rr* rr : records(ldns_pkt_answer(answer->get()), type)) {
        const ServerAddress address{.host = internal::rdf_to_string(ldns_rr_rdf(rr, 0)),
                                    .port = port};
        addresses.push_back(address.to_string());
      }
    }
  }
  if (addresses.empty()) {
    return common::make_error(
        common::ErrorCode::kNotFound,
        fmt::format("no addresses for the nameservers of {} at {}", zone, server));
  }
  return addresses;
}

common::Result<std::vector<std::string>> query_addresses(std::string_view server,
                                                         std::string_view name,
                                                         const QueryOptions& options) {
  std::vector<std::string> addresses;
  for (ldns_rr_type type : {LDNS_RR_TYPE_A, LDNS_RR_TYPE_AAAA}) {
    auto reply = send_query(server, name, type, options, false);
    if (!reply) {
      if (reply.error().code() == common::ErrorCode::kNotFound) {
        break;  // NXDOMAIN holds for every type
      }
      return common::make_error(reply.error());
    }
    for (const ldns_rr* rr : records(ldns_pkt_answer(reply->get()), type)) {
      addresses.push_back(internal::rdf_to_string(ldns_rr_rdf(rr, 0)));
    }
  }
  if (addresses.empty()) {
    return common::make_error(common::ErrorCode::kNotFound,
                              fmt::format("no A or AAAA record for {} at {}", name, server));
  }
  return addresses;
}

common::Result<std::optional<std::string>> query_cname(std::string_view server,
                                                       std::string_view name,
                                                       const QueryOptions& options) {
  auto reply = send_query(server, name, LDNS_RR_TYPE_CNAME, options, true);
  if (!reply) {
    return common::make_error(reply.error());
  }
  auto owner = internal::make_dname(name);
  if (!owner) {
    return common::make_error(owner.error());
  }
  for (const ldns_rr* rr : records(ldns_pkt_answer(reply->get()), LDNS_RR_TYPE_CNAME)) {
    if (ldns_dname_compare(ldns_rr_owner(rr), owner->get()) == 0) {
      return std::optional<std::string>(internal::rdf_to_string(ldns_rr_rdf(rr, 0)));
    }
  }
  return std::optional<std::string>();
}

}  // namespace certkeeper::dns
