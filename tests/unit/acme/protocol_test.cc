// The pure parts of lib/acme: header parsing, problem mapping, key authorizations, ARI window
// selection, chain choice and the JSON decoders.
#include "lib/acme/protocol.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lib/acme/types.h"
#include "lib/common/time_format.h"
#include "tests/support/fixed_random.h"

namespace certkeeper::acme {
namespace {

using common::ErrorCode;
using std::chrono::seconds;
using std::chrono::system_clock;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

system_clock::time_point at(const char* rfc3339) { return *common::parse_rfc3339(rfc3339); }

using testing::FixedRandom;

TEST(RetryAfter, DeltaSeconds) {
  EXPECT_EQ(parse_retry_after("120", system_clock::now()), seconds(120));
  EXPECT_EQ(parse_retry_after(" 0 ", system_clock::now()), seconds(0));
}

TEST(RetryAfter, HttpDateIsRelativeToNow) {
  const auto now = at("1994-11-06T08:49:00Z");
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now), seconds(37));
}

TEST(RetryAfter, HttpDateInThePastIsZero) {
  const auto now = at("2026-01-01T00:00:00Z");
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now), seconds(0));
}

TEST(RetryAfter, GarbageIsIgnored) {
  const auto now = system_clock::now();
  EXPECT_EQ(parse_retry_after("", now), std::nullopt);
  EXPECT_EQ(parse_retry_after("-5", now), std::nullopt);
  EXPECT_EQ(parse_retry_after("1.5", now), std::nullopt);
  EXPECT_EQ(parse_retry_after("soon", now), std::nullopt);
  EXPECT_EQ(parse_retry_after("Sun, 31 Feb 1994 08:49:37 GMT", now), std::nullopt);
  EXPECT_EQ(parse_retry_after("Sun, 06 Foo 1994 08:49:37 GMT", now), std::nullopt);
}

