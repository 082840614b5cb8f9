#include "controller/certificates/policies.h"

#include <gtest/gtest.h>

#include "lib/api/conditions.h"
#include "lib/api/defaults.h"
#include "tests/unit/certificates/fixtures.h"

namespace certkeeper::certificates {
namespace {

using testing::at;

// One issued Certificate (testing::IssuedCertificate) and the two policy chains on it.
struct Issued : testing::IssuedCertificate {
  std::optional<PolicyResult> trigger(api::Time now = at(1), bool with_request = true) const {
    return trigger_policy({&certificate, &secret, with_request ? &request : nullptr, now});
  }
  std::optional<PolicyResult> readiness(api::Time now = at(1)) const {
    return readiness_policy({&certificate, &secret, &request, now});
  }
};

std::string reason_of(const std::optional<PolicyResult>& r) { return r ? r->reason : "none"; }

TEST(TriggerPolicy, UpToDateCertificateNeedsNothing) {
  Issued i;
  EXPECT_EQ(i.trigger(), std::nullopt);
  EXPECT_EQ(i.trigger(at(1), false), std::nullopt);
  EXPECT_EQ(i.readiness(), std::nullopt);
}

TEST(TriggerPolicy, MissingSecretOrData) {
  Issued i;
  auto r = trigger_policy({&i.certificate, nullptr, nullptr, at(1)});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->reason, "DoesNotExist");
  EXPECT_EQ(r->message, "Issuing certificate as Secret does not exist");

