// libFuzzer target: JOSE input from the network — JWKs, JWS parts, base64url, ECDSA signature
// conversions — is validated, never trusted.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "lib/common/encoding.h"
#include "lib/crypto/jose.h"
#include "lib/crypto/keys.h"

namespace {

const certkeeper::crypto::PublicKey& verifying_key() {
  static const auto key =
      certkeeper::crypto::PrivateKey::generate(certkeeper::crypto::KeyAlgorithm::kEcdsa, 256)
          .value()
          .public_key();
  return key;
}

// Splits the input at NUL bytes into up to `n` parts.
std::vector<std::string> split(std::string_view in, std::size_t n) {
  std::vector<std::string> parts(n);
  std::size_t i = 0;
  for (const char c : in) {
    if (c == '\0' && i + 1 < n) {
      ++i;
    } else {
      parts[i].push_back(c);
    }
  }
  return parts;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace crypto = certkeeper::crypto;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  (void)certkeeper::common::base64url_decode(input);
  (void)certkeeper::common::base64_decode_lenient(input);
  (void)certkeeper::common::base64_decode(input);
  (void)certkeeper::common::hex_decode(input);
  (void)crypto::ecdsa_der_to_raw(input, 32);
  (void)crypto::ecdsa_raw_to_der(input);

  const auto parts = split(input, 6);
  crypto::Jwk jwk{parts[0], parts[1], parts[2], parts[3], parts[4], parts[5]};
  (void)crypto::public_key_from_jwk(jwk);
  (void)crypto::jwk_thumbprint(jwk);

  const auto jws_parts = split(input, 3);
  crypto::FlattenedJws jws;
  jws.protected_header = jws_parts[0];
  jws.payload = jws_parts[1];
  jws.signature = jws_parts[2];
  (void)crypto::verify_jws(jws, verifying_key(), "ES256");
  (void)crypto::verify_hmac_jws(jws, "mac-key", "HS256");
  return 0;
}
