#include "lib/dns/server_address.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace certkeeper::dns {
namespace {

using ::testing::HasSubstr;

TEST(ParseServerAddress, HostAndPort) {
  auto address = parse_server_address("127.0.0.1:5353");
  ASSERT_TRUE(address) << address.error().to_string();
  EXPECT_EQ(address->host, "127.0.0.1");
  EXPECT_EQ(address->port, 5353);
  EXPECT_EQ(address->to_string(), "127.0.0.1:5353");
}

TEST(ParseServerAddress, DefaultsToPort53) {
  auto address = parse_server_address("ns1.example.com");
  ASSERT_TRUE(address);
  EXPECT_EQ(address->host, "ns1.example.com");
  EXPECT_EQ(address->port, 53);
}

TEST(ParseServerAddress, BracketedIpv6WithAndWithoutPort) {
  auto with_port = parse_server_address("[2001:db8::1]:5353");
  ASSERT_TRUE(with_port);
  EXPECT_EQ(with_port->host, "2001:db8::1");
  EXPECT_EQ(with_port->port, 5353);
  EXPECT_EQ(with_port->to_string(), "[2001:db8::1]:5353");
  auto without = parse_server_address("[::1]");
  ASSERT_TRUE(without);
  EXPECT_EQ(without->host, "::1");
  EXPECT_EQ(without->port, 53);
}

TEST(ParseServerAddress, BareIpv6IsTheHost) {
  auto address = parse_server_address("2001:db8::1");
  ASSERT_TRUE(address);
  EXPECT_EQ(address->host, "2001:db8::1");
  EXPECT_EQ(address->port, 53);
}

TEST(ParseServerAddress, RejectsMalformedValuesNamingTheField) {
  for (const char* bad :
       {"", ":53", "host:", "host:0", "host:65536", "host:5x", "[::1", "[]:53", "[::1]x"}) {
    auto address = parse_server_address(bad, "nameserver");
    ASSERT_FALSE(address) << bad;
    EXPECT_EQ(address.error().code(), common::ErrorCode::kInvalidArgument) << bad;
    EXPECT_THAT(address.error().message(), HasSubstr("nameserver")) << bad;
  }
}

}  // namespace
}  // namespace certkeeper::dns
