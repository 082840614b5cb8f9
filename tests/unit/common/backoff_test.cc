#include "lib/common/backoff.h"

#include <limits>

#include <gtest/gtest.h>

namespace certkeeper::common {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(Backoff, NoDelayBeforeTheFirstFailure) {
  const BackoffPolicy p{seconds(1), seconds(60)};
  EXPECT_EQ(backoff_delay(p, 0), milliseconds(0));
  EXPECT_EQ(backoff_delay(p, -3), milliseconds(0));
}

// cert-manager's issuance failure backoff: 1h·2^(n−1), at most 32h.
TEST(Backoff, CertManagerIssuanceBackoffSequence) {
  const BackoffPolicy p{hours(1), hours(32)};
  EXPECT_EQ(backoff_delay(p, 1), hours(1));
  EXPECT_EQ(backoff_delay(p, 2), hours(2));
  EXPECT_EQ(backoff_delay(p, 3), hours(4));
  EXPECT_EQ(backoff_delay(p, 6), hours(32));
  EXPECT_EQ(backoff_delay(p, 7), hours(32));
}

TEST(Backoff, HugeFailureCountsStayAtTheCap) {
  const BackoffPolicy p{milliseconds(5), seconds(1000)};
  EXPECT_EQ(backoff_delay(p, std::numeric_limits<int>::max()), seconds(1000));
}

TEST(Backoff, JitterStretchesWithinItsFraction) {
  const BackoffPolicy p{seconds(10), seconds(100), 2.0, 0.5};
  EXPECT_EQ(backoff_delay(p, 1, 0.0), seconds(10));
  EXPECT_EQ(backoff_delay(p, 1, 0.5), milliseconds(12500));
  // Samples outside [0, 1) are clamped rather than trusted.
  EXPECT_EQ(backoff_delay(p, 1, 7.0), seconds(15));
  EXPECT_EQ(backoff_delay(p, 10, 0.999), milliseconds(149950));
}

TEST(Backoff, NonDoublingFactor) {
  const BackoffPolicy p{milliseconds(100), seconds(10), 1.5};
  EXPECT_EQ(backoff_delay(p, 3), milliseconds(225));
}

}  // namespace
}  // namespace certkeeper::common
