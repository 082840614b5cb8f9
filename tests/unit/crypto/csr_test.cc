#include "lib/crypto/csr.h"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lib/crypto/encoding.h"
#include "tests/unit/crypto/test_util.h"

namespace certkeeper::crypto {
namespace {

using common::ErrorCode;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using testutil::TempDir;
using testutil::trim;

const PrivateKey& ec_key() {
  static const PrivateKey* key = new PrivateKey(*PrivateKey::generate(KeyAlgorithm::kEcdsa, 256));
  return *key;
}

CsrSpec full_spec() {
  CsrSpec spec;
  spec.subject.common_name = "app.example.com";
  spec.subject.serial_number = "1234-5678";
  spec.subject.countries = {"DE"};
  spec.subject.provinces = {"Berlin"};
  spec.subject.localities = {"Berlin"};
  spec.subject.street_addresses = {"Alexanderplatz 1"};
  spec.subject.postal_codes = {"10178"};
  spec.subject.organizations = {"Acme", "Acme Holding"};
  spec.subject.organizational_units = {"Platform"};
  spec.sans.dns_names = {"app.example.com", "*.app.example.com"};
  spec.sans.ip_addresses = {"192.0.2.10", "2001:db8::1"};
  spec.sans.uris = {"spiffe://cluster.local/ns/default/sa/app"};
  spec.sans.email_addresses = {"ops@example.com"};
  spec.key_usages = {KeyUsage::kDigitalSignature, KeyUsage::kKeyEncipherment};
  spec.extended_key_usages = {ExtendedKeyUsage::kServerAuth, ExtendedKeyUsage::kClientAuth};
  return spec;
}

// Writes the CSR and returns `openssl req -text` output after checking the self-signature.
std::string cli_text(const TempDir& dir, const std::string& der) {
  dir.write("req.der", der);
  auto verify = dir.run_openssl({"req", "-inform", "DER", "-in", "req.der", "-noout", "-verify"});
  EXPECT_TRUE(verify.success()) << verify.stderr_data;
  EXPECT_THAT(verify.stdout_data + verify.stderr_data, HasSubstr("verify OK"));
  return dir.openssl_ok({"req", "-inform", "DER", "-in", "req.der", "-noout", "-text"});
}

std::string cli_subject(const TempDir& dir, const std::string& der) {
  dir.write("req.der", der);
  const std::string out = dir.openssl_ok(
      {"req", "-inform", "DER", "-in", "req.der", "-noout", "-subject", "-nameopt", "RFC2253"});
  return testutil::field(out, "subject");
}

TEST(Csr, RoundTripsEverySanTypeAndExtension) {
  const CsrSpec spec = full_spec();
  auto der = create_csr(spec, ec_key());
  ASSERT_TRUE(der) << der.error().to_string();

  auto parsed = parse_csr(*der);
  ASSERT_TRUE(parsed) << parsed.error().to_string();
  EXPECT_EQ(parsed->spec, spec);
  EXPECT_TRUE(parsed->public_key.equals(ec_key().public_key()));
  EXPECT_EQ(parsed->der, *der);

  auto from_pem = parse_csr(pem_encode("CERTIFICATE REQUEST", *der));
  ASSERT_TRUE(from_pem) << from_pem.error().to_string();
  EXPECT_EQ(from_pem->spec, spec);

  TempDir dir;
  const std::string text = cli_text(dir, *der);
  EXPECT_THAT(text, HasSubstr("DNS:app.example.com, DNS:*.app.example.com, "
                              "email:ops@example.com, IP Address:192.0.2.10, "
                              "IP Address:2001:DB8:0:0:0:0:0:1, "
                              "URI:spiffe://cluster.local/ns/default/sa/app"));
  EXPECT_THAT(text, HasSubstr("X509v3 Key Usage: critical"));
  EXPECT_THAT(text, HasSubstr("Digital Signature, Key Encipherment"));
  EXPECT_THAT(text, HasSubstr("TLS Web Server Authentication, TLS Web Client Authentication"));
  EXPECT_THAT(text, Not(HasSubstr("Basic Constraints")));  // only requested for CAs
  EXPECT_THAT(text, HasSubstr("ecdsa-with-SHA256"));
  // With a subject present the SAN is not critical.
  EXPECT_THAT(text, Not(HasSubstr("Subject Alternative Name: critical")));
}

TEST(Csr, SubjectIsEncodedInGoPkixOrder) {
  auto der = create_csr(full_spec(), ec_key());
  ASSERT_TRUE(der) << der.error().to_string();
  auto parsed = parse_csr(*der);
  ASSERT_TRUE(parsed);
  TempDir dir;
  // RFC 4514 lists the RDNs last-first: the sequence is C, ST, L, street, postalCode, O, OU, CN,
  // serialNumber, as Go's pkix.Name.ToRDNSequence writes it.
  const std::string expected =
      "serialNumber=1234-5678,CN=app.example.com,OU=Platform,O=Acme Holding,O=Acme,"
      "postalCode=10178,street=Alexanderplatz 1,L=Berlin,ST=Berlin,C=DE";
  EXPECT_EQ(cli_subject(dir, *der), expected);
  EXPECT_EQ(parsed->subject, expected);
}

TEST(Csr, LiteralSubjectFollowsRfc4514) {
  CsrSpec spec;
  spec.literal_subject = R"(CN=app\, the first,O=Acme+OU=Platform,C=DE, L = Berlin\ )";
  spec.sans.dns_names = {"app.example.com"};
  auto der = create_csr(spec, ec_key());
  ASSERT_TRUE(der) << der.error().to_string();
  auto parsed = parse_csr(*der);
  ASSERT_TRUE(parsed) << parsed.error().to_string();
  EXPECT_EQ(parsed->spec.subject.common_name, "app, the first");
  EXPECT_THAT(parsed->spec.subject.organizations, ElementsAre("Acme"));
  EXPECT_THAT(parsed->spec.subject.organizational_units, ElementsAre("Platform"));
  EXPECT_THAT(parsed->spec.subject.countries, ElementsAre("DE"));
  EXPECT_THAT(parsed->spec.subject.localities, ElementsAre("Berlin "));  // escaped space kept
  EXPECT_TRUE(parsed->spec.literal_subject.empty());

  TempDir dir;
  EXPECT_EQ(parsed->subject, cli_subject(dir, *der));
  // The last RDN of the string comes first in the encoding; O and OU share one RDN.
  dir.write("req.der", *der);
  const std::string oneline =
      testutil::field(dir.openssl_ok({"req", "-inform", "DER", "-in", "req.der", "-noout",
                                      "-subject", "-nameopt", "oneline,-space_eq"}),
                      "subject");
  EXPECT_EQ(oneline, R"(L="Berlin ", C=DE, O=Acme + OU=Platform, CN="app, the first")");
}

TEST(Csr, LiteralSubjectAcceptsOidsAndHexEscapes) {
  CsrSpec spec;
  spec.literal_subject = "2.5.4.3=caf\\C3\\A9,serialNumber=42,DC=example";
  auto der = create_csr(spec, ec_key());
  ASSERT_TRUE(der) << der.error().to_string();
  auto parsed = parse_csr(*der);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->spec.subject.common_name, "caf\xC3\xA9");
  EXPECT_EQ(parsed->spec.subject.serial_number, "42");
  EXPECT_EQ(parsed->subject, "CN=caf\xC3\xA9,serialNumber=42,DC=example");
}

TEST(Csr, EmptySubjectMakesTheSanCritical) {
  CsrSpec spec;
  spec.sans.dns_names = {"only-a-san.example.com"};
  auto der = create_csr(spec, ec_key());
  ASSERT_TRUE(der) << der.error().to_string();
  TempDir dir;
  EXPECT_THAT(cli_text(dir, *der), HasSubstr("X509v3 Subject Alternative Name: critical"));
  auto parsed = parse_csr(*der);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->subject, "");
  EXPECT_EQ(parsed->spec, spec);
}

