#include "controller/certificaterequests/acme_order.h"

#include <gtest/gtest.h>

#include "lib/api/names.h"
#include "lib/api/well_known.h"
#include "tests/unit/signers/fixtures.h"

namespace certkeeper::certificaterequests {
namespace {

using signers_test::csr_pem;
using signers_test::new_key;
using Kind = SignOutcome::Kind;

struct Csr {
  std::string pem;
  crypto::ParsedCsr parsed;
  crypto::PrivateKey key;
};

Csr make_csr(const std::string& cn, std::vector<std::string> dns, std::vector<std::string> ips) {
  crypto::CsrSpec spec;
  spec.subject.common_name = cn;
  spec.sans.dns_names = std::move(dns);
  spec.sans.ip_addresses = std::move(ips);
  auto key = new_key();
  const std::string pem = csr_pem(spec, key);
  auto parsed = crypto::parse_csr(pem);
  EXPECT_TRUE(parsed) << parsed.error().message();
  return {pem, *parsed, key};
}

api::CertificateRequest request_for(const Csr& csr) {
  api::CertificateRequest cr;
  cr.metadata.name = "web-1";
  cr.metadata.namespace_ = "team";
  cr.metadata.uid = "uid-cr";
  cr.metadata.labels = {{"app", "web"}};
  cr.metadata.annotations = {{std::string(api::kAnnotationCertificateName), "web"}};
  cr.spec.request = csr.pem;
  cr.spec.issuer_ref = {"le", "ClusterIssuer", "cert-manager.io"};
  cr.spec.duration = api::GoDuration::of(std::chrono::hours(24));
  return cr;
}

TEST(AcmeOrder, CommonNameMustBeAmongTheSans) {
  const auto bad = make_csr("other.example", {"a.example", "b.example"}, {"10.0.0.1"});
  auto outcome = check_common_name(bad.parsed);
  ASSERT_TRUE(outcome);
  EXPECT_EQ(outcome->kind, Kind::kFailed);
  EXPECT_EQ(outcome->reason, "InvalidOrder");
  EXPECT_NE(outcome->message.find("The CSR PEM requests a commonName that is not present in the "
                                  "list of dnsNames or ipAddresses."),
            std::string::npos);
  EXPECT_NE(outcome->message.find(
                "\"other.example\" does not exist in [a.example b.example] or [10.0.0.1]"),
            std::string::npos)
      << outcome->message;
}

TEST(AcmeOrder, CommonNameInDnsNamesOrIpsOrEmptyIsFine) {
  EXPECT_FALSE(check_common_name(make_csr("a.example", {"a.example"}, {}).parsed));
  EXPECT_FALSE(check_common_name(make_csr("127.0.0.1", {}, {"127.0.0.1"}).parsed));
  EXPECT_FALSE(check_common_name(make_csr("", {"a.example"}, {}).parsed));
}

TEST(AcmeOrder, BuildOrderCopiesTheRequestAndNamesItDeterministically) {
  const auto csr = make_csr("a.example", {"a.example"}, {"127.0.0.1"});
  const auto cr = request_for(csr);
  api::AcmeIssuer issuer;
  issuer.profile = "shortlived";
  const auto order = build_order(cr, csr.parsed, issuer, std::nullopt);
  EXPECT_EQ(order.metadata.namespace_, "team");
  EXPECT_EQ(order.metadata.labels, cr.metadata.labels);
  EXPECT_EQ(order.metadata.annotations, cr.metadata.annotations);
  ASSERT_EQ(order.metadata.owner_references.size(), 1U);
  const auto& owner = order.metadata.owner_references[0];
  EXPECT_EQ(owner.kind, "CertificateRequest");
  EXPECT_EQ(owner.api_version, "cert-manager.io/v1");
  EXPECT_EQ(owner.name, "web-1");
  EXPECT_EQ(owner.uid, "uid-cr");
  EXPECT_EQ(owner.controller, true);
  EXPECT_EQ(order.spec.request, csr.pem);
  EXPECT_EQ(order.spec.issuer_ref, cr.spec.issuer_ref);
  EXPECT_EQ(order.spec.common_name, "a.example");
  EXPECT_EQ(order.spec.dns_names, std::vector<std::string>{"a.example"});
  EXPECT_EQ(order.spec.ip_addresses, std::vector<std::string>{"127.0.0.1"});
  EXPECT_FALSE(order.spec.duration);  // enableDurationFeature is off
  EXPECT_EQ(order.spec.profile, "shortlived");
  EXPECT_FALSE(order.spec.replaces);
  EXPECT_EQ(order.metadata.name, api::order_name("web-1", order.spec));
  EXPECT_EQ(order.metadata.name.rfind("web-1-", 0), 0U);
  // Same inputs, same name.
  EXPECT_EQ(build_order(cr, csr.parsed, issuer, std::nullopt).metadata.name, order.metadata.name);
}

TEST(AcmeOrder, DurationOnlyWithTheFeatureAndReplacesWhenGiven) {
  const auto csr = make_csr("a.example", {"a.example"}, {});
  const auto cr = request_for(csr);
  api::AcmeIssuer issuer;
  issuer.enable_duration_feature = true;
  const auto plain = build_order(cr, csr.parsed, api::AcmeIssuer{}, std::nullopt);
  const auto order = build_order(cr, csr.parsed, issuer, std::string("aki.serial"));
  ASSERT_TRUE(order.spec.duration);
  EXPECT_EQ(order.spec.duration->value, std::chrono::hours(24));
  EXPECT_EQ(order.spec.replaces, "aki.serial");
  EXPECT_NE(order.metadata.name, plain.metadata.name);
}

TEST(AcmeOrder, ReplacesFollowsRenewalInformationSource) {
  api::AcmeIssuer issuer;
  EXPECT_TRUE(wants_replaces(issuer));
  issuer.renewal_information_source = "ARI";
  EXPECT_TRUE(wants_replaces(issuer));
  issuer.renewal_information_source = "None";
  EXPECT_FALSE(wants_replaces(issuer));
}

TEST(AcmeOrder, OrderFitsIgnoresOnlyReplaces) {
  api::OrderSpec want;
  want.dns_names = {"a.example"};
  api::OrderSpec have = want;
  have.replaces = "x.y";
  EXPECT_TRUE(order_fits(want, have));
  have.profile = "classic";
  EXPECT_FALSE(order_fits(want, have));
  api::OrderSpec other_csr = want;
  other_csr.request = "another";
  EXPECT_FALSE(order_fits(want, other_csr));
}

api::Order order_in(std::string state) {
  api::Order order;
  order.metadata.name = "web-1-123";
  order.metadata.namespace_ = "team";
  order.status.state = std::move(state);
  return order;
}

TEST(AcmeOrder, FailedOrdersFailTheRequest) {
  const auto csr = make_csr("a.example", {"a.example"}, {});
  for (const std::string state : {"invalid", "expired", "errored"}) {
    auto order = order_in(state);
    order.status.reason = "no profile shortlived";
    const auto verdict = verdict_for_order(order, csr.parsed);
    ASSERT_EQ(verdict.kind, OrderVerdict::Kind::kOutcome);
    EXPECT_EQ(verdict.outcome.kind, Kind::kFailed) << state;
    EXPECT_EQ(verdict.outcome.reason, "OrderFailed");
    EXPECT_EQ(verdict.outcome.message,
              "Failed to wait for order resource \"web-1-123\" to become ready: order is in \"" +
                  state + "\" state: no profile shortlived");
  }
}

TEST(AcmeOrder, UnfinishedOrdersKeepTheRequestPending) {
  const auto csr = make_csr("a.example", {"a.example"}, {});
  const auto pending = verdict_for_order(order_in("pending"), csr.parsed);
  EXPECT_EQ(pending.outcome.kind, Kind::kPending);
  EXPECT_EQ(pending.outcome.reason, "OrderPending");
  EXPECT_EQ(pending.outcome.message,
            "Waiting on certificate issuance from order team/web-1-123: \"pending\"");
  const auto valid_without = verdict_for_order(order_in("valid"), csr.parsed);
  EXPECT_EQ(valid_without.outcome.kind, Kind::kPending);
  EXPECT_EQ(valid_without.outcome.message,
            "Waiting for order-controller to add certificate data to Order team/web-1-123");
}

crypto::Certificate leaf_for(const crypto::PublicKey& key, const crypto::PrivateKey& ca_key) {
  crypto::CertificateTemplate t;
  t.sans.dns_names = {"a.example"};
  t.not_before = signers_test::kNow;
  t.not_after = signers_test::kNow + std::chrono::hours(24);
  auto cert =
      crypto::sign_certificate(t, key, signers_test::ca_certificate("Test CA", ca_key), ca_key);
  EXPECT_TRUE(cert) << cert.error().message();
  return *cert;
}

TEST(AcmeOrder, ValidOrderIssuesOnlyForTheCsrsKey) {
  const auto csr = make_csr("a.example", {"a.example"}, {});
  const auto ca_key = new_key();
  auto order = order_in("valid");
  order.status.certificate = leaf_for(csr.parsed.public_key, ca_key).pem();
  const auto issued = verdict_for_order(order, csr.parsed);
  ASSERT_EQ(issued.kind, OrderVerdict::Kind::kOutcome);
  EXPECT_EQ(issued.outcome.kind, Kind::kIssued);
  EXPECT_EQ(issued.outcome.certificate, order.status.certificate);
  EXPECT_TRUE(issued.outcome.ca.empty());  // ACME sets no status.ca

  const auto other_key = new_key();
  order.status.certificate = leaf_for(other_key.public_key(), ca_key).pem();
  EXPECT_EQ(verdict_for_order(order, csr.parsed).kind, OrderVerdict::Kind::kRecreate);
  order.status.certificate = "not a certificate";
  EXPECT_EQ(verdict_for_order(order, csr.parsed).kind, OrderVerdict::Kind::kRecreate);
}

}  // namespace
}  // namespace certkeeper::certificaterequests
