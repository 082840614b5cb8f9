#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "controller/issuers/ca_keypair.h"
#include "lib/api/issuer.h"
#include "lib/common/error.h"
#include "lib/crypto/keys.h"

// The pure decisions of an ACME issuer's account setup (cert-manager-api.md §1.6, §2.1;
// cert-manager's pkg/issuer/acme/setup.go): which key, whether the CA must be asked at all, how
// a registration error is treated, and the Ready condition that results. No I/O.
namespace certkeeper::issuers {

// cert-manager's Ready messages for ACME issuers.
inline constexpr std::string_view kMessageAccountRegistered =
    "The ACME account was registered with the ACME server";
inline constexpr std::string_view kMessageAccountVerified =
    "The ACME account was verified with the ACME server";
inline constexpr std::string_view kMessageRegistrationFailed = "Failed to register ACME account: ";
inline constexpr std::string_view kMessageVerificationFailed = "Failed to verify ACME account: ";
inline constexpr std::string_view kMessageUpdateFailed = "Failed to update ACME account: ";
inline constexpr std::string_view kMessageKeyGenerationDisabled =
    "the ACME issuer config has 'disableAccountKeyGeneration' set to true, but the secret was "
    "not found: ";
inline constexpr std::string_view kMessageInvalidPrivateKey = "Account private key is invalid: ";

// The account key in the Secret's data under `key` (PEM, any of PKCS#1 / SEC1 / PKCS#8). RSA
// (2048 bits or more) and ECDSA P-256 / P-384 are accepted (certkeeper also takes ECDSA, which
// cert-manager refuses); anything else is kInvalidArgument naming the Secret and key, never the
// key material.
common::Result<crypto::PrivateKey> parse_account_key(const std::map<std::string, std::string>& data,
                                                     std::string_view key, std::string_view ns,
                                                     std::string_view name);

// status.acme.lastPrivateKeyHash: base64 (standard) of the SHA-256 of the key's PKCS#1 (RSA) or
// SEC1 (ECDSA) DER. Changes exactly when the key does; reveals nothing usable about it.
common::Result<std::string> account_key_hash(const crypto::PrivateKey& key);

// "host[:port]" of an absolute http(s) URL, or empty when `url` is not one.
std::string url_host(std::string_view url);

// The contact list for spec.acme.email: {"mailto:<email>"}, or empty without an email.
std::vector<std::string> account_contact(const std::optional<std::string>& email);

// What the controller must do with the CA for an issuer whose key hashes to `key_hash`.
enum class AccountAction {
  kNone,           // status.acme says the account is registered for this server, key and email
  kUpdateContact,  // same account (server and key), only the email changed
  kRegister,       // no account known for this server and key: register (or find) it
};
AccountAction account_action(const api::AcmeIssuer& acme,
                             const std::optional<api::AcmeIssuerStatus>& status,
                             std::string_view key_hash);

// The EAB HMAC key as written in its Secret, decoded: base64url (as CAs hand it out) or
// standard base64, padded or not; surrounding whitespace (a trailing newline from `echo`) is
// ignored. Empty or undecodable is kInvalidArgument naming `where`, never the value.
common::Result<std::string> decode_eab_hmac_key(std::string_view text, std::string_view where);

// How a failed account request is treated.
enum class FailureKind {
  kUser,       // the CA refused what the user configured (4xx, EAB required, bad contact…):
               // report it and do not ask again until something changes or a long backoff ends
  kTransient,  // network, timeout, 5xx, rate limit: retry with backoff
};
FailureKind classify_account_error(const common::Error& error);

// A digest of everything a registration depends on (server, email, key hash, EAB key id and
// HMAC key, CA bundle, skipTLSVerify): a user error is not retried while it stays the same.
std::string registration_fingerprint(const api::AcmeIssuer& acme, std::string_view key_hash,
                                     std::string_view eab_hmac_key);

// Ready for a failed step: status False, `reason`, `prefix` + the error's message.
Readiness account_failure(std::string_view reason, std::string_view prefix,
                          const common::Error& error);

}  // namespace certkeeper::issuers
