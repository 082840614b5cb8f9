#include "lib/crypto/signer.h"

#include <cctype>
#include <chrono>
#include <string>
#include <tuple>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lib/crypto/csr.h"
#include "lib/crypto/encoding.h"
#include "lib/crypto/primitives.h"
#include "tests/unit/crypto/test_util.h"

namespace certkeeper::crypto {
namespace {

using common::ErrorCode;
using std::chrono::hours;
using std::chrono::system_clock;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using testutil::normalize_hex;
using testutil::TempDir;

std::string upper_hex(std::string_view bytes) {
  std::string out = hex_encode(bytes);
  for (char& c : out) {
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

system_clock::time_point now_seconds() {
  return std::chrono::floor<std::chrono::seconds>(system_clock::now());
}

PrivateKey make_key(KeyAlgorithm algorithm, int size) {
  auto key = PrivateKey::generate(algorithm, size);
  EXPECT_TRUE(key) << key.error().to_string();
  return *key;
}

// A CA template with every extension a CA issuer can carry.
CertificateTemplate ca_template(system_clock::time_point now) {
  CertificateTemplate t;
  t.subject.common_name = "Certkeeper Test CA";
  t.subject.organizations = {"Certkeeper Tests"};
  t.not_before = now - hours(1);
  t.not_after = now + hours(24 * 30);
  t.is_ca = true;
  t.max_path_length = 1;
  t.key_usages = {KeyUsage::kDigitalSignature, KeyUsage::kKeyCertSign, KeyUsage::kCrlSign};
  t.name_constraints.critical = true;
  t.name_constraints.permitted_dns_domains = {"example.com"};
  t.name_constraints.permitted_ip_ranges = {"192.0.2.0/24", "2001:db8::/32"};
  t.name_constraints.permitted_email_addresses = {"example.com"};
  t.name_constraints.permitted_uri_domains = {".example.com"};
  t.name_constraints.excluded_dns_domains = {"forbidden.example.com"};
  t.name_constraints.excluded_ip_ranges = {"192.0.2.128/25"};
  t.crl_distribution_points = {"http://crl.example.com/ca.crl"};
  t.ocsp_servers = {"http://ocsp.example.com"};
  t.issuing_certificate_urls = {"http://ca.example.com/ca.crt"};
  return t;
}

CsrSpec leaf_spec() {
  CsrSpec spec;
  spec.subject.common_name = "leaf.example.com";
  spec.sans.dns_names = {"leaf.example.com", "www.leaf.example.com"};
  spec.sans.ip_addresses = {"192.0.2.7"};
  spec.sans.uris = {"spiffe://app.example.com/leaf"};
  spec.sans.email_addresses = {"ops@example.com"};
  spec.key_usages = {KeyUsage::kDigitalSignature, KeyUsage::kKeyEncipherment};
  spec.extended_key_usages = {ExtendedKeyUsage::kServerAuth, ExtendedKeyUsage::kClientAuth};
  return spec;
}

Certificate issue_leaf(const CsrSpec& spec, const PrivateKey& leaf_key, const Certificate& ca,
                       const PrivateKey& ca_key, system_clock::time_point now) {
  auto der = create_csr(spec, leaf_key);
  EXPECT_TRUE(der) << der.error().to_string();
  auto csr = parse_csr(*der);
  EXPECT_TRUE(csr) << csr.error().to_string();
  CertificateTemplate t = template_from_csr(*csr);
  t.not_before = now - hours(1);
  t.not_after = now + hours(24);
  t.crl_distribution_points = {"http://crl.example.com/ca.crl"};
  t.ocsp_servers = {"http://ocsp.example.com"};
  t.issuing_certificate_urls = {"http://ca.example.com/ca.crt"};
  auto leaf = sign_certificate(t, csr->public_key, ca, ca_key);
  EXPECT_TRUE(leaf) << leaf.error().to_string();
  return *leaf;
}

class SignerKeyTest : public ::testing::TestWithParam<std::tuple<KeyAlgorithm, int>> {};

TEST_P(SignerKeyTest, SelfSignedCaAndLeafFromCsrVerifyWithOpenssl) {
  const auto [algorithm, size] = GetParam();
  const auto now = now_seconds();
  const PrivateKey ca_key = make_key(algorithm, size);
  auto ca = sign_certificate(ca_template(now), ca_key.public_key(), std::nullopt, ca_key);
  ASSERT_TRUE(ca) << ca.error().to_string();
  EXPECT_TRUE(ca->is_ca());
  EXPECT_TRUE(ca->matches(ca_key));
  EXPECT_EQ(ca->subject(), ca->issuer());
  EXPECT_EQ(ca->subject_key_id().size(), 20U);
  EXPECT_EQ(ca->authority_key_id(), ca->subject_key_id());
  EXPECT_EQ(ca->not_before(), now - hours(1));
  EXPECT_EQ(ca->not_after(), now + hours(24 * 30));

  const PrivateKey leaf_key = make_key(algorithm, size);
  const Certificate leaf = issue_leaf(leaf_spec(), leaf_key, *ca, ca_key, now);
  EXPECT_FALSE(leaf.is_ca());
  EXPECT_TRUE(leaf.matches(leaf_key));
  EXPECT_EQ(leaf.issuer(), ca->subject());
  EXPECT_EQ(leaf.subject(), "CN=leaf.example.com");
  EXPECT_EQ(leaf.authority_key_id(), ca->subject_key_id());
  EXPECT_EQ(leaf.sans(), leaf_spec().sans);
  EXPECT_THAT(leaf.key_usages(),
              ElementsAre(KeyUsage::kDigitalSignature, KeyUsage::kKeyEncipherment));
  EXPECT_THAT(leaf.extended_key_usages(),
              ElementsAre(ExtendedKeyUsage::kServerAuth, ExtendedKeyUsage::kClientAuth));

  TempDir dir;
  dir.write("ca.pem", ca->pem());
  dir.write("leaf.pem", leaf.pem());
  EXPECT_THAT(dir.openssl_ok({"verify", "-CAfile", "ca.pem", "ca.pem"}), HasSubstr("ca.pem: OK"));
  EXPECT_THAT(dir.openssl_ok({"verify", "-CAfile", "ca.pem", "leaf.pem"}),
              HasSubstr("leaf.pem: OK"));

  const std::string ca_text = dir.openssl_ok({"x509", "-in", "ca.pem", "-noout", "-text"});
  EXPECT_THAT(ca_text, HasSubstr("CA:TRUE, pathlen:1"));
  EXPECT_THAT(ca_text, HasSubstr("X509v3 Name Constraints: critical"));
  EXPECT_THAT(ca_text, HasSubstr("DNS:example.com"));
  EXPECT_THAT(ca_text, HasSubstr("IP:192.0.2.0/255.255.255.0"));
  EXPECT_THAT(ca_text, HasSubstr("IP:2001:DB8:0:0:0:0:0:0/FFFF:FFFF:0:0:0:0:0:0"));
  EXPECT_THAT(ca_text, HasSubstr("email:example.com"));
  EXPECT_THAT(ca_text, HasSubstr("URI:.example.com"));
  EXPECT_THAT(ca_text, HasSubstr("DNS:forbidden.example.com"));
  EXPECT_THAT(ca_text, HasSubstr("IP:192.0.2.128/255.255.255.128"));
  EXPECT_THAT(ca_text, HasSubstr("Certificate Sign, CRL Sign"));

  const std::string text = dir.openssl_ok({"x509", "-in", "leaf.pem", "-noout", "-text"});
  EXPECT_THAT(text, HasSubstr("CA:FALSE"));
  EXPECT_THAT(text, HasSubstr("X509v3 Key Usage: critical"));
  EXPECT_THAT(text, HasSubstr("Digital Signature, Key Encipherment"));
  EXPECT_THAT(text, HasSubstr("TLS Web Server Authentication, TLS Web Client Authentication"));
  EXPECT_THAT(text, HasSubstr("DNS:leaf.example.com, DNS:www.leaf.example.com, "
                              "email:ops@example.com, IP Address:192.0.2.7, "
                              "URI:spiffe://app.example.com/leaf"));
  EXPECT_THAT(text, HasSubstr("X509v3 CRL Distribution Points"));
  EXPECT_THAT(text, HasSubstr("URI:http://crl.example.com/ca.crl"));
  EXPECT_THAT(text, HasSubstr("OCSP - URI:http://ocsp.example.com"));
  EXPECT_THAT(text, HasSubstr("CA Issuers - URI:http://ca.example.com/ca.crt"));
  EXPECT_THAT(text, Not(HasSubstr("Name Constraints")));

  // AKI of the leaf = SKI of the CA, as the CLI reads them.
  const std::string ca_ski =
      dir.openssl_ok({"x509", "-in", "ca.pem", "-noout", "-ext", "subjectKeyIdentifier"});
  const std::string leaf_aki =
      dir.openssl_ok({"x509", "-in", "leaf.pem", "-noout", "-ext", "authorityKeyIdentifier"});
  const std::string ski_hex = normalize_hex(ca_ski.substr(ca_ski.find('\n') + 1));
  EXPECT_EQ(ski_hex, ca->subject_key_id_hex());
  EXPECT_THAT(normalize_hex(leaf_aki), HasSubstr(ski_hex));

  EXPECT_TRUE(verify_chain(leaf, {}, {*ca}, now));
}

INSTANTIATE_TEST_SUITE_P(Keys, SignerKeyTest,
                         ::testing::Values(std::make_tuple(KeyAlgorithm::kEcdsa, 256),
                                           std::make_tuple(KeyAlgorithm::kRsa, 2048),
                                           std::make_tuple(KeyAlgorithm::kEd25519, 0)));

class SignerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ca_key_ = make_key(KeyAlgorithm::kEcdsa, 256);
    auto ca = sign_certificate(ca_template(now_), ca_key_.public_key(), std::nullopt, ca_key_);
    ASSERT_TRUE(ca) << ca.error().to_string();
    ca_ = *ca;
  }

  system_clock::time_point now_ = now_seconds();
  PrivateKey ca_key_ = make_key(KeyAlgorithm::kEd25519, 0);
  std::optional<Certificate> ca_;
};

TEST_F(SignerTest, VerifyChainFailsForWrongRootAndExpiredTime) {
  const PrivateKey leaf_key = make_key(KeyAlgorithm::kEcdsa, 256);
  const Certificate leaf = issue_leaf(leaf_spec(), leaf_key, *ca_, ca_key_, now_);
  ASSERT_TRUE(verify_chain(leaf, {}, {*ca_}, now_));

  const PrivateKey other_key = make_key(KeyAlgorithm::kEcdsa, 256);
  auto other = sign_certificate(ca_template(now_), other_key.public_key(), std::nullopt, other_key);
  ASSERT_TRUE(other);
  auto wrong_root = verify_chain(leaf, {}, {*other}, now_);
  ASSERT_FALSE(wrong_root);
  EXPECT_EQ(wrong_root.error().code(), ErrorCode::kInvalidArgument);

  auto expired = verify_chain(leaf, {}, {*ca_}, now_ + hours(48));
  ASSERT_FALSE(expired);
  EXPECT_THAT(expired.error().message(), HasSubstr("expired"));
  auto not_yet = verify_chain(leaf, {}, {*ca_}, now_ - hours(2));
  ASSERT_FALSE(not_yet);
  EXPECT_THAT(not_yet.error().message(), HasSubstr("not yet valid"));
}

TEST_F(SignerTest, VerifyChainEnforcesNameConstraints) {
  CsrSpec spec = leaf_spec();
  spec.sans.dns_names = {"app.other.org"};
  const PrivateKey leaf_key = make_key(KeyAlgorithm::kEcdsa, 256);
  const Certificate leaf = issue_leaf(spec, leaf_key, *ca_, ca_key_, now_);
  auto status = verify_chain(leaf, {}, {*ca_}, now_);
  ASSERT_FALSE(status);
  EXPECT_THAT(status.error().message(), HasSubstr("permitted subtree violation"));
}

TEST_F(SignerTest, IntermediateChainAndPathLength) {
  const PrivateKey intermediate_key = make_key(KeyAlgorithm::kEcdsa, 384);
  CertificateTemplate t;
  t.subject.common_name = "Intermediate";
  t.not_before = now_ - hours(1);
  t.not_after = now_ + hours(24 * 10);
  t.is_ca = true;
  t.max_path_length = 0;
  t.key_usages = {KeyUsage::kKeyCertSign};
  auto intermediate = sign_certificate(t, intermediate_key.public_key(), ca_, ca_key_);
  ASSERT_TRUE(intermediate) << intermediate.error().to_string();
  EXPECT_TRUE(intermediate->is_ca());
  EXPECT_EQ(intermediate->authority_key_id(), ca_->subject_key_id());

  const PrivateKey leaf_key = make_key(KeyAlgorithm::kRsa, 2048);
  const Certificate leaf = issue_leaf(leaf_spec(), leaf_key, *intermediate, intermediate_key, now_);
  EXPECT_TRUE(verify_chain(leaf, {*intermediate}, {*ca_}, now_));
  EXPECT_FALSE(verify_chain(leaf, {}, {*ca_}, now_));

  TempDir dir;
  dir.write("ca.pem", ca_->pem());
  dir.write("intermediate.pem", intermediate->pem());
  dir.write("leaf.pem", leaf.pem());
  EXPECT_THAT(dir.openssl_ok({"x509", "-in", "intermediate.pem", "-noout", "-text"}),
              HasSubstr("CA:TRUE, pathlen:0"));
  EXPECT_THAT(
      dir.openssl_ok({"verify", "-CAfile", "ca.pem", "-untrusted", "intermediate.pem", "leaf.pem"}),
      HasSubstr("leaf.pem: OK"));

  // pathlen:0 forbids another CA below the intermediate.
  const PrivateKey sub_key = make_key(KeyAlgorithm::kEcdsa, 256);
  t.subject.common_name = "Sub";
  t.max_path_length.reset();
  auto sub = sign_certificate(t, sub_key.public_key(), *intermediate, intermediate_key);
  ASSERT_TRUE(sub);
  const Certificate below = issue_leaf(leaf_spec(), leaf_key, *sub, sub_key, now_);
  EXPECT_FALSE(verify_chain(below, {*sub, *intermediate}, {*ca_}, now_));
}

TEST_F(SignerTest, SerialNumbers) {
  CertificateTemplate t;
  t.subject.common_name = "serial";
  t.not_before = now_;
  t.not_after = now_ + hours(1);
  auto first = sign_certificate(t, ca_key_.public_key(), std::nullopt, ca_key_);
  auto second = sign_certificate(t, ca_key_.public_key(), std::nullopt, ca_key_);
  ASSERT_TRUE(first && second);
  EXPECT_NE(first->serial_hex(), second->serial_hex());
  // 20 random octets, top bit cleared: positive, no sign octet, at least 16 octets.
  EXPECT_LE(first->serial_octets().size(), 20U);
  EXPECT_GE(first->serial_octets().size(), 16U);
  EXPECT_EQ(static_cast<unsigned char>(first->serial_octets()[0]) & 0x80U, 0U);

  t.serial_number = std::string("\x87\x65\x43\x21", 4);
  auto fixed = sign_certificate(t, ca_key_.public_key(), std::nullopt, ca_key_);
  ASSERT_TRUE(fixed) << fixed.error().to_string();
  EXPECT_EQ(fixed->serial_hex(), "87654321");
  TempDir dir;
  dir.write("c.pem", fixed->pem());
  EXPECT_EQ(testutil::trim(dir.openssl_ok({"x509", "-in", "c.pem", "-noout", "-serial"})),
            "serial=87654321");

  t.serial_number = std::string(21, '\x01');
  EXPECT_FALSE(sign_certificate(t, ca_key_.public_key(), std::nullopt, ca_key_));
  t.serial_number = std::string(3, '\0');
  EXPECT_FALSE(sign_certificate(t, ca_key_.public_key(), std::nullopt, ca_key_));
}

TEST_F(SignerTest, RejectsBadInput) {
  CertificateTemplate t;
  t.subject.common_name = "bad";
  t.not_before = now_;
  t.not_after = now_ + hours(1);
  const PrivateKey other = make_key(KeyAlgorithm::kEcdsa, 256);

  auto wrong_key = sign_certificate(t, other.public_key(), std::nullopt, ca_key_);
  ASSERT_FALSE(wrong_key);
  EXPECT_EQ(wrong_key.error().code(), ErrorCode::kInvalidArgument);
  auto wrong_issuer_key = sign_certificate(t, other.public_key(), ca_, other);
  ASSERT_FALSE(wrong_issuer_key);
  EXPECT_EQ(wrong_issuer_key.error().code(), ErrorCode::kInvalidArgument);

  CertificateTemplate backwards = t;
  backwards.not_after = backwards.not_before;
  EXPECT_FALSE(sign_certificate(backwards, ca_key_.public_key(), std::nullopt, ca_key_));

  CertificateTemplate constrained_leaf = t;
  constrained_leaf.name_constraints.permitted_dns_domains = {"example.com"};
  EXPECT_FALSE(sign_certificate(constrained_leaf, ca_key_.public_key(), std::nullopt, ca_key_));

  CertificateTemplate bad_cidr = t;
  bad_cidr.is_ca = true;
  bad_cidr.name_constraints.permitted_ip_ranges = {"10.0.0.0/33"};
  auto cidr = sign_certificate(bad_cidr, ca_key_.public_key(), std::nullopt, ca_key_);
  ASSERT_FALSE(cidr);
  EXPECT_THAT(cidr.error().message(), HasSubstr("nameConstraints.permitted.ipRanges[0]"));

  CertificateTemplate path_on_leaf = t;
  path_on_leaf.max_path_length = 0;
  EXPECT_FALSE(sign_certificate(path_on_leaf, ca_key_.public_key(), std::nullopt, ca_key_));
}

TEST_F(SignerTest, TemplateFromCsrCopiesCsrContents) {
  CsrSpec spec = leaf_spec();
  spec.is_ca = true;
  const PrivateKey key = make_key(KeyAlgorithm::kEd25519, 0);
  auto der = create_csr(spec, key);
  ASSERT_TRUE(der);
  auto csr = parse_csr(*der);
  ASSERT_TRUE(csr);
  const CertificateTemplate t = template_from_csr(*csr);
  EXPECT_EQ(t.subject, spec.subject);
  EXPECT_EQ(t.sans, spec.sans);
  EXPECT_EQ(t.key_usages, spec.key_usages);
  EXPECT_EQ(t.extended_key_usages, spec.extended_key_usages);
  EXPECT_TRUE(t.is_ca);
  EXPECT_TRUE(t.serial_number.empty());
}

// --- TLS-ALPN-01 (RFC 8737 §3, RFC 8738 §6)
// -------------------------------------------------------

TEST(TlsAlpn01Test, DnsIdentifierCertificate) {
  const PrivateKey key = make_key(KeyAlgorithm::kEcdsa, 256);
  const std::string key_authorization = "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA.thumbprint";
  auto certificate = tls_alpn01_certificate("app.example.com", key_authorization, key);
  ASSERT_TRUE(certificate) << certificate.error().to_string();
  EXPECT_THAT(certificate->sans().dns_names, ElementsAre("app.example.com"));
  EXPECT_TRUE(certificate->sans().ip_addresses.empty());
  EXPECT_TRUE(certificate->matches(key));

  auto extension = certificate->extension(kAcmeIdentifierOid);
  ASSERT_TRUE(extension.has_value());
  EXPECT_TRUE(extension->critical);
  auto hash = sha256(key_authorization);
  ASSERT_TRUE(hash);
  EXPECT_EQ(extension->value, std::string("\x04\x20", 2) + *hash);

  TempDir dir;
  dir.write("alpn.pem", certificate->pem());
  const std::string text = dir.openssl_ok({"x509", "-in", "alpn.pem", "-noout", "-text"});
  // OpenSSL 3.0 has no name for the OID and prints the raw value after it.
  EXPECT_THAT(text, HasSubstr("1.3.6.1.5.5.7.1.31: critical"));
  EXPECT_THAT(text, HasSubstr("DNS:app.example.com"));
  EXPECT_THAT(text, HasSubstr("X509v3 Subject Alternative Name: critical"));
  // The CLI's own DER walk: the OID, critical TRUE, then extnValue = 04 20 <digest>.
  const std::string asn1 = dir.openssl_ok({"asn1parse", "-in", "alpn.pem"});
  const auto oid_at = asn1.find(":1.3.6.1.5.5.7.1.31");
  ASSERT_NE(oid_at, std::string::npos) << asn1;
  EXPECT_THAT(asn1.substr(oid_at), HasSubstr("BOOLEAN           :255"));
  EXPECT_THAT(asn1.substr(oid_at), HasSubstr("[HEX DUMP]:0420" + upper_hex(*hash)));
  // A TLS stack that does not know acmeIdentifier must reject the certificate (RFC 8737 §3).
  auto verify = dir.run_openssl({"verify", "-CAfile", "alpn.pem", "alpn.pem"});
  EXPECT_FALSE(verify.success());
  EXPECT_THAT(verify.stdout_data + verify.stderr_data, HasSubstr("unhandled critical extension"));
  auto ours = verify_chain(*certificate, {}, {*certificate}, system_clock::now());
  ASSERT_FALSE(ours);
  EXPECT_THAT(ours.error().message(), HasSubstr("unhandled critical extension"));
}

TEST(TlsAlpn01Test, IpIdentifierCertificate) {
  const PrivateKey key = make_key(KeyAlgorithm::kEd25519, 0);
  auto certificate = tls_alpn01_certificate("2001:db8::1", "token.thumb", key);
  ASSERT_TRUE(certificate) << certificate.error().to_string();
  EXPECT_TRUE(certificate->sans().dns_names.empty());
  EXPECT_THAT(certificate->sans().ip_addresses, ElementsAre("2001:db8::1"));
  auto extension = certificate->extension(kAcmeIdentifierOid);
  ASSERT_TRUE(extension.has_value());
  EXPECT_EQ(extension->value.size(), 34U);

  TempDir dir;
  dir.write("alpn.pem", certificate->pem());
  const std::string text = dir.openssl_ok({"x509", "-in", "alpn.pem", "-noout", "-text"});
  EXPECT_THAT(text, HasSubstr("IP Address:2001:DB8:0:0:0:0:0:1"));
  EXPECT_THAT(text, HasSubstr("1.3.6.1.5.5.7.1.31: critical"));

  auto v4 = tls_alpn01_certificate("192.0.2.1", "token.thumb", key);
  ASSERT_TRUE(v4);
  EXPECT_THAT(v4->sans().ip_addresses, ElementsAre("192.0.2.1"));
  EXPECT_FALSE(tls_alpn01_certificate("", "token.thumb", key));
}

}  // namespace
}  // namespace certkeeper::crypto
