#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "lib/common/error.h"

namespace certkeeper::testing {

// A whole file's contents, empty if it cannot be read (the caller's assertions then say what is
// missing).
std::string read_text_file(const std::filesystem::path& path);

// Parses the env file that `tools/testenv up` writes: KEY=VALUE lines, '#' comments, no quoting.
// Pure; unit-tested.
common::Result<std::map<std::string, std::string>> parse_env_file(const std::string& content);

// The running test environment (kube-apiserver + etcd + kube-controller-manager, Pebble,
// pebble-challtestsrv, BIND9) as integration tests see it.
//
// How it is found: $CK_TESTENV_FILE names the env file of an environment that ctest's
// `testenv.up` fixture (or a person running `tools/testenv up`) started. If it is unset, the
// first call to get() starts a private environment in a temporary directory with
// `tools/testenv up --owner-pid <this process>` and tears it down at exit; the watchdog that
// --owner-pid starts tears it down even if this process crashes.
//
// Thread-safe after the first get().
class TestEnv {
 public:
  // The environment, started if needed. Aborts the test binary with a message naming the
  // failing component if it cannot be brought up: integration tests have nothing to run without.
  static const TestEnv& get();

  // A value from the env file (e.g. "KUBECONFIG", "CK_ACME_DIRECTORY"); aborts if absent,
  // naming the key, since a missing key means the env file and this code disagree.
  [[nodiscard]] const std::string& at(const std::string& key) const;

  [[nodiscard]] std::string kubeconfig() const { return at("KUBECONFIG"); }
  [[nodiscard]] std::string kubectl() const { return at("CK_KUBECTL"); }
  [[nodiscard]] std::string apiserver_url() const { return at("CK_KUBE_APISERVER_URL"); }
  [[nodiscard]] std::string acme_directory() const { return at("CK_ACME_DIRECTORY"); }
  [[nodiscard]] std::filesystem::path log_dir() const { return at("CK_LOG_DIR"); }

  // Restarts one component ("kube-apiserver", "etcd") in place and waits until it is ready
  // again. Only for suites that run serially (ctest RUN_SERIAL): others share the environment.
  [[nodiscard]] common::Status restart(const std::string& component) const;

 private:
  explicit TestEnv(std::map<std::string, std::string> values) : values_(std::move(values)) {}
  std::map<std::string, std::string> values_;
};

}  // namespace certkeeper::testing
