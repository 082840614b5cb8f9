#include "lib/common/backoff.h"

#include <algorithm>

namespace certkeeper::common {

std::chrono::milliseconds backoff_delay(const BackoffPolicy& policy, int failures,
                                        double unit_random) {
  if (failures <= 0) {
    return std::chrono::milliseconds(0);
  }
  const auto cap = static_cast<double>(policy.max.count());
  auto delay = static_cast<double>(policy.initial.count());
  // Multiply step by step and stop at the cap: factor^failures would overflow for large counts.
  for (int i = 1; i < failures && delay < cap; ++i) {
    delay *= policy.factor;
  }
  delay = std::min(delay, cap);
  if (policy.jitter > 0.0) {
    delay += delay * policy.jitter * std::clamp(unit_random, 0.0, 1.0);
  }
  return std::chrono::milliseconds(static_cast<std::chrono::milliseconds::rep>(delay));
}

}  // namespace certkeeper::common
