#pragma once

// The I/O half of the pod runner stand-in: a Pod's network namespace with its veth pair, and its
// process (tests/standins/README.md). Needs root (CAP_NET_ADMIN, CAP_SYS_ADMIN) and iproute2.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

#include "lib/common/error.h"
#include "tests/standins/pod_model.h"

namespace certkeeper::standins {

// Runs `ip ARGS...` (iproute2, found in /usr/sbin, /sbin or on PATH) to completion; an error
// carries its stderr.
common::Status run_ip(const std::vector<std::string>& args);

// One Pod's network: namespace `netns` holding `eth0` (the Pod address, loopback up, default
// route via the host side) and, in the host namespace, `host_if` with the host address of the
// same /30. A marker file in `marker_dir` names both while they exist, so that a runner that
// was SIGKILLed can remove them on its next start (remove_leftovers).
//
// Owns the namespace and both veth ends: the destructor deletes them (killing any process still
// inside first). Not thread-safe; one owner.
class PodNetwork {
 public:
  static common::Result<std::unique_ptr<PodNetwork>> create(
      std::string netns, std::string host_if, PodAddresses addresses,
      const std::filesystem::path& marker_dir);
  ~PodNetwork();
  PodNetwork(const PodNetwork&) = delete;
  PodNetwork& operator=(const PodNetwork&) = delete;

  [[nodiscard]] const std::string& netns() const { return netns_; }
  [[nodiscard]] const PodAddresses& addresses() const { return addresses_; }

 private:
  PodNetwork(std::string netns, std::string host_if, PodAddresses addresses,
             std::filesystem::path marker)
      : netns_(std::move(netns)),
        host_if_(std::move(host_if)),
        addresses_(std::move(addresses)),
        marker_(std::move(marker)) {}
  static void destroy(const std::string& netns, const std::string& host_if);
  friend void remove_leftovers(const std::filesystem::path& marker_dir);

  std::string netns_;
  std::string host_if_;
  PodAddresses addresses_;
  std::filesystem::path marker_;
};

// Removes the namespaces and interfaces whose marker files a previous runner left in
// `marker_dir` (it was killed before it could clean up), and kills what still runs in them.
void remove_leftovers(const std::filesystem::path& marker_dir);

// One run of a Pod's container: `ip netns exec NETNS argv...` with the plan's environment only,
// stdout and stderr appended to `log_path`, stdin /dev/null, in its own process group, signals
// at their defaults.
//
// Owns the child: the destructor stops it (SIGTERM to its group, SIGKILL after 2 s) and reaps
// it. Not thread-safe; one owner.
class PodProcess {
 public:
  static common::Result<std::unique_ptr<PodProcess>> spawn(const std::string& netns,
                                                           const LaunchPlan& plan,
                                                           const std::filesystem::path& log_path);
  ~PodProcess();
  PodProcess(const PodProcess&) = delete;
  PodProcess& operator=(const PodProcess&) = delete;

  // The exit code once the process has ended (128 + N when killed by signal N, as a container
  // runtime reports it); nullopt while it runs. Never blocks.
  std::optional<int> poll_exit();
  // SIGTERM to the process group, then SIGKILL after `grace`; reaps it. Idempotent.
  void stop(std::chrono::milliseconds grace = std::chrono::seconds(2));
  [[nodiscard]] pid_t pid() const { return pid_; }

 private:
  explicit PodProcess(pid_t pid) : pid_(pid) {}
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
};

// Whether a TCP connection to ip:port is accepted within `timeout` (the readiness check).
bool port_accepts(const std::string& ip, std::uint16_t port, std::chrono::milliseconds timeout);

}  // namespace certkeeper::standins
