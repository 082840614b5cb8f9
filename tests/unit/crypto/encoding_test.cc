#include "lib/crypto/encoding.h"

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace certkeeper::crypto {
namespace {

using common::ErrorCode;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(Base64url, Rfc4648Vectors) {
  // RFC 4648 §10, without the padding.
  EXPECT_EQ(base64url_encode(""), "");
  EXPECT_EQ(base64url_encode("f"), "Zg");
  EXPECT_EQ(base64url_encode("fo"), "Zm8");
  EXPECT_EQ(base64url_encode("foo"), "Zm9v");
  EXPECT_EQ(base64url_encode("foob"), "Zm9vYg");
  EXPECT_EQ(base64url_encode("fooba"), "Zm9vYmE");
  EXPECT_EQ(base64url_encode("foobar"), "Zm9vYmFy");
  for (const char* text : {"", "f", "fo", "foo", "foob", "fooba", "foobar"}) {
    auto decoded = base64url_decode(base64url_encode(text));
    ASSERT_TRUE(decoded) << decoded.error().to_string();
    EXPECT_EQ(*decoded, text);
  }
}

TEST(Base64url, UsesTheUrlSafeAlphabet) {
  const std::string bytes("\xfb\xff\xbf", 3);
  EXPECT_EQ(base64url_encode(bytes), "-_-_");
  EXPECT_EQ(base64_encode(bytes), "+/+/");
}

TEST(Base64url, RoundTripsEveryByteValue) {
  std::string all;
  for (int i = 0; i < 256; ++i) {
    all.push_back(static_cast<char>(i));
  }
  for (std::size_t length = 0; length <= all.size(); length += 37) {
    const std::string data = all.substr(0, length);
    auto decoded = base64url_decode(base64url_encode(data));
    ASSERT_TRUE(decoded) << decoded.error().to_string();
    EXPECT_EQ(*decoded, data);
  }
}

TEST(Base64url, RejectsInvalidInput) {
  for (const char* bad : {
           "Zg==",          // padding (RFC 8555 §6.1: MUST be rejected)
           "Zm9vYg=",       // partial padding
           "Zm9v+w",        // standard alphabet
           "Zm9v/w",        // standard alphabet
           "Zm9 v",         // whitespace
           "Zm9v\nYg",      // line break
           "Zm9vY",         // impossible length (4n+1)
           "Zh",            // non-zero trailing bits: "Zg" is the canonical form
           "Zm9",           // non-zero trailing bits: "Zm8" is the canonical form
           "Zm9v\xc3\xa9",  // non-ASCII
           "Zm9v.Yg",       // a separator
       }) {
    auto decoded = base64url_decode(bad);
    EXPECT_FALSE(decoded) << "accepted \"" << bad << "\"";
    if (!decoded) {
      EXPECT_EQ(decoded.error().code(), ErrorCode::kInvalidArgument);
      EXPECT_THAT(decoded.error().message(), HasSubstr("base64url"));
    }
  }
}

TEST(Base64url, ErrorsDoNotEchoTheInput) {
  auto decoded = base64url_decode("c2VjcmV0LWtleS1tYXRlcmlhbA=");
  ASSERT_FALSE(decoded);
  EXPECT_THAT(decoded.error().message(), Not(HasSubstr("c2VjcmV0")));
}

TEST(Base64Lenient, AcceptsPaddedStandardAndUrlAlphabets) {
  const std::string bytes("\xfb\xff\xbf\x01", 4);
  for (const char* text : {"-_-_AQ", "-_-_AQ==", "+/+/AQ", "+/+/AQ=="}) {
    auto decoded = base64_decode_lenient(text);
    ASSERT_TRUE(decoded) << text << ": " << decoded.error().to_string();
    EXPECT_EQ(*decoded, bytes) << text;
  }
}

TEST(Base64Lenient, RejectsGarbage) {
  for (const char* bad : {"+/-_", "AQ=", "A===", "AQ= =", "not base64!", "AQ==AQ=="}) {
    auto decoded = base64_decode_lenient(bad);
    EXPECT_FALSE(decoded) << "accepted \"" << bad << "\"";
  }
}

TEST(Hex, EncodesLowercaseAndDecodesEitherCase) {
  EXPECT_EQ(hex_encode(std::string("\x00\x87\xab\xff", 4)), "0087abff");
  auto decoded = hex_decode("0087ABff");
  ASSERT_TRUE(decoded);
  EXPECT_EQ(*decoded, std::string("\x00\x87\xab\xff", 4));
  EXPECT_FALSE(hex_decode("abc"));
  EXPECT_FALSE(hex_decode("zz"));
  EXPECT_FALSE(hex_decode("ab:cd"));
}

TEST(Pem, WrapsAt64Columns) {
  const std::string der(100, 'x');  // 136 base64 characters: lines of 64, 64 and 8
  const std::string pem = pem_encode("CERTIFICATE", der);
  const std::string body = base64_encode(der);
  EXPECT_EQ(pem, "-----BEGIN CERTIFICATE-----\n" + body.substr(0, 64) + "\n" + body.substr(64, 64) +
                     "\n" + body.substr(128) + "\n-----END CERTIFICATE-----\n");
  EXPECT_EQ(pem_encode("X", ""), "-----BEGIN X-----\n-----END X-----\n");
}

}  // namespace
}  // namespace certkeeper::crypto
