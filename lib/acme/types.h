#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "lib/common/error.h"

// The ACME resources as plain values (RFC 8555 §7.1), decoded from the server's JSON. Unknown
// members, challenge types and statuses are kept as strings or ignored (acme.md §0.6), never
// rejected. Copyable values without behaviour; thread-compatible.
namespace certkeeper::acme {

// An RFC 7807 problem document as ACME uses it (RFC 8555 §6.7), with subproblems (§6.7.1).
struct Problem {
  std::string type;  // e.g. "urn:ietf:params:acme:error:badNonce"; may be empty
  std::string detail;
  int status = 0;  // the "status" member; 0 when absent
  std::string instance;
  // The identifier a subproblem is about (only set on subproblems).
  std::string identifier_type;
  std::string identifier_value;
  std::vector<Problem> subproblems;

  // The type without the "urn:ietf:params:acme:error:" prefix ("badNonce"), or the whole type
  // for non-ACME types.
  [[nodiscard]] std::string short_type() const;
};

// RFC 8555 §7.1.1 plus RFC 9773 §3 (renewalInfo) and the profiles draft §3 (meta.profiles).
struct Directory {
  std::string new_nonce;
  std::string new_account;
  std::string new_order;
  std::string new_authz;  // empty when the server has no pre-authorization
  std::string revoke_cert;
  std::string key_change;
  std::string renewal_info;  // empty when the server has no ARI
  std::string terms_of_service;
  std::string website;
  std::vector<std::string> caa_identities;
  bool external_account_required = false;
  std::map<std::string, std::string> profiles;  // name → description
};

// An identifier of an order or authorization: type "dns" (RFC 8555 §9.7.7) or "ip" (RFC 8738).
struct Identifier {
  std::string type;
  std::string value;

  static Identifier dns(std::string name) { return {"dns", std::move(name)}; }
  static Identifier ip(std::string address) { return {"ip", std::move(address)}; }
  bool operator==(const Identifier&) const = default;
  bool operator<(const Identifier& other) const {
    return type != other.type ? type < other.type : value < other.value;
  }
};

// RFC 8555 §7.1.2.
struct Account {
  std::string url;  // the "kid": the Location of newAccount, exactly as the server sent it
  std::string status;
  std::vector<std::string> contact;
  bool terms_of_service_agreed = false;
  std::string orders;
};

// RFC 8555 §7.1.5.
struct Challenge {
  std::string type;  // "http-01", "dns-01", "tls-alpn-01", or anything else the server offers
  std::string url;
  std::string status;
  std::string token;
  std::optional<std::chrono::system_clock::time_point> validated;
  std::optional<Problem> error;
};

// RFC 8555 §7.1.4.
struct Authorization {
  std::string url;
  Identifier identifier;  // for a wildcard order the base domain, with wildcard = true
  std::string status;
  std::optional<std::chrono::system_clock::time_point> expires;
  bool wildcard = false;
  std::vector<Challenge> challenges;
  // Retry-After of the response this was read from (RFC 8555 §7.5.1).
  std::optional<std::chrono::seconds> retry_after;

  // The challenge of that type, if offered.
  [[nodiscard]] const Challenge* find_challenge(std::string_view type) const;
};

// RFC 8555 §7.1.3 plus `replaces` (RFC 9773 §5) and `profile` (profiles draft §4).
struct Order {
  std::string url;  // from newOrder's Location; kept by us, the object does not carry it
  std::string status;
  std::optional<std::chrono::system_clock::time_point> expires;
  std::vector<Identifier> identifiers;
  std::optional<std::chrono::system_clock::time_point> not_before;
  std::optional<std::chrono::system_clock::time_point> not_after;
  std::optional<Problem> error;
  std::vector<std::string> authorizations;
  std::string finalize;
  std::string certificate;
  std::string profile;
  std::string replaces;
  // Retry-After of the response this was read from (RFC 8555 §7.4).
  std::optional<std::chrono::seconds> retry_after;
};

// ACME Renewal Information (RFC 9773 §4.2).
struct RenewalInfo {
  std::chrono::system_clock::time_point window_start;
  std::chrono::system_clock::time_point window_end;
  std::string explanation_url;
  // When to ask again (§4.3); nullopt when the server did not say.
  std::optional<std::chrono::seconds> retry_after;
};

// Decoders of the server's JSON. Malformed JSON, wrong member types or missing required
// members are kInvalidArgument naming the member; unknown members are ignored.
common::Result<Problem> parse_problem(std::string_view body);
common::Result<Directory> parse_directory(std::string_view body);
common::Result<Account> parse_account(std::string_view body);
common::Result<Order> parse_order(std::string_view body);
common::Result<Authorization> parse_authorization(std::string_view body);
common::Result<Challenge> parse_challenge(std::string_view body);
// `end <= start` is invalid (RFC 9773 §4.2) and kInvalidArgument.
common::Result<RenewalInfo> parse_renewal_info(std::string_view body);

}  // namespace certkeeper::acme