TEST(Csr, IsCaAndCaKeyUsages) {
  CsrSpec spec;
  spec.subject.common_name = "Example Intermediate";
  spec.is_ca = true;
  spec.key_usages = {KeyUsage::kDigitalSignature, KeyUsage::kKeyCertSign, KeyUsage::kCrlSign};
  auto der = create_csr(spec, ec_key());
  ASSERT_TRUE(der) << der.error().to_string();
  auto parsed = parse_csr(*der);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->spec, spec);
  TempDir dir;
  const std::string text = cli_text(dir, *der);
  EXPECT_THAT(text, HasSubstr("X509v3 Basic Constraints: critical"));
  EXPECT_THAT(text, HasSubstr("CA:TRUE"));
  EXPECT_THAT(text, HasSubstr("Digital Signature, Certificate Sign, CRL Sign"));
}

TEST(Csr, EveryKeyUsageBitRoundTrips) {
  CsrSpec spec;
  spec.subject.common_name = "all-usages";
  for (int bit = 0; bit <= static_cast<int>(KeyUsage::kDecipherOnly); ++bit) {
    spec.key_usages.push_back(static_cast<KeyUsage>(bit));
  }
  spec.extended_key_usages = {ExtendedKeyUsage::kAny,
                              ExtendedKeyUsage::kCodeSigning,
                              ExtendedKeyUsage::kEmailProtection,
                              ExtendedKeyUsage::kIpsecEndSystem,
                              ExtendedKeyUsage::kIpsecTunnel,
                              ExtendedKeyUsage::kIpsecUser,
                              ExtendedKeyUsage::kTimeStamping,
                              ExtendedKeyUsage::kOcspSigning,
                              ExtendedKeyUsage::kMicrosoftSgc,
                              ExtendedKeyUsage::kNetscapeSgc};
  auto der = create_csr(spec, ec_key());
  ASSERT_TRUE(der) << der.error().to_string();
  auto parsed = parse_csr(*der);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->spec, spec);
  TempDir dir;
  EXPECT_THAT(cli_text(dir, *der), HasSubstr("Encipher Only, Decipher Only"));
}

