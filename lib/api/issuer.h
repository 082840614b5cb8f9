#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lib/api/meta.h"

// cert-manager.io/v1 Issuer and ClusterIssuer with the ACME, CA and SelfSigned configurations
// typed (shared/docs/reference/cert-manager-api.md §1.6, §2, §2.1, §2.2). Vault, Venafi, the Pod
// and Ingress templates, Gateway parentRefs and the DNS-01 providers certkeeper does not
// implement are kept as raw JSON and written back unchanged. Conventions as in certificate.h.
namespace certkeeper::api {

struct SelfSignedIssuer {
  std::vector<std::string> crl_distribution_points;
  friend bool operator==(const SelfSignedIssuer&, const SelfSignedIssuer&) = default;
};

struct CaIssuer {
  std::string secret_name;
  std::vector<std::string> crl_distribution_points;
  std::vector<std::string> ocsp_servers;
  std::vector<std::string> issuing_certificate_urls;
  friend bool operator==(const CaIssuer&, const CaIssuer&) = default;
};

struct AcmeExternalAccountBinding {
  std::string key_id;
  SecretKeySelector key_secret_ref;
  std::optional<std::string> key_algorithm;  // deprecated: HS256 is always used
  friend bool operator==(const AcmeExternalAccountBinding&,
                         const AcmeExternalAccountBinding&) = default;
};

struct CertificateDnsNameSelector {
  std::map<std::string, std::string> match_labels;
  std::vector<std::string> dns_names;
  std::vector<std::string> dns_zones;
  friend bool operator==(const CertificateDnsNameSelector&,
                         const CertificateDnsNameSelector&) = default;
};

struct AcmeHttp01Ingress {
  std::optional<std::string> service_type;  // NodePort (default) | ClusterIP
  std::optional<std::string> ingress_class_name;
  std::optional<std::string> class_;
  std::optional<std::string> name;
  std::optional<nlohmann::json> pod_template;
  std::optional<nlohmann::json> ingress_template;
  friend bool operator==(const AcmeHttp01Ingress&, const AcmeHttp01Ingress&) = default;
};

struct AcmeHttp01GatewayHttpRoute {
  std::optional<std::string> service_type;
  std::map<std::string, std::string> labels;
  std::vector<nlohmann::json> parent_refs;  // Gateway API ParentReference objects
  std::optional<nlohmann::json> pod_template;
  friend bool operator==(const AcmeHttp01GatewayHttpRoute&,
                         const AcmeHttp01GatewayHttpRoute&) = default;
};

struct AcmeHttp01 {
  std::optional<AcmeHttp01Ingress> ingress;
  std::optional<AcmeHttp01GatewayHttpRoute> gateway_http_route;
  friend bool operator==(const AcmeHttp01&, const AcmeHttp01&) = default;
};

struct AcmeDns01Rfc2136 {
  std::string nameserver;
  std::optional<std::string> tsig_key_name;
  std::optional<std::string> tsig_algorithm;  // HMACMD5 (default) | HMACSHA1 | HMACSHA256 | …
  std::optional<SecretKeySelector> tsig_secret_secret_ref;
  std::optional<std::string> protocol;  // UDP (default) | TCP
  friend bool operator==(const AcmeDns01Rfc2136&, const AcmeDns01Rfc2136&) = default;
};

struct AcmeDns01Webhook {
  std::string group_name;
  std::string solver_name;
  std::optional<nlohmann::json> config;
  friend bool operator==(const AcmeDns01Webhook&, const AcmeDns01Webhook&) = default;
};

struct AcmeDns01 {
  std::optional<std::string> cname_strategy;  // None (default) | Follow
  std::vector<std::string> nameservers;
  std::optional<AcmeDns01Rfc2136> rfc2136;
  std::optional<AcmeDns01Webhook> webhook;
  // Providers certkeeper does not implement yet, preserved as written.
  std::optional<nlohmann::json> acme_dns;
  std::optional<nlohmann::json> akamai;
  std::optional<nlohmann::json> azure_dns;
  std::optional<nlohmann::json> cloud_dns;
  std::optional<nlohmann::json> cloudflare;
  std::optional<nlohmann::json> route53;
  std::optional<nlohmann::json> digitalocean;
  friend bool operator==(const AcmeDns01&, const AcmeDns01&) = default;
};

struct AcmeChallengeSolver {
  std::optional<CertificateDnsNameSelector> selector;
  std::optional<AcmeHttp01> http01;
  std::optional<AcmeDns01> dns01;
  std::optional<GoDuration> wait_instead_of_self_check;
  friend bool operator==(const AcmeChallengeSolver&, const AcmeChallengeSolver&) = default;
};

struct AcmeIssuer {
  std::optional<std::string> email;
  std::string server;
  std::optional<std::string> preferred_chain;
  std::string ca_bundle;  // Go []byte: base64 on the wire, PEM here
  std::optional<bool> skip_tls_verify;
  std::optional<AcmeExternalAccountBinding> external_account_binding;
  SecretKeySelector private_key_secret_ref;  // key defaults to tls.key
  std::vector<AcmeChallengeSolver> solvers;
  std::optional<bool> disable_account_key_generation;
  std::optional<bool> enable_duration_feature;
  std::optional<std::string> profile;
  std::optional<std::string> renewal_information_source;  // ARI | None
  friend bool operator==(const AcmeIssuer&, const AcmeIssuer&) = default;
};

// Exactly one member should be set (validation.h says which extras are forbidden).
struct IssuerSpec {
  std::optional<AcmeIssuer> acme;
  std::optional<CaIssuer> ca;
  std::optional<SelfSignedIssuer> self_signed;
  std::optional<nlohmann::json> vault;
  std::optional<nlohmann::json> venafi;
  friend bool operator==(const IssuerSpec&, const IssuerSpec&) = default;
};

struct AcmeIssuerStatus {
  std::optional<std::string> uri;
  std::optional<std::string> last_registered_email;
  std::optional<std::string> last_private_key_hash;
  friend bool operator==(const AcmeIssuerStatus&, const AcmeIssuerStatus&) = default;
};

struct IssuerStatus {
  std::vector<Condition> conditions;
  std::optional<AcmeIssuerStatus> acme;
  friend bool operator==(const IssuerStatus&, const IssuerStatus&) = default;
};

struct Issuer {
  ObjectMeta metadata;
  IssuerSpec spec;
  IssuerStatus status;
  friend bool operator==(const Issuer&, const Issuer&) = default;
};

// Same shape as Issuer; cluster-scoped, its Secrets live in the cluster resource namespace.
struct ClusterIssuer {
  ObjectMeta metadata;
  IssuerSpec spec;
  IssuerStatus status;
  friend bool operator==(const ClusterIssuer&, const ClusterIssuer&) = default;
};

}  // namespace certkeeper::api
