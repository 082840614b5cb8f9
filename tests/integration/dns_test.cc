// lib/dns against the real BIND9 that tools/testenv starts: authoritative for CK_DNS_ZONE on
// CK_DNS_SERVER, accepting updates signed with the hmac-sha256 key CK_TSIG_KEY_NAME.

#include <algorithm>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lib/common/subprocess.h"
#include "lib/dns/propagation.h"
#include "lib/dns/resolver.h"
#include "lib/dns/rfc2136.h"
#include "tests/support/kubectl.h"
#include "tests/support/testenv.h"

namespace certkeeper::dns {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::TestEnv;
using ::testing::UnorderedElementsAre;

std::string server() { return TestEnv::get().at("CK_DNS_SERVER"); }
std::string zone() { return TestEnv::get().at("CK_DNS_ZONE"); }

std::string challenge_name() {
  return fmt::format("_acme-challenge.{}.{}", testing::unique_name("dns"), zone());
}

Rfc2136Config config(bool use_tcp = false) {
  const TestEnv& env = TestEnv::get();
  return {.nameserver = server(),
          .tsig_key_name = env.at("CK_TSIG_KEY_NAME"),
          .tsig_algorithm = env.at("CK_TSIG_ALGORITHM"),
          .tsig_secret = env.at("CK_TSIG_SECRET"),
          .zone = "",
          .use_tcp = use_tcp};
}

// What `dig +short` sees: an independent check of what BIND9 serves.
std::vector<std::string> dig_txt(const std::string& name) {
  const std::string address = server();
  const std::string host = address.substr(0, address.find(':'));
  const std::string port = address.substr(address.find(':') + 1);
  auto answer = common::run_process({"dig", "+short", "@" + host, "-p", port, "TXT", name});
  EXPECT_TRUE(answer && answer->success());
  std::vector<std::string> lines;
  std::istringstream in(answer ? answer->stdout_data : "");
  for (std::string line; std::getline(in, line);) {
    lines.push_back(line);
  }
  return lines;
}

class Rfc2136Test : public ::testing::TestWithParam<bool> {};

TEST_P(Rfc2136Test, TwoValuesCoexistAndCleanupRemovesOnlyOne) {
  const bool use_tcp = GetParam();
  auto provider = Rfc2136Provider::create(config(use_tcp));
  ASSERT_TRUE(provider) << provider.error().to_string();
  const std::string name = challenge_name();

  ASSERT_TRUE(provider->present(name, "apex-value")) << name;
  auto second = provider->present(name, "wildcard-value");
  ASSERT_TRUE(second) << second.error().to_string();

  const QueryOptions options{.use_tcp = use_tcp};
  auto values = query_txt(server(), name, options);
  ASSERT_TRUE(values) << values.error().to_string();
  EXPECT_THAT(*values, UnorderedElementsAre("apex-value", "wildcard-value"));
  EXPECT_THAT(dig_txt(name), UnorderedElementsAre("\"apex-value\"", "\"wildcard-value\""));

  // Presenting again is idempotent: still one RR per value.
  ASSERT_TRUE(provider->present(name, "apex-value"));
  EXPECT_THAT(query_txt(server(), name, options).value(),
              UnorderedElementsAre("apex-value", "wildcard-value"));

  auto cleaned = provider->cleanup(name, "apex-value");
  ASSERT_TRUE(cleaned) << cleaned.error().to_string();
  EXPECT_THAT(query_txt(server(), name, options).value(), UnorderedElementsAre("wildcard-value"));
  EXPECT_THAT(dig_txt(name), UnorderedElementsAre("\"wildcard-value\""));

  ASSERT_TRUE(provider->cleanup(name, "wildcard-value"));
  // The zone's "*" A record makes the name exist, so this is NODATA (RFC 2308 §2.2): no values.
  auto gone = query_txt(server(), name, options);
  ASSERT_TRUE(gone) << gone.error().to_string();
  EXPECT_TRUE(gone->empty());
  // Cleaning a value that is gone succeeds (RFC 2136 §3.4.2.4: deleting a missing RR is a no-op).
  EXPECT_TRUE(provider->cleanup(name, "wildcard-value"));
}

INSTANTIATE_TEST_SUITE_P(UdpAndTcp, Rfc2136Test, ::testing::Values(false, true),
                         [](const auto& p) { return p.param ? "Tcp" : "Udp"; });

TEST(Rfc2136, ExplicitZoneWorks) {
  Rfc2136Config with_zone = config();
  with_zone.zone = zone() + ".";
  auto provider = Rfc2136Provider::create(with_zone);
  ASSERT_TRUE(provider);
  const std::string name = challenge_name();
  ASSERT_TRUE(provider->present(name, "v1"));
  EXPECT_THAT(query_txt(server(), name).value(), UnorderedElementsAre("v1"));
  ASSERT_TRUE(provider->cleanup(name, "v1"));
}

TEST(Rfc2136, WrongSecretIsPermissionDenied) {
  Rfc2136Config wrong = config();
  wrong.tsig_secret = "c2VjcmV0LXRoYXQtYmluZC1kb2VzLW5vdC1rbm93IQ==";
  auto provider = Rfc2136Provider::create(wrong);
  ASSERT_TRUE(provider);
  const std::string name = challenge_name();
  auto status = provider->present(name, "never");
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code(), common::ErrorCode::kPermissionDenied)
      << status.error().to_string();
  EXPECT_THAT(status.error().message(), HasSubstr(name));
  EXPECT_THAT(status.error().message(), Not(HasSubstr(wrong.tsig_secret)));
  EXPECT_TRUE(dig_txt(name).empty());
}

