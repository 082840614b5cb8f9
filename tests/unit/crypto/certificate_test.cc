#include "lib/crypto/certificate.h"

#include <chrono>
#include <memory>
#include <sstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lib/crypto/csr.h"
#include "lib/crypto/encoding.h"
#include "tests/unit/crypto/test_util.h"

namespace certkeeper::crypto {
namespace {

using common::ErrorCode;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testutil::field;
using testutil::normalize_hex;
using testutil::TempDir;
using testutil::trim;

constexpr std::string_view kCaConfig = R"([req]
distinguished_name = dn
prompt = no
[dn]
O = Certkeeper Tests
CN = Test CA
[ca_ext]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[leaf_ext]
basicConstraints = critical,CA:FALSE
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
subjectAltName = DNS:leaf.example.com,DNS:www.leaf.example.com,IP:192.0.2.7,IP:2001:db8::7,URI:spiffe://example/leaf,email:ops@example.com
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth,clientAuth
)";

// "2026-11-28 17:39:34Z" (openssl x509 -dateopt iso_8601) -> time_point.
std::chrono::system_clock::time_point parse_iso(const std::string& text) {
  std::istringstream in(text);
  int year = 0;
  unsigned month = 0;
  unsigned day = 0;
  int hour = 0;
  int minute = 0;
  int second = 0;
  char sep = 0;
  in >> year >> sep >> month >> sep >> day >> hour >> sep >> minute >> sep >> second;
  EXPECT_FALSE(in.fail()) << text;
  return std::chrono::sys_days{std::chrono::year{year} / std::chrono::month{month} /
                               std::chrono::day{day}} +
         std::chrono::hours{hour} + std::chrono::minutes{minute} + std::chrono::seconds{second};
}

// Shared by CertificateTest's cases; set up and torn down once per suite.
TempDir* shared_dir = nullptr;
PrivateKey* shared_leaf_key = nullptr;

// A CA and two leaves made by the openssl CLI, from our own key and CSR. Built once.
class CertificateTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    shared_dir = new TempDir();
    shared_dir->write("ca.cnf", kCaConfig);
    shared_dir->openssl_ok({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                            "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-config", "ca.cnf",
                            "-extensions", "ca_ext", "-days", "30"});

    auto key = PrivateKey::generate(KeyAlgorithm::kRsa, 2048);
    ASSERT_TRUE(key) << key.error().to_string();
    shared_leaf_key = new PrivateKey(*key);
    shared_dir->write("leaf.key", *shared_leaf_key->to_pem(KeyEncoding::kPkcs1));
    CsrSpec spec;
    spec.subject.common_name = "leaf.example.com";
    spec.subject.organizations = {"Acme"};
    spec.subject.countries = {"DE"};
    spec.sans.dns_names = {"leaf.example.com"};
    auto csr = create_csr(spec, *shared_leaf_key);
    ASSERT_TRUE(csr) << csr.error().to_string();
    shared_dir->write("leaf.csr", pem_encode("CERTIFICATE REQUEST", *csr));

    // 0x87654321 has its top bit set, so its DER INTEGER carries a leading 0x00.
    for (const auto& [name, serial] :
         {std::pair{"leaf.pem", "0x87654321"}, std::pair{"leaf2.pem", "0x1234"}}) {
      shared_dir->openssl_ok({"x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey",
                              "ca.key", "-set_serial", serial, "-days", "10", "-extfile", "ca.cnf",
                              "-extensions", "leaf_ext", "-out", name});
    }
  }

  static void TearDownTestSuite() {
    delete shared_dir;
    shared_dir = nullptr;
    delete shared_leaf_key;
    shared_leaf_key = nullptr;
  }

  static Certificate load(std::string_view name) {
    auto certificate = Certificate::from_pem(shared_dir->read(name));
    EXPECT_TRUE(certificate) << certificate.error().to_string();
    return *certificate;
  }

  // openssl x509 -noout <args> on `name`.
  static std::string cli(std::string_view name, std::vector<std::string> args) {
    std::vector<std::string> argv = {"x509", "-in", std::string(name), "-noout"};
    argv.insert(argv.end(), args.begin(), args.end());
    return shared_dir->openssl_ok(argv);
  }

  // The hex on the line after "<extension name>:" in `openssl x509 -ext` output.
  static std::string cli_extension_hex(std::string_view name, const std::string& extension) {
    std::istringstream lines(cli(name, {"-ext", extension}));
    std::string line;
    std::getline(lines, line);  // "X509v3 Authority Key Identifier:"
    std::getline(lines, line);  // "    61:2C:..."
    return normalize_hex(line);
  }
};

