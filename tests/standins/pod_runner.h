#pragma once

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "lib/common/clock.h"
#include "lib/common/error.h"
#include "lib/kube/client.h"
#include "lib/kube/informer.h"
#include "tests/standins/pod_model.h"
#include "tests/standins/pod_sandbox.h"

namespace certkeeper::standins {

struct PodRunnerOptions {
  std::string ns;
  std::string label_selector = "acme.cert-manager.io/http01-solver=true";
  ImageTable images;
  std::string subnet;  // e.g. 10.250.1.0/24, one /30 per Pod
  std::filesystem::path state_dir;
  // How often the control loop looks at processes (exit, readiness) when no Pod event wakes it.
  std::chrono::milliseconds tick{200};
};

// The kubelet stand-in for HTTP-01 solver Pods (tests/standins/README.md). A level-based control
// loop compares the Pods in its informer's cache with what it runs: a new Pod gets a network
// namespace and its container's process; a Pod that is gone (or being deleted) has its process
// stopped and namespace removed; each running Pod's status (phase, IPs, conditions, container
// state) is written to the status subresource whenever it changes.
//
// Owns its informer, its control-loop thread, and every process and namespace it made.
// Lifecycle: create(), start(), stop() (also run by the destructor), which stops every process
// and removes every namespace. start()/stop() from one thread.
class PodRunner {
 public:
  // kInvalidArgument for a bad subnet. Removes namespaces an earlier, killed runner with the
  // same state directory left behind.
  static common::Result<std::unique_ptr<PodRunner>> create(kube::Client& client,
                                                           PodRunnerOptions options,
                                                           const common::Clock& clock);
  ~PodRunner();
  PodRunner(const PodRunner&) = delete;
  PodRunner& operator=(const PodRunner&) = delete;

  void start();
  bool wait_for_sync(std::chrono::milliseconds timeout) const;
  void stop();

 private:
  PodRunner(kube::Client& client, PodRunnerOptions options, SubnetAllocator subnet,
            const common::Clock& clock);

  // One Pod the runner has seen. Members are destroyed in reverse order: the process is stopped
  // before its namespace is removed.
  struct Entry {
    std::string name;
    LaunchPlan plan;
    std::optional<std::string> unrunnable;  // why it stays Pending
    nlohmann::json pending_status;          // the Pending status that says so
    std::unique_ptr<PodNetwork> network;
    std::unique_ptr<PodProcess> process;
    ContainerRun run;
    std::chrono::system_clock::time_point restart_at;
    nlohmann::json written;  // the status last written successfully
  };

  void loop(const std::stop_token& stop);
  void sync_once();
  void admit(const nlohmann::json& pod);
  common::Status launch(Entry& entry);
  void step(Entry& entry);
  void release(Entry& entry);
  void write_status(Entry& entry, const nlohmann::json& status);

  kube::Client& client_;
  PodRunnerOptions options_;
  SubnetAllocator subnet_;
  const common::Clock& clock_;
  kube::Informer informer_;
  std::map<std::string, Entry> entries_;  // by Pod UID; control-loop thread only

  std::mutex mu_;
  std::condition_variable_any wake_;
  bool dirty_ = false;
  std::jthread thread_;
};

}  // namespace certkeeper::standins
