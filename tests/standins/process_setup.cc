#include "tests/standins/process_setup.h"

#include <pthread.h>

#include <exception>
#include <iostream>

#include "lib/common/clock.h"
#include "lib/common/log.h"
#include "lib/kube/config.h"

namespace certkeeper::standins {

sigset_t block_stop_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

int guarded_main(const char* name, int (*run)(int, char**), int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << name << ": " << e.what() << '\n';
    return 1;
  }
}

std::string wait_for_signal(const sigset_t& signals) {
  int received = 0;
  sigwait(&signals, &received);
  return received == SIGTERM ? "SIGTERM" : "SIGINT";
}

common::Result<std::unique_ptr<kube::Client>> setup(const std::string& kubeconfig,
                                                    const std::string& level) {
  if (auto status = common::init_logging({.level = level}); !status) {
    return common::make_error(status.error());
  }
  const auto& clock = common::SystemClock::instance();
  auto config = kube::load_kubeconfig({.path = kubeconfig}, clock);
  if (!config) {
    return common::make_error(config.error());
  }
  config->qps = 0;
  return kube::Client::create(std::move(*config), clock);
}

}  // namespace certkeeper::standins
