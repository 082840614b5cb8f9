#include "lib/kube/rate_limiter.h"

#include <algorithm>

namespace certkeeper::kube {

TokenBucket::TokenBucket(double qps, int burst, const common::Clock& clock)
    : qps_(qps),
      burst_(static_cast<double>(std::max(burst, 1))),
      tokens_(burst_),
      last_(clock.steady_now()),
      clock_(clock) {}

std::chrono::nanoseconds TokenBucket::reserve() {
  if (qps_ <= 0) {
    return std::chrono::nanoseconds(0);
  }
  std::lock_guard lock(mu_);
  refill_locked();
  // Take the token even if that drives the bucket negative: the debt is what later callers wait
  // behind, which keeps the long-run rate at qps however many threads ask at once.
  tokens_ -= 1.0;
  if (tokens_ >= 0) {
    return std::chrono::nanoseconds(0);
  }
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
      std::chrono::duration<double>(-tokens_ / qps_));
}

void TokenBucket::refill_locked() {
  const auto now = clock_.steady_now();
  const std::chrono::duration<double> elapsed = now - last_;
  last_ = now;
  tokens_ = std::min(burst_, tokens_ + elapsed.count() * qps_);
}

bool TokenBucket::try_take() {
  if (qps_ <= 0) {
    return true;
  }
  std::lock_guard lock(mu_);
  refill_locked();
  if (tokens_ < 1.0) {
    return false;
  }
  tokens_ -= 1.0;
  return true;
}

}  // namespace certkeeper::kube
