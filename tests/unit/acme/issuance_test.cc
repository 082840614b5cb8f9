// obtain_certificate against a fake CA (an OrderApi that keeps orders and authorizations as
// state) and a fake solver (which keeps what is presented), so that the assertions are on what
// the CA saw and what is left published.
#include "lib/acme/issuance.h"

#include <map>
#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace certkeeper::acme {
namespace {

using common::ErrorCode;
using ::testing::HasSubstr;

// What the solver currently publishes: token → key authorization.
class FakeSolver final : public ChallengeSolver {
 public:
  explicit FakeSolver(std::string type) : type_(std::move(type)) {}
  [[nodiscard]] std::string_view type() const override { return type_; }
  common::Status present(const Identifier& identifier, std::string_view token,
                         std::string_view key_authorization) override {
    if (identifier.value == fail_present_for) {
      return common::make_error(ErrorCode::kUnavailable, "listener broke");
    }
    published[std::string(token)] = std::string(key_authorization);
    return common::ok();
  }
  common::Status wait_ready(std::chrono::steady_clock::time_point /*deadline*/) override {
    ++wait_ready_calls;
    published_when_ready = published.size();
    if (fail_wait_ready) {
      return common::make_error(ErrorCode::kTimeout, "TXT not visible");
    }
    return common::ok();
  }
  common::Status cleanup(const Identifier& /*identifier*/, std::string_view token,
                         std::string_view /*key_authorization*/) override {
    published.erase(std::string(token));
    ++cleanups;
    return common::ok();
  }

  std::map<std::string, std::string> published;
  std::string fail_present_for;
  bool fail_wait_ready = false;
  int wait_ready_calls = 0;
  std::size_t published_when_ready = 0;
  int cleanups = 0;

 private:
  std::string type_;
};

// A CA with one order. Each identifier gets an authorization offering `offered` challenge
// types; a challenge validates when, at the moment it is answered, the solver publishes the
// expected key authorization for its token and the identifier is not in `unreachable`.
class FakeCa final : public OrderApi {
 public:
  FakeCa(const FakeSolver& solver, std::vector<std::string> offered)
      : solver_(solver), offered_(std::move(offered)) {}

