#include "controller/certificates/pki.h"

#include <gtest/gtest.h>

#include "tests/unit/certificates/fixtures.h"

namespace certkeeper::certificates {
namespace {

using crypto::ExtendedKeyUsage;
using crypto::KeyUsage;

TEST(X509Usages, MapsCertManagerNames) {
  auto u = x509_usages({"server auth", "digital signature", "signing", "s/mime", "cert sign"});
  ASSERT_TRUE(u);
  EXPECT_EQ(u->key_usages,
            (std::vector<KeyUsage>{KeyUsage::kDigitalSignature, KeyUsage::kKeyCertSign}));
  EXPECT_EQ(u->extended_key_usages,
            (std::vector<ExtendedKeyUsage>{ExtendedKeyUsage::kServerAuth,
                                           ExtendedKeyUsage::kEmailProtection}));
  auto bad = x509_usages({"flying"});
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("flying"), std::string::npos);
}

TEST(CsrSpec, ReflectsTheSpecWithDefaults) {
  auto c = testing::certificate();
  c.spec.common_name = "app";
  c.spec.subject = api::X509Subject{.organizations = {"Acme"}};
  c.spec.ip_addresses = {"10.0.0.1"};
  auto spec = csr_spec_for(c.spec);
  ASSERT_TRUE(spec);
  EXPECT_EQ(spec->subject.common_name, "app");
  EXPECT_EQ(spec->subject.organizations, std::vector<std::string>{"Acme"});
  EXPECT_EQ(spec->sans.dns_names, std::vector<std::string>{"a.example.com"});
  EXPECT_EQ(spec->sans.ip_addresses, std::vector<std::string>{"10.0.0.1"});
  EXPECT_EQ(spec->key_usages,
            (std::vector<KeyUsage>{KeyUsage::kDigitalSignature, KeyUsage::kKeyEncipherment}));
  EXPECT_FALSE(spec->is_ca);

  c.spec.encode_usages_in_request = false;
  c.spec.is_ca = true;
  spec = csr_spec_for(c.spec);
  EXPECT_TRUE(spec->key_usages.empty());
  EXPECT_TRUE(spec->is_ca);

  c.spec.literal_subject = "CN=literal,O=Acme";
  EXPECT_EQ(csr_spec_for(c.spec)->literal_subject, "CN=literal,O=Acme");
}

TEST(PrivateKeyMismatches, AlgorithmAndSize) {
  auto c = testing::certificate();
  const auto key = testing::ecdsa_key();
  EXPECT_TRUE(private_key_mismatches(c.spec, key.public_key()).empty());
  c.spec.private_key->size = 384;
  EXPECT_EQ(private_key_mismatches(c.spec, key.public_key()),
            std::vector<std::string>{"spec.privateKey.size"});
  c.spec.private_key.reset();  // RSA 2048 by default
  EXPECT_EQ(private_key_mismatches(c.spec, key.public_key()),
            std::vector<std::string>{"spec.privateKey.algorithm"});
}

TEST(BuildRequest, NameAnnotationsOwnerAndCsr) {
  auto c = testing::certificate();
  c.metadata.annotations = {{"team", "web"},
                            {"kubectl.kubernetes.io/last-applied-configuration", "{}"}};
  c.metadata.labels = {{"app", "web"}};
  c.spec.duration = api::GoDuration::of(std::chrono::hours(24));
  const auto key = testing::ecdsa_key();
  auto r = build_request(c, 3, "web-abcde", key);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->metadata.name, "web-3");
  EXPECT_EQ(r->metadata.namespace_, "ns");
  EXPECT_EQ(r->metadata.annotations.at("cert-manager.io/certificate-name"), "web");
  EXPECT_EQ(r->metadata.annotations.at("cert-manager.io/certificate-revision"), "3");
  EXPECT_EQ(r->metadata.annotations.at("cert-manager.io/private-key-secret-name"), "web-abcde");
  EXPECT_EQ(r->metadata.annotations.at("team"), "web");
  EXPECT_FALSE(
      r->metadata.annotations.contains("kubectl.kubernetes.io/last-applied-configuration"));
  EXPECT_EQ(r->metadata.labels, c.metadata.labels);
  ASSERT_EQ(r->metadata.owner_references.size(), 1U);
  EXPECT_EQ(r->metadata.owner_references[0].uid, "uid-web");
  EXPECT_EQ(r->metadata.owner_references[0].controller, true);
  EXPECT_EQ(r->spec.duration, c.spec.duration);
  EXPECT_EQ(r->spec.usages, (std::vector<std::string>{"digital signature", "key encipherment"}));
  EXPECT_EQ(request_revision(*r), 3);
  auto pub = request_public_key(*r);
  ASSERT_TRUE(pub);
  EXPECT_TRUE(key.matches(*pub));
  EXPECT_TRUE(request_mismatches(c, *r).empty());
}