TEST(HttpDate, ParsesImfFixdate) {
  auto t = parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT");
  ASSERT_TRUE(t);
  EXPECT_EQ(std::chrono::duration_cast<seconds>(t->time_since_epoch()).count(), 784111777);
  EXPECT_FALSE(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"));
  EXPECT_FALSE(parse_http_date("Sun, 06 Nov 1994 25:49:37 GMT"));
}

TEST(LinkHeader, SeveralLinksInOneValueAndSeveralValues) {
  const auto links = parse_link_headers({
      R"(<https://ca/dir>;rel="index", <https://ca/cert/1/alt/1>;rel="alternate")",
      R"(<https://ca/cert/1/alt/2>; rel=alternate; title="x, y")",
  });
  EXPECT_THAT(links, ElementsAre(Link{"https://ca/dir", "index"},
                                 Link{"https://ca/cert/1/alt/1", "alternate"},
                                 Link{"https://ca/cert/1/alt/2", "alternate"}));
  EXPECT_THAT(links_with_rel(links, "ALTERNATE"),
              ElementsAre("https://ca/cert/1/alt/1", "https://ca/cert/1/alt/2"));
  EXPECT_THAT(links_with_rel(links, "up"), ::testing::IsEmpty());
}

TEST(LinkHeader, RelListAndMalformedParts) {
  const auto links =
      parse_link_headers({R"(<https://a>;rel="up index")", "garbage", "<unterminated"});
  EXPECT_THAT(links, ElementsAre(Link{"https://a", "up"}, Link{"https://a", "index"}));
}

TEST(ErrorCodeFor, MapsProblemTypes) {
  const std::string p(kProblemPrefix);
  EXPECT_EQ(error_code_for(p + "rateLimited", 429), ErrorCode::kRateLimited);
  EXPECT_EQ(error_code_for(p + "badNonce", 400), ErrorCode::kUnavailable);
  EXPECT_EQ(error_code_for(p + "unauthorized", 403), ErrorCode::kPermissionDenied);
  EXPECT_EQ(error_code_for(p + "accountDoesNotExist", 400), ErrorCode::kNotFound);
  EXPECT_EQ(error_code_for(p + "malformed", 400), ErrorCode::kInvalidArgument);
  EXPECT_EQ(error_code_for(p + "rejectedIdentifier", 400), ErrorCode::kInvalidArgument);
  EXPECT_EQ(error_code_for(p + "badCSR", 400), ErrorCode::kInvalidArgument);
  EXPECT_EQ(error_code_for(p + "invalidProfile", 400), ErrorCode::kInvalidArgument);
  EXPECT_EQ(error_code_for(p + "serverInternal", 500), ErrorCode::kUnavailable);
  EXPECT_EQ(error_code_for(p + "alreadyReplaced", 409), ErrorCode::kConflict);
  EXPECT_EQ(error_code_for(p + "orderNotReady", 403), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(error_code_for(p + "alreadyRevoked", 400), ErrorCode::kAlreadyExists);
  EXPECT_EQ(error_code_for("rateLimited", 429), ErrorCode::kRateLimited);
}

TEST(ErrorCodeFor, UnknownTypesFallBackToTheStatus) {
  EXPECT_EQ(error_code_for("urn:example:whatever", 503), ErrorCode::kUnavailable);
  EXPECT_EQ(error_code_for("", 429), ErrorCode::kRateLimited);
  EXPECT_EQ(error_code_for("", 401), ErrorCode::kUnauthenticated);
  EXPECT_EQ(error_code_for("", 404), ErrorCode::kNotFound);
  EXPECT_EQ(error_code_for("", 409), ErrorCode::kConflict);
  EXPECT_EQ(error_code_for("", 400), ErrorCode::kInvalidArgument);
}

TEST(ResponseError, CarriesTypeStatusRetryAfterAndSubproblems) {
  const auto error = response_error(400, R"({
    "type": "urn:ietf:params:acme:error:rejectedIdentifier",
    "detail": "Some identifiers were rejected",
    "status": 400,
    "subproblems": [
      {"type": "urn:ietf:params:acme:error:rejectedIdentifier", "detail": "blocked",
       "identifier": {"type": "dns", "value": "blocked.example.test"}}
    ]})",
                                    seconds(30));
  EXPECT_EQ(error.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(error.problem_type(), "urn:ietf:params:acme:error:rejectedIdentifier");
  EXPECT_EQ(error.http_status(), 400);
  EXPECT_EQ(error.retry_after(), seconds(30));
  EXPECT_THAT(error.message(), HasSubstr("acme rejectedIdentifier: Some identifiers"));
  EXPECT_THAT(error.message(), HasSubstr("dns blocked.example.test: blocked"));
}

TEST(ResponseError, WithoutProblemDocumentUsesTheStatus) {
  const auto error = response_error(502, "<html>bad gateway</html>", std::nullopt);
  EXPECT_EQ(error.code(), ErrorCode::kUnavailable);
  EXPECT_EQ(error.http_status(), 502);
  EXPECT_THAT(error.message(), HasSubstr("HTTP 502"));
}

TEST(KeyAuthorization, TokenDotThumbprint) {
  EXPECT_EQ(key_authorization("tok", "thumb"), "tok.thumb");
}

TEST(Dns01, TxtValueIsBase64urlSha256) {
  // SHA-256("abc") in base64url without padding.
  EXPECT_EQ(*dns01_txt_value("abc"), "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0");
}

TEST(Identifiers, IpAddressesAreDetected) {
  EXPECT_THAT(identifiers_from_names({"a.example", "*.b.example", "127.0.0.1", "::1"}),
              ElementsAre(Identifier::dns("a.example"), Identifier::dns("*.b.example"),
                          Identifier::ip("127.0.0.1"), Identifier::ip("::1")));
}

TEST(Identifiers, ComparedWithoutOrderAndDnsCase) {
  EXPECT_TRUE(same_identifiers({Identifier::dns("A.example"), Identifier::ip("10.0.0.1")},
                               {Identifier::ip("10.0.0.1"), Identifier::dns("a.example")}));
  EXPECT_FALSE(same_identifiers({Identifier::dns("a.example")},
                                {Identifier::dns("a.example"), Identifier::dns("b.example")}));
}

TEST(RenewalWindow, PicksUniformlyInsideTheWindow) {
  RenewalInfo info;
  info.window_start = at("2026-01-01T00:00:00Z");
  info.window_end = at("2026-01-03T00:00:00Z");
  FixedRandom zero(0.0);
  FixedRandom half(0.5);
  FixedRandom almost_one(0.999999999);
  EXPECT_EQ(pick_renewal_time(info, zero), info.window_start);
  EXPECT_EQ(pick_renewal_time(info, half), at("2026-01-02T00:00:00Z"));
  EXPECT_LE(pick_renewal_time(info, almost_one), info.window_end);
  EXPECT_GT(pick_renewal_time(info, almost_one), at("2026-01-02T23:59:00Z"));
}

TEST(Rfc4514, CommonName) {
  EXPECT_EQ(rfc4514_common_name("CN=Pebble Root CA 1a2b,O=Pebble"), "Pebble Root CA 1a2b");
  EXPECT_EQ(rfc4514_common_name("O=Acme\\, Inc.,CN=Acme\\, Root"), "Acme, Root");
  EXPECT_EQ(rfc4514_common_name("O=x+cn=multi,C=DE"), "multi");
  EXPECT_EQ(rfc4514_common_name("CN=\\41B"), "AB");
  EXPECT_EQ(rfc4514_common_name("O=NoCn"), "");
}

TEST(ChooseChain, PrefersTheIssuerElseTheDefault) {
  EXPECT_EQ(choose_chain({"Root A", "Root B"}, "Root B"), 1U);
  EXPECT_EQ(choose_chain({"Root A", "Root B"}, "Root C"), 0U);
  EXPECT_EQ(choose_chain({"Root A", "Root B"}, ""), 0U);
}

TEST(ParseDirectory, ReadsMetaAndIgnoresUnknownKeys) {
  auto dir = parse_directory(R"({
    "newNonce": "https://ca/nonce", "newAccount": "https://ca/acct", "newOrder": "https://ca/order",
    "revokeCert": "https://ca/revoke", "keyChange": "https://ca/kc",
    "renewalInfo": "https://ca/ari", "Xy9kQz1w": "https://community.example/random-key",
    "meta": {"termsOfService": "https://ca/tos", "externalAccountRequired": true,
             "profiles": {"classic": "90 days", "shortlived": "6 days"},
             "caaIdentities": ["ca.example"], "somethingNew": {"a": 1}}})");
  ASSERT_TRUE(dir) << dir.error().to_string();
  EXPECT_EQ(dir->new_order, "https://ca/order");
  EXPECT_EQ(dir->renewal_info, "https://ca/ari");
  EXPECT_EQ(dir->terms_of_service, "https://ca/tos");
  EXPECT_TRUE(dir->external_account_required);
  EXPECT_EQ(dir->profiles.size(), 2U);
  EXPECT_EQ(dir->profiles.at("shortlived"), "6 days");
  EXPECT_THAT(dir->caa_identities, ElementsAre("ca.example"));
}

