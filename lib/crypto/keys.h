#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "lib/common/error.h"

// OpenSSL's key type, only named here so that no OpenSSL header is needed.
struct evp_pkey_st;

namespace certkeeper::crypto {

namespace internal {
struct KeyAccess;
}  // namespace internal

// cert-manager's spec.privateKey.algorithm.
enum class KeyAlgorithm {
  kRsa,
  kEcdsa,
  kEd25519,
};

std::string_view to_string(KeyAlgorithm algorithm);  // "RSA", "ECDSA", "Ed25519"

// cert-manager's spec.privateKey.encoding. kPkcs1 writes the key-type-specific structure:
// PKCS#1 "RSA PRIVATE KEY" for RSA and SEC1 "EC PRIVATE KEY" for ECDSA; Ed25519 has no such
// structure and is written as PKCS#8, as cert-manager does. kPkcs8 writes "PRIVATE KEY".
enum class KeyEncoding {
  kPkcs1,
  kPkcs8,
};

// A public key: RSA, ECDSA on P-256/P-384/P-521, or Ed25519.
//
// Owns a shared, immutable OpenSSL key; copies share it and are cheap. Thread-safe for all
// (const) operations. Always holds a key: there is no empty state.
class PublicKey {
 public:
  // DER SubjectPublicKeyInfo, or PEM "PUBLIC KEY".
  static common::Result<PublicKey> from_der(std::string_view der);
  static common::Result<PublicKey> from_pem(std::string_view pem);

  [[nodiscard]] KeyAlgorithm algorithm() const { return algorithm_; }
  // As PrivateKey::size().
  [[nodiscard]] int size() const { return size_; }

  // DER SubjectPublicKeyInfo (RFC 5280 §4.1.2.7), and the same as PEM "PUBLIC KEY".
  [[nodiscard]] const std::string& der() const { return der_; }
  [[nodiscard]] std::string pem() const;
  // Lowercase hex SHA-256 of der(): a stable identity for the key pair (log fields, comparing a
  // Secret's key with a certificate's) that reveals nothing about the private key.
  [[nodiscard]] const std::string& sha256_hex() const { return sha256_hex_; }

  // Same algorithm and same key material.
  [[nodiscard]] bool equals(const PublicKey& other) const;

 private:
  friend struct internal::KeyAccess;
  PublicKey() = default;

  std::shared_ptr<evp_pkey_st> pkey_;
  std::string der_;
  std::string sha256_hex_;
  KeyAlgorithm algorithm_ = KeyAlgorithm::kRsa;
  int size_ = 0;
  std::size_t coordinate_size_ = 0;
};

// A private key of the same types as PublicKey.
//
// Owns a shared, immutable OpenSSL key (freed and zeroised by OpenSSL when the last copy goes);
// copies share it. Thread-safe for all (const) operations. Always holds a key. Serialised forms
// (to_pem, to_der) are secrets: never log them or put them in an Error.
class PrivateKey {
 public:
  // A fresh key from OpenSSL's CSPRNG. `size` as in cert-manager's spec.privateKey.size:
  // RSA 2048..8192 bits (0 means 2048); ECDSA 256, 384 or 521 (0 means 256); ignored for
  // Ed25519. Out-of-range sizes are kInvalidArgument.
  static common::Result<PrivateKey> generate(KeyAlgorithm algorithm, int size = 0);

  // PEM "RSA PRIVATE KEY" (PKCS#1), "EC PRIVATE KEY" (SEC1) or "PRIVATE KEY" (PKCS#8); other
  // PEM blocks before the key (a certificate, say) are skipped. Encrypted keys, malformed input
  // and unsupported key types (DSA, Ed448, other curves) are kInvalidArgument. Parsed keys are
  // remembered by their PEM text (a bounded, process-wide memo), so reading the same Secret
  // again costs a lookup, not an OpenSSL decode.
  static common::Result<PrivateKey> from_pem(std::string_view pem);
  // DER in any of the three structures above.
  static common::Result<PrivateKey> from_der(std::string_view der);

  [[nodiscard]] KeyAlgorithm algorithm() const { return public_key_.algorithm(); }
  // RSA: modulus bits; ECDSA: curve size (256, 384, 521); Ed25519: 0 (cert-manager ignores
  // the size for Ed25519).
  [[nodiscard]] int size() const { return public_key_.size(); }

  [[nodiscard]] common::Result<std::string> to_pem(KeyEncoding encoding) const;
  [[nodiscard]] common::Result<std::string> to_der(KeyEncoding encoding) const;

  // The public half. It holds no private material.
  [[nodiscard]] const PublicKey& public_key() const { return public_key_; }

  // Whether `key` is this key's public half.
  [[nodiscard]] bool matches(const PublicKey& key) const { return public_key_.equals(key); }

 private:
  friend struct internal::KeyAccess;
  static common::Result<PrivateKey> parse_pem(std::string_view pem);
  PrivateKey(std::shared_ptr<evp_pkey_st> pkey, PublicKey public_key)
      : pkey_(std::move(pkey)), public_key_(std::move(public_key)) {}

  std::shared_ptr<evp_pkey_st> pkey_;
  PublicKey public_key_;
};

}  // namespace certkeeper::crypto
