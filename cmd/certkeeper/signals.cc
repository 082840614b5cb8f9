#include "cmd/certkeeper/signals.h"

#include <pthread.h>

#include <utility>

namespace certkeeper::cmd {

TerminationSignals::TerminationSignals(std::shared_ptr<spdlog::logger> log) {
  sigemptyset(&signals_);
  sigaddset(&signals_, SIGTERM);
  sigaddset(&signals_, SIGINT);
  if (pthread_sigmask(SIG_BLOCK, &signals_, nullptr) != 0) {
    return;
  }
  ok_ = true;
  thread_ = std::jthread([this, log = std::move(log)] {
    int received = 0;
    if (sigwait(&signals_, &received) == 0 && !stop_.stop_requested()) {
      log->info("received {}, shutting down", received == SIGTERM ? "SIGTERM" : "SIGINT");
    }
    stop_.request_stop();
  });
}

TerminationSignals::~TerminationSignals() {
  if (!thread_.joinable()) {
    return;
  }
  if (!stop_.stop_requested()) {
    // The work ended on its own: wake the waiting thread with a signal only it receives.
    stop_.request_stop();
    pthread_kill(thread_.native_handle(), SIGTERM);
  }
  thread_.join();
}

}  // namespace certkeeper::cmd
