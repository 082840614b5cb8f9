#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/acme/types.h"
#include "lib/common/error.h"
#include "lib/common/random.h"
#include "lib/crypto/keys.h"

// The pure parts of the ACME protocol: header parsing, error mapping, key authorizations, ARI
// window selection and chain choice. Free functions without state or I/O; thread-safe.
namespace certkeeper::acme {

inline constexpr std::string_view kProblemPrefix = "urn:ietf:params:acme:error:";

// --- Retry-After (RFC 9110 §10.2.3) --------------------------------------------------------

// An HTTP-date (RFC 9110 §5.6.7). Only the preferred IMF-fixdate form
// ("Sun, 06 Nov 1994 08:49:37 GMT") is accepted; the obsolete forms are not sent by ACME servers.
common::Result<std::chrono::system_clock::time_point> parse_http_date(std::string_view text);

// A Retry-After value: delta-seconds or an HTTP-date, both of which Pebble sends (acme.md §0.7).
// A date in the past gives 0 s. nullopt for a value that is neither (the header is then ignored,
// RFC 9110 §10.2.3 leaves the recipient free to do so).
std::optional<std::chrono::seconds> parse_retry_after(std::string_view value,
                                                      std::chrono::system_clock::time_point now);

// --- Link (RFC 8288 §3) --------------------------------------------------------------------

struct Link {
  std::string url;
  std::string rel;  // one relation type; a link with `rel="a b"` yields two Links
  bool operator==(const Link&) const = default;
};

// Every link of every Link header value, in order. Several links may share one header value,
// separated by commas (acme.md §1.1). Malformed parts are skipped.
std::vector<Link> parse_link_headers(const std::vector<std::string>& values);
// The URLs of the links with relation `rel` (compared case-insensitively, RFC 8288 §2.1.1).
std::vector<std::string> links_with_rel(const std::vector<Link>& links, std::string_view rel);

// --- Problems → errors (RFC 8555 §6.7) -----------------------------------------------------

// The ErrorCode for an ACME problem type (with or without the URN prefix) and HTTP status:
//   rateLimited (or 429) → kRateLimited; badNonce, serverInternal, 5xx → kUnavailable;
//   unauthorized → kPermissionDenied (Pebble answers 403, the RFC 401); accountDoesNotExist →
//   kNotFound; malformed, rejectedIdentifier, badCSR, invalidProfile and the other "bad input"
//   types → kInvalidArgument; alreadyReplaced (or 409) → kConflict; orderNotReady,
//   userActionRequired, agreementRequired, externalAccountRequired → kFailedPrecondition;
//   alreadyRevoked → kAlreadyExists; other types fall back to the HTTP status.
common::ErrorCode error_code_for(std::string_view problem_type, int http_status);

// An Error carrying the problem: message "acme <shortType>: <detail>" followed by the
// subproblems ("; dns a.example: <detail>"), problem_type(), http_status() and retry_after().
common::Error problem_to_error(const Problem& problem, int http_status,
                               std::optional<std::chrono::seconds> retry_after);

// The Error for a non-2xx ACME response: the body's problem document if it has one (any content
// type, since servers are inconsistent), else a synthetic problem from the status alone.
common::Error response_error(int http_status, std::string_view body,
                             std::optional<std::chrono::seconds> retry_after);

// --- Challenges (RFC 8555 §8) --------------------------------------------------------------

// token "." base64url(JWK thumbprint) (§8.1).
std::string key_authorization(std::string_view token, std::string_view thumbprint);
common::Result<std::string> key_authorization(std::string_view token,
                                              const crypto::PublicKey& account_key);
// The dns-01 TXT record value: base64url(SHA-256(key authorization)) (§8.4), 43 characters.
common::Result<std::string> dns01_txt_value(std::string_view key_authorization);

// Identifiers for names: textual IPv4/IPv6 addresses become "ip" identifiers (RFC 8738), the
// rest (including "*.x" wildcards) "dns".
std::vector<Identifier> identifiers_from_names(const std::vector<std::string>& names);

// Whether two identifier sets are equal ignoring order (RFC 8555 §7.4: no ordering guarantee)
// and case of DNS names.
bool same_identifiers(std::vector<Identifier> a, std::vector<Identifier> b);

// --- ARI (RFC 9773 §4.2) -------------------------------------------------------------------

// A uniformly random time in [window_start, window_end] (the RECOMMENDED algorithm, step 2).
std::chrono::system_clock::time_point pick_renewal_time(const RenewalInfo& info,
                                                        common::Random& random);

// --- Chains (RFC 8555 §7.4.2) --------------------------------------------------------------

// The CN attribute of an RFC 4514 distinguished name ("CN=Pebble Root CA,O=x" → "Pebble Root
// CA"), with RFC 4514 §2.4 escapes undone; empty if there is none.
std::string rfc4514_common_name(std::string_view dn);

// Which chain to use: the first whose topmost certificate's issuer CN equals `preferred`
// (cert-manager's preferredChain rule), else 0. `top_issuer_cns[i]` is that CN for chain i.
std::size_t choose_chain(const std::vector<std::string>& top_issuer_cns,
                         std::string_view preferred);

}  // namespace certkeeper::acme
