#pragma once

#include <chrono>

namespace certkeeper::common {

// Exponential backoff: initial · factor^(failures−1), capped at max, optionally stretched by up
// to `jitter` (a fraction) so that many keys failing together do not retry in lockstep.
//
// cert-manager's issuance failure backoff (1h·2^(n−1), at most 32h) is
// BackoffPolicy{std::chrono::hours(1), std::chrono::hours(32)}.
struct BackoffPolicy {
  std::chrono::milliseconds initial{std::chrono::seconds(1)};
  std::chrono::milliseconds max{std::chrono::minutes(5)};
  double factor = 2.0;
  double jitter = 0.0;
};

// The delay after `failures` consecutive failures. Zero when failures <= 0. `unit_random` is a
// sample from [0, 1) (from common::Random, or fixed in tests); it only matters when jitter > 0.
// The result never exceeds policy.max · (1 + jitter), and never overflows for large `failures`.
std::chrono::milliseconds backoff_delay(const BackoffPolicy& policy, int failures,
                                        double unit_random = 0.0);

}  // namespace certkeeper::common
