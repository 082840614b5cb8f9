#include "controller/issuers/ca_keypair.h"

#include <gtest/gtest.h>

#include "tests/unit/signers/fixtures.h"

namespace certkeeper::issuers {
namespace {

using signers_test::ca_certificate;
using signers_test::key_pem;
using signers_test::new_key;

const api::CaIssuer kCa{"ca-pair", {}, {}, {}};

Readiness readiness(const std::map<std::string, std::string>& data) {
  return ca_readiness(kCa, "ns", data);
}

TEST(CaReadiness, AValidCaKeyPairIsVerified) {
  const auto key = new_key();
  const auto r =
      readiness({{"tls.crt", ca_certificate("root", key).pem()}, {"tls.key", key_pem(key)}});
  EXPECT_EQ(r, (Readiness{api::ConditionStatus::kTrue, "KeyPairVerified", "Signing CA verified"}));
}

TEST(CaReadiness, MissingSecretOrDataIsErrGetKeyPair) {
  EXPECT_EQ(ca_readiness(kCa, "ns", std::nullopt),
            (Readiness{api::ConditionStatus::kFalse, "ErrGetKeyPair",
                       "Error getting keypair for CA issuer: secret \"ca-pair\" not found"}));
  const auto key = new_key();
  EXPECT_EQ(readiness({{"tls.crt", ca_certificate("root", key).pem()}}),
            (Readiness{api::ConditionStatus::kFalse, "ErrGetKeyPair",
                       "Error getting keypair for CA issuer: no private key data for \"tls.key\" "
                       "in secret 'ns/ca-pair'"}));
  EXPECT_EQ(readiness({{"tls.key", key_pem(key)}}).message,
            "Error getting keypair for CA issuer: no certificate data for \"tls.crt\" in secret "
            "'ns/ca-pair'");
  const auto garbage = readiness({{"tls.key", key_pem(key)}, {"tls.crt", "not a certificate"}});
  EXPECT_EQ(garbage.reason, "ErrGetKeyPair");
  EXPECT_NE(garbage.message.find("error decoding certificate in secret 'ns/ca-pair'"),
            std::string::npos)
      << garbage.message;
}

TEST(CaReadiness, NotACaOrAnotherKeyIsErrInvalidKeyPair) {
  const auto key = new_key();
  EXPECT_EQ(
      readiness({{"tls.crt", ca_certificate("leaf", key, false).pem()}, {"tls.key", key_pem(key)}}),
      (Readiness{api::ConditionStatus::kFalse, "ErrInvalidKeyPair",
                 "Error getting keypair for CA issuer: certificate is not a CA"}));
  EXPECT_EQ(
      readiness({{"tls.crt", ca_certificate("root", key).pem()}, {"tls.key", key_pem(new_key())}}),
      (Readiness{api::ConditionStatus::kFalse, "ErrInvalidKeyPair",
                 "Error getting keypair for CA issuer: private key does not match "
                 "certificate"}));
  const auto no_cert_sign = ca_certificate("root", key, true, std::nullopt, std::nullopt,
                                           {crypto::KeyUsage::kDigitalSignature});
  const auto r = readiness({{"tls.crt", no_cert_sign.pem()}, {"tls.key", key_pem(key)}});
  EXPECT_EQ(r.reason, "ErrInvalidKeyPair");
  EXPECT_NE(r.message.find("keyCertSign"), std::string::npos) << r.message;
}

TEST(SelfSignedReadiness, IsAlwaysReady) {
  EXPECT_EQ(self_signed_readiness(), (Readiness{api::ConditionStatus::kTrue, "IsReady", ""}));
}

}  // namespace
}  // namespace certkeeper::issuers
