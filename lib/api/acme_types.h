#pragma once

#include <optional>
#include <string>
#include <vector>

#include "lib/api/issuer.h"
#include "lib/api/meta.h"

// acme.cert-manager.io/v1 Order and Challenge (shared/docs/reference/cert-manager-api.md §1.7,
// §1.8). Conventions as in certificate.h. State values are in well_known.h (kStateValid, …).
namespace certkeeper::api {

struct OrderSpec {
  std::string request;  // Go []byte: base64 on the wire, the CSR (PEM or DER) here
  IssuerReference issuer_ref;
  std::optional<std::string> common_name;
  std::vector<std::string> dns_names;
  std::vector<std::string> ip_addresses;
  std::optional<GoDuration> duration;
  std::optional<std::string> profile;
  std::optional<std::string> replaces;  // ARI CertID of the certificate this order replaces
  friend bool operator==(const OrderSpec&, const OrderSpec&) = default;
};

struct AcmeChallenge {
  std::string url;
  std::string token;
  std::string type;
  friend bool operator==(const AcmeChallenge&, const AcmeChallenge&) = default;
};

struct AcmeAuthorization {
  std::string url;
  std::optional<std::string> identifier;
  std::optional<bool> wildcard;
  std::optional<std::string> initial_state;
  std::vector<AcmeChallenge> challenges;
  friend bool operator==(const AcmeAuthorization&, const AcmeAuthorization&) = default;
};

struct OrderStatus {
  std::optional<std::string> url;
  std::optional<std::string> finalize_url;
  std::vector<AcmeAuthorization> authorizations;
  std::string certificate;  // Go []byte: PEM chain here
  std::optional<std::string> state;
  std::optional<std::string> reason;
  std::optional<Time> failure_time;
  friend bool operator==(const OrderStatus&, const OrderStatus&) = default;
};

struct Order {
  ObjectMeta metadata;
  OrderSpec spec;
  OrderStatus status;
  friend bool operator==(const Order&, const Order&) = default;
};

struct ChallengeSpec {
  std::string url;
  std::string authorization_url;
  std::string dns_name;
  std::optional<bool> wildcard;
  std::string type;  // HTTP-01 | DNS-01
  std::string token;
  std::string key;
  AcmeChallengeSolver solver;
  IssuerReference issuer_ref;
  friend bool operator==(const ChallengeSpec&, const ChallengeSpec&) = default;
};

struct ChallengeStatus {
  std::optional<bool> processing;
  std::optional<bool> presented;
  std::optional<Time> presented_at;
  std::optional<std::string> reason;
  std::optional<std::string> state;
  friend bool operator==(const ChallengeStatus&, const ChallengeStatus&) = default;
};

struct Challenge {
  ObjectMeta metadata;
  ChallengeSpec spec;
  ChallengeStatus status;
  friend bool operator==(const Challenge&, const Challenge&) = default;
};

}  // namespace certkeeper::api