TEST(RequestMismatches, NamesEachChangedField) {
  auto c = testing::certificate();
  const auto r = testing::request_for(c, testing::ecdsa_key(), 1);
  auto changed = c;
  changed.spec.dns_names.push_back("b.example.com");
  changed.spec.duration = api::GoDuration::of(std::chrono::hours(48));
  changed.spec.issuer_ref.name = "other";
  EXPECT_EQ(request_mismatches(changed, r),
            (std::vector<std::string>{"spec.dnsNames", "spec.duration", "spec.issuerRef"}));
  changed = c;
  changed.spec.literal_subject = "CN=x";
  EXPECT_EQ(request_mismatches(changed, r), std::vector<std::string>{"spec.literalSubject"});
  changed = c;
  changed.spec.is_ca = true;
  auto fields = request_mismatches(changed, r);
  EXPECT_NE(std::find(fields.begin(), fields.end(), "spec.isCA"), fields.end());
  // A literal subject that encodes the same is not a change.
  c.spec.literal_subject = "CN=lit,O=Acme";
  const auto lit = testing::request_for(c, testing::ecdsa_key(), 1);
  EXPECT_TRUE(request_mismatches(c, lit).empty());
}

TEST(RequestRevision, OnlyPositiveIntegers) {
  api::CertificateRequest r;
  EXPECT_EQ(request_revision(r), std::nullopt);
  for (const auto* bad : {"", "0", "-1", "1x", "x"}) {
    r.metadata.annotations["cert-manager.io/certificate-revision"] = bad;
    EXPECT_EQ(request_revision(r), std::nullopt) << bad;
  }
  r.metadata.annotations["cert-manager.io/certificate-revision"] = "12";
  EXPECT_EQ(request_revision(r), 12);
}

TEST(RequestOutcome, PendingIssuedFailedDenied) {
  api::CertificateRequest r;
  EXPECT_EQ(request_outcome(r).kind, RequestOutcome::Kind::kPending);
  r.status.conditions.push_back(
      {.type = "Ready", .status = api::ConditionStatus::kTrue, .reason = "Issued"});
  EXPECT_EQ(request_outcome(r).kind, RequestOutcome::Kind::kPending);  // no certificate yet
  r.status.certificate = "pem";
  EXPECT_EQ(request_outcome(r).kind, RequestOutcome::Kind::kIssued);
  r.status.conditions[0] = {.type = "Ready",
                            .status = api::ConditionStatus::kFalse,
                            .reason = "Failed",
                            .message = "boom"};
  auto o = request_outcome(r);
  EXPECT_EQ(o.kind, RequestOutcome::Kind::kFailed);
  EXPECT_EQ(o.reason, "Failed");
  EXPECT_EQ(o.message, "boom");
  api::CertificateRequest d;
  d.status.conditions.push_back({.type = "Denied",
                                 .status = api::ConditionStatus::kTrue,
                                 .reason = "policy",
                                 .message = "no"});
  EXPECT_EQ(request_outcome(d).reason, "policy");
  EXPECT_EQ(request_outcome(d).kind, RequestOutcome::Kind::kFailed);
}

}  // namespace
}  // namespace certkeeper::certificates
