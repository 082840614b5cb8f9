#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "lib/api/meta.h"

// cert-manager.io/v1 Certificate and CertificateRequest as plain structs
// (shared/docs/reference/cert-manager-api.md §1.2, §1.3, §1.5).
//
// Conventions for every type in lib/api: an optional scalar or object is std::optional, so a field
// the user did not write stays absent when the object is encoded again; lists and maps are
// omitted when empty and required strings when empty, as Go's `omitempty` does. Enumerated
// values (algorithms, usages, policies) stay strings: a wrong value is a validation error
// (validation.h) naming the field, not a decoding failure. Defaults are never stored here; they
// are computed at use by defaults.h.
namespace certkeeper::api {

struct X509Subject {
  std::vector<std::string> organizations;
  std::vector<std::string> countries;
  std::vector<std::string> organizational_units;
  std::vector<std::string> localities;
  std::vector<std::string> provinces;
  std::vector<std::string> street_addresses;
  std::vector<std::string> postal_codes;
  std::optional<std::string> serial_number;
  friend bool operator==(const X509Subject&, const X509Subject&) = default;
};

struct OtherName {
  std::string oid;
  std::string utf8_value;
  friend bool operator==(const OtherName&, const OtherName&) = default;
};

struct CertificateSecretTemplate {
  std::map<std::string, std::string> annotations;
  std::map<std::string, std::string> labels;
  friend bool operator==(const CertificateSecretTemplate&,
                         const CertificateSecretTemplate&) = default;
};

struct JksKeystore {
  std::optional<bool> create;
  std::optional<std::string> alias;  // default "certificate"
  std::optional<SecretKeySelector> password_secret_ref;
  std::optional<std::string> password;
  friend bool operator==(const JksKeystore&, const JksKeystore&) = default;
};

struct Pkcs12Keystore {
  std::optional<bool> create;
  std::optional<std::string> profile;  // LegacyRC2 (default) | LegacyDES | Modern2023 | Modern2026
  std::optional<SecretKeySelector> password_secret_ref;
  std::optional<std::string> password;
  friend bool operator==(const Pkcs12Keystore&, const Pkcs12Keystore&) = default;
};

struct CertificateKeystores {
  std::optional<JksKeystore> jks;
  std::optional<Pkcs12Keystore> pkcs12;
  friend bool operator==(const CertificateKeystores&, const CertificateKeystores&) = default;
};

struct CertificatePrivateKey {
  std::optional<std::string> rotation_policy;  // Never | Always (default)
  std::optional<std::string> encoding;         // PKCS1 (default) | PKCS8
  std::optional<std::string> algorithm;        // RSA (default) | ECDSA | Ed25519
  std::optional<std::int64_t> size;
  friend bool operator==(const CertificatePrivateKey&, const CertificatePrivateKey&) = default;
};

struct CertificateAdditionalOutputFormat {
  std::string type;  // DER | CombinedPEM
  friend bool operator==(const CertificateAdditionalOutputFormat&,
                         const CertificateAdditionalOutputFormat&) = default;
};

struct NameConstraintItem {
  std::vector<std::string> dns_domains;
  std::vector<std::string> ip_ranges;
  std::vector<std::string> email_addresses;
  std::vector<std::string> uri_domains;
  friend bool operator==(const NameConstraintItem&, const NameConstraintItem&) = default;
};

struct NameConstraints {
  std::optional<bool> critical;
  std::optional<NameConstraintItem> permitted;
  std::optional<NameConstraintItem> excluded;
  friend bool operator==(const NameConstraints&, const NameConstraints&) = default;
};

// spec.renewal (cert-manager v1.21): renewal windows or no renewal at all.
struct CertificateRenewalWindow {
  std::string cron;                     // 5-field cron expression: start of each window
  std::optional<std::string> timezone;  // IANA name, default UTC
  std::optional<GoDuration> window_duration;
  friend bool operator==(const CertificateRenewalWindow&,
                         const CertificateRenewalWindow&) = default;
};

struct CertificateRenewal {
  std::string policy;  // RenewBefore | Disabled
  std::vector<CertificateRenewalWindow> windows;
  friend bool operator==(const CertificateRenewal&, const CertificateRenewal&) = default;
};

struct CertificateSpec {
  std::optional<X509Subject> subject;
  std::optional<std::string> literal_subject;
  std::optional<std::string> common_name;
  std::optional<GoDuration> duration;
  std::optional<GoDuration> renew_before;
  std::optional<std::int32_t> renew_before_percentage;
  std::optional<CertificateRenewal> renewal;
  std::vector<std::string> dns_names;
  std::vector<std::string> ip_addresses;
  std::vector<std::string> uris;
  std::vector<OtherName> other_names;
  std::vector<std::string> email_addresses;
  std::string secret_name;
  std::optional<CertificateSecretTemplate> secret_template;
  std::optional<CertificateKeystores> keystores;
  IssuerReference issuer_ref;
  std::optional<bool> is_ca;
  std::vector<std::string> usages;
  std::optional<CertificatePrivateKey> private_key;
  std::optional<std::string> signature_algorithm;
  std::optional<bool> encode_usages_in_request;
  std::optional<std::int32_t> revision_history_limit;
  std::vector<CertificateAdditionalOutputFormat> additional_output_formats;
  std::optional<NameConstraints> name_constraints;
  friend bool operator==(const CertificateSpec&, const CertificateSpec&) = default;
};

// status.acme.ari (RFC 9773 renewal information, cert-manager v1.21).
struct AriWindow {
  std::optional<Time> start;
  std::optional<Time> end;
  friend bool operator==(const AriWindow&, const AriWindow&) = default;
};

struct CertificateAriStatus {
  std::optional<AriWindow> suggested_window;
  std::optional<std::string> explanation_url;
  std::optional<Time> last_checked;
  std::optional<Time> next_check;
  std::optional<std::string> last_error;
  friend bool operator==(const CertificateAriStatus&, const CertificateAriStatus&) = default;
};

struct CertificateAcmeStatus {
  std::optional<CertificateAriStatus> ari;
  friend bool operator==(const CertificateAcmeStatus&, const CertificateAcmeStatus&) = default;
};

struct CertificateStatus {
  std::vector<Condition> conditions;
  std::optional<Time> last_failure_time;
  std::optional<Time> not_before;
  std::optional<Time> not_after;
  std::optional<Time> renewal_time;
  std::optional<std::int32_t> revision;
  std::optional<std::string> next_private_key_secret_name;
  std::optional<std::int32_t> failed_issuance_attempts;
  std::optional<CertificateAcmeStatus> acme;
  friend bool operator==(const CertificateStatus&, const CertificateStatus&) = default;
};

struct Certificate {
  ObjectMeta metadata;
  CertificateSpec spec;
  CertificateStatus status;
  friend bool operator==(const Certificate&, const Certificate&) = default;
};

// spec.request, status.certificate and status.ca are Go []byte: base64 on the wire, the decoded
// bytes (PEM text) here.
struct CertificateRequestSpec {
  std::optional<GoDuration> duration;
  IssuerReference issuer_ref;
  std::string request;
  std::optional<bool> is_ca;
  std::vector<std::string> usages;
  std::optional<std::string> username;
  std::optional<std::string> uid;
  std::vector<std::string> groups;
  std::map<std::string, std::vector<std::string>> extra;
  friend bool operator==(const CertificateRequestSpec&, const CertificateRequestSpec&) = default;
};

struct CertificateRequestStatus {
  std::vector<Condition> conditions;
  std::string certificate;
  std::string ca;
  std::optional<Time> failure_time;
  friend bool operator==(const CertificateRequestStatus&,
                         const CertificateRequestStatus&) = default;
};

struct CertificateRequest {
  ObjectMeta metadata;
  CertificateRequestSpec spec;
  CertificateRequestStatus status;
  friend bool operator==(const CertificateRequest&, const CertificateRequest&) = default;
};

}  // namespace certkeeper::api
