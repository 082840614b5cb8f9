#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "lib/common/error.h"

namespace certkeeper::common {

struct ProcessOptions {
  // Variables added to (or overriding) the inherited environment.
  std::vector<std::pair<std::string, std::string>> env;
  // Written to the child's stdin, which is then closed.
  std::string stdin_data;
  // The child is killed (SIGKILL, its whole process group) when this elapses.
  std::optional<std::chrono::milliseconds> timeout;
  // Working directory of the child; empty keeps ours.
  std::string working_dir;
};

struct ProcessResult {
  int exit_code = -1;      // the exit status, or -1 when killed by a signal
  int signal = 0;          // the terminating signal, 0 if it exited
  bool timed_out = false;  // killed because ProcessOptions::timeout elapsed
  std::string stdout_data;
  std::string stderr_data;

  [[nodiscard]] bool success() const { return exit_code == 0; }
};

// Runs argv[0] (looked up on PATH) with the given arguments to completion and collects its
// output. An error is returned only when the program could not be started at all (kNotFound for
// a missing executable); a non-zero exit is a successful run with exit_code set.
//
// Thread-safe: each call owns its pipes and child. The child runs in its own process group.
Result<ProcessResult> run_process(const std::vector<std::string>& argv,
                                  const ProcessOptions& options = {});

}  // namespace certkeeper::common