TEST(ParseDirectory, RejectsMissingRequiredMembersAndNonJson) {
  auto missing = parse_directory(R"({"newNonce": "https://ca/nonce"})");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(missing.error().message(), HasSubstr("newAccount"));
  EXPECT_FALSE(parse_directory("not json"));
  EXPECT_FALSE(parse_directory("[1, 2]"));
}

TEST(ParseOrder, ReadsEveryMember) {
  auto order = parse_order(R"({
    "status": "invalid", "expires": "2026-11-29T17:00:00Z",
    "identifiers": [{"type": "dns", "value": "*.a.example"}, {"type": "ip", "value": "10.0.0.1"}],
    "authorizations": ["https://ca/authz/1"], "finalize": "https://ca/finalize/1",
    "profile": "shortlived", "replaces": "aYhb.AIdl",
    "error": {"type": "urn:ietf:params:acme:error:unauthorized", "detail": "nope", "status": 403}
  })");
  ASSERT_TRUE(order) << order.error().to_string();
  EXPECT_EQ(order->status, "invalid");
  EXPECT_EQ(order->expires, at("2026-11-29T17:00:00Z"));
  EXPECT_THAT(order->identifiers,
              ElementsAre(Identifier::dns("*.a.example"), Identifier::ip("10.0.0.1")));
  EXPECT_EQ(order->profile, "shortlived");
  EXPECT_EQ(order->replaces, "aYhb.AIdl");
  ASSERT_TRUE(order->error);
  EXPECT_EQ(order->error->short_type(), "unauthorized");
}

