#pragma once

#include <chrono>
#include <mutex>

#include "lib/common/clock.h"

namespace certkeeper::testing {

// A Clock that moves only when the test says so. Thread-safe.
class FakeClock final : public common::Clock {
 public:
  explicit FakeClock(std::chrono::system_clock::time_point start =
                         std::chrono::system_clock::time_point(std::chrono::hours(490000)))
      : wall_(start) {}

  [[nodiscard]] std::chrono::system_clock::time_point now() const override {
    std::lock_guard lock(mu_);
    return wall_;
  }
  [[nodiscard]] std::chrono::steady_clock::time_point steady_now() const override {
    std::lock_guard lock(mu_);
    return steady_;
  }
  // Moves both clocks forward by `d`.
  void advance(std::chrono::nanoseconds d) {
    std::lock_guard lock(mu_);
    wall_ += std::chrono::duration_cast<std::chrono::system_clock::duration>(d);
    steady_ += d;
  }

 private:
  mutable std::mutex mu_;
  std::chrono::system_clock::time_point wall_;
  std::chrono::steady_clock::time_point steady_{};
};

}  // namespace certkeeper::testing