  i.secret.data.erase("tls.key");
  r = i.trigger();
  EXPECT_EQ(reason_of(r), "MissingData");
  EXPECT_EQ(r->message, "Issuing certificate as Secret does not contain a private key");
  Issued j;
  j.secret.data.erase("tls.crt");
  EXPECT_EQ(j.trigger()->message, "Issuing certificate as Secret does not contain a certificate");
}

TEST(TriggerPolicy, InvalidOrMismatchedKeyPair) {
  Issued i;
  i.secret.data["tls.key"] = "not a key";
  EXPECT_EQ(reason_of(i.trigger()), "InvalidKeyPair");
  Issued j;
  j.secret.data["tls.crt"] = "not a certificate";
  EXPECT_EQ(reason_of(j.trigger()), "InvalidCertificate");
  Issued k;
  k.secret.data["tls.key"] = *testing::ecdsa_key().to_pem(crypto::KeyEncoding::kPkcs8);
  auto r = k.trigger();
  EXPECT_EQ(reason_of(r), "InvalidKeyPair");
  EXPECT_EQ(r->message,
            "Issuing certificate as Secret contains a private key that does not match the "
            "certificate");
}

TEST(TriggerPolicy, IssuerChangeAndForeignCertificateName) {
  Issued i;
  i.certificate.spec.issuer_ref.name = "other";
  auto r = i.trigger();
  EXPECT_EQ(reason_of(r), "IncorrectIssuer");
  EXPECT_EQ(r->message,
            "Issuing certificate as Secret was previously issued by \"Issuer.cert-manager.io/ca\"");
  Issued j;
  j.certificate.spec.issuer_ref.kind = "ClusterIssuer";
  EXPECT_EQ(reason_of(j.trigger()), "IncorrectIssuer");
  Issued k;  // explicit defaults are the same issuer
  k.certificate.spec.issuer_ref.kind = "Issuer";
  k.certificate.spec.issuer_ref.group = "cert-manager.io";
  EXPECT_EQ(k.trigger(), std::nullopt);
  Issued l;
  l.secret.metadata.annotations["cert-manager.io/certificate-name"] = "someone-else";
  EXPECT_EQ(reason_of(l.trigger()), "IncorrectCertificate");
}

TEST(TriggerPolicy, KeyTypeOrSizeChange) {
  Issued i;
  i.certificate.spec.private_key->algorithm = "RSA";
  auto r = i.trigger();
  EXPECT_EQ(reason_of(r), "SecretMismatch");
  EXPECT_NE(r->message.find("spec.privateKey.algorithm"), std::string::npos);
  Issued j;
  j.certificate.spec.private_key->size = 384;
  EXPECT_NE(j.trigger()->message.find("spec.privateKey.size"), std::string::npos);
}

TEST(TriggerPolicy, SpecChangesAgainstTheCurrentRequest) {
  Issued i;
  i.certificate.spec.dns_names.push_back("b.example.com");
  auto r = i.trigger();
  EXPECT_EQ(reason_of(r), "RequestChanged");
  EXPECT_EQ(r->message,
            "Fields on existing CertificateRequest resource not up to date: [spec.dnsNames]");
  Issued j;
  j.certificate.spec.usages = {"digital signature", "key encipherment", "server auth"};
  EXPECT_NE(j.trigger()->message.find("spec.usages"), std::string::npos);
  Issued k;
  k.certificate.spec.common_name = "app";
  EXPECT_NE(k.trigger()->message.find("spec.commonName"), std::string::npos);
  Issued l;
  l.certificate.spec.dns_names = {"a.example.com"};  // same set, reordered lists are equal
  EXPECT_EQ(l.trigger(), std::nullopt);
}

TEST(TriggerPolicy, WithoutARequestTheCertificateIsComparedWithTheSpec) {
  Issued i;
  i.certificate.spec.dns_names.push_back("b.example.com");
  auto r = i.trigger(at(1), false);
  EXPECT_EQ(reason_of(r), "SecretMismatch");
  EXPECT_NE(r->message.find("spec.dnsNames"), std::string::npos);
  Issued j;
  j.certificate.spec.is_ca = true;
  EXPECT_NE(j.trigger(at(1), false)->message.find("spec.isCA"), std::string::npos);
}

TEST(TriggerPolicy, SecretKeyDiffersFromCurrentRequest) {
  Issued i;
  i.request = testing::request_for(i.certificate, testing::ecdsa_key(), 1);
  EXPECT_EQ(reason_of(i.trigger()), "SecretMismatch");
}

TEST(TriggerPolicy, RenewsAtTwoThirdsOfTheLifetime) {
  Issued i;  // 90 days: renewal 30 days before expiry, at day 60
  EXPECT_EQ(i.trigger(at(24 * 60) - std::chrono::seconds(1)), std::nullopt);
  auto r = i.trigger(at(24 * 60));
  EXPECT_EQ(reason_of(r), "Renewing");
  EXPECT_EQ(r->message,
            "Renewing certificate as renewal was scheduled at " + go_time_string(at(24 * 60)));
  i.certificate.spec.renewal = api::CertificateRenewal{.policy = "Disabled"};
  EXPECT_EQ(i.trigger(at(24 * 89)), std::nullopt);
}

TEST(ReadinessPolicy, ExpiredInsteadOfRenewing) {
  Issued i;
  EXPECT_EQ(i.readiness(at(24 * 80)), std::nullopt);
  auto r = i.readiness(at(24 * 90));
  EXPECT_EQ(reason_of(r), "Expired");
  EXPECT_TRUE(r->message.starts_with("Certificate expired on "));
  EXPECT_TRUE(r->message.ends_with(" UTC"));
}

TEST(GoTimeString, FormatsLikeGo) {
  EXPECT_EQ(go_time_string(api::Time(std::chrono::seconds(1764349707))),
            "2025-11-28 17:08:27 +0000 UTC");
}

TEST(OwnerElection, SoleCertificateOwnsItsSecret) {
  const auto a = testing::certificate("a");
  EXPECT_TRUE(certificate_owns_secret(a, {a}, nullptr));
}

TEST(OwnerElection, OldestWinsThenNameThenTheAnnotation) {
  auto a = testing::certificate("a");
  auto b = testing::certificate("b");
  b.spec.secret_name = a.spec.secret_name;
  b.metadata.creation_timestamp = at(-1);  // b is older
  EXPECT_FALSE(certificate_owns_secret(a, {a, b}, nullptr));
  EXPECT_TRUE(certificate_owns_secret(b, {a, b}, nullptr));
  b.metadata.creation_timestamp = a.metadata.creation_timestamp;  // tie: name
  EXPECT_TRUE(certificate_owns_secret(a, {a, b}, nullptr));
  EXPECT_FALSE(certificate_owns_secret(b, {a, b}, nullptr));

  SecretView secret;
  secret.metadata.annotations["cert-manager.io/certificate-name"] = "b";
  EXPECT_FALSE(certificate_owns_secret(a, {a, b}, &secret));
  EXPECT_TRUE(certificate_owns_secret(b, {a, b}, &secret));
  // An annotation naming a Certificate that no longer exists falls back to age.
  secret.metadata.annotations["cert-manager.io/certificate-name"] = "gone";
  EXPECT_TRUE(certificate_owns_secret(a, {a, b}, &secret));
  // Exactly one of them wins in every case.
  EXPECT_NE(certificate_owns_secret(a, {a, b}, &secret),
            certificate_owns_secret(b, {a, b}, &secret));
}

TEST(OwnerElection, DifferentSecretNamesDoNotCompete) {
  auto a = testing::certificate("a");
  auto b = testing::certificate("b");
  b.metadata.creation_timestamp = at(-1);
  EXPECT_TRUE(certificate_owns_secret(a, {a, b}, nullptr));
}

TEST(Backoff, ExponentialFromTheLastFailureUntilTheSpecChanges) {
  auto c = testing::certificate();
  EXPECT_EQ(backoff_remaining(c, at(0)), std::nullopt);
  c.status.failed_issuance_attempts = 1;
  c.status.last_failure_time = at(0);
  api::set_condition(c.status.conditions, api::kConditionIssuing, api::ConditionStatus::kFalse,
                     "Failed", "x", 1, at(0));
  EXPECT_EQ(backoff_remaining(c, at(0)), std::chrono::hours(1));
  EXPECT_EQ(backoff_remaining(c, at(1)), std::nullopt);
  c.status.failed_issuance_attempts = 3;  // 4h
  EXPECT_EQ(backoff_remaining(c, at(1)), std::chrono::hours(3));
  c.status.failed_issuance_attempts = 10;  // capped at 32h
  EXPECT_EQ(backoff_remaining(c, at(0)), std::chrono::hours(32));
  c.metadata.generation = 2;  // the spec changed after the failure
  EXPECT_EQ(backoff_remaining(c, at(0)), std::nullopt);
}

}  // namespace
}  // namespace certkeeper::certificates
