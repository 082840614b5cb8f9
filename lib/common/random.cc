#include "lib/common/random.h"

namespace certkeeper::common {

SystemRandom::SystemRandom() : engine_(std::random_device{}()) {}

SystemRandom::SystemRandom(std::uint64_t seed) : engine_(seed) {}

double SystemRandom::uniform01() {
  std::lock_guard lock(mu_);
  return std::uniform_real_distribution<double>(0.0, 1.0)(engine_);
}

}  // namespace certkeeper::common
