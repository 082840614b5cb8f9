#include "lib/crypto/keys.h"

#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lib/crypto/encoding.h"
#include "lib/crypto/primitives.h"
#include "tests/unit/crypto/test_util.h"

namespace certkeeper::crypto {
namespace {

using common::ErrorCode;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
using testutil::TempDir;

struct KeyCase {
  KeyAlgorithm algorithm;
  int size;
  int expected_size;
  const char* name;
};

const KeyCase kKeyCases[] = {
    {KeyAlgorithm::kRsa, 2048, 2048, "Rsa2048"}, {KeyAlgorithm::kEcdsa, 256, 256, "P256"},
    {KeyAlgorithm::kEcdsa, 384, 384, "P384"},    {KeyAlgorithm::kEcdsa, 521, 521, "P521"},
    {KeyAlgorithm::kEd25519, 0, 0, "Ed25519"},
};

// One generated key per case, shared by the tests (RSA generation is slow).
const PrivateKey& key_for(const KeyCase& c) {
  static auto* keys = new std::map<std::string, PrivateKey>();
  auto it = keys->find(c.name);
  if (it == keys->end()) {
    auto key = PrivateKey::generate(c.algorithm, c.size);
    EXPECT_TRUE(key) << key.error().to_string();
    it = keys->emplace(c.name, std::move(*key)).first;
  }
  return it->second;
}

std::string expected_pkcs1_label(KeyAlgorithm algorithm) {
  switch (algorithm) {
    case KeyAlgorithm::kRsa:
      return "RSA PRIVATE KEY";
    case KeyAlgorithm::kEcdsa:
      return "EC PRIVATE KEY";
    case KeyAlgorithm::kEd25519:
      return "PRIVATE KEY";  // no type-specific form; cert-manager writes PKCS#8 too
  }
  return "";
}

class KeyTypes : public ::testing::TestWithParam<KeyCase> {};

INSTANTIATE_TEST_SUITE_P(All, KeyTypes, ::testing::ValuesIn(kKeyCases),
                         [](const auto& test_info) { return std::string(test_info.param.name); });

TEST_P(KeyTypes, GeneratesTheRequestedAlgorithmAndSize) {
  const PrivateKey& key = key_for(GetParam());
  EXPECT_EQ(key.algorithm(), GetParam().algorithm);
  EXPECT_EQ(key.size(), GetParam().expected_size);
  EXPECT_EQ(key.public_key().algorithm(), GetParam().algorithm);
  EXPECT_TRUE(key.matches(key.public_key()));
}

TEST_P(KeyTypes, PemRoundTripInBothEncodingsAgreesWithTheCli) {
  const PrivateKey& key = key_for(GetParam());
  TempDir dir;
  for (const KeyEncoding encoding : {KeyEncoding::kPkcs1, KeyEncoding::kPkcs8}) {
    SCOPED_TRACE(encoding == KeyEncoding::kPkcs1 ? "PKCS1" : "PKCS8");
    auto pem = key.to_pem(encoding);
    ASSERT_TRUE(pem) << pem.error().to_string();
    const std::string label = encoding == KeyEncoding::kPkcs1
                                  ? expected_pkcs1_label(GetParam().algorithm)
                                  : std::string("PRIVATE KEY");
    EXPECT_THAT(*pem, StartsWith("-----BEGIN " + label + "-----\n"));

    auto parsed = PrivateKey::from_pem(*pem);
    ASSERT_TRUE(parsed) << parsed.error().to_string();
    EXPECT_EQ(parsed->algorithm(), key.algorithm());
    EXPECT_EQ(parsed->size(), key.size());
    EXPECT_EQ(parsed->public_key().der(), key.public_key().der());
    EXPECT_TRUE(parsed->matches(key.public_key()));
    auto again = parsed->to_pem(encoding);
    ASSERT_TRUE(again);
    EXPECT_EQ(*again, *pem);

    // The CLI reads our PEM and derives the same SubjectPublicKeyInfo.
    dir.write("key.pem", *pem);
    EXPECT_EQ(dir.openssl_ok({"pkey", "-in", "key.pem", "-pubout", "-outform", "DER"}),
              key.public_key().der());
  }
}

TEST_P(KeyTypes, DerRoundTripInBothEncodings) {
  const PrivateKey& key = key_for(GetParam());
  for (const KeyEncoding encoding : {KeyEncoding::kPkcs1, KeyEncoding::kPkcs8}) {
    auto der = key.to_der(encoding);
    ASSERT_TRUE(der) << der.error().to_string();
    auto parsed = PrivateKey::from_der(*der);
    ASSERT_TRUE(parsed) << parsed.error().to_string();
    EXPECT_TRUE(parsed->matches(key.public_key()));
    auto again = parsed->to_der(encoding);
    ASSERT_TRUE(again);
    EXPECT_EQ(*again, *der);
  }
}

TEST_P(KeyTypes, PublicKeyRoundTripsThroughPemAndDer) {
  const PublicKey& public_key = key_for(GetParam()).public_key();
  EXPECT_THAT(public_key.pem(), StartsWith("-----BEGIN PUBLIC KEY-----\n"));
  auto from_pem = PublicKey::from_pem(public_key.pem());
  ASSERT_TRUE(from_pem) << from_pem.error().to_string();
  EXPECT_TRUE(from_pem->equals(public_key));
  EXPECT_EQ(from_pem->size(), public_key.size());
  auto from_der = PublicKey::from_der(public_key.der());
  ASSERT_TRUE(from_der) << from_der.error().to_string();
  EXPECT_TRUE(from_der->equals(public_key));
}

TEST_P(KeyTypes, PublicKeyHashIsTheSha256OfTheSpkiAndStable) {
  const PrivateKey& key = key_for(GetParam());
  auto hash = sha256(key.public_key().der());
  ASSERT_TRUE(hash);
  EXPECT_EQ(key.public_key().sha256_hex(), hex_encode(*hash));
  auto reparsed = PrivateKey::from_pem(*key.to_pem(KeyEncoding::kPkcs8));
  ASSERT_TRUE(reparsed);
  EXPECT_EQ(reparsed->public_key().sha256_hex(), key.public_key().sha256_hex());
}

TEST(PrivateKey, DefaultSizes) {
  auto ec = PrivateKey::generate(KeyAlgorithm::kEcdsa);
  ASSERT_TRUE(ec) << ec.error().to_string();
  EXPECT_EQ(ec->size(), 256);
  auto rsa = PrivateKey::generate(KeyAlgorithm::kRsa);
  ASSERT_TRUE(rsa) << rsa.error().to_string();
  EXPECT_EQ(rsa->size(), 2048);
  auto ed = PrivateKey::generate(KeyAlgorithm::kEd25519, 4096);  // size ignored, as in cert-manager
  ASSERT_TRUE(ed) << ed.error().to_string();
  EXPECT_EQ(ed->size(), 0);
}

TEST(PrivateKey, RsaSizeOutOfRangeIsRejected) {
  for (const int size : {-1, 512, 1024, 2047, 8193, 16384}) {
    auto key = PrivateKey::generate(KeyAlgorithm::kRsa, size);
    ASSERT_FALSE(key) << size;
    EXPECT_EQ(key.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_THAT(key.error().message(), HasSubstr("out of range (2048..8192)"));
  }
}

TEST(PrivateKey, UnsupportedEcdsaSizeIsRejected) {
  for (const int size : {224, 255, 512}) {
    auto key = PrivateKey::generate(KeyAlgorithm::kEcdsa, size);
    ASSERT_FALSE(key) << size;
    EXPECT_EQ(key.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_THAT(key.error().message(), HasSubstr("256, 384 or 521"));
  }
}

TEST(PrivateKey, DifferentKeysDoNotMatch) {
  const PrivateKey& a = key_for(kKeyCases[1]);
  auto b = PrivateKey::generate(KeyAlgorithm::kEcdsa, 256);
  ASSERT_TRUE(b);
  EXPECT_FALSE(a.matches(b->public_key()));
  EXPECT_FALSE(a.public_key().equals(b->public_key()));
  EXPECT_NE(a.public_key().sha256_hex(), b->public_key().sha256_hex());
  EXPECT_FALSE(a.matches(key_for(kKeyCases[0]).public_key()));
}

TEST(PrivateKey, GarbagePemIsRejectedWithAClearError) {
  const std::string fake_body =
      "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n";
  for (const std::string& bad : {std::string(), std::string("hello, world"),
                                 std::string("-----BEGIN PRIVATE KEY-----\n!!!!\n"
                                             "-----END PRIVATE KEY-----\n"),
                                 fake_body, pem_encode("CERTIFICATE", "not a certificate")}) {
    auto key = PrivateKey::from_pem(bad);
    ASSERT_FALSE(key) << bad;
    EXPECT_EQ(key.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_THAT(key.error().message(), HasSubstr("no valid private key found in PEM"));
  }
  auto der = PrivateKey::from_der("garbage");
  ASSERT_FALSE(der);
  EXPECT_EQ(der.error().code(), ErrorCode::kInvalidArgument);
}

TEST(PrivateKey, ErrorForACorruptKeyContainsNoKeyMaterial) {
  auto pem = key_for(kKeyCases[0]).to_pem(KeyEncoding::kPkcs1);
  ASSERT_TRUE(pem);
  // Drop the middle of the body: the base64 still decodes, the DER is cut short.
  std::istringstream in(*pem);
  std::vector<std::string> body;
  for (std::string line; std::getline(in, line);) {
    body.push_back(line);
  }
  std::string corrupt;
  for (std::size_t i = 0; i < body.size(); ++i) {
    if (i < 5 || i + 5 >= body.size()) {
      corrupt += body[i] + "\n";
    }
  }
  auto key = PrivateKey::from_pem(corrupt);
  ASSERT_FALSE(key);
  EXPECT_EQ(key.error().code(), ErrorCode::kInvalidArgument);
  std::istringstream lines(*pem);
  for (std::string line; std::getline(lines, line);) {
    if (line.find("-----") == std::string::npos && line.size() >= 16) {
      EXPECT_THAT(key.error().message(), Not(HasSubstr(line.substr(0, 16))));
    }
  }
}

TEST(PrivateKey, EncryptedKeyIsRejectedWithoutPrompting) {
  TempDir dir;
  const std::string pem =
      dir.openssl_ok({"genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
                      "-aes-256-cbc", "-pass", "pass:hunter2"});
  ASSERT_THAT(pem, HasSubstr("ENCRYPTED PRIVATE KEY"));
  auto key = PrivateKey::from_pem(pem);
  ASSERT_FALSE(key);
  EXPECT_EQ(key.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(key.error().message(), HasSubstr("encrypted"));
}

TEST(PrivateKey, ReadsKeysTheCliWroteInEachStructure) {
  TempDir dir;
  struct CliKey {
    std::vector<std::string> args;
    std::string label;
    KeyAlgorithm algorithm;
    int size;
  };
  const CliKey cases[] = {
      {{"genrsa", "-traditional", "3072"}, "RSA PRIVATE KEY", KeyAlgorithm::kRsa, 3072},
      {{"genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"},
       "PRIVATE KEY",
       KeyAlgorithm::kRsa,
       2048},
      {{"ecparam", "-name", "secp384r1", "-genkey", "-noout"},
       "EC PRIVATE KEY",
       KeyAlgorithm::kEcdsa,
       384},
      {{"genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-521"},
       "PRIVATE KEY",
       KeyAlgorithm::kEcdsa,
       521},
      {{"genpkey", "-algorithm", "ED25519"}, "PRIVATE KEY", KeyAlgorithm::kEd25519, 0},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.args.front() + " " + c.label);
    const std::string pem = dir.openssl_ok(c.args);
    ASSERT_THAT(pem, HasSubstr("-----BEGIN " + c.label + "-----"));
    auto key = PrivateKey::from_pem(pem);
    ASSERT_TRUE(key) << key.error().to_string();
    EXPECT_EQ(key->algorithm(), c.algorithm);
    EXPECT_EQ(key->size(), c.size);
    dir.write("cli.pem", pem);
    EXPECT_EQ(dir.openssl_ok({"pkey", "-in", "cli.pem", "-pubout", "-outform", "DER"}),
              key->public_key().der());
  }
}

TEST(PrivateKey, UnsupportedKeyTypesAreRejected) {
  TempDir dir;
  const std::vector<std::vector<std::string>> cases = {
      {"genpkey", "-algorithm", "ED448"},
      {"genpkey", "-algorithm", "X25519"},
      {"ecparam", "-name", "secp256k1", "-genkey", "-noout"},
      {"genpkey", "-algorithm", "RSA-PSS", "-pkeyopt", "rsa_keygen_bits:2048"},
  };
  for (const auto& args : cases) {
    SCOPED_TRACE(args[2]);
    auto key = PrivateKey::from_pem(dir.openssl_ok(args));
    ASSERT_FALSE(key);
    EXPECT_EQ(key.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_THAT(key.error().message(), HasSubstr("unsupported"));
  }
}

TEST(PrivateKey, SkipsOtherPemBlocksBeforeTheKey) {
  auto pem = key_for(kKeyCases[1]).to_pem(KeyEncoding::kPkcs8);
  ASSERT_TRUE(pem);
  auto key = PrivateKey::from_pem(pem_encode("CERTIFICATE", "not parsed") + *pem);
  ASSERT_TRUE(key) << key.error().to_string();
  EXPECT_TRUE(key->matches(key_for(kKeyCases[1]).public_key()));
}

TEST(PublicKey, GarbageIsRejected) {
  auto der = PublicKey::from_der("not a key");
  ASSERT_FALSE(der);
  EXPECT_EQ(der.error().code(), ErrorCode::kInvalidArgument);
  auto pem = PublicKey::from_pem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n");
  ASSERT_FALSE(pem);
  EXPECT_EQ(pem.error().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace certkeeper::crypto
