#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include <spdlog/spdlog.h>

#include "lib/common/error.h"

namespace certkeeper::common {

enum class LogFormat {
  kText,  // human-readable lines for terminals
  kJson,  // one JSON object per line: {"ts","level","logger","msg"} for log collectors
};

struct LogOptions {
  std::string level = "info";  // trace | debug | info | warn | error | off
  LogFormat format = LogFormat::kText;
};

// Configures the process-wide default logger (stderr). Call once from main before any thread
// starts. An unknown level is an InvalidArgument naming the value.
Status init_logging(const LogOptions& options);

// A named logger sharing the default logger's sinks and level, e.g. logger("certificates-trigger").
// Thread-safe.
std::shared_ptr<spdlog::logger> logger(std::string_view name);

// One JSON log line (without the trailing newline), as the kJson format writes it. Pure; exposed
// for tests. `ts` is written as RFC 3339 UTC with milliseconds.
std::string json_log_line(std::chrono::system_clock::time_point ts, std::string_view level,
                          std::string_view logger_name, std::string_view message);

}  // namespace certkeeper::common