  common::Result<Order> new_order(const NewOrderRequest& request) override {
    if (!reject_detail.empty()) {
      return common::make_error(ErrorCode::kInvalidArgument,
                                "acme rejectedIdentifier: " + reject_detail);
    }
    last_request = request;
    order_.url = "https://ca/order/1";
    order_.identifiers = request.identifiers;
    order_.replaces = request.replaces;
    order_.profile = request.profile;
    order_.finalize = "https://ca/finalize/1";
    for (const auto& id : request.identifiers) {
      Authorization authz;
      authz.url = "https://ca/authz/" + id.value;
      const bool wildcard = id.value.starts_with("*.");
      authz.identifier = {id.type, wildcard ? id.value.substr(2) : id.value};
      authz.wildcard = wildcard;
      authz.status = already_valid.contains(id.value) ? "valid" : "pending";
      for (const auto& type : offered_) {
        authz.challenges.push_back({.type = type,
                                    .url = authz.url + "/" + type,
                                    .status = "pending",
                                    .token = "tok-" + id.value + "-" + type});
      }
      authzs_[authz.url] = authz;
      order_.authorizations.push_back(authz.url);
    }
    refresh_order();
    return order_;
  }
  common::Result<Authorization> get_authorization(const std::string& url) override {
    return authzs_.at(url);
  }
  common::Result<std::string> key_authorization(std::string_view token) override {
    return std::string(token) + ".thumb";
  }
  common::Result<Challenge> respond_challenge(const std::string& url) override {
    if (answered.empty()) {
      published_at_first_answer = solver_.published.size();
    }
    answered.insert(url);
    for (auto& [authz_url, authz] : authzs_) {
      for (auto& c : authz.challenges) {
        if (c.url != url) {
          continue;
        }
        const auto it = solver_.published.find(c.token);
        const bool ok = it != solver_.published.end() && it->second == c.token + ".thumb" &&
                        !unreachable.contains(authz.identifier.value);
        c.status = ok ? "valid" : "invalid";
        authz.status = c.status;
        if (!ok) {
          c.error = Problem{.type = "urn:ietf:params:acme:error:connection",
                            .detail = "dial tcp: connection refused"};
        }
        if (challenges_processing) {
          // Validation happens after the answer: the caller must poll to learn the outcome.
          Challenge answer = c;
          answer.status = "processing";
          answer.error.reset();
          return answer;
        }
        return c;
      }
    }
    return common::make_error(ErrorCode::kNotFound, "no challenge " + url);
  }
  common::Result<Authorization> poll_authorization(
      const std::string& url, std::chrono::steady_clock::time_point /*deadline*/,
      std::chrono::milliseconds /*first_wait*/) override {
    ++authz_polls;
    return authzs_.at(url);
  }
  common::Result<Order> poll_order(const std::string& /*url*/,
                                   std::chrono::steady_clock::time_point /*deadline*/,
                                   std::chrono::milliseconds first_wait) override {
    ++order_polls;
    last_order_first_wait = first_wait;
    if (order_.status == "processing") {
      order_.status = "valid";
      order_.certificate = "https://ca/cert/1";
    }
    refresh_order();
    return order_;
  }
  // As a CA does: the order's own state decides, whatever the client believes it is.
  common::Result<Order> finalize_order(const Order& /*order*/, std::string_view csr_der) override {
    ++finalizes;
    refresh_order();
    if (order_.status != "ready") {
      return common::make_error(common::Error(ErrorCode::kFailedPrecondition, "orderNotReady")
                                    .with_problem_type("urn:ietf:params:acme:error:orderNotReady"));
    }
    finalized_csr = csr_der;
    if (finalize_processing) {
      order_.status = "processing";
      order_.retry_after = std::chrono::seconds(1);
      return order_;
    }
    order_.status = "valid";
    order_.certificate = "https://ca/cert/1";
    return order_;
  }
  common::Result<CertificateChain> download_certificate(const std::string& url,
                                                        std::string_view preferred) override {
    downloaded_preferred = preferred;
    return CertificateChain{.url = url, .pem = "PEM"};
  }

  // Knobs: answer challenges "processing" (validation later); answer finalize "processing"
  // with Retry-After 1 s; keep the order "pending" until it has been polled this many times
  // although every authorization is valid (a CA that moves orders to "ready" lazily).
  bool challenges_processing = false;
  bool finalize_processing = false;
  int ready_after_polls = 0;
  // What the workflow sent.
  int authz_polls = 0;
  int order_polls = 0;
  int finalizes = 0;
  std::chrono::milliseconds last_order_first_wait{-1};
  std::string reject_detail;
  std::set<std::string> already_valid;
  std::set<std::string> unreachable;
  std::set<std::string> answered;
  std::size_t published_at_first_answer = 0;
  std::string finalized_csr;
  std::string downloaded_preferred;
  NewOrderRequest last_request;

 private:
  void refresh_order() {
    if (order_.status == "valid") {
      return;
    }
    bool all_valid = true;
    for (const auto& [url, authz] : authzs_) {
      if (authz.status == "invalid") {
        order_.status = "invalid";
        return;
      }
      all_valid = all_valid && authz.status == "valid";
    }
    order_.status = all_valid && order_polls >= ready_after_polls ? "ready" : "pending";
  }

