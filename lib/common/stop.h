#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stop_token>

namespace certkeeper::common {

// Sleeps for `d`, or less if a stop is requested on `stop` meanwhile: the wait between retries
// of a long-running loop (informer relists, leader election) that must end promptly on shutdown.
inline void sleep_unless_stopped(std::stop_token stop, std::chrono::nanoseconds d) {
  std::mutex mu;
  std::condition_variable_any cv;
  std::unique_lock lock(mu);
  cv.wait_for(lock, stop, d, [] { return false; });
}

}  // namespace certkeeper::common
