#include "lib/acmecli/options.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lib/acmecli/commands.h"

namespace certkeeper::acmecli {
namespace {

using common::ErrorCode;
using ::testing::HasSubstr;
using ::testing::StartsWith;

TEST(KeyTypeFlag, EveryDocumentedTypeParses) {
  const std::vector<std::tuple<std::string, crypto::KeyAlgorithm, int>> cases = {
      {"ec256", crypto::KeyAlgorithm::kEcdsa, 256},  {"ec384", crypto::KeyAlgorithm::kEcdsa, 384},
      {"ec521", crypto::KeyAlgorithm::kEcdsa, 521},  {"ed25519", crypto::KeyAlgorithm::kEd25519, 0},
      {"rsa2048", crypto::KeyAlgorithm::kRsa, 2048}, {"rsa3072", crypto::KeyAlgorithm::kRsa, 3072},
      {"rsa4096", crypto::KeyAlgorithm::kRsa, 4096}, {"rsa8192", crypto::KeyAlgorithm::kRsa, 8192},
  };
  for (const auto& [text, algorithm, size] : cases) {
    auto type = parse_key_type(text);
    ASSERT_TRUE(type) << text;
    EXPECT_EQ(type->algorithm, algorithm) << text;
    EXPECT_EQ(type->size, size) << text;
  }
}

TEST(KeyTypeFlag, UnknownTypesNameTheFlag) {
  auto type = parse_key_type("ec999");
  ASSERT_FALSE(type);
  EXPECT_EQ(type.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(type.error().message(), StartsWith("--key-type: unknown key type 'ec999'"));
}

TEST(KeyTypeFlag, AccountKeysAreLimitedToJwsAlgorithmsServersAccept) {
  EXPECT_TRUE(parse_account_key_type("ec384"));
  EXPECT_TRUE(parse_account_key_type("rsa4096"));
  for (const char* bad : {"ed25519", "ec521", "rsa8192", ""}) {
    auto type = parse_account_key_type(bad);
    ASSERT_FALSE(type) << bad;
    EXPECT_THAT(type.error().message(), StartsWith("--account-key-type:"));
  }
}

TEST(ReasonFlag, RfcReasonNamesParseAndOthersNameTheFlag) {
  EXPECT_EQ(*parse_revocation_reason("keyCompromise"), acme::RevocationReason::kKeyCompromise);
  EXPECT_EQ(*parse_revocation_reason("superseded"), acme::RevocationReason::kSuperseded);
  EXPECT_EQ(*parse_revocation_reason("cessationOfOperation"),
            acme::RevocationReason::kCessationOfOperation);
  EXPECT_EQ(*parse_revocation_reason("unspecified"), acme::RevocationReason::kUnspecified);
  auto bad = parse_revocation_reason("affiliationChanged");
  ASSERT_FALSE(bad);
  EXPECT_THAT(bad.error().message(), StartsWith("--reason: unknown reason 'affiliationChanged'"));
}

TEST(NamesFlag, LowercasesDropsDuplicatesAndKeepsTheFirstFirst) {
  auto names = normalize_names(
      {"WWW.Example.COM", "*.example.com", "www.example.com", "127.0.0.1", "2001:db8::1"});
  ASSERT_TRUE(names) << names.error().message();
  EXPECT_EQ(*names, (std::vector<std::string>{"www.example.com", "*.example.com", "127.0.0.1",
                                              "2001:db8::1"}));
}

TEST(NamesFlag, EmptyAndMalformedNamesNameTheFlag) {
  EXPECT_THAT(normalize_names({}).error().message(), StartsWith("-d:"));
  for (const char* bad :
       {"", "a..b", "-a.example", "a.example.", "*.", "a b.example", "x.*.example", "a-.example"}) {
    auto names = normalize_names({bad});
    ASSERT_FALSE(names) << bad;
    EXPECT_THAT(names.error().message(), StartsWith("-d: ")) << bad;
  }
}

TEST(OutputFiles, NamesComeFromTheFirstNameWithoutStarsOrColons) {
  EXPECT_EQ(file_stem("*.example.com"), "_.example.com");
  EXPECT_EQ(file_stem("2001:db8::1"), "2001-db8--1");
  const auto paths = output_paths("/out", "*.example.com");
  EXPECT_EQ(paths.key, "/out/_.example.com.key");
  EXPECT_EQ(paths.leaf, "/out/_.example.com.crt");
  EXPECT_EQ(paths.issuer, "/out/_.example.com.issuer.crt");
  EXPECT_EQ(paths.fullchain, "/out/_.example.com.fullchain.crt");
}

// The commands check their flags before any network access: these all fail at once, naming the
// flag, although --server points nowhere.
TEST(IssueFlags, BadCombinationsAreRefusedBeforeTheNetwork) {
  CommonOptions common{.server = "https://127.0.0.1:1/dir", .account_dir = "/nonexistent"};
  IssueOptions base{.names = {"a.example"}};
  base.solver.http01 = true;

  auto expect_flag_error = [&](const IssueOptions& issue, const std::string& start) {
    auto status = run_issue(common, issue);
    ASSERT_FALSE(status);
    EXPECT_EQ(status.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_THAT(status.error().message(), StartsWith(start));
  };
  auto none = base;
  none.solver.http01 = false;
  expect_flag_error(none, "choose exactly one of --http-01");
  auto two = base;
  two.solver.tls_alpn01 = true;
  expect_flag_error(two, "choose exactly one of --http-01");
  auto port = base;
  port.solver.http_port = 70000;
  expect_flag_error(port, "--http-port: 70000");
  auto dns = base;
  dns.solver.http01 = false;
  dns.solver.dns01_rfc2136 = true;
  expect_flag_error(dns, "--dns-server: required");
  dns.solver.dns_server = "127.0.0.1:notaport";
  expect_flag_error(dns, "--dns-server");
  dns.solver.dns_server = "127.0.0.1:53";
  expect_flag_error(dns, "--tsig-key-name and --tsig-secret");
  dns.solver.tsig_key_name = "k";
  dns.solver.tsig_secret = "c2VjcmV0";
  dns.solver.tsig_secret_file = "/x";
  expect_flag_error(dns, "--tsig-secret and --tsig-secret-file");
  dns.solver.tsig_secret_file.clear();
  dns.solver.tsig_algorithm = "hmac-sha3";
  expect_flag_error(dns, "--dns-01-rfc2136 settings");
  auto key = base;
  key.key_type = "dsa";
  expect_flag_error(key, "--key-type:");
  auto timeout = common;
  timeout.timeout = std::chrono::seconds(0);
  auto status = run_issue(timeout, base);
  ASSERT_FALSE(status);
  EXPECT_THAT(status.error().message(), StartsWith("--timeout:"));
}

TEST(DeactivateFlags, WithoutYesNothingHappens) {
  auto status = run_deactivate({.server = "https://127.0.0.1:1/dir"}, false);
  ASSERT_FALSE(status);
  EXPECT_THAT(status.error().message(), StartsWith("--yes:"));
}

TEST(RevokeFlags, AnUnknownReasonIsRefusedFirst) {
  auto status = run_revoke({.server = "https://127.0.0.1:1/dir"}, "/nonexistent.crt", "", "bad");
  ASSERT_FALSE(status);
  EXPECT_THAT(status.error().message(), HasSubstr("--reason"));
}

}  // namespace
}  // namespace certkeeper::acmecli
