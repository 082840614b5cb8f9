#include "controller/certificaterequests/signing.h"

#include <gtest/gtest.h>

#include "tests/unit/signers/fixtures.h"

namespace certkeeper::certificaterequests {
namespace {

using signers_test::ca_certificate;
using signers_test::csr_pem;
using signers_test::key_pem;
using signers_test::kNow;
using signers_test::new_key;
using Kind = SignOutcome::Kind;
using Secret = std::optional<std::map<std::string, std::string>>;

crypto::CsrSpec app_csr() {
  crypto::CsrSpec spec;
  spec.subject.common_name = "app.example.test";
  spec.subject.organizations = {"Acme"};
  spec.sans.dns_names = {"app.example.test", "api.example.test"};
  spec.sans.ip_addresses = {"192.0.2.1"};
  return spec;
}

api::CertificateRequest request_for(const crypto::PrivateKey& key, const crypto::CsrSpec& spec,
                                    const std::string& key_secret = "k") {
  api::CertificateRequest cr;
  cr.metadata.name = "r";
  cr.metadata.namespace_ = "ns";
  if (!key_secret.empty()) {
    cr.metadata.annotations["cert-manager.io/private-key-secret-name"] = key_secret;
  }
  cr.spec.request = csr_pem(spec, key);
  return cr;
}

crypto::Certificate first(const std::string& pem) {
  auto chain = crypto::parse_pem_chain(pem);
  EXPECT_TRUE(chain) << chain.error().to_string();
  return chain->front();
}

TEST(TemplateForRequest, HonoursDurationIsCaAndUsages) {
  const auto key = new_key();
  auto csr = crypto::parse_csr(csr_pem(app_csr(), key));
  ASSERT_TRUE(csr);
  api::CertificateRequestSpec spec;
  spec.duration = api::GoDuration::of(std::chrono::hours(3));
  spec.is_ca = true;
  spec.usages = {"digital signature", "server auth"};
  auto t = template_for_request(spec, *csr, kNow + std::chrono::milliseconds(700));
  ASSERT_TRUE(t) << t.error().to_string();
  EXPECT_EQ(t->not_before, kNow);
  EXPECT_EQ(t->not_after, kNow + std::chrono::hours(3));
  EXPECT_TRUE(t->is_ca);
  EXPECT_EQ(t->key_usages, (std::vector<crypto::KeyUsage>{crypto::KeyUsage::kDigitalSignature,
                                                          crypto::KeyUsage::kKeyCertSign}));
  EXPECT_EQ(t->extended_key_usages,
            std::vector<crypto::ExtendedKeyUsage>{crypto::ExtendedKeyUsage::kServerAuth});
  EXPECT_EQ(t->sans, app_csr().sans);
  EXPECT_EQ(t->subject.common_name, "app.example.test");
}

TEST(TemplateForRequest, DefaultsAndUnknownUsages) {
  const auto key = new_key();
  auto csr = crypto::parse_csr(csr_pem(app_csr(), key));
  ASSERT_TRUE(csr);
  api::CertificateRequestSpec spec;
  auto t = template_for_request(spec, *csr, kNow);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->not_after - t->not_before, std::chrono::hours(24 * 90));
  EXPECT_FALSE(t->is_ca);
  EXPECT_EQ(t->key_usages, (std::vector<crypto::KeyUsage>{crypto::KeyUsage::kDigitalSignature,
                                                          crypto::KeyUsage::kKeyEncipherment}));
  spec.usages = {"flying"};
  EXPECT_FALSE(template_for_request(spec, *csr, kNow));
}

TEST(SignSelfSigned, IssuesForTheAnnotatedKey) {
  const auto key = new_key();
  const auto cr = request_for(key, app_csr());
  const auto out = sign_self_signed(cr, {{"http://crl.example.test/a.crl"}},
                                    Secret{{{"tls.key", key_pem(key)}}}, kNow);
  ASSERT_EQ(out.kind, Kind::kIssued) << out.reason << ": " << out.message;
  EXPECT_EQ(out.message, "Certificate fetched from issuer successfully");
  EXPECT_EQ(out.ca, out.certificate);
  const auto cert = first(out.certificate);
  EXPECT_TRUE(cert.matches(key));
  EXPECT_EQ(cert.subject(), cert.issuer());
  EXPECT_EQ(cert.sans(), app_csr().sans);
  EXPECT_EQ(cert.not_before(), kNow);
  EXPECT_TRUE(cert.extension("2.5.29.31").has_value());
}

TEST(SignSelfSigned, PendingAndFailedReasons) {
  const auto key = new_key();
  const Secret good{{{"tls.key", key_pem(key)}}};
  const auto missing_annotation = sign_self_signed(request_for(key, app_csr(), ""), {}, good, kNow);
  EXPECT_EQ(missing_annotation.kind, Kind::kFailed);
  EXPECT_EQ(missing_annotation.reason, "MissingAnnotation");
  EXPECT_EQ(missing_annotation.message,
            "Annotation \"cert-manager.io/private-key-secret-name\" missing or reference empty: "
            "secret name missing");

  const auto no_secret = sign_self_signed(request_for(key, app_csr()), {}, std::nullopt, kNow);
  EXPECT_EQ(no_secret.kind, Kind::kPending);
  EXPECT_EQ(no_secret.reason, "MissingSecret");
  EXPECT_EQ(no_secret.message, "Referenced secret ns/k not found: secret \"k\" not found");

  const auto no_key = sign_self_signed(request_for(key, app_csr()), {},
                                       Secret{std::map<std::string, std::string>{}}, kNow);
  EXPECT_EQ(no_key.kind, Kind::kPending);
  EXPECT_EQ(no_key.reason, "ErrorParsingKey");
  EXPECT_EQ(no_key.message,
            "Failed to get key \"k\" referenced in annotation "
            "\"cert-manager.io/private-key-secret-name\": no data for \"tls.key\" in secret "
            "'ns/k'");

  const auto other_key = sign_self_signed(request_for(new_key(), app_csr()), {}, good, kNow);
  EXPECT_EQ(other_key.kind, Kind::kFailed);
  EXPECT_EQ(other_key.reason, "ErrorKeyMatch");
  EXPECT_EQ(other_key.message,
            "Error generating certificate template: CSR not signed by referenced private key");

  auto bad_csr = request_for(key, app_csr());
  bad_csr.spec.request =
      "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n";
  const auto bad = sign_self_signed(bad_csr, {}, good, kNow);
  EXPECT_EQ(bad.kind, Kind::kFailed);
  EXPECT_EQ(bad.reason, "ErrorGenerating");
  EXPECT_TRUE(bad.certificate.empty());
}

TEST(SignWithCa, LeafChainsToTheRootWhichIsOnlyTheCa) {
  const auto root_key = new_key();
  const auto root = ca_certificate("root", root_key);
  const auto key = new_key();
  api::CaIssuer issuer{"ca-pair",
                       {"http://crl.example.test/root.crl"},
                       {"http://ocsp.example.test"},
                       {"http://ca.example.test/root.crt"}};
  const auto out =
      sign_with_ca(request_for(key, app_csr(), ""), issuer, "ns",
                   Secret{{{"tls.crt", root.pem()}, {"tls.key", key_pem(root_key)}}}, kNow);
  ASSERT_EQ(out.kind, Kind::kIssued) << out.reason << ": " << out.message;
  auto chain = crypto::parse_pem_chain(out.certificate);
  ASSERT_TRUE(chain);
  ASSERT_EQ(chain->size(), 1U);
  const auto& leaf = chain->front();
  EXPECT_TRUE(leaf.matches(key));
  EXPECT_EQ(leaf.issuer(), root.subject());
  EXPECT_EQ(first(out.ca).der(), root.der());
  EXPECT_TRUE(leaf.extension("2.5.29.31").has_value());
  EXPECT_TRUE(leaf.extension("1.3.6.1.5.5.7.1.1").has_value());
  auto verified = crypto::verify_chain(leaf, {}, {root}, kNow + std::chrono::minutes(1));
  EXPECT_TRUE(verified) << verified.error().to_string();
}

TEST(SignWithCa, IntermediatesAreInTheChainAndTheRootIsTheCa) {
  const auto root_key = new_key();
  const auto root = ca_certificate("root", root_key);
  const auto inter_key = new_key();
  const auto inter = ca_certificate("intermediate", inter_key, true, root, root_key);
  const auto key = new_key();
  const auto out = sign_with_ca(
      request_for(key, app_csr(), ""), {"ca-pair", {}, {}, {}}, "ns",
      Secret{{{"tls.crt", inter.pem() + root.pem()}, {"tls.key", key_pem(inter_key)}}}, kNow);
  ASSERT_EQ(out.kind, Kind::kIssued) << out.message;
  auto chain = crypto::parse_pem_chain(out.certificate);
  ASSERT_TRUE(chain);
  ASSERT_EQ(chain->size(), 2U);
  EXPECT_EQ((*chain)[1].der(), inter.der());
  EXPECT_EQ(first(out.ca).der(), root.der());
  EXPECT_TRUE(crypto::verify_chain(chain->front(), {inter}, {root}, kNow));
}

TEST(SignWithCa, SecretProblemsArePendingAndBadRequestsFail) {
  const auto key = new_key();
  const auto cr = request_for(key, app_csr(), "");
  const api::CaIssuer issuer{"ca-pair", {}, {}, {}};
  const auto missing = sign_with_ca(cr, issuer, "kube-system", std::nullopt, kNow);
  EXPECT_EQ(missing.kind, Kind::kPending);
  EXPECT_EQ(missing.reason, "SecretMissing");
  EXPECT_EQ(missing.message,
            "Referenced secret kube-system/ca-pair not found: secret \"ca-pair\" not found");
  const auto invalid = sign_with_ca(cr, issuer, "ns", Secret{{{"tls.key", "x"}}}, kNow);
  EXPECT_EQ(invalid.kind, Kind::kPending);
  EXPECT_EQ(invalid.reason, "SecretInvalidData");

  const auto root_key = new_key();
  const Secret ca{
      {{"tls.crt", ca_certificate("root", root_key).pem()}, {"tls.key", key_pem(root_key)}}};
  auto bad_usages = cr;
  bad_usages.spec.usages = {"teleport"};
  const auto failed = sign_with_ca(bad_usages, issuer, "ns", ca, kNow);
  EXPECT_EQ(failed.kind, Kind::kFailed);
  EXPECT_EQ(failed.reason, "SigningError");
  EXPECT_EQ(failed.message,
            "Error generating certificate template: unknown key usages: [teleport]");
}

}  // namespace
}  // namespace certkeeper::certificaterequests