TEST_F(CertificateTest, NamesAndExtensionsMatchTheCli) {
  const Certificate leaf = load("leaf.pem");
  EXPECT_EQ(leaf.subject(), field(cli("leaf.pem", {"-subject", "-nameopt", "RFC2253"}), "subject"));
  EXPECT_EQ(leaf.subject(), "CN=leaf.example.com,O=Acme,C=DE");
  EXPECT_EQ(leaf.issuer(), field(cli("leaf.pem", {"-issuer", "-nameopt", "RFC2253"}), "issuer"));
  EXPECT_EQ(leaf.issuer(), "CN=Test CA,O=Certkeeper Tests");
  EXPECT_EQ(leaf.common_name(), "leaf.example.com");
  EXPECT_THAT(leaf.subject_fields().organizations, ElementsAre("Acme"));
  EXPECT_THAT(leaf.sans().dns_names, ElementsAre("leaf.example.com", "www.leaf.example.com"));
  EXPECT_THAT(leaf.sans().ip_addresses, ElementsAre("192.0.2.7", "2001:db8::7"));
  EXPECT_THAT(leaf.sans().uris, ElementsAre("spiffe://example/leaf"));
  EXPECT_THAT(leaf.sans().email_addresses, ElementsAre("ops@example.com"));
  EXPECT_THAT(leaf.key_usages(),
              ElementsAre(KeyUsage::kDigitalSignature, KeyUsage::kKeyEncipherment));
  EXPECT_THAT(leaf.extended_key_usages(),
              ElementsAre(ExtendedKeyUsage::kServerAuth, ExtendedKeyUsage::kClientAuth));
  EXPECT_FALSE(leaf.is_ca());

  const Certificate ca = load("ca.pem");
  EXPECT_TRUE(ca.is_ca());
  EXPECT_EQ(ca.subject(), ca.issuer());
  EXPECT_THAT(ca.key_usages(), ElementsAre(KeyUsage::kKeyCertSign, KeyUsage::kCrlSign));
}

TEST_F(CertificateTest, ValidityMatchesTheCli) {
  for (const char* name : {"leaf.pem", "ca.pem"}) {
    const Certificate certificate = load(name);
    const std::string dates = cli(name, {"-startdate", "-enddate", "-dateopt", "iso_8601"});
    EXPECT_EQ(certificate.not_before(), parse_iso(field(dates, "notBefore"))) << name;
    EXPECT_EQ(certificate.not_after(), parse_iso(field(dates, "notAfter"))) << name;
  }
  const Certificate leaf = load("leaf.pem");
  EXPECT_EQ(leaf.not_after() - leaf.not_before(), std::chrono::hours(24 * 10));
}

TEST_F(CertificateTest, SerialAndKeyIdentifiersMatchTheCli) {
  const Certificate leaf = load("leaf.pem");
  EXPECT_EQ(leaf.serial_hex(), normalize_hex(field(cli("leaf.pem", {"-serial"}), "serial")));
  EXPECT_EQ(leaf.serial_hex(), "87654321");
  EXPECT_EQ(leaf.serial_octets(), std::string("\x00\x87\x65\x43\x21", 5));
  EXPECT_EQ(leaf.subject_key_id_hex(), cli_extension_hex("leaf.pem", "subjectKeyIdentifier"));
  EXPECT_EQ(leaf.authority_key_id_hex(), cli_extension_hex("leaf.pem", "authorityKeyIdentifier"));
  EXPECT_EQ(leaf.subject_key_id().size(), 20U);

  const Certificate ca = load("ca.pem");
  EXPECT_EQ(leaf.authority_key_id(), ca.subject_key_id());
  EXPECT_TRUE(ca.authority_key_id().empty());  // ca_ext asks for no AKI

  const Certificate leaf2 = load("leaf2.pem");
  EXPECT_EQ(leaf2.serial_hex(), "1234");
  EXPECT_EQ(leaf2.serial_octets(), "\x12\x34");
}

TEST_F(CertificateTest, AriCertIdMatchesValuesExtractedByTheCli) {
  for (const char* name : {"leaf.pem", "leaf2.pem"}) {
    SCOPED_TRACE(name);
    // Independently: AKI from -ext authorityKeyIdentifier, serial from -serial, and the DER
    // content octets of a positive INTEGER are its magnitude plus 0x00 when the top bit is set.
    auto aki = hex_decode(cli_extension_hex(name, "authorityKeyIdentifier"));
    ASSERT_TRUE(aki);
    std::string serial_hex = normalize_hex(field(cli(name, {"-serial"}), "serial"));
    if (serial_hex.size() % 2 != 0) {
      serial_hex.insert(0, "0");
    }
    if (serial_hex[0] >= '8') {
      serial_hex.insert(0, "00");
    }
    auto serial = hex_decode(serial_hex);
    ASSERT_TRUE(serial);
    const std::string expected = base64url_encode(*aki) + "." + base64url_encode(*serial);

    auto cert_id = ari_cert_id(load(name));
    ASSERT_TRUE(cert_id) << cert_id.error().to_string();
    EXPECT_EQ(*cert_id, expected);
  }
  auto cert_id = ari_cert_id(load("leaf.pem"));
  ASSERT_TRUE(cert_id);
  EXPECT_THAT(*cert_id, ::testing::EndsWith(".AIdlQyE"));  // 00 87 65 43 21
  auto cert_id2 = ari_cert_id(load("leaf2.pem"));
  ASSERT_TRUE(cert_id2);
  EXPECT_THAT(*cert_id2, ::testing::EndsWith(".EjQ"));  // 12 34
}

