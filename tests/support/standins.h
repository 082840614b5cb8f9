#pragma once

// The test stand-ins (tests/standins/README.md) for a gtest suite: ck-pod-runner and
// ck-ingress-router for one namespace, started by tests/support/standins.sh in the constructor
// and stopped in the destructor (every Pod process stopped, every network namespace removed).
//
//   testing::Standins standins({.ns = ns, .router_address = "127.0.77.1",
//                               .certkeeper = CK_CERTKEEPER_BIN, .dir = scratch / "standins",
//                               .kubeconfig = env.kubeconfig()});
//   ASSERT_TRUE(standins.ok()) << standins.error();
//
// Needs root (network namespaces). The router listens on port 80 of router_address, where
// Pebble (`tools/testenv pebble NAME --http01-port 80`) and the controller's self-check connect
// once BIND9 answers the test's names with that address.

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "lib/common/subprocess.h"

namespace certkeeper::testing {

struct StandinsOptions {
  std::string ns;
  std::string router_address = "127.0.77.1";
  std::string certkeeper;     // the binary that stands in for the certkeeper image
  std::filesystem::path dir;  // pid files, logs, each Pod's log under pods/
  std::string kubeconfig;
  // Empty: the script's defaults (build/dev/tests/standins/…, the first free 10.250.N.0/24).
  std::string pod_runner;
  std::string ingress_router;
  std::string subnet;
  // The script; empty: tests/support/standins.sh under CK_SOURCE_DIR.
  std::string script;
};

// Owns both stand-in processes (through the script's pid files). Not thread-safe; one per
// namespace. A failed start is reported by ok()/error(), not thrown, so the suite can assert.
class Standins {
 public:
  explicit Standins(StandinsOptions options) : options_(std::move(options)) {
    if (options_.script.empty()) {
#ifdef CK_SOURCE_DIR
      options_.script = std::string(CK_SOURCE_DIR) + "/tests/support/standins.sh";
#else
      error_ = "StandinsOptions::script is empty and CK_SOURCE_DIR is not defined";
      return;
#endif
    }
    auto result = common::run_process({"bash", options_.script, "start", options_.dir.string(),
                                       options_.ns, options_.router_address, options_.certkeeper},
                                      {.env = environment(), .timeout = std::chrono::seconds(90)});
    if (!result) {
      error_ = result.error().message();
    } else if (!result->success()) {
      error_ = result->stdout_data + result->stderr_data;
    } else {
      started_ = true;
    }
  }
  ~Standins() { stop(); }
  Standins(const Standins&) = delete;
  Standins& operator=(const Standins&) = delete;

  [[nodiscard]] bool ok() const { return started_; }
  [[nodiscard]] const std::string& error() const { return error_; }
  // Where the logs are: pod-runner.log, ingress-router.log, pods/<ns>_<pod>.log; the file
  // `subnet` there names the Pod subnet in use.
  [[nodiscard]] const std::filesystem::path& dir() const { return options_.dir; }

  // Stops both (idempotent); the script waits for the runner to remove every namespace.
  void stop() {
    if (options_.script.empty()) {
      return;
    }
    (void)common::run_process({"bash", options_.script, "stop", options_.dir.string()},
                              {.env = environment(), .timeout = std::chrono::seconds(90)});
    started_ = false;
  }

 private:
  [[nodiscard]] std::vector<std::pair<std::string, std::string>> environment() const {
    std::vector<std::pair<std::string, std::string>> env;
    const auto set = [&env](const char* name, const std::string& value) {
      if (!value.empty()) {
        env.emplace_back(name, value);
      }
    };
    set("KUBECONFIG", options_.kubeconfig);
    set("CK_POD_RUNNER", options_.pod_runner);
    set("CK_INGRESS_ROUTER", options_.ingress_router);
    set("CK_STANDINS_SUBNET", options_.subnet);
    return env;
  }

  StandinsOptions options_;
  bool started_ = false;
  std::string error_;
};

}  // namespace certkeeper::testing
