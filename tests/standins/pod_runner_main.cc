// ck-pod-runner: runs HTTP-01 solver Pods as local processes in network namespaces of their own
// and reports them Running, for a test cluster without scheduler or kubelet (README.md).
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "lib/common/clock.h"
#include "lib/common/log.h"
#include "tests/standins/pod_runner.h"
#include "tests/standins/process_setup.h"

namespace {

int run(int argc, char** argv) {
  using namespace certkeeper;  // NOLINT(google-build-using-namespace): a main() of a test tool
  CLI::App app{"ck-pod-runner: the kubelet stand-in for HTTP-01 solver Pods"};
  std::string kubeconfig;
  std::string log_level = "info";
  std::vector<std::string> image_flags;
  standins::PodRunnerOptions options;
  app.add_option("--kubeconfig", kubeconfig, "Kubeconfig of the test cluster")->required();
  app.add_option("--namespace", options.ns, "Namespace whose Pods to run")->required();
  app.add_option("--selector", options.label_selector, "Label selector of the Pods to run")
      ->capture_default_str();
  app.add_option("--image", image_flags,
                 "REPO=BINARY: the local binary that stands in for an image's entrypoint")
      ->required();
  app.add_option("--subnet", options.subnet, "IPv4 subnet for Pod addresses, one /30 per Pod")
      ->required();
  app.add_option("--state-dir", options.state_dir, "Directory for Pod logs and netns markers")
      ->required();
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  for (const auto& flag : image_flags) {
    auto entry = standins::parse_image_flag(flag);
    if (!entry) {
      std::cerr << "ck-pod-runner: " << entry.error().message() << '\n';
      return 2;
    }
    options.images[entry->first] = std::filesystem::absolute(entry->second).string();
  }
  std::error_code ec;
  std::filesystem::create_directories(options.state_dir, ec);
  options.state_dir = std::filesystem::absolute(options.state_dir);

  const auto signals = standins::block_stop_signals();
  auto client = standins::setup(kubeconfig, log_level);
  if (!client) {
    std::cerr << "ck-pod-runner: " << client.error().message() << '\n';
    return 1;
  }
  auto runner = standins::PodRunner::create(**client, options, common::SystemClock::instance());
  if (!runner) {
    std::cerr << "ck-pod-runner: " << runner.error().message() << '\n';
    return 2;
  }
  auto log = common::logger("pod-runner");
  (*runner)->start();
  if ((*runner)->wait_for_sync(std::chrono::seconds(30))) {
    log->info("watching Pods in namespace {} ({}); subnet {}", options.ns, options.label_selector,
              options.subnet);
  } else {
    log->warn("the Pod informer has not synced after 30 s; still trying");
  }
  const std::string received = standins::wait_for_signal(signals);
  log->info("received {}: stopping every process and removing every namespace", received);
  (*runner)->stop();
  log->info("stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return certkeeper::standins::guarded_main("ck-pod-runner", run, argc, argv);
}
