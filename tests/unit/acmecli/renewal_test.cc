#include "lib/acmecli/renewal.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lib/crypto/signer.h"
#include "tests/support/fixed_random.h"

namespace certkeeper::acmecli {
namespace {

using std::chrono::hours;
using ::testing::HasSubstr;
using ::testing::StartsWith;

using testing::FixedRandom;

// A self-signed certificate valid for 90 days from `not_before`.
crypto::Certificate certificate(std::chrono::system_clock::time_point not_before) {
  auto key = crypto::PrivateKey::generate(crypto::KeyAlgorithm::kEcdsa);
  crypto::CertificateTemplate t;
  t.subject.common_name = "renew.example";
  t.sans.dns_names = {"renew.example"};
  t.not_before = not_before;
  t.not_after = not_before + hours(24 * 90);
  auto cert = crypto::sign_certificate(t, key->public_key(), std::nullopt, *key);
  EXPECT_TRUE(cert) << cert.error().message();
  return *cert;
}

const auto kStart = std::chrono::system_clock::time_point(hours(480000));

TEST(DecideRenewal, WithoutAriRenewsWhenAThirdOfTheLifetimeRemains) {
  FixedRandom random(0.5);
  const auto cert = certificate(kStart);
  const auto due = kStart + hours(24 * 60);
  auto early = decide_renewal(cert, std::nullopt, due - hours(1), random, false);
  EXPECT_FALSE(early.renew);
  EXPECT_THAT(early.reason, StartsWith("not due: no renewal information"));
  EXPECT_EQ(early.renew_at, due);
  auto late = decide_renewal(cert, std::nullopt, due, random, false);
  EXPECT_TRUE(late.renew);
  EXPECT_THAT(late.reason, StartsWith("due:"));
}

TEST(DecideRenewal, WithAriRenewsFromTheTimePickedInTheWindow) {
  const auto cert = certificate(kStart);
  const acme::RenewalInfo info{.window_start = kStart + hours(10),
                               .window_end = kStart + hours(20)};
  FixedRandom quarter(0.25);
  auto before = decide_renewal(cert, info, kStart + hours(12), quarter, false);
  EXPECT_FALSE(before.renew);
  EXPECT_EQ(before.renew_at, kStart + hours(10) + std::chrono::minutes(150));
  EXPECT_THAT(before.reason, HasSubstr("renewal window"));
  auto after = decide_renewal(cert, info, kStart + hours(13), quarter, false);
  EXPECT_TRUE(after.renew);
  // ARI wins over the lifetime rule: a window far before the 2/3 point still triggers.
  EXPECT_TRUE(decide_renewal(cert, info, kStart + hours(21), quarter, false).renew);
}

TEST(DecideRenewal, ForceRenewsAndSaysSo) {
  FixedRandom random(0.5);
  const auto cert = certificate(kStart);
  auto forced = decide_renewal(cert, std::nullopt, kStart, random, true);
  EXPECT_TRUE(forced.renew);
  EXPECT_THAT(forced.reason, StartsWith("--force"));
}

}  // namespace
}  // namespace certkeeper::acmecli
