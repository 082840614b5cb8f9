#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "lib/common/error.h"
#include "lib/crypto/keys.h"
#include "lib/crypto/primitives.h"

// JOSE as ACME uses it (RFC 8555 §6.2): JWKs and their thumbprints, JWS in the flattened JSON
// serialization, HMAC JWS for External Account Binding. Free functions and plain values;
// thread-safe. JSON is produced here without a JSON library, since every member value is either
// base64url or a caller-supplied string that is escaped.
namespace certkeeper::crypto {

// A public JWK with only the members RFC 7638 §3.2 requires, each base64url encoded:
//   RSA: e, n (minimal big-endian, RFC 7518 §6.3.1)
//   EC:  crv ("P-256", "P-384", "P-521"), x, y (full field length, RFC 7518 §6.2.1)
//   OKP: crv ("Ed25519"), x (RFC 8037 §2)
struct Jwk {
  std::string kty;  // "RSA", "EC" or "OKP"
  std::string crv;
  std::string x;
  std::string y;
  std::string n;
  std::string e;

  // The canonical JSON: the required members only, in lexicographic order, no whitespace
  // (RFC 7638 §3.3). Also what goes into a "jwk" header and an EAB payload.
  [[nodiscard]] std::string to_json() const;

  bool operator==(const Jwk&) const = default;
};

common::Result<Jwk> jwk_of(const PublicKey& key);
// The key a JWK describes; kInvalidArgument for unknown kty/crv, bad base64url, coordinates of
// the wrong length or a point not on the curve.
common::Result<PublicKey> public_key_from_jwk(const Jwk& jwk);

// base64url(SHA-256(canonical JWK)) (RFC 7638 §3); the account key's part of ACME key
// authorizations (RFC 8555 §8.1).
common::Result<std::string> jwk_thumbprint(const Jwk& jwk);
common::Result<std::string> jwk_thumbprint(const PublicKey& key);

// The JWS "alg" for a key: RS256 (RSA), ES256/ES384/ES512 (P-256/P-384/P-521), EdDSA (Ed25519).
std::string_view jws_algorithm(const PublicKey& key);

// The protected header members the caller chooses; "alg" comes from the key. Members are
// written in lexicographic order: alg, jwk, kid, nonce, url.
struct JwsHeader {
  // Exactly one of these two (RFC 8555 §6.2): embed the signer's public JWK (newAccount,
  // revokeCert signed by the certificate key, the inner keyChange JWS), or name the account URL.
  bool embed_jwk = false;
  std::string kid;
  // The anti-replay nonce; empty omits it (the inner keyChange JWS, EAB, §7.3.4-5).
  std::string nonce;
  // The request URL; required (§6.4).
  std::string url;
};

// A JWS in flattened JSON serialization (RFC 7515 §7.2.2); all three members base64url.
struct FlattenedJws {
  std::string protected_header;  // "protected"
  std::string payload;           // "payload"; empty for POST-as-GET (RFC 8555 §6.3)
  std::string signature;         // "signature"

  // {"payload":"...","protected":"...","signature":"..."}: the request body, sent with
  // Content-Type application/jose+json.
  [[nodiscard]] std::string to_json() const;
};

// Signs `payload` (raw bytes; typically JSON, or "" for POST-as-GET) with `key`. ECDSA
// signatures are raw r||s of fixed length (RFC 7518 §3.4), not DER. An invalid header
// (both or neither of jwk/kid, no url) is kInvalidArgument.
common::Result<FlattenedJws> sign_jws(const PrivateKey& key, const JwsHeader& header,
                                      std::string_view payload);

// An HMAC JWS ("HS256", "HS384", "HS512"). `header` must use kid (no embedded JWK).
common::Result<FlattenedJws> sign_hmac_jws(std::string_view mac_key, const JwsHeader& header,
                                           std::string_view payload,
                                           HashAlgorithm algorithm = HashAlgorithm::kSha256);

// The newAccount "externalAccountBinding" value (RFC 8555 §7.3.4): HS256 over the account
// key's JWK, protected header {"alg":"HS256","kid":<eab_kid>,"url":<new_account_url>}. `mac_key`
// is the decoded key (see base64_decode_lenient).
common::Result<FlattenedJws> external_account_binding(std::string_view mac_key,
                                                      std::string_view eab_kid,
                                                      std::string_view new_account_url,
                                                      const PublicKey& account_key);

// Checks a JWS signature made with `key`. `alg` is the "alg" from the protected header, which
// the caller decodes (it checks nonce and url too); it must be the algorithm `key` implies, so a
// header cannot switch algorithms on us. A mismatch or bad signature is kInvalidArgument.
common::Status verify_jws(const FlattenedJws& jws, const PublicKey& key, std::string_view alg);
// The same for HMAC JWS, in constant time.
common::Status verify_hmac_jws(const FlattenedJws& jws, std::string_view mac_key,
                               std::string_view alg);

// ECDSA signature encodings: DER ECDSA-Sig-Value (RFC 3279 §2.2.3, what OpenSSL produces) <->
// JOSE's r||s, each left-padded to `coordinate_size` bytes (32, 48, 66). Exposed for tests.
common::Result<std::string> ecdsa_der_to_raw(std::string_view der, std::size_t coordinate_size);
common::Result<std::string> ecdsa_raw_to_der(std::string_view raw);

}  // namespace certkeeper::crypto
