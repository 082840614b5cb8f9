#include "controller/certificates/ari.h"

#include <gtest/gtest.h>

#include "controller/certificates/policies.h"
#include "tests/support/fixed_random.h"
#include "tests/unit/certificates/fixtures.h"

namespace certkeeper::certificates {
namespace {

using std::chrono::hours;
using std::chrono::seconds;
using testing::at;

// One issued Certificate whose status describes its leaf, as readiness leaves it.
struct Issued : testing::IssuedCertificate {
  Issued() {
    certificate.status.not_before = leaf.not_before();
    certificate.status.not_after = leaf.not_after();
  }
  // status as the readiness controller leaves it after an ARI check with this window, having
  // chosen `chosen`.
  void with_ari(api::Time start, api::Time end, api::Time chosen) {
    api::CertificateAriStatus ari;
    ari.suggested_window = api::AriWindow{start, end};
    certificate.status.acme = api::CertificateAcmeStatus{ari};
    certificate.status.renewal_time = chosen;
  }
};

TEST(AriPollDelay, UsesRetryAfterClampedAndJittered) {
  certkeeper::testing::FixedRandom mid(0.5);  // factor exactly 1.0
  EXPECT_EQ(ari_poll_delay(std::nullopt, hours(6), mid), hours(6));
  EXPECT_EQ(ari_poll_delay(seconds(7200), hours(6), mid), seconds(7200));
  // Too short and too long Retry-After values are clamped to 1 h and 7 d, and never wait longer
  // than the poll interval.
  EXPECT_EQ(ari_poll_delay(seconds(5), hours(6), mid), hours(1));
  EXPECT_EQ(ari_poll_delay(hours(24 * 30), hours(24 * 30), mid), hours(24 * 7));
  EXPECT_EQ(ari_poll_delay(hours(24), hours(6), mid), hours(6));
  // A test's 3 s interval polls every 3 s even when the CA says 6 h.
  EXPECT_EQ(ari_poll_delay(hours(6), seconds(3), mid), seconds(3));
  // A poll interval under an hour lowers the floor to itself.
  EXPECT_EQ(ari_poll_delay(seconds(1), seconds(2), mid), seconds(2));
  EXPECT_EQ(ari_poll_delay(std::nullopt, seconds(30), mid), seconds(30));
}

TEST(AriPollDelay, JitterIsTenPercentEitherWay) {
  certkeeper::testing::FixedRandom low(0.0);
  certkeeper::testing::FixedRandom high(0.999999);
  EXPECT_EQ(ari_poll_delay(std::nullopt, seconds(1000), low), seconds(900));
  EXPECT_EQ(ari_poll_delay(std::nullopt, seconds(1000), high), seconds(1099));
}

TEST(AriRenewalTime, RandomInsideWindowInWholeSeconds) {
  const api::AriWindow window{at(10), at(20)};
  certkeeper::testing::FixedRandom zero(0.0);
  certkeeper::testing::FixedRandom half(0.5);
  EXPECT_EQ(ari_renewal_time(window, std::nullopt, at(1), zero), at(10));
  EXPECT_EQ(ari_renewal_time(window, std::nullopt, at(1), half), at(15));
  const auto t = ari_renewal_time(window, std::nullopt, at(1), half);
  EXPECT_EQ(t, std::chrono::time_point_cast<seconds>(t));
}

TEST(AriRenewalTime, KeepsAPreviousChoiceInsideTheWindow) {
  const api::AriWindow window{at(10), at(20)};
  certkeeper::testing::FixedRandom half(0.5);
  EXPECT_EQ(ari_renewal_time(window, at(12), at(1), half), at(12));
  // Outside the (moved) window: chosen again.
  EXPECT_EQ(ari_renewal_time(window, at(25), at(1), half), at(15));
}

TEST(AriRenewalTime, WindowInThePastMeansNow) {
  // A CA incident: the CA moves the window into the past to ask for immediate replacement.
  certkeeper::testing::FixedRandom half(0.5);
  EXPECT_EQ(ari_renewal_time({at(-5), at(-1)}, std::nullopt, at(1), half), at(1));
}

TEST(ScheduledRenewalTime, WithoutAriIsTheSpecsTime) {
  Issued i;
  EXPECT_EQ(scheduled_renewal_time(i.certificate, i.leaf), renewal_time_for(i.certificate, i.leaf));
}

TEST(ScheduledRenewalTime, AnEarlierAriChoiceWins) {
  Issued i;
  const auto normal = *renewal_time_for(i.certificate, i.leaf);
  i.with_ari(at(1), at(3), at(2));
  ASSERT_LT(at(2), normal);
  EXPECT_EQ(scheduled_renewal_time(i.certificate, i.leaf), at(2));
  // The trigger acts on it: renewal is due at hour 2, not before.
  EXPECT_EQ(trigger_policy({&i.certificate, &i.secret, &i.request, at(1)}), std::nullopt);
  auto hit = trigger_policy({&i.certificate, &i.secret, &i.request, at(2)});
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->reason, "Renewing");
}

TEST(ScheduledRenewalTime, ALaterAriChoiceDoesNotDelayRenewal) {
  Issued i;
  const auto normal = *renewal_time_for(i.certificate, i.leaf);
  i.with_ari(normal + hours(1), normal + hours(2), normal + hours(1));
  EXPECT_EQ(scheduled_renewal_time(i.certificate, i.leaf), normal);
}

TEST(ScheduledRenewalTime, AriOfAnOlderCertificateDoesNotApply) {
  // After a renewal the Secret holds a new leaf while status still describes the old one: the
  // old window must not trigger a second renewal.
  Issued i;
  i.with_ari(at(1), at(3), at(2));
  i.certificate.status.not_after = i.leaf.not_after() - hours(1);
  EXPECT_FALSE(status_describes(i.certificate.status, i.leaf));
  EXPECT_EQ(scheduled_renewal_time(i.certificate, i.leaf), renewal_time_for(i.certificate, i.leaf));
}

TEST(ScheduledRenewalTime, RenewalDisabledIgnoresAri) {
  Issued i;
  i.certificate.spec.renewal = api::CertificateRenewal{};
  i.certificate.spec.renewal->policy = api::kRenewalPolicyDisabled;
  i.with_ari(at(1), at(3), at(2));
  EXPECT_EQ(scheduled_renewal_time(i.certificate, i.leaf), std::nullopt);
}

}  // namespace
}  // namespace certkeeper::certificates
