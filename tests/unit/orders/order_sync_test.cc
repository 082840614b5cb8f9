#include "controller/orders/order_sync.h"

#include <gtest/gtest.h>

#include "lib/api/names.h"
#include "lib/api/well_known.h"

namespace certkeeper::orders {
namespace {

api::Order order_with(std::optional<std::string> state) {
  api::Order order;
  order.metadata.name = "web-1-123";
  order.metadata.namespace_ = "team";
  order.metadata.uid = "uid-order";
  order.metadata.labels = {{"app", "web"}};
  order.spec.issuer_ref = {"le", "ClusterIssuer", "cert-manager.io"};
  order.status.state = std::move(state);
  return order;
}

api::AcmeAuthorization authz(const std::string& id, std::string state, bool wildcard = false) {
  api::AcmeAuthorization a;
  a.url = "https://ca/authz/" + id;
  a.identifier = id;
  if (wildcard) {
    a.wildcard = true;
  }
  a.initial_state = std::move(state);
  a.challenges = {{"https://ca/chall/" + id + "/http", "tok-http-" + id, "http-01"},
                  {"https://ca/chall/" + id + "/dns", "tok-dns-" + id, "dns-01"}};
  return a;
}

api::Order recorded(std::optional<std::string> state) {
  auto order = order_with(std::move(state));
  order.status.url = "https://ca/order/1";
  order.status.finalize_url = "https://ca/order/1/finalize";
  order.status.authorizations = {authz("a.example", "pending")};
  return order;
}

TEST(OrderSync, DecideByState) {
  EXPECT_EQ(decide(order_with(std::nullopt), 0), OrderAction::kNewOrder);
  auto no_authz = order_with("pending");
  no_authz.status.url = "https://ca/order/1";
  EXPECT_EQ(decide(no_authz, 0), OrderAction::kFetchAuthorizations);
  EXPECT_EQ(decide(recorded("pending"), 0), OrderAction::kSyncChallenges);
  EXPECT_EQ(decide(recorded(std::nullopt), 0), OrderAction::kSyncChallenges);
  EXPECT_EQ(decide(recorded("ready"), 1), OrderAction::kFinalize);
  EXPECT_EQ(decide(recorded("processing"), 1), OrderAction::kCheckOrder);
  EXPECT_EQ(decide(recorded("valid"), 1), OrderAction::kCheckOrder);  // no certificate yet
  auto done = recorded("valid");
  done.status.certificate = "PEM";
  EXPECT_EQ(decide(done, 2), OrderAction::kDeleteChallenges);
  EXPECT_EQ(decide(done, 0), OrderAction::kNothing);
  for (const char* failed : {"invalid", "expired", "errored"}) {
    EXPECT_EQ(decide(recorded(failed), 1), OrderAction::kDeleteChallenges) << failed;
    EXPECT_EQ(decide(recorded(failed), 0), OrderAction::kNothing) << failed;
    // Failed before newOrder (errored on create): final as well, no second newOrder.
    EXPECT_EQ(decide(order_with(failed), 0), OrderAction::kNothing) << failed;
  }
}

TEST(OrderSync, ClientErrorsAreFourHundredsButNotRateLimits) {
  const auto with_status = [](int status) {
    return common::Error(common::ErrorCode::kInvalidArgument, "x").with_http_status(status);
  };
  EXPECT_TRUE(is_client_error(with_status(400)));
  EXPECT_TRUE(is_client_error(with_status(404)));
  EXPECT_FALSE(is_client_error(with_status(429)));
  EXPECT_FALSE(is_client_error(with_status(503)));
  EXPECT_FALSE(is_client_error(common::Error(common::ErrorCode::kUnavailable, "refused")));
  EXPECT_FALSE(is_client_error(
      with_status(403).with_problem_type("urn:ietf:params:acme:error:orderNotReady")));
  EXPECT_TRUE(is_client_error(
      with_status(403).with_problem_type("urn:ietf:params:acme:error:unauthorized")));
  // badNonce after the client's own retries: lib/acme gives it kUnavailable; retried, not final.
  auto bad_nonce = common::Error(common::ErrorCode::kUnavailable, "badNonce")
                       .with_http_status(400)
                       .with_problem_type("urn:ietf:params:acme:error:badNonce");
  EXPECT_FALSE(is_client_error(bad_nonce));
}

TEST(OrderSync, RecordsAuthorizationsAndTheNewOrder) {
  acme::Authorization a;
  a.url = "https://ca/authz/1";
  a.identifier = acme::Identifier::dns("example.com");
  a.status = "pending";
  a.wildcard = true;
  a.challenges = {
      {"dns-01", "https://ca/chall/1", "pending", "tok", std::nullopt, std::nullopt},
      // A type without a token (dns-persist-01, offered by Pebble 2.10): left out,
      // the CRD would refuse the whole status write.
      {"dns-persist-01", "https://ca/chall/2", "pending", "", std::nullopt, std::nullopt}};
  const auto recorded_authz = record_authorization(a);
  EXPECT_EQ(recorded_authz.url, "https://ca/authz/1");
  EXPECT_EQ(recorded_authz.identifier, "example.com");
  EXPECT_EQ(recorded_authz.wildcard, true);
  EXPECT_EQ(recorded_authz.initial_state, "pending");
  ASSERT_EQ(recorded_authz.challenges.size(), 1U);
  EXPECT_EQ(recorded_authz.challenges[0].type, "dns-01");
  EXPECT_EQ(recorded_authz.challenges[0].token, "tok");
  EXPECT_EQ(recorded_authz.challenges[0].url, "https://ca/chall/1");
  a.wildcard = false;
  EXPECT_FALSE(record_authorization(a).wildcard);

  acme::Order o;
  o.url = "https://ca/order/1";
  o.status = "pending";
  o.finalize = "https://ca/order/1/finalize";
  const auto status = status_after_new_order(o, {recorded_authz});
  EXPECT_EQ(status.url, "https://ca/order/1");
  EXPECT_EQ(status.finalize_url, "https://ca/order/1/finalize");
  EXPECT_EQ(status.state, "pending");
  EXPECT_EQ(status.authorizations.size(), 1U);
}

common::Result<std::string> fake_key(std::string_view type, std::string_view token) {
  return std::string(type) + ":" + std::string(token);
}

api::AcmeChallengeSolver http_solver() {
  api::AcmeChallengeSolver s;
  s.http01 = api::AcmeHttp01{};
  s.http01->ingress = api::AcmeHttp01Ingress{};
  s.http01->ingress->ingress_class_name = "nginx";
  return s;
}
api::AcmeChallengeSolver dns_solver() {
  api::AcmeChallengeSolver s;
  s.dns01 = api::AcmeDns01{};
  s.dns01->rfc2136 = api::AcmeDns01Rfc2136{};
  s.dns01->rfc2136->nameserver = "127.0.0.1:53";
  return s;
}

TEST(OrderSync, PlanOneChallengePerPendingAuthorization) {
  auto order = recorded("pending");
  order.status.authorizations = {authz("a.example", "pending"), authz("b.example", "valid"),
                                 authz("a.example", "pending", /*wildcard=*/true)};
  auto plan = plan_challenges(order, {http_solver(), dns_solver()}, fake_key);
  ASSERT_TRUE(plan);
  EXPECT_TRUE(plan->unsolvable.empty());
  ASSERT_EQ(plan->wanted.size(), 2U);  // b.example's authorization is already valid

  const auto& http = plan->wanted[0];
  EXPECT_EQ(http.spec.type, "HTTP-01");
  EXPECT_EQ(http.spec.url, "https://ca/chall/a.example/http");
  EXPECT_EQ(http.spec.authorization_url, "https://ca/authz/a.example");
  EXPECT_EQ(http.spec.dns_name, "a.example");
  EXPECT_FALSE(http.spec.wildcard);
  EXPECT_EQ(http.spec.token, "tok-http-a.example");
  EXPECT_EQ(http.spec.key, "HTTP-01:tok-http-a.example");
  EXPECT_EQ(http.spec.solver, http_solver());
  EXPECT_EQ(http.spec.issuer_ref, order.spec.issuer_ref);
  EXPECT_EQ(http.metadata.name, api::challenge_name("web-1-123", http.spec));
  EXPECT_EQ(http.metadata.namespace_, "team");
  EXPECT_EQ(http.metadata.labels, order.metadata.labels);
  EXPECT_TRUE(http.metadata.finalizers.empty());  // the challenges controller adds it
  ASSERT_EQ(http.metadata.owner_references.size(), 1U);
  EXPECT_EQ(http.metadata.owner_references[0].kind, "Order");
  EXPECT_EQ(http.metadata.owner_references[0].api_version, "acme.cert-manager.io/v1");
  EXPECT_EQ(http.metadata.owner_references[0].uid, "uid-order");
  EXPECT_EQ(http.metadata.owner_references[0].controller, true);

  const auto& wildcard = plan->wanted[1];
  EXPECT_EQ(wildcard.spec.type, "DNS-01");         // HTTP-01 cannot do wildcards
  EXPECT_EQ(wildcard.spec.dns_name, "a.example");  // without "*."
  EXPECT_EQ(wildcard.spec.wildcard, true);
  EXPECT_EQ(wildcard.spec.key, "DNS-01:tok-dns-a.example");
  EXPECT_NE(wildcard.metadata.name, http.metadata.name);

  // Deterministic: planning again gives the same Challenges.
  auto again = plan_challenges(order, {http_solver(), dns_solver()}, fake_key);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->wanted, plan->wanted);
}

TEST(OrderSync, UnsolvableIdentifiersAreReported) {
  auto order = recorded("pending");
  order.status.authorizations = {authz("a.example", "pending"),
                                 authz("a.example", "pending", true)};
  auto plan = plan_challenges(order, {http_solver()}, fake_key);
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->unsolvable, std::vector<std::string>{"*.a.example"});
  EXPECT_EQ(no_solver_reason(plan->unsolvable),
            "Failed to determine a valid solver configuration for the set of domains on the "
            "Order: no configured challenge solvers can be used for this challenge (identifiers: "
            "*.a.example)");
}

