#include "lib/crypto/jose.h"

#include <map>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "lib/crypto/encoding.h"
#include "tests/unit/crypto/test_util.h"

namespace certkeeper::crypto {
namespace {

using common::ErrorCode;
using ::testing::HasSubstr;
using testutil::TempDir;
using Json = nlohmann::json;

std::string b64d(std::string_view text) {
  auto decoded = base64url_decode(text);
  EXPECT_TRUE(decoded) << decoded.error().to_string();
  return decoded ? *decoded : std::string();
}

Json parse_json(std::string_view text) {
  Json json = Json::parse(text, nullptr, false);
  EXPECT_FALSE(json.is_discarded()) << text;
  return json;
}

// --- RFC test vectors ----------------------------------------------------------------------------

constexpr std::string_view kRfc7638N =
    "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_"
    "BJECPebW"
    "KRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQ"
    "MicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2N"
    "cRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";

TEST(Jwk, Rfc7638Section31Thumbprint) {
  Jwk jwk;
  jwk.kty = "RSA";
  jwk.n = std::string(kRfc7638N);
  jwk.e = "AQAB";
  auto direct = jwk_thumbprint(jwk);
  ASSERT_TRUE(direct);
  EXPECT_EQ(*direct, "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");

  // Through a real key: import, re-export, hash.
  auto key = public_key_from_jwk(jwk);
  ASSERT_TRUE(key) << key.error().to_string();
  EXPECT_EQ(key->algorithm(), KeyAlgorithm::kRsa);
  EXPECT_EQ(key->size(), 2048);
  auto thumbprint = jwk_thumbprint(*key);
  ASSERT_TRUE(thumbprint) << thumbprint.error().to_string();
  EXPECT_EQ(*thumbprint, "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
  auto exported = jwk_of(*key);
  ASSERT_TRUE(exported);
  EXPECT_EQ(*exported, jwk);
  EXPECT_EQ(exported->to_json(),
            R"({"e":"AQAB","kty":"RSA","n":")" + std::string(kRfc7638N) + R"("})");
}

TEST(Jws, Rfc7515AppendixA3Es256Verifies) {
  Jwk jwk;
  jwk.kty = "EC";
  jwk.crv = "P-256";
  jwk.x = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
  jwk.y = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";
  auto key = public_key_from_jwk(jwk);
  ASSERT_TRUE(key) << key.error().to_string();
  EXPECT_EQ(jws_algorithm(*key), "ES256");

  FlattenedJws jws;
  jws.protected_header = "eyJhbGciOiJFUzI1NiJ9";
  jws.payload =
      "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVl"
      "fQ";
  jws.signature =
      "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";
  auto verified = verify_jws(jws, *key, "ES256");
  EXPECT_TRUE(verified) << verified.error().to_string();

  FlattenedJws tampered = jws;
  tampered.payload[5] = tampered.payload[5] == 'A' ? 'B' : 'A';
  auto rejected = verify_jws(tampered, *key, "ES256");
  ASSERT_FALSE(rejected);
  EXPECT_EQ(rejected.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(rejected.error().message(), HasSubstr("does not verify"));

  auto wrong_alg = verify_jws(jws, *key, "ES384");
  ASSERT_FALSE(wrong_alg);
  EXPECT_THAT(wrong_alg.error().message(), HasSubstr("does not match the key"));
  auto none = verify_jws(jws, *key, "none");
  ASSERT_FALSE(none);
}

TEST(Jwk, RejectsInvalidKeys) {
  Jwk off_curve;
  off_curve.kty = "EC";
  off_curve.crv = "P-256";
  off_curve.x = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
  off_curve.y = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a4";  // last bits changed
  const struct {
    const char* name;
    Jwk jwk;
    const char* message;
  } cases[] = {
      {"point not on the curve", off_curve, "not a valid EC"},
      {"short coordinate", Jwk{"EC", "P-256", "AQAB", off_curve.y, "", ""}, "must be 32 bytes"},
      {"unknown curve", Jwk{"EC", "P-192", off_curve.x, off_curve.y, "", ""}, "P-192"},
      {"unknown kty", Jwk{"oct", "", "", "", "", ""}, "\"oct\""},
      {"padded n", Jwk{"RSA", "", "", "", std::string(kRfc7638N) + "=", "AQAB"}, "\"n\""},
      {"n with a leading zero", Jwk{"RSA", "", "", "", "AAE", "AQAB"}, "minimal"},
      {"Ed448", Jwk{"OKP", "Ed448", "AAAA", "", "", ""}, "only Ed25519"},
      {"short Ed25519", Jwk{"OKP", "Ed25519", "AAAA", "", "", ""}, "must be 32 bytes"},
  };
  for (const auto& c : cases) {
    auto key = public_key_from_jwk(c.jwk);
    ASSERT_FALSE(key) << c.name;
    EXPECT_EQ(key.error().code(), ErrorCode::kInvalidArgument) << c.name;
    EXPECT_THAT(key.error().message(), HasSubstr(c.message)) << c.name;
  }
}

// --- per key type --------------------------------------------------------------------------------

struct AlgCase {
  KeyAlgorithm algorithm;
  int size;
  const char* alg;
  std::size_t signature_size;  // 0: depends on the key (RSA)
  const char* name;
};

class JoseKeyTypes : public ::testing::TestWithParam<AlgCase> {
 protected:
  static const PrivateKey& key() {
    static auto* keys = new std::map<std::string, PrivateKey>();
    auto it = keys->find(GetParam().name);
    if (it == keys->end()) {
      auto generated = PrivateKey::generate(GetParam().algorithm, GetParam().size);
      EXPECT_TRUE(generated) << generated.error().to_string();
      it = keys->emplace(GetParam().name, std::move(*generated)).first;
    }
    return it->second;
  }
};

INSTANTIATE_TEST_SUITE_P(All, JoseKeyTypes,
                         ::testing::Values(AlgCase{KeyAlgorithm::kRsa, 2048, "RS256", 256, "Rsa"},
                                           AlgCase{KeyAlgorithm::kEcdsa, 256, "ES256", 64, "P256"},
                                           AlgCase{KeyAlgorithm::kEcdsa, 384, "ES384", 96, "P384"},
                                           AlgCase{KeyAlgorithm::kEcdsa, 521, "ES512", 132, "P521"},
                                           AlgCase{KeyAlgorithm::kEd25519, 0, "EdDSA", 64,
                                                   "Ed25519"}),
                         [](const auto& test_info) { return std::string(test_info.param.name); });

TEST_P(JoseKeyTypes, JwkIsCanonicalAndRoundTrips) {
  const PublicKey& public_key = key().public_key();
  auto jwk = jwk_of(public_key);
  ASSERT_TRUE(jwk) << jwk.error().to_string();
  const std::string json = jwk->to_json();
  const Json parsed = parse_json(json);
  // Members sorted, no whitespace: nlohmann's dump() sorts keys and adds no spaces.
  EXPECT_EQ(parsed.dump(), json);
  std::vector<std::string> members;
  for (const auto& item : parsed.items()) {
    members.push_back(item.key());
  }
  switch (GetParam().algorithm) {
    case KeyAlgorithm::kRsa:
      EXPECT_THAT(members, ::testing::ElementsAre("e", "kty", "n"));
      EXPECT_NE(b64d(jwk->n)[0], '\0');  // minimal: no leading zero octet
      EXPECT_EQ(b64d(jwk->n).size(), 256U);
      break;
    case KeyAlgorithm::kEcdsa: {
      EXPECT_THAT(members, ::testing::ElementsAre("crv", "kty", "x", "y"));
      // Independent of OpenSSL's parameters: the SPKI ends with the point 04 || X || Y.
      const std::string x = b64d(jwk->x);
      const std::string y = b64d(jwk->y);
      EXPECT_EQ(x.size(), GetParam().signature_size / 2);
      EXPECT_EQ(y.size(), GetParam().signature_size / 2);
      const std::string& der = public_key.der();
      EXPECT_EQ(der.substr(der.size() - x.size() - y.size() - 1), '\x04' + x + y);
      break;
    }
    case KeyAlgorithm::kEd25519: {
      EXPECT_THAT(members, ::testing::ElementsAre("crv", "kty", "x"));
      EXPECT_EQ(jwk->crv, "Ed25519");
      const std::string x = b64d(jwk->x);
      EXPECT_EQ(public_key.der().substr(public_key.der().size() - 32), x);
      break;
    }
  }
  auto imported = public_key_from_jwk(*jwk);
  ASSERT_TRUE(imported) << imported.error().to_string();
  EXPECT_TRUE(imported->equals(public_key));
  auto thumbprint = jwk_thumbprint(public_key);
  ASSERT_TRUE(thumbprint);
  EXPECT_EQ(thumbprint->size(), 43U);
}

TEST_P(JoseKeyTypes, SignsAJwsThatVerifiesHereAndWithTheCli) {
  const std::string payload = R"({"termsOfServiceAgreed":true})";
  JwsHeader header;
  header.embed_jwk = true;
  header.nonce = "LlxWq2Gp5y3vWdfUPsoYyA";
  header.url = "https://acme.example/new-account";
  auto jws = sign_jws(key(), header, payload);
  ASSERT_TRUE(jws) << jws.error().to_string();

  const Json body = parse_json(jws->to_json());
  EXPECT_EQ(body.size(), 3U);
  EXPECT_EQ(body["protected"].get<std::string>(), jws->protected_header);
  EXPECT_EQ(body["payload"].get<std::string>(), jws->payload);
  EXPECT_EQ(body["signature"].get<std::string>(), jws->signature);
  EXPECT_EQ(b64d(jws->payload), payload);

  const Json protected_header = parse_json(b64d(jws->protected_header));
  EXPECT_EQ(protected_header["alg"], GetParam().alg);
  EXPECT_EQ(protected_header["nonce"], header.nonce);
  EXPECT_EQ(protected_header["url"], header.url);
  EXPECT_FALSE(protected_header.contains("kid"));
  auto jwk = jwk_of(key().public_key());
  ASSERT_TRUE(jwk);
  EXPECT_EQ(protected_header["jwk"].dump(), jwk->to_json());

  const std::string signature = b64d(jws->signature);
  EXPECT_EQ(signature.size(), GetParam().signature_size);
  auto verified = verify_jws(*jws, key().public_key(), GetParam().alg);
  EXPECT_TRUE(verified) << verified.error().to_string();

  FlattenedJws tampered = *jws;
  tampered.payload = base64url_encode(R"({"termsOfServiceAgreed":false})");
  EXPECT_FALSE(verify_jws(tampered, key().public_key(), GetParam().alg));

  // The CLI checks the signature over "protected.payload" with the public key.
  TempDir dir;
  dir.write("pub.pem", key().public_key().pem());
  dir.write("input", jws->protected_header + "." + jws->payload);
  std::vector<std::string> args;
  switch (GetParam().algorithm) {
    case KeyAlgorithm::kRsa:
      dir.write("sig", signature);
      args = {"dgst", "-sha256", "-verify", "pub.pem", "-signature", "sig", "input"};
      break;
    case KeyAlgorithm::kEcdsa: {
      auto der = ecdsa_raw_to_der(signature);
      ASSERT_TRUE(der);
      dir.write("sig", *der);
      const char* digest = GetParam().size == 256   ? "-sha256"
                           : GetParam().size == 384 ? "-sha384"
                                                    : "-sha512";
      args = {"dgst", digest, "-verify", "pub.pem", "-signature", "sig", "input"};
      break;
    }
    case KeyAlgorithm::kEd25519:
      dir.write("sig", signature);
      args = {"pkeyutl", "-verify", "-pubin", "-inkey",   "pub.pem",
              "-rawin",  "-in",     "input",  "-sigfile", "sig"};
      break;
  }
  auto result = dir.run_openssl(args);
  EXPECT_TRUE(result.success()) << result.stdout_data << result.stderr_data;
  EXPECT_THAT(result.stdout_data, HasSubstr("Verified"));
}

TEST_P(JoseKeyTypes, PostAsGetHasAnEmptyPayloadAndUsesKid) {
  JwsHeader header;
  header.kid = "https://acme.example/acct/1";
  header.nonce = "n1";
  header.url = "https://acme.example/order/1";
  auto jws = sign_jws(key(), header, "");
  ASSERT_TRUE(jws) << jws.error().to_string();
  EXPECT_EQ(jws->payload, "");
  EXPECT_THAT(jws->to_json(), HasSubstr(R"("payload":"")"));
  const Json protected_header = parse_json(b64d(jws->protected_header));
  EXPECT_EQ(protected_header["kid"], header.kid);
  EXPECT_FALSE(protected_header.contains("jwk"));
  // Members in lexicographic order, compact.
  EXPECT_EQ(b64d(jws->protected_header), protected_header.dump());
  EXPECT_TRUE(verify_jws(*jws, key().public_key(), GetParam().alg));
}

// --- headers, HMAC, EAB --------------------------------------------------------------------------

const PrivateKey& p256() {
  static const PrivateKey* key = new PrivateKey(*PrivateKey::generate(KeyAlgorithm::kEcdsa, 256));
  return *key;
}

TEST(Jws, HeaderMustNameTheKeyExactlyOnceAndHaveAUrl) {
  JwsHeader both;
  both.embed_jwk = true;
  both.kid = "https://acme.example/acct/1";
  both.url = "https://acme.example/x";
  JwsHeader neither;
  neither.url = "https://acme.example/x";
  JwsHeader no_url;
  no_url.kid = "https://acme.example/acct/1";
  for (const auto& [header, message] : {std::pair{both, "mutually exclusive"},
                                        std::pair{neither, "either an embedded jwk or a kid"},
                                        std::pair{no_url, "url is required"}}) {
    auto jws = sign_jws(p256(), header, "{}");
    ASSERT_FALSE(jws);
    EXPECT_EQ(jws.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_THAT(jws.error().message(), HasSubstr(message));
  }
}

TEST(Jws, HeaderStringsAreJsonEscaped) {
  JwsHeader header;
  header.kid = "https://acme.example/acct/\"quoted\"\\back\nline\x01";
  header.nonce = "n\t1";
  header.url = "https://acme.example/caf\xC3\xA9";
  auto jws = sign_jws(p256(), header, "{}");
  ASSERT_TRUE(jws);
  const Json protected_header = parse_json(b64d(jws->protected_header));
  EXPECT_EQ(protected_header["kid"], header.kid);
  EXPECT_EQ(protected_header["nonce"], header.nonce);
  EXPECT_EQ(protected_header["url"], header.url);
}

TEST(Jws, InnerKeyChangeJwsHasNoNonce) {
  auto new_key = PrivateKey::generate(KeyAlgorithm::kEcdsa, 384);
  ASSERT_TRUE(new_key);
  JwsHeader header;
  header.embed_jwk = true;
  header.url = "https://acme.example/key-change";
  auto old_jwk = jwk_of(p256().public_key());
  ASSERT_TRUE(old_jwk);
  const std::string payload =
      R"({"account":"https://acme.example/acct/1","oldKey":)" + old_jwk->to_json() + "}";
  auto inner = sign_jws(*new_key, header, payload);
  ASSERT_TRUE(inner) << inner.error().to_string();
  const Json protected_header = parse_json(b64d(inner->protected_header));
  EXPECT_FALSE(protected_header.contains("nonce"));
  EXPECT_EQ(protected_header["alg"], "ES384");
  EXPECT_TRUE(verify_jws(*inner, new_key->public_key(), "ES384"));
  EXPECT_FALSE(verify_jws(*inner, p256().public_key(), "ES256"));
}

TEST(Eab, ExternalAccountBindingIsAnHs256JwsOverTheAccountJwk) {
  const std::string mac_key = "a-mac-key-from-the-ca-0123456789";
  const std::string url = "https://acme.example/new-account";
  auto eab = external_account_binding(mac_key, "kid-1", url, p256().public_key());
  ASSERT_TRUE(eab) << eab.error().to_string();

  const Json protected_header = parse_json(b64d(eab->protected_header));
  EXPECT_EQ(protected_header, Json::parse(R"({"alg":"HS256","kid":"kid-1","url":")" + url + "\"}"));
  auto jwk = jwk_of(p256().public_key());
  ASSERT_TRUE(jwk);
  EXPECT_EQ(b64d(eab->payload), jwk->to_json());
  EXPECT_TRUE(verify_hmac_jws(*eab, mac_key, "HS256"));
  EXPECT_FALSE(verify_hmac_jws(*eab, "another key", "HS256"));
  EXPECT_FALSE(verify_hmac_jws(*eab, mac_key, "HS384"));
  EXPECT_FALSE(verify_hmac_jws(*eab, mac_key, "RS256"));

  // The CLI computes the same HMAC over "protected.payload".
  TempDir dir;
  dir.write("input", eab->protected_header + "." + eab->payload);
  const std::string out = dir.openssl_ok({"dgst", "-sha256", "-mac", "HMAC", "-macopt",
                                          "hexkey:" + hex_encode(mac_key), "-r", "input"});
  EXPECT_EQ(out.substr(0, 64), hex_encode(b64d(eab->signature)));
}

TEST(Eab, HmacJwsRejectsAnEmbeddedJwkAndAnEmptyKey) {
  JwsHeader with_jwk;
  with_jwk.embed_jwk = true;
  with_jwk.url = "https://acme.example/x";
  auto jws = sign_hmac_jws("key", with_jwk, "{}");
  ASSERT_FALSE(jws);
  EXPECT_EQ(jws.error().code(), ErrorCode::kInvalidArgument);
  auto empty = external_account_binding("", "kid", "https://acme.example/x", p256().public_key());
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code(), ErrorCode::kInvalidArgument);
}

TEST(Eab, Hs512) {
  JwsHeader header;
  header.kid = "kid-2";
  header.url = "https://acme.example/x";
  auto jws = sign_hmac_jws("key", header, "{}", HashAlgorithm::kSha512);
  ASSERT_TRUE(jws);
  EXPECT_EQ(parse_json(b64d(jws->protected_header))["alg"], "HS512");
  EXPECT_EQ(b64d(jws->signature).size(), 64U);
  EXPECT_TRUE(verify_hmac_jws(*jws, "key", "HS512"));
}

// --- ECDSA signature encodings -------------------------------------------------------------------

TEST(EcdsaSignature, DerRawRoundTripWithLeadingZeros) {
  // r = 1 (31 leading zero bytes); s = 0x80 00..00 (top bit set: DER needs a 0x00 prefix).
  std::string r(32, '\0');
  r[31] = '\x01';
  std::string s(32, '\0');
  s[0] = '\x80';
  const std::string raw = r + s;
  auto der = ecdsa_raw_to_der(raw);
  ASSERT_TRUE(der) << der.error().to_string();
  const std::string expected_der = std::string("\x30\x26\x02\x01\x01\x02\x21\x00", 8) + s;
  EXPECT_EQ(hex_encode(*der), hex_encode(expected_der));
  auto back = ecdsa_der_to_raw(*der, 32);
  ASSERT_TRUE(back) << back.error().to_string();
  EXPECT_EQ(*back, raw);

  // r with a leading zero byte but otherwise full length, and P-521 sizes.
  std::string r2(66, '\x5a');
  r2[0] = '\0';
  std::string s2(66, '\x01');
  s2[0] = '\0';
  s2[1] = '\0';
  auto der2 = ecdsa_raw_to_der(r2 + s2);
  ASSERT_TRUE(der2);
  auto back2 = ecdsa_der_to_raw(*der2, 66);
  ASSERT_TRUE(back2);
  EXPECT_EQ(*back2, r2 + s2);
}

TEST(EcdsaSignature, RejectsMalformedInput) {
  EXPECT_FALSE(ecdsa_der_to_raw("not DER", 32));
  EXPECT_FALSE(ecdsa_raw_to_der(""));
  EXPECT_FALSE(ecdsa_raw_to_der(std::string(63, '\x01')));   // odd length
  EXPECT_FALSE(ecdsa_raw_to_der(std::string(134, '\x01')));  // larger than P-521
  auto der = ecdsa_raw_to_der(std::string(96, '\x7f'));      // a P-384-sized signature
  ASSERT_TRUE(der);
  auto too_small = ecdsa_der_to_raw(*der, 32);  // does not fit P-256
  ASSERT_FALSE(too_small);
  EXPECT_EQ(too_small.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_FALSE(ecdsa_der_to_raw(*der + "x", 48));  // trailing data
  EXPECT_FALSE(ecdsa_der_to_raw(*der, 0));
}

TEST(Jws, RejectsAnEs256SignatureOfTheWrongLength) {
  JwsHeader header;
  header.kid = "k";
  header.url = "https://acme.example/x";
  auto jws = sign_jws(p256(), header, "{}");
  ASSERT_TRUE(jws);
  // A client that drops a leading zero byte of r produces 63 bytes (acme.md, "step-ca").
  FlattenedJws shortened = *jws;
  shortened.signature = base64url_encode(b64d(jws->signature).substr(1));
  auto verified = verify_jws(shortened, p256().public_key(), "ES256");
  ASSERT_FALSE(verified);
  EXPECT_THAT(verified.error().message(), HasSubstr("needs 64"));
}

}  // namespace
}  // namespace certkeeper::crypto
