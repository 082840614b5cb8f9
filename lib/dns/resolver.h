#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/common/error.h"
#include "lib/dns/server_address.h"

// DNS lookups for DNS-01 (acme.md §1.8, §5.6): TXT queries at one server, zone apex discovery
// and the authoritative nameservers of a zone. Free functions: each call builds its own ldns
// resolver and socket, so they are thread-safe and hold nothing between calls. They block for
// up to QueryOptions::timeout per query (the ldns API is synchronous): call them from a worker.
//
// Errors: NXDOMAIN is kNotFound; SERVFAIL, REFUSED, other RCODEs, network errors and timeouts
// are kUnavailable; a malformed name or server is kInvalidArgument. Messages name the queried
// name and the server.
namespace certkeeper::dns {

struct QueryOptions {
  std::chrono::milliseconds timeout{std::chrono::seconds(5)};
  // TCP (RFC 7766) instead of UDP; UDP answers with TC set are retried over TCP either way.
  bool use_tcp = false;
  // The RD bit (RFC 1035 §4.1.1): set for recursive resolvers, clear to ask an authoritative
  // server about its own data only.
  bool recursion_desired = true;
};

// The TXT strings at `name`, one per TXT RR, each the concatenation of the RR's
// character-strings (RFC 1035 §3.3.14; RFC 8555 §8.4 values fit one string but long values
// are split by some servers). NOERROR without TXT data (NODATA) is an empty vector.
// `server` is "host:port" (port 53 if omitted).
common::Result<std::vector<std::string>> query_txt(std::string_view server, std::string_view name,
                                                   const QueryOptions& options = {});

// The apex of the zone that contains `name` (without trailing dot, e.g. "example.test"), found
// by asking `server` for the SOA of `name` and then of each parent (RFC 1034 §4.3.2; as
// cert-manager's FindZoneByFqdn). An SOA in the authority section of a negative answer (RFC 2308
// §2) names the enclosing zone directly. kNotFound when no zone is found up to the root.
common::Result<std::string> find_zone(std::string_view name, std::string_view server,
                                      const QueryOptions& options = {});

// The addresses of the nameservers that `server` lists in the NS RRset of `zone`, each A and
// AAAA record of each NS name as "addr:port" ("[v6]:port"). `port` is 53 in production; tests
// pass the port their server listens on. kNotFound when the zone has no resolvable NS.
common::Result<std::vector<std::string>> authoritative_nameservers(
    std::string_view zone, std::string_view server, std::uint16_t port = kDefaultDnsPort,
    const QueryOptions& options = {});

// The IPv4 and IPv6 addresses of `name` (its A and AAAA records, in that order, as text without
// brackets), asked at `server`: how the HTTP-01 self-check resolves a challenge's domain through
// --acme-http01-solver-nameservers. A name with neither record type is kNotFound.
common::Result<std::vector<std::string>> query_addresses(std::string_view server,
                                                         std::string_view name,
                                                         const QueryOptions& options = {});

// The target of the CNAME record at `name` (without trailing dot), or nullopt when `name` has
// no CNAME (NODATA or NXDOMAIN): cert-manager's `cnameStrategy: Follow` for DNS-01 names.
common::Result<std::optional<std::string>> query_cname(std::string_view server,
                                                       std::string_view name,
                                                       const QueryOptions& options = {});

}  // namespace certkeeper::dns