TEST(OrderSync, KeyErrorsAreReturned) {
  auto plan =
      plan_challenges(recorded("pending"), {http_solver()},
                      [](std::string_view, std::string_view) -> common::Result<std::string> {
                        return common::make_error(common::ErrorCode::kInternal, "no key");
                      });
  EXPECT_FALSE(plan);
}

TEST(OrderSync, IngressOverrideAnnotationsReplaceTheSolversIngress) {
  auto order = recorded("pending");
  order.metadata.annotations[std::string(api::kAnnotationHttp01OverrideIngressName)] = "shared";
  auto plan = plan_challenges(order, {http_solver()}, fake_key);
  ASSERT_TRUE(plan);
  ASSERT_EQ(plan->wanted.size(), 1U);
  const auto& ingress = *plan->wanted[0].spec.solver.http01->ingress;
  EXPECT_EQ(ingress.name, "shared");
  EXPECT_FALSE(ingress.ingress_class_name);

  order.metadata.annotations[std::string(api::kAnnotationHttp01OverrideIngressClass)] = "x";
  auto conflict = plan_challenges(order, {http_solver()}, fake_key);
  ASSERT_TRUE(conflict);
  EXPECT_TRUE(conflict->wanted.empty());
  EXPECT_FALSE(conflict->override_error.empty());
}

