#include "lib/dns/rfc2136.h"

#include <cstdint>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace certkeeper::dns {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// A made-up key (base64 of 32 bytes), never a real one.
constexpr const char* kSecret = "jCtBN4gmLexmgeO4A/Qzp+LaYalcanTGilSu7ycVo18=";

Rfc2136Config valid_config() {
  return {.nameserver = "192.0.2.53",
          .tsig_key_name = "certkeeper",
          .tsig_algorithm = "HMACSHA256",
          .tsig_secret = kSecret,
          .zone = "example.test"};
}

template <typename Modify>
Rfc2136Config config_with(Modify modify) {
  Rfc2136Config config = valid_config();
  modify(config);
  return config;
}

// Big-endian 16-bit field of a DNS header (RFC 1035 §4.1.1).
std::uint16_t u16(const std::string& wire, std::size_t offset) {
  return static_cast<std::uint16_t>((static_cast<unsigned char>(wire[offset]) << 8) |
                                    static_cast<unsigned char>(wire[offset + 1]));
}

TEST(Rfc2136Config, ValidConfigDefaultsThePort) {
  auto provider = Rfc2136Provider::create(valid_config());
  ASSERT_TRUE(provider) << provider.error().to_string();
  EXPECT_EQ(provider->nameserver().host, "192.0.2.53");
  EXPECT_EQ(provider->nameserver().port, 53);
  EXPECT_EQ(provider->tsig_algorithm(), TsigAlgorithm::kHmacSha256);
  EXPECT_EQ(provider->zone(), "example.test");
}

TEST(Rfc2136Config, ZoneTrailingDotIsDropped) {
  auto provider = Rfc2136Provider::create(config_with([](auto& c) { c.zone = "example.test."; }));
  ASSERT_TRUE(provider);
  EXPECT_EQ(provider->zone(), "example.test");
}

TEST(Rfc2136Config, UnknownAlgorithmNamesTheField) {
  auto provider =
      Rfc2136Provider::create(config_with([](auto& c) { c.tsig_algorithm = "HMACSHA999"; }));
  ASSERT_FALSE(provider);
  EXPECT_EQ(provider.error().code(), common::ErrorCode::kInvalidArgument);
  EXPECT_THAT(provider.error().message(), HasSubstr("tsigAlgorithm"));
}

TEST(Rfc2136Config, BadNameserverNamesTheField) {
  auto provider = Rfc2136Provider::create(config_with([](auto& c) { c.nameserver = "ns:99999"; }));
  ASSERT_FALSE(provider);
  EXPECT_EQ(provider.error().code(), common::ErrorCode::kInvalidArgument);
  EXPECT_THAT(provider.error().message(), HasSubstr("nameserver"));
}

TEST(Rfc2136Config, SecretMustBeBase64AndIsNeverEchoed) {
  auto provider =
      Rfc2136Provider::create(config_with([](auto& c) { c.tsig_secret = "not base64 !!secret"; }));
  ASSERT_FALSE(provider);
  EXPECT_EQ(provider.error().code(), common::ErrorCode::kInvalidArgument);
  EXPECT_THAT(provider.error().message(), HasSubstr("tsigSecretSecretRef"));
  EXPECT_THAT(provider.error().message(), Not(HasSubstr("!!secret")));
}

TEST(Rfc2136Config, KeyNameAndSecretComeTogether) {
  auto no_secret = Rfc2136Provider::create(config_with([](auto& c) { c.tsig_secret = ""; }));
  ASSERT_FALSE(no_secret);
  EXPECT_THAT(no_secret.error().message(), HasSubstr("tsigSecretSecretRef"));
  auto no_key = Rfc2136Provider::create(config_with([](auto& c) { c.tsig_key_name = ""; }));
  ASSERT_FALSE(no_key);
  EXPECT_THAT(no_key.error().message(), HasSubstr("tsigKeyName"));
  auto unsigned_updates = Rfc2136Provider::create(config_with([](auto& c) {
    c.tsig_key_name = "";
    c.tsig_secret = "";
  }));
  EXPECT_TRUE(unsigned_updates);
}

