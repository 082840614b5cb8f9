#include "controller/certificates/secret.h"

#include <gtest/gtest.h>

#include "lib/crypto/keystore.h"
#include "tests/unit/certificates/fixtures.h"

namespace certkeeper::certificates {
namespace {

struct Built {
  api::Certificate certificate = testing::certificate();
  crypto::PrivateKey key = testing::ecdsa_key();

  common::Result<SecretContents> build(const std::string& ca = "") {
    SecretInputs inputs;
    inputs.certificate = &certificate;
    inputs.certificate_pem = testing::issue(certificate, key).pem();
    inputs.ca_pem = ca;
    inputs.jks_password = "jks-pw";
    inputs.pkcs12_password = "p12-pw";
    return build_secret(inputs, key);
  }
};

TEST(CsvJoin, QuotesLikeGoEncodingCsv) {
  EXPECT_EQ(csv_join({}), "");
  EXPECT_EQ(csv_join({"a.example.com", "b.example.com"}), "a.example.com,b.example.com");
  EXPECT_EQ(csv_join({"Acme, Inc.", "say \"hi\"", " lead"}),
            "\"Acme, Inc.\",\"say \"\"hi\"\"\",\" lead\"");
}

TEST(BuildSecret, DefaultsTlsPairAnnotationsAndLabel) {
  Built b;
  b.certificate.spec.private_key->encoding = std::nullopt;  // PKCS1 → SEC1 for ECDSA
  auto s = b.build();
  ASSERT_TRUE(s) << s.error().to_string();
  EXPECT_EQ(s->type, "kubernetes.io/tls");
  EXPECT_TRUE(s->data.at("tls.key").starts_with("-----BEGIN EC PRIVATE KEY-----"));
  EXPECT_FALSE(s->data.contains("ca.crt"));
  EXPECT_FALSE(s->data.contains("key.der"));
  EXPECT_FALSE(s->data.contains("keystore.jks"));
  EXPECT_EQ(s->labels,
            (std::map<std::string, std::string>{{"controller.cert-manager.io/fao", "true"}}));
  EXPECT_EQ(s->annotations.at("cert-manager.io/certificate-name"), "web");
  EXPECT_EQ(s->annotations.at("cert-manager.io/issuer-name"), "ca");
  EXPECT_EQ(s->annotations.at("cert-manager.io/issuer-kind"), "Issuer");
  EXPECT_EQ(s->annotations.at("cert-manager.io/issuer-group"), "");
  EXPECT_EQ(s->annotations.at("cert-manager.io/common-name"), "");
  EXPECT_EQ(s->annotations.at("cert-manager.io/alt-names"), "a.example.com");
  EXPECT_EQ(s->annotations.at("cert-manager.io/ip-sans"), "");
  EXPECT_EQ(s->annotations.at("cert-manager.io/uri-sans"), "");
  EXPECT_FALSE(s->annotations.contains("cert-manager.io/email-sans"));
}

TEST(BuildSecret, OutputsKeystoresTemplateAndExistingType) {
  Built b;
  b.certificate.spec.private_key->encoding = "PKCS8";
  b.certificate.spec.additional_output_formats = {{"DER"}, {"CombinedPEM"}};
  b.certificate.spec.keystores = api::CertificateKeystores{
      .jks = api::JksKeystore{.create = true},
      .pkcs12 = api::Pkcs12Keystore{.create = true, .profile = "Modern2023"}};
  b.certificate.spec.secret_template =
      api::CertificateSecretTemplate{.annotations = {{"note", "x"}}, .labels = {{"team", "web"}}};
  auto s = b.build(testing::ca_certificate().pem());
  ASSERT_TRUE(s) << s.error().to_string();
  const auto& key_pem = s->data.at("tls.key");
  EXPECT_TRUE(key_pem.starts_with("-----BEGIN PRIVATE KEY-----"));
  EXPECT_EQ(s->data.at("ca.crt"), testing::ca_certificate().pem());
  EXPECT_EQ(s->data.at("key.der"), *b.key.to_der(crypto::KeyEncoding::kPkcs8));
  EXPECT_EQ(s->data.at("tls-combined.pem"), key_pem + "\n" + s->data.at("tls.crt"));
  auto entries = crypto::parse_jks(s->data.at("keystore.jks"), "jks-pw");
  ASSERT_TRUE(entries);
  ASSERT_FALSE(entries->empty());
  EXPECT_EQ(entries->front().alias, "certificate");
  EXPECT_FALSE(s->data.at("keystore.p12").empty());
  EXPECT_EQ(s->labels.at("team"), "web");
  EXPECT_EQ(s->annotations.at("note"), "x");

  SecretInputs inputs;
  inputs.certificate = &b.certificate;
  inputs.certificate_pem = s->data.at("tls.crt");
  inputs.jks_password = "a";
  inputs.pkcs12_password = "b";
  inputs.existing_type = "Opaque";
  EXPECT_EQ(build_secret(inputs, b.key)->type, "Opaque");
  inputs.jks_password.reset();
  EXPECT_FALSE(build_secret(inputs, b.key));  // a keystore without a password
}

TEST(BuildSecret, ApplyBodyBase64EncodesData) {
  SecretContents c{
      .type = "kubernetes.io/tls", .data = {{"tls.crt", "abc"}}, .labels = {{"l", "1"}}};
  auto body = secret_apply_body("ns", "web-tls", c);
  EXPECT_EQ(body["data"]["tls.crt"], "YWJj");
  EXPECT_EQ(body["metadata"]["namespace"], "ns");
  EXPECT_EQ(body["metadata"]["labels"]["l"], "1");
  EXPECT_FALSE(body["metadata"].contains("annotations"));
}

TEST(SecretDrift, DetectsMetadataAndOutputDifferences) {
  Built b;
  auto desired = b.build();
  ASSERT_TRUE(desired);
  SecretView existing;
  existing.metadata.labels = desired->labels;
  existing.metadata.annotations = desired->annotations;
  existing.data = desired->data;
  existing.metadata.labels["third-party"] = "kept";  // foreign keys are not drift
  EXPECT_EQ(secret_drift(b.certificate, existing, *desired), std::nullopt);

  auto missing_label = existing;
  missing_label.metadata.labels.erase("controller.cert-manager.io/fao");
  EXPECT_EQ(secret_drift(b.certificate, missing_label, *desired), "SecretManagedMetadataMismatch");

  auto with_template = b.certificate;
  with_template.spec.secret_template = api::CertificateSecretTemplate{.labels = {{"team", "x"}}};
  EXPECT_EQ(secret_drift(with_template, existing, *desired), "SecretTemplateMismatch");

  auto extra_output = existing;
  extra_output.data["key.der"] = "stale";
  EXPECT_EQ(secret_drift(b.certificate, extra_output, *desired), "AdditionalOutputFormatsMismatch");
}

TEST(DecodeSecret, DecodesDataAndRejectsBadBase64) {
  nlohmann::json object = {{"metadata", {{"name", "s"}, {"namespace", "ns"}}},
                           {"type", "Opaque"},
                           {"data", {{"tls.crt", "YWJj"}}}};
  auto s = decode_secret(object);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->get("tls.crt"), "abc");
  EXPECT_EQ(s->get("tls.key"), std::nullopt);
  EXPECT_EQ(s->type, "Opaque");
  object["data"]["tls.key"] = "!!!";
  EXPECT_FALSE(decode_secret(object));
}

}  // namespace
}  // namespace certkeeper::certificates