  const FakeSolver& solver_;
  std::vector<std::string> offered_;
  Order order_;
  std::map<std::string, Authorization> authzs_;
};

IssuanceRequest request_for(std::vector<std::string> names) {
  IssuanceRequest r;
  for (auto& n : names) {
    r.identifiers.push_back(Identifier::dns(std::move(n)));
  }
  r.csr_der = "CSR";
  r.deadline = std::chrono::steady_clock::now() + std::chrono::minutes(1);
  return r;
}

TEST(ObtainCertificate, PresentsEveryAuthorizationBeforeAnsweringAndCleansUp) {
  FakeSolver solver("http-01");
  FakeCa ca(solver, {"http-01", "dns-01"});
  auto request = request_for({"a.example", "b.example"});
  request.profile = "shortlived";
  request.replaces = "aki.serial";
  request.preferred_chain = "Root X2";
  auto issued = obtain_certificate(ca, request, solver);
  ASSERT_TRUE(issued) << issued.error().message();
  EXPECT_EQ(ca.published_at_first_answer, 2u);
  EXPECT_EQ(solver.wait_ready_calls, 1);
  EXPECT_EQ(solver.published_when_ready, 2u);
  EXPECT_EQ(ca.answered.size(), 2u);
  EXPECT_TRUE(solver.published.empty());
  EXPECT_EQ(ca.finalized_csr, "CSR");
  EXPECT_EQ(ca.last_request.profile, "shortlived");
  EXPECT_EQ(ca.last_request.replaces, "aki.serial");
  EXPECT_EQ(ca.downloaded_preferred, "Root X2");
  EXPECT_EQ(issued->order.status, "valid");
  EXPECT_EQ(issued->chain.url, "https://ca/cert/1");
  // Only what the protocol needs: the answers already said "valid" and finalize returned the
  // certificate URL, so nothing was polled and the order was not fetched before finalize.
  EXPECT_EQ(ca.authz_polls, 0);
  EXPECT_EQ(ca.order_polls, 0);
  EXPECT_EQ(ca.finalizes, 1);
}

TEST(ObtainCertificate, PollsEachAuthorizationOnceAndTheOrderOnceWhenTheCaIsQuick) {
  FakeSolver solver("http-01");
  FakeCa ca(solver, {"http-01"});
  ca.challenges_processing = true;
  ca.finalize_processing = true;
  auto issued = obtain_certificate(ca, request_for({"a.example", "b.example"}), solver);
  ASSERT_TRUE(issued) << issued.error().message();
  EXPECT_EQ(ca.authz_polls, 2) << "one poll per authorization, after the first wait";
  EXPECT_EQ(ca.finalizes, 1);
  EXPECT_EQ(ca.order_polls, 1);
  EXPECT_EQ(ca.last_order_first_wait, std::chrono::milliseconds(1000))
      << "the first order poll waits for finalize's Retry-After";
  EXPECT_EQ(issued->chain.url, "https://ca/cert/1");
}

TEST(ObtainCertificate, OrderNotReadyAtFinalizeWaitsForReadyAndFinalizesAgain) {
  FakeSolver solver("http-01");
  FakeCa ca(solver, {"http-01"});
  ca.ready_after_polls = 1;
  auto issued = obtain_certificate(ca, request_for({"a.example"}), solver);
  ASSERT_TRUE(issued) << issued.error().message();
  EXPECT_EQ(ca.finalizes, 2);
  EXPECT_EQ(ca.order_polls, 1);
  EXPECT_EQ(ca.finalized_csr, "CSR");
}

TEST(ObtainCertificate, AFailedChallengeAnsweredProcessingIsFoundByThePoll) {
  FakeSolver solver("http-01");
  FakeCa ca(solver, {"http-01"});
  ca.challenges_processing = true;
  ca.unreachable = {"a.example"};
  auto issued = obtain_certificate(ca, request_for({"a.example"}), solver);
  ASSERT_FALSE(issued);
  EXPECT_THAT(issued.error().message(), HasSubstr("a.example: http-01 challenge failed"));
  EXPECT_THAT(issued.error().message(), HasSubstr("connection refused"));
  EXPECT_EQ(ca.finalizes, 0);
}

TEST(ObtainCertificate, SkipsAuthorizationsThatAreAlreadyValid) {
  FakeSolver solver("http-01");
  FakeCa ca(solver, {"http-01"});
  ca.already_valid = {"a.example"};
  auto issued = obtain_certificate(ca, request_for({"a.example", "b.example"}), solver);
  ASSERT_TRUE(issued) << issued.error().message();
  EXPECT_EQ(ca.answered, std::set<std::string>{"https://ca/authz/b.example/http-01"});
  EXPECT_EQ(solver.cleanups, 1);
}

TEST(ObtainCertificate, NothingToPresentSkipsTheSolverEntirely) {
  FakeSolver solver("dns-01");
  FakeCa ca(solver, {"dns-01"});
  ca.already_valid = {"a.example"};
  auto issued = obtain_certificate(ca, request_for({"a.example"}), solver);
  ASSERT_TRUE(issued) << issued.error().message();
  EXPECT_EQ(solver.wait_ready_calls, 0);
  EXPECT_TRUE(ca.answered.empty());
  EXPECT_EQ(ca.finalized_csr, "CSR");
}

TEST(ObtainCertificate, AFailedChallengeNamesIdentifierTypeAndTheCasReason) {
  FakeSolver solver("http-01");
  FakeCa ca(solver, {"http-01"});
  ca.unreachable = {"b.example"};
  auto issued = obtain_certificate(ca, request_for({"a.example", "b.example"}), solver);
  ASSERT_FALSE(issued);
  EXPECT_EQ(issued.error().message(),
            "b.example: http-01 challenge failed: connection: dial tcp: connection refused");
  EXPECT_TRUE(solver.published.empty());
  EXPECT_TRUE(ca.finalized_csr.empty());
}

TEST(ObtainCertificate, AChallengeTypeTheCaDoesNotOfferIsNamed) {
  FakeSolver solver("http-01");
  FakeCa ca(solver, {"dns-01"});
  auto issued = obtain_certificate(ca, request_for({"a.example", "*.b.example"}), solver);
  ASSERT_FALSE(issued);
  EXPECT_EQ(issued.error().message(),
            "a.example: the CA offers no http-01 challenge (offered: dns-01)");
  EXPECT_TRUE(ca.answered.empty());
}

TEST(ObtainCertificate, WildcardAuthorizationsAreNamedWithTheStar) {
  FakeSolver solver("http-01");
  FakeCa ca(solver, {"dns-01"});
  auto issued = obtain_certificate(ca, request_for({"*.b.example"}), solver);
  ASSERT_FALSE(issued);
  EXPECT_THAT(issued.error().message(), HasSubstr("*.b.example: the CA offers no http-01"));
}

TEST(ObtainCertificate, WhatWasPresentedIsCleanedUpWhenALaterPresentFails) {
  FakeSolver solver("http-01");
  FakeCa ca(solver, {"http-01"});
  solver.fail_present_for = "b.example";
  auto issued = obtain_certificate(ca, request_for({"a.example", "b.example"}), solver);
  ASSERT_FALSE(issued);
  EXPECT_THAT(issued.error().message(), HasSubstr("b.example: presenting http-01"));
  EXPECT_EQ(solver.cleanups, 1);
  EXPECT_TRUE(solver.published.empty());
  EXPECT_TRUE(ca.answered.empty());
}

TEST(ObtainCertificate, AFailedWaitAnswersNothingAndCleansUp) {
  FakeSolver solver("dns-01");
  FakeCa ca(solver, {"dns-01"});
  solver.fail_wait_ready = true;
  auto issued = obtain_certificate(ca, request_for({"a.example"}), solver);
  ASSERT_FALSE(issued);
  EXPECT_EQ(issued.error().code(), ErrorCode::kTimeout);
  EXPECT_THAT(issued.error().message(), HasSubstr("TXT not visible"));
  EXPECT_TRUE(ca.answered.empty());
  EXPECT_TRUE(solver.published.empty());
}

TEST(ObtainCertificate, ARejectedOrderCarriesTheCasDetail) {
  FakeSolver solver("http-01");
  FakeCa ca(solver, {"http-01"});
  ca.reject_detail = "blocked.example is a forbidden domain";
  auto issued = obtain_certificate(ca, request_for({"blocked.example"}), solver);
  ASSERT_FALSE(issued);
  EXPECT_EQ(issued.error().message(),
            "new order: acme rejectedIdentifier: blocked.example is a forbidden domain");
}

}  // namespace
}  // namespace certkeeper::acme
