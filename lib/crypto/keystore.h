#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/common/error.h"
#include "lib/crypto/certificate.h"
#include "lib/crypto/keys.h"

// The additional output formats of cert-manager's spec.keystores: PKCS#12 (RFC 7292) and Java
// KeyStore (JKS) files, built in memory. Free functions and plain values; thread-safe. The
// results are secrets only as far as the password is weak: they hold the private key.
namespace certkeeper::crypto {

// cert-manager's spec.keystores.pkcs12.profile.
enum class Pkcs12Profile {
  // Certificates under pbeWithSHAAnd40BitRC2-CBC, the key under pbeWithSHAAnd3-KeyTripleDES-CBC,
  // SHA-1 MAC (cert-manager's default, for old Java and Windows). RC2 lives in OpenSSL 3's
  // legacy provider, which must be loadable (kFailedPrecondition otherwise).
  kLegacyRc2,
  // Certificates and key under pbeWithSHAAnd3-KeyTripleDES-CBC, SHA-1 MAC.
  kLegacyDes,
  // PBES2 (PBKDF2 with HMAC-SHA-256, AES-256-CBC) for both, HMAC-SHA-256 MAC.
  kModern2023,
};

std::string_view to_string(Pkcs12Profile profile);  // "LegacyRC2", "LegacyDES", "Modern2023"

// A PKCS#12 file (DER) holding `key`, `certificate` and the `chain` (CA certificates, leaf
// excluded), protected with `password` using `profile`, 2048 iterations for the key derivation
// and the MAC. An empty password, or one with NUL characters, is kInvalidArgument.
common::Result<std::string> pkcs12(const PrivateKey& key, const Certificate& certificate,
                                   const std::vector<Certificate>& chain, std::string_view password,
                                   Pkcs12Profile profile);

// A Java KeyStore (JKS, version 2) as cert-manager writes keystore.jks: one PrivateKeyEntry
// under `alias` with the key (PKCS#8, protected by the JKS "Sun proprietary" KeyProtector with
// `password`) and the certificate chain `certificate` + `chain`, plus a trustedCertEntry "ca"
// for `ca` if given. Sealed with the JKS integrity digest, SHA-1(password as UTF-16BE ||
// "Mighty Aphrodite" || file). The alias is lowercased, as Java's JKS looks aliases up in lower
// case; it must be printable ASCII. `password` is UTF-8 and must not be empty.
common::Result<std::string> jks(
    const PrivateKey& key, const Certificate& certificate, const std::vector<Certificate>& chain,
    std::string_view password, std::string_view alias = "certificate",
    const std::optional<Certificate>& ca = std::nullopt,
    std::chrono::system_clock::time_point created = std::chrono::system_clock::now());

// One entry of a JKS file as read back by parse_jks.
struct JksEntry {
  std::string alias;
  std::chrono::system_clock::time_point created;  // millisecond precision
  std::optional<PrivateKey> key;                  // set for a PrivateKeyEntry
  std::vector<Certificate> certificates;          // its chain, or the one trusted certificate
};

// Reads a JKS file: checks magic and version 2, verifies the integrity digest with `password`
// (in constant time), and recovers private keys with the same password (checking the
// KeyProtector digest). Malformed input or a wrong password is kInvalidArgument.
common::Result<std::vector<JksEntry>> parse_jks(std::string_view data, std::string_view password);

}  // namespace certkeeper::crypto
