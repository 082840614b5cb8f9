#pragma once

#include "lib/common/random.h"

namespace certkeeper::testing {

// A Random that always returns the same sample, for choices such as the time picked in an ARI
// window. Immutable, so thread-safe.
class FixedRandom final : public common::Random {
 public:
  explicit FixedRandom(double value) : value_(value) {}
  double uniform01() override { return value_; }

 private:
  double value_;
};

}  // namespace certkeeper::testing