TEST(Rfc2136Message, AddIsASignedUpdateWithOneTxtRr) {
  auto provider = Rfc2136Provider::create(valid_config());
  ASSERT_TRUE(provider);
  auto wire = provider->build_update("example.test", "_acme-challenge.a.example.test", "value-1",
                                     UpdateAction::kAdd);
  ASSERT_TRUE(wire) << wire.error().to_string();
  ASSERT_GT(wire->size(), 12U);
  EXPECT_EQ((static_cast<unsigned char>((*wire)[2]) >> 3) & 0xF, 5);  // opcode UPDATE (§2.2)
  EXPECT_EQ(u16(*wire, 4), 1);                                        // ZOCOUNT
  EXPECT_EQ(u16(*wire, 6), 0);                                        // PRCOUNT
  EXPECT_EQ(u16(*wire, 8), 1);                                        // UPCOUNT
  EXPECT_EQ(u16(*wire, 10), 1);                                       // ADCOUNT: the TSIG RR
  // Zone section (§2.3): example.test. SOA IN.
  EXPECT_EQ(wire->substr(12, 18), std::string("\7example\4test\0\0\6\0\1", 18));
  // TXT, class IN, TTL 60, then RDATA "\7value-1" (§2.5.1).
  EXPECT_THAT(*wire, HasSubstr(std::string("\0\x10\0\1\0\0\0\x3c\0\x08\x07value-1", 18)));
  EXPECT_THAT(*wire, HasSubstr(std::string("\x0bhmac-sha256\0", 13)));
  EXPECT_THAT(*wire, HasSubstr(std::string("\x0a"
                                           "certkeeper\0",
                                           12)));
}

TEST(Rfc2136Message, DeleteUsesClassNoneAndTtlZero) {
  auto provider = Rfc2136Provider::create(valid_config());
  ASSERT_TRUE(provider);
  auto wire = provider->build_update("example.test", "_acme-challenge.a.example.test", "value-1",
                                     UpdateAction::kDelete);
  ASSERT_TRUE(wire);
  EXPECT_EQ(u16(*wire, 8), 1);
  // §2.5.4: class NONE (254), TTL 0, the RDATA of the one RR to delete.
  EXPECT_THAT(*wire, HasSubstr(std::string("\0\x10\0\xfe\0\0\0\0\0\x08\x07value-1", 18)));
}

TEST(Rfc2136Message, UnsignedWithoutAKey) {
  auto provider = Rfc2136Provider::create(config_with([](auto& c) {
    c.tsig_key_name = "";
    c.tsig_secret = "";
  }));
  ASSERT_TRUE(provider);
  auto wire = provider->build_update("example.test", "x.example.test", "v", UpdateAction::kAdd);
  ASSERT_TRUE(wire);
  EXPECT_EQ(u16(*wire, 10), 0);
}

TEST(Rfc2136Message, EachAlgorithmSigns) {
  for (const char* algorithm : {"HMACMD5", "HMACSHA1", "HMACSHA256", "HMACSHA512"}) {
    auto provider =
        Rfc2136Provider::create(config_with([&](auto& c) { c.tsig_algorithm = algorithm; }));
    ASSERT_TRUE(provider) << algorithm;
    auto wire = provider->build_update("example.test", "x.example.test", "v", UpdateAction::kAdd);
    ASSERT_TRUE(wire) << algorithm << ": " << wire.error().to_string();
    EXPECT_EQ(u16(*wire, 10), 1) << algorithm;
  }
}

TEST(Rfc2136Message, LongValuesAreSplitIntoCharacterStrings) {
  auto provider = Rfc2136Provider::create(valid_config());
  ASSERT_TRUE(provider);
  const std::string value = std::string(255, 'a') + std::string(45, 'b');
  auto wire = provider->build_update("example.test", "x.example.test", value, UpdateAction::kAdd);
  ASSERT_TRUE(wire);
  EXPECT_THAT(*wire, HasSubstr("\xff" + std::string(255, 'a') + "\x2d" + std::string(45, 'b')));
}

TEST(Rfc2136Message, NameOutsideTheZoneIsRejected) {
  auto provider = Rfc2136Provider::create(valid_config());
  ASSERT_TRUE(provider);
  auto wire = provider->build_update("example.test", "x.example.org", "v", UpdateAction::kAdd);
  ASSERT_FALSE(wire);
  EXPECT_EQ(wire.error().code(), common::ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace certkeeper::dns
