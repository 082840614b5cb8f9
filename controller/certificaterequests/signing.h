#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "lib/api/certificate.h"
#include "lib/api/issuer.h"
#include "lib/api/meta.h"
#include "lib/common/error.h"
#include "lib/crypto/csr.h"
#include "lib/crypto/signer.h"

// What the SelfSigned and CA signers decide for one approved CertificateRequest, as pure
// functions of the request, the issuer's configuration and the Secret they read
// (cert-manager-api.md §1.5, §2; pkg/controller/certificaterequests/{selfsigned,ca}).
namespace certkeeper::certificaterequests {

// A signer's result. kPending: try again when something changes (Ready=False, Pending);
// kFailed: final (Ready=False, Failed, failureTime); kIssued: certificate and ca are set.
struct SignOutcome {
  enum class Kind { kIssued, kPending, kFailed };
  Kind kind = Kind::kPending;
  std::string reason;       // the Event's reason, e.g. "MissingSecret", "ErrorKeyMatch"
  std::string message;      // the Ready condition's message
  std::string certificate;  // PEM: the leaf, then intermediates (kIssued)
  std::string ca;           // PEM: the top-most CA certificate (kIssued)
};

// The certificate to issue for `csr` under `spec`: subject and SANs from the CSR; validity
// from `now` (whole seconds) for spec.duration (default 90 days, not cut to the CA's expiry, as
// cert-manager); basicConstraints from spec.isCA; key usages from spec.usages (default digital
// signature + key encipherment, cert sign added for a CA). Unknown usages are kInvalidArgument.
common::Result<crypto::CertificateTemplate> template_for_request(
    const api::CertificateRequestSpec& spec, const crypto::ParsedCsr& csr, api::Time now);

// The Secret named by the request's cert-manager.io/private-key-secret-name annotation, or
// empty when the annotation is missing or empty.
std::string private_key_secret_name(const api::CertificateRequest& cr);

// SelfSigned: signs the CSR with the key in `key_secret` (the annotation's Secret in the
// request's namespace; nullopt when it does not exist). Missing annotation → Failed
// MissingAnnotation; missing Secret → Pending MissingSecret; unreadable key → Pending
// ErrorParsingKey; bad CSR or usages → Failed ErrorGenerating; CSR not signed by that key →
// Failed ErrorKeyMatch. status.ca is the certificate itself.
SignOutcome sign_self_signed(const api::CertificateRequest& cr, const api::SelfSignedIssuer& issuer,
                             const std::optional<std::map<std::string, std::string>>& key_secret,
                             api::Time now);

// CA: signs the CSR with the CA Secret's tls.crt / tls.key (in `resource_namespace`; nullopt
// when it does not exist), adding the issuer's CRL distribution points, OCSP servers and
// issuing certificate URLs. Missing Secret → Pending SecretMissing; unreadable pair → Pending
// SecretInvalidData; bad CSR, usages or signing → Failed SigningError. status.certificate is the
// leaf and the CA chain without a self-signed root; status.ca the top-most CA certificate.
SignOutcome sign_with_ca(const api::CertificateRequest& cr, const api::CaIssuer& issuer,
                         std::string_view resource_namespace,
                         const std::optional<std::map<std::string, std::string>>& ca_secret,
                         api::Time now);

}  // namespace certkeeper::certificaterequests
