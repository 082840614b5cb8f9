#pragma once

#include <chrono>
#include <functional>
#include <thread>

namespace certkeeper::testing {

// Polls `condition` every `interval` until it returns true or `timeout` passes; returns the last
// result. For waiting on real components in integration tests, never in unit tests (those
// drive a FakeClock instead).
inline bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout,
                       std::chrono::milliseconds interval = std::chrono::milliseconds(200)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (condition()) {
      return true;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return false;
    }
    std::this_thread::sleep_for(interval);
  }
}

}  // namespace certkeeper::testing
