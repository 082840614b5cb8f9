#pragma once

#include <chrono>

namespace certkeeper::common {

// The time source. Everything that reads the time takes a Clock so that unit tests can drive
// time by hand (tests/support/fake_clock.h) instead of sleeping.
//
// Implementations must be thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time, for certificate validity and timestamps written to the API.
  [[nodiscard]] virtual std::chrono::system_clock::time_point now() const = 0;
  // Monotonic time, for timeouts, backoff and timers.
  [[nodiscard]] virtual std::chrono::steady_clock::time_point steady_now() const = 0;
};

// The real clocks of the process.
class SystemClock final : public Clock {
 public:
  [[nodiscard]] std::chrono::system_clock::time_point now() const override;
  [[nodiscard]] std::chrono::steady_clock::time_point steady_now() const override;
  // A process-wide instance for production wiring; tests inject their own.
  static const SystemClock& instance();
};

}  // namespace certkeeper::common
