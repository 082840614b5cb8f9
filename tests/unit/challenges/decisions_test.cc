#include "controller/challenges/decisions.h"

#include <gtest/gtest.h>

#include "lib/api/well_known.h"

namespace certkeeper::challenges {
namespace {

api::Challenge make_challenge() {
  api::Challenge c;
  c.metadata.namespace_ = "ns";
  c.metadata.name = "ch";
  c.metadata.finalizers = {std::string(api::kAcmeFinalizer)};
  c.spec.url = "https://ca.test/chall/1";
  c.spec.authorization_url = "https://ca.test/authz/1";
  c.spec.dns_name = "example.test";
  c.spec.type = std::string(api::kChallengeTypeDns01);
  c.spec.token = "tok";
  c.spec.key = "txt-value";
  return c;
}

api::Challenge with(api::Challenge c, std::optional<bool> processing, std::optional<bool> presented,
                    std::optional<std::string> state) {
  c.status.processing = processing;
  c.status.presented = presented;
  c.status.state = std::move(state);
  return c;
}

TEST(NextAction, FinalizerComesFirst) {
  auto c = make_challenge();
  c.metadata.finalizers.clear();
  EXPECT_EQ(next_action(c), Action::kAddFinalizer);
  c.metadata.finalizers = {std::string(api::kAcmeLegacyFinalizer)};
  EXPECT_EQ(next_action(c), Action::kAddFinalizer);  // migrated
  c.metadata.finalizers = {"other", std::string(api::kAcmeFinalizer)};
  EXPECT_EQ(next_action(c), Action::kNothing);  // not scheduled yet
}

TEST(NextAction, FollowsTheStateMachine) {
  const auto c = make_challenge();
  EXPECT_EQ(next_action(with(c, false, std::nullopt, std::nullopt)), Action::kNothing);
  EXPECT_EQ(next_action(with(c, true, std::nullopt, std::nullopt)), Action::kFetchState);
  EXPECT_EQ(next_action(with(c, true, false, "pending")), Action::kPresent);
  EXPECT_EQ(next_action(with(c, true, true, "pending")), Action::kCheckAndAccept);
  EXPECT_EQ(next_action(with(c, true, true, "processing")), Action::kPollAuthorization);
  for (const char* final_state : {"valid", "invalid", "expired", "errored"}) {
    EXPECT_EQ(next_action(with(c, true, true, final_state)), Action::kCleanUpFinal) << final_state;
    EXPECT_EQ(next_action(with(c, false, true, final_state)), Action::kCleanUpFinal);
    EXPECT_EQ(next_action(with(c, false, false, final_state)), Action::kNothing);
  }
}

TEST(Finalizers, AddOursDropLegacyKeepOthers) {
  EXPECT_EQ(finalizers_with_ours({"other", std::string(api::kAcmeLegacyFinalizer)}),
            (std::vector<std::string>{"other", std::string(api::kAcmeFinalizer)}));
  EXPECT_FALSE(finalizers_with_ours({std::string(api::kAcmeFinalizer)}));
  EXPECT_EQ(finalizers_without_ours({"other", std::string(api::kAcmeFinalizer),
                                     std::string(api::kAcmeLegacyFinalizer)}),
            (std::vector<std::string>{"other"}));
  EXPECT_FALSE(finalizers_without_ours({"other"}));
}

common::Error acme_error(int status, std::string type) {
  return common::Error(common::ErrorCode::kInvalidArgument, "the CA said no")
      .with_http_status(status)
      .with_problem_type(std::move(type));
}

TEST(ClassifyAcmeError, MalformedExpiresOther4xxErrorsRestRetries) {
  auto malformed = classify_acme_error(acme_error(400, "urn:ietf:params:acme:error:malformed"),
                                       "Failed to accept challenge");
  EXPECT_TRUE(malformed.final);
  EXPECT_EQ(malformed.state, "expired");
  EXPECT_EQ(malformed.reason, "Failed to accept challenge: the CA said no");

  auto unauthorized =
      classify_acme_error(acme_error(403, "urn:ietf:params:acme:error:unauthorized"), "x");
  EXPECT_TRUE(unauthorized.final);
  EXPECT_EQ(unauthorized.state, "errored");

  EXPECT_FALSE(
      classify_acme_error(acme_error(429, "urn:ietf:params:acme:error:rateLimited"), "x").final);
  EXPECT_FALSE(
      classify_acme_error(acme_error(400, "urn:ietf:params:acme:error:badNonce"), "x").final);
  EXPECT_FALSE(classify_acme_error(acme_error(503, ""), "x").final);
  EXPECT_FALSE(
      classify_acme_error(common::Error(common::ErrorCode::kUnavailable, "reset"), "x").final);
}

acme::Authorization authz(std::string status, std::string challenge_status) {
  acme::Authorization a;
  a.status = std::move(status);
  a.challenges.push_back({.type = "dns-01",
                          .url = "https://ca.test/chall/1",
                          .status = std::move(challenge_status),
                          .token = "tok"});
  a.challenges.push_back(
      {.type = "http-01", .url = "https://ca.test/chall/2", .status = "pending", .token = "t2"});
  return a;
}

TEST(AuthorizationOutcome, MapsTheCasView) {
  const auto c = make_challenge();
  EXPECT_FALSE(authorization_outcome(authz("pending", "processing"), c));
  EXPECT_EQ(authorization_outcome(authz("valid", "valid"), c)->state, "valid");

  auto failed = authz("invalid", "invalid");
  failed.challenges[0].error =
      acme::Problem{.type = "urn:ietf:params:acme:error:unauthorized", .detail = "wrong TXT"};
  const auto invalid = authorization_outcome(failed, c);
  ASSERT_TRUE(invalid);
  EXPECT_EQ(invalid->state, "invalid");
  EXPECT_EQ(invalid->reason,
            "Error accepting authorization: acme: authorization error for example.test: "
            "unauthorized: wrong TXT");
  EXPECT_EQ(authorization_outcome(authz("expired", "pending"), c)->state, "expired");
}

TEST(InitialState, ReadsOurChallengeOrTheAuthorization) {
  const auto c = make_challenge();
  EXPECT_EQ(initial_state(authz("pending", "pending"), c), "pending");
  EXPECT_EQ(initial_state(authz("pending", "processing"), c), "processing");
  EXPECT_EQ(initial_state(authz("valid", "valid"), c), "valid");
  EXPECT_EQ(initial_state(acme::Authorization{.status = "pending"}, c), "pending");
}

TEST(Messages, AreStable) {
  auto c = make_challenge();
  EXPECT_EQ(propagation_reason(c, "DNS record for \"example.test\" not yet propagated"),
            "Waiting for DNS-01 challenge propagation: DNS record for \"example.test\" not yet "
            "propagated");
  // The same failure gives the same text: no status rewrite per retry.
  EXPECT_EQ(propagation_reason(c, "x"), propagation_reason(c, "x"));
  EXPECT_EQ(presented_message(c), "Presented challenge using DNS-01 challenge mechanism");
  EXPECT_EQ(present_error_message(common::Error(common::ErrorCode::kPermissionDenied, "NOTAUTH")),
            "Error presenting challenge: NOTAUTH");
  EXPECT_EQ(cleanup_error_message(common::Error(common::ErrorCode::kUnavailable, "timeout")),
            "Error cleaning up challenge: timeout");
}

}  // namespace
}  // namespace certkeeper::challenges
