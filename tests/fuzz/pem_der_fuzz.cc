// libFuzzer target: everything lib/crypto parses from outside — keys, certificates, chains and
// CSRs in PEM or DER — must return a value or an Error, never crash or leak.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "lib/crypto/certificate.h"
#include "lib/crypto/csr.h"
#include "lib/crypto/keys.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace crypto = certkeeper::crypto;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  if (auto key = crypto::PrivateKey::from_pem(input)) {
    (void)key->to_pem(crypto::KeyEncoding::kPkcs8);
  }
  (void)crypto::PrivateKey::from_der(input);
  (void)crypto::PublicKey::from_pem(input);
  (void)crypto::PublicKey::from_der(input);
  if (auto cert = crypto::Certificate::from_pem(input)) {
    (void)crypto::ari_cert_id(*cert);
  }
  (void)crypto::Certificate::from_der(input);
  (void)crypto::parse_pem_chain(input);
  (void)crypto::parse_csr(input);
  return 0;
}
