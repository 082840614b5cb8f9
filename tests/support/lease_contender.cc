// A candidate in a leader election, for tests: while it leads it appends "TICK <id> <µs>" to its
// output file every 20 ms, after "START"; "STOP" when its work is stopped. Two of these contend
// for one Lease in integration/leader_election_test.cc, which then checks from the timestamps
// that their leadership never overlapped. SIGTERM stops it cleanly (and releases the lease).
//
//   lease_contender KUBECONFIG NAMESPACE LEASE IDENTITY OUT_FILE LEASE_MS RENEW_MS RETRY_MS
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>

#include "lib/common/clock.h"
#include "lib/common/log.h"
#include "lib/kube/leader_election.h"

namespace {

std::int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

int main(int argc, char** argv) {
  using namespace certkeeper;  // NOLINT(google-build-using-namespace): a test tool's main
  if (argc != 9) {
    std::cerr << "usage: lease_contender KUBECONFIG NAMESPACE LEASE IDENTITY OUT LEASE_MS "
                 "RENEW_MS RETRY_MS\n";
    return 2;
  }
  (void)common::init_logging({"info", common::LogFormat::kText});
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  const auto& clock = common::SystemClock::instance();
  auto config = kube::load_kubeconfig({.path = argv[1]}, clock);
  if (!config) {
    std::cerr << config.error().message() << '\n';
    return 1;
  }
  auto client = kube::Client::create(std::move(*config), clock);
  kube::LeaderElector elector(*client,
                              {.lease_namespace = argv[2],
                               .lease_name = argv[3],
                               .identity = argv[4],
                               .lease_duration = std::chrono::milliseconds(std::stoi(argv[6])),
                               .renew_deadline = std::chrono::milliseconds(std::stoi(argv[7])),
                               .retry_period = std::chrono::milliseconds(std::stoi(argv[8]))},
                              clock);
  const std::string id = argv[4];
  std::ofstream out(argv[5], std::ios::app);

  std::stop_source stop;
  std::thread signal_waiter([&] {
    int sig = 0;
    sigwait(&signals, &sig);
    stop.request_stop();
  });
  signal_waiter.detach();

  auto status = elector.run(stop.get_token(), [&](std::stop_token work) {
    out << "START " << id << ' ' << now_us() << std::endl;
    while (!work.stop_requested()) {
      out << "TICK " << id << ' ' << now_us() << std::endl;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    out << "STOP " << id << ' ' << now_us() << std::endl;
  });
  if (!status) {
    std::cerr << status.error().message() << '\n';
    return 1;
  }
  return 0;
}
