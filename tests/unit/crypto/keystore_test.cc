#include "lib/crypto/keystore.h"

#include <chrono>
#include <string>
#include <tuple>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lib/crypto/signer.h"
#include "tests/unit/crypto/test_util.h"

namespace certkeeper::crypto {
namespace {

using common::ErrorCode;
using std::chrono::hours;
using std::chrono::system_clock;
using ::testing::HasSubstr;
using testutil::normalize_hex;
using testutil::TempDir;

constexpr std::string_view kPassword = "s3cret-Pass";

// A CA and a leaf it issued, with the leaf's key.
struct Issued {
  PrivateKey ca_key;
  Certificate ca;
  PrivateKey key;
  Certificate leaf;
};

Issued issue(KeyAlgorithm algorithm, int size) {
  const auto now = std::chrono::floor<std::chrono::seconds>(system_clock::now());
  auto ca_key = PrivateKey::generate(KeyAlgorithm::kEcdsa, 256);
  auto key = PrivateKey::generate(algorithm, size);
  EXPECT_TRUE(ca_key && key);
  CertificateTemplate t;
  t.subject.common_name = "Keystore Test CA";
  t.is_ca = true;
  t.key_usages = {KeyUsage::kKeyCertSign};
  t.not_before = now - hours(1);
  t.not_after = now + hours(48);
  auto ca = sign_certificate(t, ca_key->public_key(), std::nullopt, *ca_key);
  EXPECT_TRUE(ca) << ca.error().to_string();
  CertificateTemplate leaf_template;
  leaf_template.subject.common_name = "leaf.example.com";
  leaf_template.sans.dns_names = {"leaf.example.com"};
  leaf_template.not_before = t.not_before;
  leaf_template.not_after = now + hours(24);
  auto leaf = sign_certificate(leaf_template, key->public_key(), *ca, *ca_key);
  EXPECT_TRUE(leaf) << leaf.error().to_string();
  return {*ca_key, *ca, *key, *leaf};
}

// "SHA256 Fingerprint=AB:CD:..." (openssl x509 -fingerprint) -> "abcd...".
std::string sha256_fingerprint(const TempDir& dir, const std::string& pem_file) {
  const std::string out =
      dir.openssl_ok({"x509", "-in", pem_file, "-noout", "-fingerprint", "-sha256"});
  return normalize_hex(out.substr(out.find('=') + 1));
}

// --- PKCS#12 -------------------------------------------------------------------------------------

struct ProfileCase {
  Pkcs12Profile profile;
  bool legacy_flag;           // the CLI needs -legacy to open it
  std::string_view certs;     // how `openssl pkcs12 -info` names the certificate encryption
  std::string_view shrouded;  // ... the key encryption
  std::string_view mac;
};

class Pkcs12Test : public ::testing::TestWithParam<ProfileCase> {};

TEST_P(Pkcs12Test, OpensslOpensItAndFindsCertificatesAndKey) {
  const ProfileCase& c = GetParam();
  const Issued issued = issue(KeyAlgorithm::kEcdsa, 256);
  auto p12 = pkcs12(issued.key, issued.leaf, {issued.ca}, kPassword, c.profile);
  ASSERT_TRUE(p12) << p12.error().to_string();

  TempDir dir;
  dir.write("keystore.p12", *p12);
  std::vector<std::string> args = {"pkcs12",
                                   "-info",
                                   "-nokeys",
                                   "-in",
                                   "keystore.p12",
                                   "-passin",
                                   "pass:" + std::string(kPassword)};
  if (c.legacy_flag) {
    args.emplace_back("-legacy");
  }
  auto info = dir.run_openssl(args);
  ASSERT_TRUE(info.success()) << info.stderr_data;
  const std::string all = info.stdout_data + info.stderr_data;
  EXPECT_THAT(all, HasSubstr("subject=CN = leaf.example.com"));
  EXPECT_THAT(all, HasSubstr("subject=CN = Keystore Test CA"));
  EXPECT_THAT(all, HasSubstr(std::string(c.mac)));
  EXPECT_THAT(all, HasSubstr(std::string(c.certs)));
  EXPECT_THAT(all, HasSubstr(std::string(c.shrouded)));

  // The key comes out as the same key pair.
  args = {"pkcs12",  "-nocerts",     "-nodes",
          "-in",     "keystore.p12", "-out",
          "key.pem", "-passin",      "pass:" + std::string(kPassword)};
  if (c.legacy_flag) {
    args.emplace_back("-legacy");
  }
  dir.openssl_ok(args);
  auto key = PrivateKey::from_pem(dir.read("key.pem"));
  ASSERT_TRUE(key) << key.error().to_string();
  EXPECT_TRUE(key->matches(issued.key.public_key()));

  args = {"pkcs12", "-info", "-nokeys", "-in", "keystore.p12", "-passin", "pass:wrong"};
  if (c.legacy_flag) {
    args.emplace_back("-legacy");
  }
  EXPECT_FALSE(dir.run_openssl(args).success());
}

INSTANTIATE_TEST_SUITE_P(
    Profiles, Pkcs12Test,
    ::testing::Values(ProfileCase{Pkcs12Profile::kLegacyRc2, true, "pbeWithSHA1And40BitRC2-CBC",
                                  "pbeWithSHA1And3-KeyTripleDES-CBC", "MAC: sha1"},
                      ProfileCase{Pkcs12Profile::kLegacyDes, false,
                                  "PKCS7 Encrypted data: pbeWithSHA1And3-KeyTripleDES-CBC",
                                  "Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC", "MAC: sha1"},
                      ProfileCase{Pkcs12Profile::kModern2023, false,
                                  "PKCS7 Encrypted data: PBES2, PBKDF2, AES-256-CBC",
                                  "Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC", "MAC: sha256"}),
    [](const auto& test_info) { return std::string(to_string(test_info.param.profile)); });

TEST(Pkcs12Errors, RejectsEmptyPasswordAndForeignKey) {
  const Issued issued = issue(KeyAlgorithm::kEd25519, 0);
  auto empty = pkcs12(issued.key, issued.leaf, {}, "", Pkcs12Profile::kModern2023);
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code(), ErrorCode::kInvalidArgument);
  auto foreign = pkcs12(issued.ca_key, issued.leaf, {}, kPassword, Pkcs12Profile::kModern2023);
  ASSERT_FALSE(foreign);
  EXPECT_EQ(foreign.error().code(), ErrorCode::kInvalidArgument);
  // Ed25519 keys go into PKCS#12 too.
  EXPECT_TRUE(pkcs12(issued.key, issued.leaf, {}, kPassword, Pkcs12Profile::kLegacyRc2));
}

// --- JKS -----------------------------------------------------------------------------------------

std::uint32_t u32_at(const std::string& data, std::size_t offset) {
  std::uint32_t value = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    value = (value << 8U) | static_cast<unsigned char>(data[offset + i]);
  }
  return value;
}

