#include "controller/solvers/dns01.h"

#include <gtest/gtest.h>

namespace certkeeper::solvers {
namespace {

api::AcmeDns01Rfc2136 rfc2136() {
  return {.nameserver = "127.0.0.1:5353",
          .tsig_key_name = "certkeeper-key",
          .tsig_algorithm = "HMACSHA256",
          .tsig_secret_secret_ref = api::SecretKeySelector{"tsig", "secret"},
          .protocol = std::nullopt};
}

const std::map<std::string, std::string> kSecret = {{"secret", "c2VjcmV0LWtleS1ieXRlcw=="}};

TEST(ConfiguredProvider, NamesTheOneSet) {
  api::AcmeDns01 d;
  EXPECT_EQ(configured_provider(d), "");
  d.rfc2136 = rfc2136();
  EXPECT_EQ(configured_provider(d), "rfc2136");
  api::AcmeDns01 cf;
  cf.cloudflare = nlohmann::json::object();
  EXPECT_EQ(configured_provider(cf), "cloudflare");
  api::AcmeDns01 r53;
  r53.route53 = nlohmann::json::object();
  EXPECT_EQ(configured_provider(r53), "route53");
}

TEST(Rfc2136Config, CredentialsAsValues) {
  auto config = rfc2136_config(rfc2136(), kSecret);
  ASSERT_TRUE(config) << config.error().message();
  // A provider can be made from it: the secret is valid base64 and the fields consistent.
  EXPECT_TRUE(dns::Rfc2136Provider::create(*config));
  EXPECT_EQ(config->nameserver, "127.0.0.1:5353");
  EXPECT_EQ(config->tsig_key_name, "certkeeper-key");
  EXPECT_EQ(config->tsig_algorithm, "HMACSHA256");
  EXPECT_EQ(config->tsig_secret, "c2VjcmV0LWtleS1ieXRlcw==");
  EXPECT_FALSE(config->use_tcp);
}

TEST(Rfc2136Config, ProtocolAndAlgorithms) {
  auto solver = rfc2136();
  solver.protocol = "TCP";
  EXPECT_TRUE(rfc2136_config(solver, kSecret)->use_tcp);
  solver.protocol = "UDP";
  EXPECT_FALSE(rfc2136_config(solver, kSecret)->use_tcp);
  solver.protocol = "QUIC";
  auto bad = rfc2136_config(solver, kSecret);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code(), common::ErrorCode::kInvalidArgument);
  EXPECT_NE(bad.error().message().find("rfc2136.protocol"), std::string::npos);

  solver.protocol.reset();
  for (const char* algorithm : {"HMACMD5", "HMACSHA1", "HMACSHA256", "HMACSHA512", ""}) {
    solver.tsig_algorithm = algorithm;
    EXPECT_TRUE(rfc2136_config(solver, kSecret)) << algorithm;
  }
  solver.tsig_algorithm = "HMACSHA3";
  auto unknown = rfc2136_config(solver, kSecret);
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message().find("rfc2136.tsigAlgorithm"), std::string::npos);
}

TEST(Rfc2136Config, MissingSecretOrKeyNamesTheField) {
  auto missing = rfc2136_config(rfc2136(), std::nullopt);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code(), common::ErrorCode::kNotFound);
  EXPECT_NE(missing.error().message().find("tsigSecretSecretRef"), std::string::npos);

  auto no_key = rfc2136_config(rfc2136(), std::map<std::string, std::string>{{"other", "x"}});
  ASSERT_FALSE(no_key);
  EXPECT_NE(no_key.error().message().find("\"secret\""), std::string::npos);

  auto solver = rfc2136();
  solver.tsig_secret_secret_ref.reset();
  auto unsigned_key = rfc2136_config(solver, std::nullopt);
  ASSERT_FALSE(unsigned_key);
  EXPECT_EQ(unsigned_key.error().code(), common::ErrorCode::kInvalidArgument);

  solver.tsig_key_name.reset();
  EXPECT_TRUE(rfc2136_config(solver, std::nullopt));  // unsigned updates are allowed
}

TEST(RecursiveNameservers, SolverThenFlagThenResolvConf) {
  api::AcmeDns01 d;
  d.nameservers = {"10.0.0.1:53"};
  const Dns01CheckSettings flags{.recursive_nameservers = {"127.0.0.1:5353"}};
  EXPECT_EQ(*recursive_nameservers(d, flags), (std::vector<std::string>{"10.0.0.1:53"}));
  d.nameservers.clear();
  EXPECT_EQ(*recursive_nameservers(d, flags), (std::vector<std::string>{"127.0.0.1:5353"}));
}

TEST(ChallengeRecordName, WithoutFollowIsTheAcmeName) {
  api::AcmeDns01 d;
  // No lookup is made without cnameStrategy Follow (the server list is not used).
  EXPECT_EQ(*challenge_record_name(d, "example.test", {"192.0.2.1:1"}),
            "_acme-challenge.example.test");
  d.cname_strategy = "None";
  EXPECT_EQ(*challenge_record_name(d, "example.test", {"192.0.2.1:1"}),
            "_acme-challenge.example.test");
}

}  // namespace
}  // namespace certkeeper::solvers