TEST(Rfc2136, UnsignedUpdateIsPermissionDenied) {
  Rfc2136Config unsigned_config = config();
  unsigned_config.tsig_key_name = "";
  unsigned_config.tsig_secret = "";
  auto provider = Rfc2136Provider::create(unsigned_config);
  ASSERT_TRUE(provider);
  auto status = provider->present(challenge_name(), "never");
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code(), common::ErrorCode::kPermissionDenied);
}

TEST(Rfc2136, UnknownAlgorithmIsInvalidArgument) {
  Rfc2136Config bad = config();
  bad.tsig_algorithm = "HMACSHA3";
  auto provider = Rfc2136Provider::create(bad);
  ASSERT_FALSE(provider);
  EXPECT_EQ(provider.error().code(), common::ErrorCode::kInvalidArgument);
  EXPECT_THAT(provider.error().message(), HasSubstr("tsigAlgorithm"));
}

TEST(Resolver, FindZoneWalksUpToTheApex) {
  auto found = find_zone(challenge_name(), server());
  ASSERT_TRUE(found) << found.error().to_string();
  EXPECT_EQ(*found, zone());
  auto apex = find_zone(zone(), server());
  ASSERT_TRUE(apex);
  EXPECT_EQ(*apex, zone());
}

TEST(Resolver, AuthoritativeNameserversResolveNsNames) {
  const std::string address = server();
  const auto port = static_cast<std::uint16_t>(std::stoi(address.substr(address.find(':') + 1)));
  auto nameservers = authoritative_nameservers(zone(), server(), port);
  ASSERT_TRUE(nameservers) << nameservers.error().to_string();
  EXPECT_THAT(*nameservers, UnorderedElementsAre("127.0.0.1:" + std::to_string(port)));
}

TEST(Resolver, UnreachableServerIsUnavailableNamingServerAndName) {
  // Nothing listens on port 9 (discard) of loopback: the query is refused or times out.
  auto values = query_txt("127.0.0.1:9", "x.example.test", {.timeout = std::chrono::seconds(1)});
  ASSERT_FALSE(values);
  EXPECT_EQ(values.error().code(), common::ErrorCode::kUnavailable);
  EXPECT_THAT(values.error().message(), HasSubstr("127.0.0.1:9"));
  EXPECT_THAT(values.error().message(), HasSubstr("x.example.test"));
}

TEST(Resolver, NxdomainIsNotFoundNamingNameAndServer) {
  // The zone's "*" matches missing names directly below the apex but not below an existing name
  // (RFC 4592 §2.2.1), so "nothing.ns1.<zone>" does not exist.
  const std::string name = "nothing.ns1." + zone();
  auto values = query_txt(server(), name);
  ASSERT_FALSE(values);
  EXPECT_EQ(values.error().code(), common::ErrorCode::kNotFound);
  EXPECT_THAT(values.error().message(), HasSubstr(name));
  EXPECT_THAT(values.error().message(), HasSubstr(server()));
}

TEST(Resolver, NameOutsideTheServersZonesIsAnError) {
  // BIND9 is authoritative only: a name outside its zones is REFUSED (kUnavailable).
  auto values = query_txt(server(), "example.org", {.recursion_desired = false});
  ASSERT_FALSE(values);
  EXPECT_EQ(values.error().code(), common::ErrorCode::kUnavailable);
  EXPECT_THAT(values.error().message(), HasSubstr("REFUSED"));
}

TEST(Propagation, TrueAfterPresentFalseAfterCleanup) {
  auto provider = Rfc2136Provider::create(config());
  ASSERT_TRUE(provider);
  const std::string name = challenge_name();
  const std::vector<std::string> nameservers{server()};

  EXPECT_FALSE(check_propagation(name, "token-a", nameservers).value());
  ASSERT_TRUE(provider->present(name, "token-a"));
  ASSERT_TRUE(provider->present(name, "token-b"));
  EXPECT_TRUE(check_propagation(name, "token-a", nameservers).value());
  EXPECT_TRUE(check_propagation(name, "token-b", nameservers).value());
  EXPECT_FALSE(check_propagation(name, "token-c", nameservers).value());

  ASSERT_TRUE(provider->cleanup(name, "token-a"));
  EXPECT_FALSE(check_propagation(name, "token-a", nameservers).value());
  EXPECT_TRUE(check_propagation(name, "token-b", nameservers).value());
  ASSERT_TRUE(provider->cleanup(name, "token-b"));
  EXPECT_FALSE(check_propagation(name, "token-b", nameservers).value());

  auto empty = check_propagation(name, "token-b", {});
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code(), common::ErrorCode::kInvalidArgument);
}

