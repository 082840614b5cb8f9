#pragma once

// Private to lib/dns: the only header that includes ldns, and the RAII owners of its objects.
// <stdbool.h> must come first: otherwise <ldns/common.h> #defines bool/true/false as int macros
// in C++ (shared/docs/reference/cpp-deps.md §4, gotcha 2).
#include <stdbool.h>  // NOLINT(modernize-deprecated-headers)
// clang-format off
#include <ldns/ldns.h>
// clang-format on

#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "lib/common/error.h"

namespace certkeeper::dns::internal {

struct RdfDeleter {
  void operator()(ldns_rdf* p) const { ldns_rdf_deep_free(p); }
};
struct RrDeleter {
  void operator()(ldns_rr* p) const { ldns_rr_free(p); }
};
struct RrListDeleter {
  void operator()(ldns_rr_list* p) const { ldns_rr_list_deep_free(p); }
};
struct PktDeleter {
  void operator()(ldns_pkt* p) const { ldns_pkt_free(p); }
};
struct ResolverDeleter {
  void operator()(ldns_resolver* p) const { ldns_resolver_deep_free(p); }
};
// Buffers and strings ldns allocates with malloc (ldns_pkt2wire, ldns_rdf2str).
struct MallocDeleter {
  void operator()(void* p) const { std::free(p); }  // NOLINT(cppcoreguidelines-no-malloc)
};

using Rdf = std::unique_ptr<ldns_rdf, RdfDeleter>;
using Rr = std::unique_ptr<ldns_rr, RrDeleter>;
using RrList = std::unique_ptr<ldns_rr_list, RrListDeleter>;
using Pkt = std::unique_ptr<ldns_pkt, PktDeleter>;
using Resolver = std::unique_ptr<ldns_resolver, ResolverDeleter>;

// A domain name as an absolute ldns dname ("a.b" and "a.b." both become "a.b.").
common::Result<Rdf> make_dname(std::string_view name);

// The presentation form of an rdf (a dname without its trailing dot, an address as text).
std::string rdf_to_string(const ldns_rdf* rdf);

// The text name of a DNS RCODE (RFC 1035 §4.1.1, RFC 2136 §2.2), e.g. "NOTAUTH".
std::string rcode_name(ldns_pkt_rcode rcode);

struct ResolverOptions {
  std::chrono::milliseconds timeout{std::chrono::seconds(5)};
  bool use_tcp = false;
};

// A stub resolver that sends to exactly one server ("host:port"; a host name is resolved with
// getaddrinfo). No search list, no DNSSEC, one try per call.
common::Result<Resolver> make_resolver(std::string_view server, const ResolverOptions& options);

}  // namespace certkeeper::dns::internal
