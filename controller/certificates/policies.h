#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "controller/certificates/secret.h"
#include "lib/api/certificate.h"
#include "lib/crypto/certificate.h"

// The decisions of the certificates pipeline as pure functions of (Certificate, Secret, current
// CertificateRequest, now): cert-manager's policy chains (cert-manager-api.md §3.3,
// internal/controller/certificates/policies), renewal time (§1.4) and the duplicate-secretName
// owner election (§1.2 secretName). No I/O; thread-safe.
namespace certkeeper::certificates {

struct PolicyInput {
  const api::Certificate* certificate = nullptr;
  const SecretView* secret = nullptr;  // nullptr: the Secret does not exist
  // The request whose revision is status.revision (nullptr if there is none).
  const api::CertificateRequest* current_request = nullptr;
  api::Time now;
};

// A violated policy: the reason and message that go into the Issuing or Ready condition.
struct PolicyResult {
  std::string reason;
  std::string message;
  friend bool operator==(const PolicyResult&, const PolicyResult&) = default;
};

// The trigger chain, first hit wins: Secret missing (DoesNotExist), tls.crt/tls.key missing
// (MissingData), unparseable or mismatched key pair (InvalidKeyPair, InvalidCertificate), issuer
// annotations naming another issuer (IncorrectIssuer), certificate-name annotation naming
// another Certificate (IncorrectCertificate), key not matching spec.privateKey
// (SecretMismatch), key not matching the current request (SecretMismatch), the current request
// or — without one — the issued certificate not matching the spec (RequestChanged /
// SecretMismatch), renewal time reached (Renewing).
std::optional<PolicyResult> trigger_policy(const PolicyInput& input);

// The readiness chain: the same, except that the last step is "expired" (Expired) instead of
// "renewal due".
std::optional<PolicyResult> readiness_policy(const PolicyInput& input);

// When to renew `leaf` for this Certificate (§1.4 step 2), or nullopt when spec.renewal.policy
// is Disabled. Renewal windows and ARI are not applied yet.
std::optional<api::Time> renewal_time_for(const api::Certificate& certificate,
                                          const crypto::Certificate& leaf);

// The leaf certificate of a Secret's tls.crt, if it parses.
std::optional<crypto::Certificate> secret_leaf(const SecretView& secret);

// Whether `certificate` may manage its Secret when others in its namespace name the same
// secretName (cert-manager's CertificateOwnsSecret): the one the Secret's
// cert-manager.io/certificate-name annotation names, if it exists; else the oldest by
// creationTimestamp, ties broken by name. `namespace_certificates` may include `certificate`.
bool certificate_owns_secret(const api::Certificate& certificate,
                             const std::vector<api::Certificate>& namespace_certificates,
                             const SecretView* secret);

// How long the trigger must still wait after failed issuances (§3.4): from
// status.lastFailureTime, api::issuance_backoff(failedIssuanceAttempts) — unless the spec changed
// since the failure (metadata.generation newer than the Issuing condition's observedGeneration),
// which retries at once. nullopt: no wait.
std::optional<std::chrono::nanoseconds> backoff_remaining(const api::Certificate& certificate,
                                                          api::Time now);

// Go's time.Time.String() for a UTC time ("2026-11-28 17:08:27 +0000 UTC"), as cert-manager's
// messages print times.
std::string go_time_string(api::Time t);

}  // namespace certkeeper::certificates