TEST(AriCertId, Rfc9773Example) {
  // RFC 9773 §4.1: AKI 69:88:5B:6B:87:46:40:41:E1:B3:7B:84:7B:A0:AE:2C:DE:01:C8:D4 and serial
  // 00:87:65:43:21.
  auto aki = hex_decode("69885B6B87464041E1B37B847BA0AE2CDE01C8D4");
  ASSERT_TRUE(aki);
  EXPECT_EQ(make_ari_cert_id(*aki, std::string("\x00\x87\x65\x43\x21", 5)),
            "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE");
}

TEST_F(CertificateTest, AriCertIdNeedsAnAuthorityKeyIdentifier) {
  auto cert_id = ari_cert_id(load("ca.pem"));
  ASSERT_FALSE(cert_id);
  EXPECT_EQ(cert_id.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(cert_id.error().message(), HasSubstr("authorityKeyIdentifier"));
}

TEST_F(CertificateTest, MatchesItsKeyAndCsrOnly) {
  const Certificate leaf = load("leaf.pem");
  ASSERT_TRUE(leaf.public_key().has_value());
  EXPECT_TRUE(leaf.matches(*shared_leaf_key));
  auto ca_key = PrivateKey::from_pem(shared_dir->read("ca.key"));
  ASSERT_TRUE(ca_key) << ca_key.error().to_string();
  EXPECT_FALSE(leaf.matches(*ca_key));
  EXPECT_TRUE(load("ca.pem").matches(*ca_key));
  auto csr = parse_csr(shared_dir->read("leaf.csr"));
  ASSERT_TRUE(csr);
  EXPECT_TRUE(leaf.matches(csr->public_key));
  EXPECT_FALSE(load("ca.pem").matches(csr->public_key));
}

TEST_F(CertificateTest, SplitsAPemChain) {
  const std::string leaf_pem = shared_dir->read("leaf.pem");
  const std::string ca_pem = shared_dir->read("ca.pem");
  const std::string bundle = "Leaf:\n" + leaf_pem + "\nsome text between\n" + ca_pem + "trailer\n";
  auto chain = parse_pem_chain(bundle);
  ASSERT_TRUE(chain) << chain.error().to_string();
  ASSERT_EQ(chain->size(), 2U);
  EXPECT_EQ((*chain)[0].der(),
            shared_dir->openssl_ok({"x509", "-in", "leaf.pem", "-outform", "DER"}));
  EXPECT_EQ((*chain)[1].der(),
            shared_dir->openssl_ok({"x509", "-in", "ca.pem", "-outform", "DER"}));
  EXPECT_EQ((*chain)[0].pem(), leaf_pem);

  auto first = Certificate::from_pem(bundle);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->der(), (*chain)[0].der());
  auto from_der = Certificate::from_der((*chain)[1].der());
  ASSERT_TRUE(from_der);
  EXPECT_EQ(from_der->subject(), "CN=Test CA,O=Certkeeper Tests");
}

TEST_F(CertificateTest, RejectsEmptyAndBrokenChains) {
  for (const char* empty : {"", "no certificates here\n"}) {
    auto chain = parse_pem_chain(empty);
    ASSERT_FALSE(chain);
    EXPECT_EQ(chain.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_THAT(chain.error().message(), HasSubstr("no CERTIFICATE block"));
  }
  const std::string ca_pem = shared_dir->read("ca.pem");
  const std::string truncated = shared_dir->read("leaf.pem") + ca_pem.substr(0, ca_pem.size() / 2);
  auto chain = parse_pem_chain(truncated);
  ASSERT_FALSE(chain);
  EXPECT_EQ(chain.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(chain.error().message(), HasSubstr("certificate 2"));
  auto first = Certificate::from_pem(truncated);  // reads only the first block
  ASSERT_TRUE(first) << first.error().to_string();
  EXPECT_EQ(first->common_name(), "leaf.example.com");

  auto der = Certificate::from_der("not DER");
  ASSERT_FALSE(der);
  EXPECT_EQ(der.error().code(), ErrorCode::kInvalidArgument);
}

TEST_F(CertificateTest, NotAfterBeyond2262IsClamped) {
  // 120000 days is past the year 2262, where a nanosecond system_clock ends.
  shared_dir->openssl_ok({"req", "-x509", "-key", "leaf.key", "-subj", "/CN=far future", "-days",
                          "120000", "-out", "far.pem"});
  const Certificate far = load("far.pem");
  EXPECT_EQ(far.not_after(), std::chrono::system_clock::time_point::max());
  EXPECT_LT(far.not_before(), std::chrono::system_clock::time_point::max());
  EXPECT_EQ(trim(far.common_name()), "far future");
}

}  // namespace
}  // namespace certkeeper::crypto