// The other TSIG algorithms (tools/testenv adds a key for each): present and cleanup signed with
// HMAC-MD5, HMAC-SHA1 and HMAC-SHA512, over UDP and TCP. An environment started by an older
// tools/testenv has no such keys: skipped then, naming the key.
TEST(Rfc2136Algorithms, EveryAlgorithmIsAcceptedByBind) {
  const TestEnv& env = TestEnv::get();
  auto values =
      testing::parse_env_file(testing::read_text_file(env.at("CK_TESTENV_DIR") + "/testenv.env"));
  ASSERT_TRUE(values);
  for (const auto& [algorithm, suffix, key] :
       {std::tuple{"HMACMD5", "md5", "CK_TSIG_SECRET_HMAC_MD5"},
        std::tuple{"HMACSHA1", "sha1", "CK_TSIG_SECRET_HMAC_SHA1"},
        std::tuple{"HMACSHA512", "sha512", "CK_TSIG_SECRET_HMAC_SHA512"}}) {
    const auto secret = values->find(key);
    if (secret == values->end()) {
      GTEST_SKIP() << key << " is not in the env file (an older tools/testenv)";
    }
    for (const bool tcp : {false, true}) {
      auto provider = Rfc2136Provider::create(
          {.nameserver = server(),
           .tsig_key_name = fmt::format("{}-{}", env.at("CK_TSIG_KEY_NAME"), suffix),
           .tsig_algorithm = algorithm,
           .tsig_secret = secret->second,
           .zone = "",
           .use_tcp = tcp});
      ASSERT_TRUE(provider) << provider.error().to_string();
      const std::string name = challenge_name();
      ASSERT_TRUE(provider->present(name, "v1")) << algorithm << " tcp=" << tcp;
      EXPECT_THAT(dig_txt(name), ::testing::ElementsAre("\"v1\""));
      ASSERT_TRUE(provider->cleanup(name, "v1")) << algorithm << " tcp=" << tcp;
      EXPECT_TRUE(dig_txt(name).empty());
    }
  }
}

TEST(Resolver, QueryAddressesReadsARecords) {
  // The testenv zone has `* IN A <CK_DNS_TARGET>`: any name under it resolves; dig says where.
  const std::string name = fmt::format("{}.{}", testing::unique_name("a"), zone());
  auto addresses = query_addresses(server(), name);
  ASSERT_TRUE(addresses) << addresses.error().to_string();
  const std::string address = server();
  auto dig = common::run_process({"dig", "+short", "@" + address.substr(0, address.find(':')), "-p",
                                  address.substr(address.find(':') + 1), "A", name});
  ASSERT_TRUE(dig && dig->success());
  std::string expected = dig->stdout_data.substr(0, dig->stdout_data.find('\n'));
  ASSERT_FALSE(expected.empty());
  EXPECT_THAT(*addresses, ::testing::Contains(expected));
  auto outside = query_addresses(server(), "name.outside.invalid");
  EXPECT_FALSE(outside);
}

TEST(Resolver, QueryCnameFollowsOneLink) {
  const std::string name = fmt::format("_acme-challenge.{}.{}", testing::unique_name("cn"), zone());
  const std::string target = fmt::format("delegated.{}", zone());
  auto none = query_cname(server(), name);
  ASSERT_TRUE(none) << none.error().to_string();
  EXPECT_FALSE(*none);

  // Add the CNAME with nsupdate (an independent client), signed with the testenv key.
  const TestEnv& env = TestEnv::get();
  const std::string address = server();
  const std::string script = fmt::format("server {} {}\nupdate add {}. 60 IN CNAME {}.\nsend\n",
                                         address.substr(0, address.find(':')),
                                         address.substr(address.find(':') + 1), name, target);
  auto updated =
      common::run_process({"nsupdate", "-y",
                           fmt::format("{}:{}:{}", env.at("CK_TSIG_ALGORITHM"),
                                       env.at("CK_TSIG_KEY_NAME"), env.at("CK_TSIG_SECRET"))},
                          {.stdin_data = script});
  ASSERT_TRUE(updated && updated->success()) << (updated ? updated->stderr_data : "");
  auto found = query_cname(server(), name);
  ASSERT_TRUE(found) << found.error().to_string();
  ASSERT_TRUE(*found);
  EXPECT_EQ(**found, target);
}

}  // namespace
}  // namespace certkeeper::dns
