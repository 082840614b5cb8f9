#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/api/issuer.h"
#include "lib/api/meta.h"
#include "lib/common/error.h"
#include "lib/crypto/certificate.h"
#include "lib/crypto/keys.h"

namespace certkeeper::issuers {

// A CA issuer's signing key pair from its Secret: tls.crt (the CA first, then its chain) and
// tls.key. A plain value.
struct CaKeyPair {
  std::vector<crypto::Certificate> chain;
  crypto::PrivateKey key;
};

// Parses tls.key and tls.crt of the Secret `ns`/`name` (cert-manager's kube.SecretTLSKeyPair),
// and checks that the key is the certificate's (else an error with reason ErrInvalidKeyPair).
// Errors (kInvalidArgument) carry cert-manager's messages, e.g. `no private key data for "tls.key"
// in secret 'ns/name'`; they never quote key material. Pure.
common::Result<CaKeyPair> parse_ca_keypair(const std::map<std::string, std::string>& data,
                                           std::string_view ns, std::string_view name);

// Why a certificate cannot sign others, or empty when it can: basicConstraints cA must be set,
// and a keyUsage extension, if present, must allow keyCertSign (RFC 5280 §4.2.1.3, §4.2.1.9).
std::string not_a_ca_reason(const crypto::Certificate& certificate);

// The Ready condition an issuer should have. A plain value.
struct Readiness {
  api::ConditionStatus status = api::ConditionStatus::kUnknown;
  std::string reason;
  std::string message;
  bool operator==(const Readiness&) const = default;
};

// SelfSigned issuers are always ready (reason IsReady, empty message, as cert-manager).
Readiness self_signed_readiness();

// A CA issuer's readiness from its Secret's data (nullopt: the Secret does not exist), with
// cert-manager's reasons: KeyPairVerified "Signing CA verified"; ErrGetKeyPair when the Secret
// or its data is missing or unreadable; ErrInvalidKeyPair when the certificate is not a CA or
// (certkeeper) the key is not the certificate's. Messages start with "Error getting keypair for
// CA issuer: ". Pure.
Readiness ca_readiness(const api::CaIssuer& ca, std::string_view resource_namespace,
                       const std::optional<std::map<std::string, std::string>>& secret_data);

}  // namespace certkeeper::issuers
