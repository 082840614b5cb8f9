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

common::Status apply_crds() {
  const std::string dir = std::string(CK_SOURCE_DIR) + "/crds/";
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"apply", "--server-side", "--force-conflicts", "-f", dir},
           {"wait", "--for=condition=Established", "--timeout=60s", "-f", dir}}) {
    auto run = kubectl(args);
    if (!run) {
      return tl::unexpected(run.error());
    }
    if (run->exit_code != 0) {
      return common::make_error(common::ErrorCode::kInternal,
                                fmt::format("kubectl {}: {}", args.front(), run->stderr_data));
    }
  }
  return common::ok();
}

std::string unique_name(const std::string& prefix) {
  static std::atomic<int> counter{0};
  return fmt::format("{}-{}-{}", prefix, ::getpid(), counter.fetch_add(1));
}

}  // namespace certkeeper::testing