api::Challenge named(std::string name, std::optional<std::string> state = std::nullopt) {
  api::Challenge c;
  c.metadata.name = std::move(name);
  c.status.state = std::move(state);
  return c;
}

TEST(OrderSync, WhichChallengesToCreateAndDelete) {
  const std::vector<api::Challenge> wanted = {named("a"), named("b")};
  const std::vector<api::Challenge> owned = {named("b", "pending"), named("old", "valid")};
  EXPECT_EQ(unwanted_challenges(owned, wanted), std::vector<std::string>{"old"});
  const auto missing = missing_challenges(owned, wanted);
  ASSERT_EQ(missing.size(), 1U);
  EXPECT_EQ(missing[0].metadata.name, "a");
}

TEST(OrderSync, AllChallengesFinal) {
  const std::vector<api::Challenge> wanted = {named("a"), named("b")};
  EXPECT_FALSE(all_challenges_final({named("a", "valid")}, wanted));  // b missing
  EXPECT_FALSE(all_challenges_final({named("a", "valid"), named("b", "pending")}, wanted));
  EXPECT_TRUE(all_challenges_final({named("a", "valid"), named("b", "invalid")}, wanted));
  EXPECT_TRUE(all_challenges_final({}, {}));  // every authorization was already valid
}

TEST(OrderSync, FailureReasonPrefersTheCasDetailThenTheChallenge) {
  acme::Order o;
  o.status = "invalid";
  auto bad = named("c1", "invalid");
  bad.spec.dns_name = "a.example";
  bad.status.reason = "connection refused";
  EXPECT_EQ(failure_reason(o, {bad}), "challenge c1 for a.example is invalid: connection refused");
  o.error = acme::Problem{};
  o.error->detail = "authorization failed";
  EXPECT_EQ(failure_reason(o, {bad}), "authorization failed");
  acme::Order expired;
  expired.status = "expired";
  EXPECT_EQ(failure_reason(expired, {}), "the ACME server reports the order as \"expired\"");
}

}  // namespace
}  // namespace certkeeper::orders
