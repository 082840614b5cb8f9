#include "tests/support/kubectl.h"

#include <unistd.h>

#include <atomic>

#include <fmt/format.h>

#include "tests/support/testenv.h"

namespace certkeeper::testing {

common::Result<common::ProcessResult> kubectl(const std::vector<std::string>& args,
                                              const std::string& stdin_data) {
  const TestEnv& env = TestEnv::get();
  std::vector<std::string> argv = {env.kubectl(), "--kubeconfig", env.kubeconfig()};
  argv.insert(argv.end(), args.begin(), args.end());
  common::ProcessOptions options;
  options.stdin_data = stdin_data;
  options.timeout = std::chrono::seconds(60);
  return common::run_process(argv, options);
}

std::string unique_name(const std::string& prefix) {
  static std::atomic<int> counter{0};
  return fmt::format("{}-{}-{}", prefix, ::getpid(), counter.fetch_add(1));
}

}  // namespace certkeeper::testing
