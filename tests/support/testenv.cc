#include "tests/support/testenv.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include <fmt/format.h>

#include "lib/common/subprocess.h"

#ifndef CK_SOURCE_DIR
#error "CK_SOURCE_DIR must point at the repository root (set by tests/CMakeLists.txt)"
#endif

namespace certkeeper::testing {
namespace {

[[noreturn]] void fail(const std::string& message) {
  std::cerr << "testenv: " << message << std::endl;
  std::abort();
}

std::string read_file(const std::filesystem::path& path) {
  if (!std::ifstream(path)) {
    fail(fmt::format("cannot read env file {}", path.string()));
  }
  return read_text_file(path);
}

// Holds a privately started environment and stops it at exit.
struct PrivateEnv {
  std::filesystem::path dir;
  ~PrivateEnv() {
    if (!dir.empty()) {
      (void)common::run_process(
          {std::string(CK_SOURCE_DIR) + "/tools/testenv", "down", "--dir", dir.string()});
    }
  }
};

std::filesystem::path start_private_env() {
  static PrivateEnv env;
  std::string templ = (std::filesystem::temp_directory_path() / "certkeeper-testenv.XXXXXX");
  if (::mkdtemp(templ.data()) == nullptr) {
    fail("mkdtemp failed");
  }
  env.dir = templ;
  std::cerr << "testenv: CK_TESTENV_FILE is unset; starting a private environment in " << templ
            << std::endl;
  auto result = common::run_process({std::string(CK_SOURCE_DIR) + "/tools/testenv", "up", "--dir",
                                     templ, "--owner-pid", std::to_string(::getpid())});
  if (!result) {
    fail(result.error().to_string());
  }
  if (!result->success()) {
    fail(fmt::format("tools/testenv up failed:\n{}", result->stderr_data));
  }
  return env.dir / "testenv.env";
}

}  // namespace

std::string read_text_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

common::Result<std::map<std::string, std::string>> parse_env_file(const std::string& content) {
  std::map<std::string, std::string> values;
  std::istringstream in(content);
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty() || line[0] == '#') {
      continue;
    }
    const auto eq = line.find('=');
    if (eq == std::string::npos || eq == 0) {
      return common::make_error(common::ErrorCode::kInvalidArgument,
                                fmt::format("line {}: expected KEY=VALUE, got '{}'", number, line));
    }
    values[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return values;
}

const TestEnv& TestEnv::get() {
  static const TestEnv env = [] {
    // Read once, before any test starts threads.
    const char* file = std::getenv("CK_TESTENV_FILE");  // NOLINT(concurrency-mt-unsafe)
    const std::filesystem::path path =
        (file != nullptr && *file != '\0') ? std::filesystem::path(file) : start_private_env();
    auto values = parse_env_file(read_file(path));
    if (!values) {
      fail(fmt::format("{}: {}", path.string(), values.error().message()));
    }
    return TestEnv(std::move(*values));
  }();
  return env;
}

common::Status TestEnv::restart(const std::string& component) const {
  auto result = common::run_process({std::string(CK_SOURCE_DIR) + "/tools/testenv", "restart",
                                     component, "--dir", at("CK_TESTENV_DIR")},
                                    {.timeout = std::chrono::seconds(120)});
  if (!result) {
    return common::make_error(result.error());
  }
  if (!result->success()) {
    return common::make_error(common::ErrorCode::kUnavailable,
                              fmt::format("restart {}: {}", component, result->stderr_data));
  }
  return common::ok();
}

const std::string& TestEnv::at(const std::string& key) const {
  const auto it = values_.find(key);
  if (it == values_.end()) {
    fail(fmt::format("the env file has no {}", key));
  }
  return it->second;
}

}  // namespace certkeeper::testing
