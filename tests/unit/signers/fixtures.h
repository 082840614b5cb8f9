#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "lib/crypto/certificate.h"
#include "lib/crypto/csr.h"
#include "lib/crypto/encoding.h"
#include "lib/crypto/keys.h"
#include "lib/crypto/signer.h"

// Keys, CSRs and CA certificates for the signer unit tests, made with lib/crypto.
namespace certkeeper::signers_test {

inline crypto::PrivateKey new_key() {
  auto key = crypto::PrivateKey::generate(crypto::KeyAlgorithm::kEcdsa, 256);
  EXPECT_TRUE(key);
  return *key;
}

inline std::string key_pem(const crypto::PrivateKey& key) {
  return *key.to_pem(crypto::KeyEncoding::kPkcs1);
}

inline std::string csr_pem(const crypto::CsrSpec& spec, const crypto::PrivateKey& key) {
  auto der = crypto::create_csr(spec, key);
  EXPECT_TRUE(der) << der.error().to_string();
  return crypto::pem_encode("CERTIFICATE REQUEST", *der);
}

inline const std::chrono::system_clock::time_point kNow =
    std::chrono::system_clock::time_point(std::chrono::seconds(1'900'000'000));

// A CA certificate for `key`, self-signed or signed by `issuer`/`issuer_key`.
inline crypto::Certificate ca_certificate(
    const std::string& name, const crypto::PrivateKey& key, bool is_ca = true,
    const std::optional<crypto::Certificate>& issuer = std::nullopt,
    const std::optional<crypto::PrivateKey>& issuer_key = std::nullopt,
    std::vector<crypto::KeyUsage> usages = {crypto::KeyUsage::kDigitalSignature,
                                            crypto::KeyUsage::kKeyCertSign}) {
  crypto::CertificateTemplate t;
  t.subject.common_name = name;
  t.not_before = kNow - std::chrono::hours(1);
  t.not_after = kNow + std::chrono::hours(24 * 365);
  t.is_ca = is_ca;
  t.key_usages = std::move(usages);
  auto cert = crypto::sign_certificate(t, key.public_key(), issuer, issuer_key.value_or(key));
  EXPECT_TRUE(cert) << cert.error().to_string();
  return *cert;
}

}  // namespace certkeeper::signers_test
