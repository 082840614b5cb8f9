#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/api/certificate.h"
#include "lib/common/error.h"
#include "lib/crypto/csr.h"
#include "lib/crypto/keys.h"

// Pure functions that turn a Certificate's spec into X.509 terms: the CSR it asks for, the
// CertificateRequest the request manager creates, and whether an existing request or key still
// fits the spec (cert-manager-api.md §1.2, §1.5, §3.3). No I/O; thread-safe.
namespace certkeeper::certificates {

// cert-manager's usage strings ("digital signature", "server auth", "s/mime", …) as keyUsage
// bits and extKeyUsage purposes. An unknown usage is kInvalidArgument naming it.
struct X509Usages {
  std::vector<crypto::KeyUsage> key_usages;
  std::vector<crypto::ExtendedKeyUsage> extended_key_usages;
};
common::Result<X509Usages> x509_usages(const std::vector<std::string>& usages);

// spec.privateKey.algorithm as lib/crypto's enum; unknown → kInvalidArgument.
common::Result<crypto::KeyAlgorithm> key_algorithm_for(const api::CertificateSpec& spec);

// The spec.privateKey fields `key` does not satisfy ("spec.privateKey.algorithm",
// "spec.privateKey.size"); empty when it fits.
std::vector<std::string> private_key_mismatches(const api::CertificateSpec& spec,
                                                const crypto::PublicKey& key);

// What the CSR for this spec contains: subject or literalSubject, the SANs, the usages when
// encodeUsagesInRequest (default true) and isCA. otherNames are not encoded yet.
common::Result<crypto::CsrSpec> csr_spec_for(const api::CertificateSpec& spec);

// `<cert>-<revision>` (cert-manager's StableCertificateRequestName): deterministic, so a
// restarted controller finds the request it made instead of making a second one.
std::string request_name(std::string_view certificate_name, std::int32_t revision);

// The cert-manager.io/certificate-revision annotation of a request, if it is a positive integer.
std::optional<std::int32_t> request_revision(const api::CertificateRequest& request);

// The CertificateRequest for `revision` of `certificate`, CSR signed with `key` (the next
// private key, stored in Secret `key_secret_name`): annotations certificate-name,
// certificate-revision, private-key-secret-name plus the Certificate's own annotations (minus
// kubectl/flux/argocd ones), its labels, and a controller ownerReference to it.
common::Result<api::CertificateRequest> build_request(const api::Certificate& certificate,
                                                      std::int32_t revision,
                                                      const std::string& key_secret_name,
                                                      const crypto::PrivateKey& key);

// The spec fields on which `request` differs from what `certificate` asks for now
// ("spec.dnsNames", "spec.commonName", "spec.usages", "spec.duration", "spec.issuerRef", …),
// comparing its CSR with one built for the spec; SAN order does not matter. Empty: up to date.
// A CSR that does not parse is reported as "spec.request".
std::vector<std::string> request_mismatches(const api::Certificate& certificate,
                                            const api::CertificateRequest& request);

// The public key a request's CSR asks to certify, or an error if the CSR does not parse.
common::Result<crypto::PublicKey> request_public_key(const api::CertificateRequest& request);

// How a CertificateRequest ended, as the issuing controller reads it.
struct RequestOutcome {
  enum class Kind { kPending, kIssued, kFailed };
  Kind kind = Kind::kPending;
  std::string reason;   // for kFailed: Failed, Denied or the InvalidRequest reason
  std::string message;  // the request's condition message
};
RequestOutcome request_outcome(const api::CertificateRequest& request);

// Comma-joined list for the "mismatching fields" messages: "[spec.dnsNames spec.usages]".
std::string field_list(const std::vector<std::string>& fields);

}  // namespace certkeeper::certificates
