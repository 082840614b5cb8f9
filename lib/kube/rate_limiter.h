#pragma once

#include <chrono>
#include <mutex>

#include "lib/common/clock.h"

namespace certkeeper::kube {

// A token bucket: `burst` requests at once, then `qps` per second on average (client-go's
// client-side limiter). qps <= 0 means unlimited.
//
// Thread-safe. reserve() never sleeps itself: it returns how long the caller must wait, so the
// arithmetic is unit-tested with a FakeClock and the REST client does the sleeping.
class TokenBucket {
 public:
  TokenBucket(double qps, int burst, const common::Clock& clock);

  // Takes one token and returns the delay before the request may go (zero if one was free).
  std::chrono::nanoseconds reserve();
  // Takes a token only if one is free now; never goes into debt (for drop-if-over filters).
  bool try_take();

 private:
  void refill_locked();

  std::mutex mu_;
  double qps_;
  double burst_;
  double tokens_;
  std::chrono::steady_clock::time_point last_;
  const common::Clock& clock_;
};

}  // namespace certkeeper::kube