struct SignerCase {
  KeyAlgorithm algorithm;
  int size;
  const char* signature;  // as `openssl req -text` names the signature algorithm
  const char* name;
};

class CsrSigners : public ::testing::TestWithParam<SignerCase> {};

INSTANTIATE_TEST_SUITE_P(
    All, CsrSigners,
    ::testing::Values(SignerCase{KeyAlgorithm::kRsa, 2048, "sha256WithRSAEncryption", "Rsa"},
                      SignerCase{KeyAlgorithm::kEcdsa, 256, "ecdsa-with-SHA256", "P256"},
                      SignerCase{KeyAlgorithm::kEcdsa, 384, "ecdsa-with-SHA384", "P384"},
                      SignerCase{KeyAlgorithm::kEcdsa, 521, "ecdsa-with-SHA512", "P521"},
                      SignerCase{KeyAlgorithm::kEd25519, 0, "ED25519", "Ed25519"}),
    [](const auto& test_info) { return std::string(test_info.param.name); });

TEST_P(CsrSigners, SignsAVerifiableCsr) {
  auto key = PrivateKey::generate(GetParam().algorithm, GetParam().size);
  ASSERT_TRUE(key) << key.error().to_string();
  CsrSpec spec;
  spec.subject.common_name = "signer.example.com";
  spec.sans.dns_names = {"signer.example.com"};
  auto der = create_csr(spec, *key);
  ASSERT_TRUE(der) << der.error().to_string();
  TempDir dir;
  EXPECT_THAT(cli_text(dir, *der),
              HasSubstr("Signature Algorithm: " + std::string(GetParam().signature)));
  auto parsed = parse_csr(*der);
  ASSERT_TRUE(parsed) << parsed.error().to_string();
  EXPECT_TRUE(key->matches(parsed->public_key));
  EXPECT_EQ(parsed->public_key.algorithm(), GetParam().algorithm);
}

TEST(Csr, InvalidInputIsRejectedNamingTheField) {
  struct Case {
    const char* name;
    CsrSpec spec;
    const char* message;
  };
  const auto with = [](auto modify) {
    CsrSpec spec;
    spec.subject.common_name = "ok.example.com";
    modify(spec);
    return spec;
  };
  const Case cases[] = {
      {"bad IPv4", with([](CsrSpec& s) { s.sans.ip_addresses = {"300.1.1.1"}; }), "ipAddresses[0]"},
      {"IPv6 zone", with([](CsrSpec& s) {
         s.sans.ip_addresses = {"::1", "fe80::1%eth0"};
       }),
       "ipAddresses[1]"},
      {"empty DNS name", with([](CsrSpec& s) { s.sans.dns_names = {""}; }), "dnsNames[0]"},
      {"DNS name with a space", with([](CsrSpec& s) { s.sans.dns_names = {"a b.example"}; }),
       "dnsNames[0]"},
      {"non-ASCII DNS name", with([](CsrSpec& s) { s.sans.dns_names = {"b\xC3\xBC.example"}; }),
       "dnsNames[0]"},
      {"URI with a space", with([](CsrSpec& s) { s.sans.uris = {"https://a b"}; }), "uris[0]"},
      {"three-letter country", with([](CsrSpec& s) { s.subject.countries = {"DEU"}; }),
       "subject.countries[0]"},
      {"empty organization", with([](CsrSpec& s) { s.subject.organizations = {""}; }),
       "subject.organizations[0]"},
      {"CN over 64 characters",
       with([](CsrSpec& s) { s.subject.common_name = std::string(65, 'a'); }), "commonName"},
      {"literal without =", with([](CsrSpec& s) { s.literal_subject = "CN"; }), "literal subject"},
      {"literal unknown type", with([](CsrSpec& s) { s.literal_subject = "NOPE=1"; }),
       "unknown attribute type"},
      {"literal hex value", with([](CsrSpec& s) { s.literal_subject = "CN=#0403616263"; }),
       "not supported"},
      {"literal bad escape", with([](CsrSpec& s) { s.literal_subject = "CN=a\\qb"; }),
       "invalid escape"},
      {"literal empty value", with([](CsrSpec& s) { s.literal_subject = "CN=,O=x"; }),
       "empty value"},
      {"literal unescaped quote", with([](CsrSpec& s) { s.literal_subject = "CN=a\"b"; }),
       "unescaped"},
      {"literal blank", with([](CsrSpec& s) { s.literal_subject = "  "; }), "empty"},
  };
  for (const auto& c : cases) {
    auto der = create_csr(c.spec, ec_key());
    ASSERT_FALSE(der) << c.name;
    EXPECT_EQ(der.error().code(), ErrorCode::kInvalidArgument) << c.name;
    EXPECT_THAT(der.error().message(), HasSubstr(c.message)) << c.name;
  }
}