TEST(JksTest, StructureAndRoundTrip) {
  const Issued issued = issue(KeyAlgorithm::kRsa, 2048);
  const auto created = system_clock::time_point(std::chrono::milliseconds(1'764'000'000'123));
  auto store = jks(issued.key, issued.leaf, {issued.ca}, "pässwörd", "MyCert", issued.ca, created);
  ASSERT_TRUE(store) << store.error().to_string();
  ASSERT_GT(store->size(), 32U);
  EXPECT_EQ(u32_at(*store, 0), 0xFEEDFEEDU);  // magic
  EXPECT_EQ(u32_at(*store, 4), 2U);           // version
  EXPECT_EQ(u32_at(*store, 8), 2U);           // entries: the key and the CA
  EXPECT_EQ(u32_at(*store, 12), 1U);          // PrivateKeyEntry first
  EXPECT_EQ(store->substr(16, 8), std::string("\x00\x06mycert", 8));

  auto entries = parse_jks(*store, "pässwörd");
  ASSERT_TRUE(entries) << entries.error().to_string();
  ASSERT_EQ(entries->size(), 2U);
  const JksEntry& key_entry = (*entries)[0];
  EXPECT_EQ(key_entry.alias, "mycert");
  EXPECT_EQ(key_entry.created, created);
  ASSERT_TRUE(key_entry.key.has_value());
  EXPECT_TRUE(key_entry.key->matches(issued.key.public_key()));
  ASSERT_EQ(key_entry.certificates.size(), 2U);
  EXPECT_EQ(key_entry.certificates[0].der(), issued.leaf.der());
  EXPECT_EQ(key_entry.certificates[1].der(), issued.ca.der());
  const JksEntry& ca_entry = (*entries)[1];
  EXPECT_EQ(ca_entry.alias, "ca");
  EXPECT_FALSE(ca_entry.key.has_value());
  ASSERT_EQ(ca_entry.certificates.size(), 1U);
  EXPECT_EQ(ca_entry.certificates[0].der(), issued.ca.der());

  auto wrong = parse_jks(*store, "passwort");
  ASSERT_FALSE(wrong);
  EXPECT_THAT(wrong.error().message(), HasSubstr("integrity digest"));
  std::string tampered = *store;
  tampered[tampered.size() / 2] = static_cast<char>(tampered[tampered.size() / 2] ^ 0x01);
  EXPECT_FALSE(parse_jks(tampered, "pässwörd"));
  EXPECT_FALSE(parse_jks(store->substr(0, store->size() - 1), "pässwörd"));
}

