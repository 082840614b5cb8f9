#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/api/acme_types.h"
#include "lib/api/certificate.h"
#include "lib/api/issuer.h"

// The admission rules of cert-manager's validating webhook worth copying
// (shared/docs/reference/cert-manager-api.md §1.12), as pure functions the webhook and the
// controllers share. Each returns every violation found, with the field path and a message in
// the Kubernetes field-error format, plus the webhook's warnings.
//
// Not here because lib/api may not parse X.509 (no crypto dependency): that a CertificateRequest's
// CSR parses and that its usages/isCA match the CSR, and that a caBundle holds a parseable
// certificate. The webhook checks those with lib/crypto on top of these results.
namespace certkeeper::api {

enum class FieldErrorType {
  kRequired,      // "Required value"
  kInvalid,       // "Invalid value"
  kForbidden,     // "Forbidden"
  kNotSupported,  // "Unsupported value"
  kDuplicate,     // "Duplicate value"
  kTooLong,       // "Too long"
};

// One violation, printed like apimachinery's field.Error:
//   spec.privateKey.size: Invalid value: 1000: must be between 2048 and 8192 for rsa keyAlgorithm
//   spec.secretName: Required value: must be specified
struct FieldError {
  FieldErrorType type = FieldErrorType::kInvalid;
  std::string field;                 // "spec.dnsNames[0]"
  std::optional<std::string> value;  // the bad value as Kubernetes prints it: "\"x\"", 1000
  std::string detail;

  [[nodiscard]] std::string to_string() const;
  friend bool operator==(const FieldError&, const FieldError&) = default;
};

struct ValidationResult {
  std::vector<FieldError> errors;
  std::vector<std::string> warnings;

  [[nodiscard]] bool ok() const { return errors.empty(); }
  // The errors joined with ", " (the webhook's denial message lists them so).
  [[nodiscard]] std::string to_string() const;
};

ValidationResult validate_certificate(const Certificate& certificate);
ValidationResult validate_certificate_spec(const CertificateSpec& spec);

ValidationResult validate_certificate_request(const CertificateRequest& request);
// Update rules: spec and cert-manager.io/ annotations are immutable; Approved/Denied conditions
// may only be True, may not coexist or repeat, and may not change once set.
ValidationResult validate_certificate_request_update(const CertificateRequest& old_request,
                                                     const CertificateRequest& request);

ValidationResult validate_issuer(const Issuer& issuer);
ValidationResult validate_cluster_issuer(const ClusterIssuer& issuer);
ValidationResult validate_issuer_spec(const IssuerSpec& spec);

// Orders and Challenges are written by the controller; only their updates are checked.
ValidationResult validate_order(const Order& order);
ValidationResult validate_order_update(const Order& old_order, const Order& order);
ValidationResult validate_challenge(const Challenge& challenge);
ValidationResult validate_challenge_update(const Challenge& old_challenge,
                                           const Challenge& challenge);

// Building blocks shared with other admission code (ingress-shim annotations, the webhook).
bool is_known_key_usage(std::string_view usage);
bool is_dns1123_subdomain(std::string_view name);
bool is_ip_address(std::string_view text);
bool is_cidr(std::string_view text);
// A bare addr-spec (local@domain), not "Name <local@domain>".
bool is_bare_email_address(std::string_view text);
// Standard 5-field cron ("m h dom mon dow": numbers, *, ranges, lists, steps, JAN-DEC, SUN-SAT)
// or a descriptor (@yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly). On error,
// the reason.
std::optional<std::string> cron_error(std::string_view expression);

}  // namespace certkeeper::api
