#pragma once

#include <cstdint>
#include <mutex>
#include <random>

namespace certkeeper::common {

// A source of non-cryptographic randomness (jitter, picking a time in an ARI window). Key
// material never comes from here: lib/crypto uses OpenSSL's CSPRNG. Injected so unit tests are
// deterministic.
//
// Implementations must be thread-safe.
class Random {
 public:
  virtual ~Random() = default;
  // A uniform sample from [0, 1).
  virtual double uniform01() = 0;
};

// Mersenne Twister seeded from std::random_device; a mutex makes it thread-safe.
class SystemRandom final : public Random {
 public:
  SystemRandom();
  explicit SystemRandom(std::uint64_t seed);
  double uniform01() override;

 private:
  std::mutex mu_;
  std::mt19937_64 engine_;
};

}  // namespace certkeeper::common