TEST(Csr, TamperedSignatureIsRejected) {
  CsrSpec spec;
  spec.subject.common_name = "tamper.example.com";
  auto der = create_csr(spec, ec_key());
  ASSERT_TRUE(der);
  // The DER ends with the signature's s INTEGER: change its last byte.
  std::string tampered = *der;
  tampered.back() = static_cast<char>(tampered.back() ^ 0x01);
  auto parsed = parse_csr(tampered);
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(parsed.error().message(), HasSubstr("self-signature does not verify"));
}

TEST(Csr, GarbageIsRejected) {
  for (const std::string& bad :
       {std::string(), std::string("garbage"), pem_encode("CERTIFICATE REQUEST", "garbage"),
        std::string("-----BEGIN CERTIFICATE REQUEST-----\n")}) {
    auto parsed = parse_csr(bad);
    ASSERT_FALSE(parsed);
    EXPECT_EQ(parsed.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_THAT(parsed.error().message(), HasSubstr("CSR"));
  }
}

TEST(Csr, ParsesACsrTheCliWrote) {
  TempDir dir;
  dir.write("key.pem", *ec_key().to_pem(KeyEncoding::kPkcs8));
  const std::string san = std::string("subjectAltName=DNS:cli.example.com,IP:10.1.2.3,") +
                          "URI:https://cli.example.com/x,email:cli@example.com";
  const std::string pem = dir.openssl_ok(
      {"req", "-new", "-key", "key.pem", "-subj", "/C=DE/O=Acme/CN=cli.example.com", "-addext", san,
       "-addext", "keyUsage=critical,digitalSignature", "-addext", "extendedKeyUsage=clientAuth",
       "-addext", "basicConstraints=critical,CA:TRUE"});
  auto parsed = parse_csr(pem);
  ASSERT_TRUE(parsed) << parsed.error().to_string();
  EXPECT_EQ(parsed->spec.subject.common_name, "cli.example.com");
  EXPECT_THAT(parsed->spec.subject.organizations, ElementsAre("Acme"));
  EXPECT_EQ(parsed->subject, "CN=cli.example.com,O=Acme,C=DE");
  EXPECT_THAT(parsed->spec.sans.dns_names, ElementsAre("cli.example.com"));
  EXPECT_THAT(parsed->spec.sans.ip_addresses, ElementsAre("10.1.2.3"));
  EXPECT_THAT(parsed->spec.sans.uris, ElementsAre("https://cli.example.com/x"));
  EXPECT_THAT(parsed->spec.sans.email_addresses, ElementsAre("cli@example.com"));
  EXPECT_THAT(parsed->spec.key_usages, ElementsAre(KeyUsage::kDigitalSignature));
  EXPECT_THAT(parsed->spec.extended_key_usages, ElementsAre(ExtendedKeyUsage::kClientAuth));
  EXPECT_TRUE(parsed->spec.is_ca);
  EXPECT_TRUE(ec_key().matches(parsed->public_key));
  EXPECT_EQ(trim(parsed->subject), parsed->subject);
}

}  // namespace
}  // namespace certkeeper::crypto
