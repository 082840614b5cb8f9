#pragma once

#include <signal.h>

#include <memory>
#include <stop_token>
#include <thread>

#include <spdlog/logger.h>

namespace certkeeper::cmd {

// Turns SIGTERM and SIGINT into a stop request for a long-running subcommand.
//
// Construct it before any other thread starts: it blocks both signals in the calling thread, so
// every thread started later inherits the mask and the signals reach only its own thread, which
// waits for one, logs "received SIGTERM, shutting down" and requests stop. Destroying it when the
// work ended on its own wakes and joins that thread. Owns that thread; not copyable.
class TerminationSignals {
 public:
  explicit TerminationSignals(std::shared_ptr<spdlog::logger> log);
  ~TerminationSignals();
  TerminationSignals(const TerminationSignals&) = delete;
  TerminationSignals& operator=(const TerminationSignals&) = delete;

  // False when the signals could not be blocked (then nothing waits for them).
  [[nodiscard]] bool ok() const { return ok_; }
  [[nodiscard]] std::stop_token token() const { return stop_.get_token(); }
  [[nodiscard]] bool stop_requested() const { return stop_.stop_requested(); }

 private:
  sigset_t signals_{};
  bool ok_ = false;
  std::stop_source stop_;
  std::jthread thread_;
};

}  // namespace certkeeper::cmd
