#pragma once

// Helpers for lib/crypto's unit tests: a private temporary directory and the `openssl` command
// line as an independent reference. The tests themselves never include OpenSSL headers.

#include <cctype>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "lib/common/subprocess.h"

namespace certkeeper::crypto::testutil {

// A fresh directory under $TMPDIR, removed with everything in it on destruction. It holds a
// minimal openssl.cnf that run_openssl() points OPENSSL_CONF at, so the host's configuration
// cannot change what the CLI does.
class TempDir {
 public:
  TempDir() {
    std::string templ = (std::filesystem::temp_directory_path() / "certkeeper-crypto.XXXXXX");
    if (::mkdtemp(templ.data()) == nullptr) {
      ADD_FAILURE() << "mkdtemp failed";
    }
    path_ = templ;
    write("openssl.cnf", "[req]\ndistinguished_name = dn\n[dn]\n");
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }

  [[nodiscard]] std::string file(std::string_view name) const { return path_ / name; }

  // Writes `content` to `name` in the directory and returns its path.
  std::string write(std::string_view name, std::string_view content) const {
    std::string target = file(name);
    std::ofstream out(target, std::ios::binary);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    return target;
  }

  [[nodiscard]] std::string read(std::string_view name) const {
    std::ifstream in(file(name), std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }

  // Runs `openssl args...` in the directory. A failure to start is a test failure.
  common::ProcessResult run_openssl(const std::vector<std::string>& args,
                                    std::string stdin_data = "") const {
    std::vector<std::string> argv = {"openssl"};
    argv.insert(argv.end(), args.begin(), args.end());
    common::ProcessOptions options;
    options.env = {{"OPENSSL_CONF", file("openssl.cnf")}};
    options.stdin_data = std::move(stdin_data);
    options.working_dir = path_;
    options.timeout = std::chrono::seconds(60);
    auto result = common::run_process(argv, options);
    if (!result) {
      ADD_FAILURE() << "could not run openssl: " << result.error().to_string();
      return {};
    }
    return *result;
  }

  // Runs another command line tool (e.g. keytool) in the directory, with the same environment.
  common::ProcessResult run_tool(const std::vector<std::string>& argv) const {
    common::ProcessOptions options;
    options.env = {{"OPENSSL_CONF", file("openssl.cnf")}};
    options.working_dir = path_;
    options.timeout = std::chrono::seconds(120);
    auto result = common::run_process(argv, options);
    if (!result) {
      ADD_FAILURE() << "could not run " << argv.front() << ": " << result.error().to_string();
      return {};
    }
    return *result;
  }

  // run_openssl that expects success and returns stdout.
  std::string openssl_ok(const std::vector<std::string>& args, std::string stdin_data = "") const {
    auto result = run_openssl(args, std::move(stdin_data));
    EXPECT_TRUE(result.success()) << "openssl failed: " << result.stderr_data;
    return result.stdout_data;
  }

 private:
  std::filesystem::path path_;
};

inline std::string trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) {
    return {};
  }
  const auto last = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(first, last - first + 1));
}

// "key=value\n" -> "value" for the line starting with `key=` (openssl x509 -serial etc.).
inline std::string field(std::string_view output, std::string_view key) {
  std::istringstream lines{std::string(output)};
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(std::string(key) + "=", 0) == 0) {
      // Only the line ending goes: a value may end in an (escaped) space.
      if (!line.empty() && line.back() == '\r') {
        line.pop_back();
      }
      return line.substr(key.size() + 1);
    }
  }
  ADD_FAILURE() << "no " << key << "= in: " << output;
  return {};
}

// "AB:CD:..." or "ABCD" -> "abcd".
inline std::string normalize_hex(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c != ':' && c != ' ' && c != '\n' && c != '\r') {
      out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
  }
  return out;
}

}  // namespace certkeeper::crypto::testutil