TEST(ParseOrder, WrongMemberTypeIsAnError) {
  auto order = parse_order(R"({"status": 5, "finalize": "https://ca/f"})");
  ASSERT_FALSE(order);
  EXPECT_THAT(order.error().message(), HasSubstr("\"status\""));
}

TEST(ParseAuthorization, KeepsUnknownChallengeTypes) {
  auto authz = parse_authorization(R"({
    "identifier": {"type": "dns", "value": "a.example"}, "status": "pending", "wildcard": true,
    "challenges": [
      {"type": "dns-account-01", "url": "https://ca/c/0", "status": "pending", "token": "t0"},
      {"type": "dns-01", "url": "https://ca/c/1", "status": "pending", "token": "t1"}]})");
  ASSERT_TRUE(authz) << authz.error().to_string();
  EXPECT_TRUE(authz->wildcard);
  ASSERT_NE(authz->find_challenge("dns-01"), nullptr);
  EXPECT_EQ(authz->find_challenge("dns-01")->token, "t1");
  EXPECT_EQ(authz->find_challenge("http-01"), nullptr);
}

TEST(ParseRenewalInfo, WindowAndExplanation) {
  auto info = parse_renewal_info(R"({"suggestedWindow": {"start": "2026-01-01T00:00:00Z",
    "end": "2026-01-02T00:00:00.5Z"}, "explanationURL": "https://ca/why"})");
  ASSERT_TRUE(info) << info.error().to_string();
  EXPECT_EQ(info->window_start, at("2026-01-01T00:00:00Z"));
  EXPECT_EQ(info->explanation_url, "https://ca/why");
}

TEST(ParseRenewalInfo, EndNotAfterStartIsInvalid) {
  auto info = parse_renewal_info(R"({"suggestedWindow": {"start": "2026-01-02T00:00:00Z",
    "end": "2026-01-01T00:00:00Z"}})");
  ASSERT_FALSE(info);
  EXPECT_EQ(info.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_FALSE(parse_renewal_info(R"({"suggestedWindow": {"start": "x", "end": "y"}})"));
  EXPECT_FALSE(parse_renewal_info(R"({})"));
}

}  // namespace
}  // namespace certkeeper::acme

namespace certkeeper::acme {
namespace {

// Found by acme_json_fuzz: far-future dates and huge delays must not overflow time arithmetic.
TEST(RetryAfterFuzzRegressions, FarFutureDatesAndHugeDelaysAreBounded) {
  EXPECT_FALSE(parse_http_date("Mon, 01 Jan 5913 00:00:00 GMT"));
  const auto now = std::chrono::system_clock::time_point(std::chrono::hours(490000));
  const auto huge = parse_retry_after("99999999999", now);
  ASSERT_TRUE(huge.has_value());
  EXPECT_LE(huge->count(), std::numeric_limits<std::int32_t>::max());
  EXPECT_NO_FATAL_FAILURE((void)(now + *huge));
}

}  // namespace
}  // namespace certkeeper::acme