TEST(JksTest, RejectsBadInput) {
  const Issued issued = issue(KeyAlgorithm::kEcdsa, 256);
  EXPECT_FALSE(jks(issued.key, issued.leaf, {}, "", "certificate"));
  EXPECT_FALSE(jks(issued.key, issued.leaf, {}, kPassword, ""));
  EXPECT_FALSE(jks(issued.key, issued.leaf, {}, kPassword, "tab\there"));
  EXPECT_FALSE(jks(issued.key, issued.leaf, {}, kPassword, "CA", issued.ca));
  EXPECT_FALSE(jks(issued.ca_key, issued.leaf, {}, kPassword, "certificate"));
  EXPECT_FALSE(jks(issued.key, issued.leaf, {}, "bad\xff utf8", "certificate"));
}

class JksKeytoolTest : public ::testing::TestWithParam<std::tuple<KeyAlgorithm, int>> {
 protected:
  void SetUp() override {
    // A missing program is the only error run_process returns (kNotFound).
    if (!common::run_process({"keytool", "-help"}, common::ProcessOptions{})) {
      GTEST_SKIP() << "keytool not installed";
    }
  }
};

TEST_P(JksKeytoolTest, KeytoolListsEntriesAndRecoversTheKey) {
  const auto [algorithm, size] = GetParam();
  const Issued issued = issue(algorithm, size);
  auto store = jks(issued.key, issued.leaf, {issued.ca}, kPassword, "certificate", issued.ca);
  ASSERT_TRUE(store) << store.error().to_string();

  TempDir dir;
  dir.write("keystore.jks", *store);
  dir.write("leaf.pem", issued.leaf.pem());
  dir.write("ca.pem", issued.ca.pem());
  const std::string pass(kPassword);
  auto list = dir.run_tool({"keytool", "-list", "-v", "-keystore", "keystore.jks", "-storetype",
                            "JKS", "-storepass", pass});
  ASSERT_TRUE(list.success()) << list.stdout_data << list.stderr_data;
  const std::string& out = list.stdout_data;
  EXPECT_THAT(out, HasSubstr("Your keystore contains 2 entries"));
  EXPECT_THAT(out, HasSubstr("Alias name: certificate"));
  EXPECT_THAT(out, HasSubstr("Entry type: PrivateKeyEntry"));
  EXPECT_THAT(out, HasSubstr("Certificate chain length: 2"));
  EXPECT_THAT(out, HasSubstr("Alias name: ca"));
  EXPECT_THAT(out, HasSubstr("Entry type: trustedCertEntry"));
  EXPECT_THAT(normalize_hex(out), HasSubstr(sha256_fingerprint(dir, "leaf.pem")));
  EXPECT_THAT(normalize_hex(out), HasSubstr(sha256_fingerprint(dir, "ca.pem")));

  // keytool must decrypt the key to convert it: the KeyProtector output is right.
  auto convert =
      dir.run_tool({"keytool", "-importkeystore", "-srckeystore", "keystore.jks", "-srcstoretype",
                    "JKS", "-srcstorepass", pass, "-srcalias", "certificate", "-destkeystore",
                    "out.p12", "-deststoretype", "PKCS12", "-deststorepass", pass, "-noprompt"});
  ASSERT_TRUE(convert.success()) << convert.stdout_data << convert.stderr_data;
  dir.openssl_ok({"pkcs12", "-in", "out.p12", "-nocerts", "-nodes", "-out", "key.pem", "-passin",
                  "pass:" + pass});
  auto key = PrivateKey::from_pem(dir.read("key.pem"));
  ASSERT_TRUE(key) << key.error().to_string();
  EXPECT_TRUE(key->matches(issued.key.public_key()));

  auto wrong = dir.run_tool({"keytool", "-list", "-keystore", "keystore.jks", "-storetype", "JKS",
                             "-storepass", "not-the-password"});
  EXPECT_FALSE(wrong.success());
}

INSTANTIATE_TEST_SUITE_P(Keys, JksKeytoolTest,
                         ::testing::Values(std::make_tuple(KeyAlgorithm::kEcdsa, 256),
                                           std::make_tuple(KeyAlgorithm::kRsa, 2048)));

}  // namespace
}  // namespace certkeeper::crypto
