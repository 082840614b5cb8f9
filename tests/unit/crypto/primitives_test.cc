#include "lib/crypto/primitives.h"

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lib/crypto/encoding.h"

namespace certkeeper::crypto {
namespace {

using common::ErrorCode;

std::string hex_of(const common::Result<std::string>& r) {
  EXPECT_TRUE(r) << r.error().to_string();
  return r ? hex_encode(*r) : std::string();
}

TEST(Digest, KnownAnswers) {
  // FIPS 180-2 appendix examples.
  EXPECT_EQ(hex_of(sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(hex_of(sha256("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(hex_of(digest(HashAlgorithm::kSha384, "abc")),
            "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
            "8086072ba1e7cc2358baeca134c825a7");
  EXPECT_EQ(hex_of(digest(HashAlgorithm::kSha512, "abc")),
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
            "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
}

TEST(Hmac, Rfc4231TestCase2) {
  EXPECT_EQ(hex_of(hmac(HashAlgorithm::kSha256, "Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(hex_of(hmac(HashAlgorithm::kSha512, "Jefe", "what do ya want for nothing?")),
            "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
            "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737");
}

TEST(Hmac, EmptyKeyIsRejected) {
  auto mac = hmac(HashAlgorithm::kSha256, "", "data");
  ASSERT_FALSE(mac);
  EXPECT_EQ(mac.error().code(), ErrorCode::kInvalidArgument);
}

TEST(RandomBytes, ReturnsTheRequestedNumberOfFreshBytes) {
  auto a = random_bytes(32);
  auto b = random_bytes(32);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->size(), 32U);
  EXPECT_NE(*a, *b);  // 2^-256
  auto none = random_bytes(0);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

TEST(ConstantTimeEqual, ComparesContentAndLength) {
  EXPECT_TRUE(constant_time_equal("abc", "abc"));
  EXPECT_FALSE(constant_time_equal("abc", "abd"));
  EXPECT_FALSE(constant_time_equal("abc", "abcd"));
  EXPECT_TRUE(constant_time_equal("", ""));
}

}  // namespace
}  // namespace certkeeper::crypto
