#include "lib/common/log.h"

#include <mutex>
#include <vector>

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>

namespace certkeeper::common {
namespace {

class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    const auto level = spdlog::level::to_string_view(msg.level);
    std::string line =
        json_log_line(msg.time, std::string_view(level.data(), level.size()),
                      std::string_view(msg.logger_name.data(), msg.logger_name.size()),
                      std::string_view(msg.payload.data(), msg.payload.size()));
    line.push_back('\n');
    dest.append(line.data(), line.data() + line.size());
  }
  [[nodiscard]] std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>();
  }
};

std::mutex& registry_mutex() {
  static std::mutex mu;
  return mu;
}

}  // namespace

Status init_logging(const LogOptions& options) {
  const auto level = spdlog::level::from_str(options.level);
  // from_str maps anything unknown to "off"; only accept "off" when it was asked for.
  if (level == spdlog::level::off && options.level != "off") {
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("--log-level: unknown level '{}' (want trace, debug, info, "
                                  "warn, error or off)",
                                  options.level));
  }
  std::lock_guard lock(registry_mutex());
  auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  auto root = std::make_shared<spdlog::logger>("certkeeper", sink);
  if (options.format == LogFormat::kJson) {
    root->set_formatter(std::make_unique<JsonFormatter>());
  } else {
    root->set_formatter(std::make_unique<spdlog::pattern_formatter>(
        "%Y-%m-%dT%H:%M:%S.%eZ %^%L%$ [%n] %v", spdlog::pattern_time_type::utc));
  }
  root->set_level(level);
  spdlog::set_default_logger(root);
  return ok();
}

std::shared_ptr<spdlog::logger> logger(std::string_view name) {
  std::lock_guard lock(registry_mutex());
  auto root = spdlog::default_logger();
  auto child = root->clone(std::string(name));
  return child;
}

std::string json_log_line(std::chrono::system_clock::time_point ts, std::string_view level,
                          std::string_view logger_name, std::string_view message) {
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(ts.time_since_epoch()).count() % 1000;
  nlohmann::json line = {
      {"ts", fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03}Z",
                         std::chrono::floor<std::chrono::seconds>(ts), ms)},
      {"level", level},
      {"logger", logger_name},
      {"msg", message},
  };
  // Replace invalid UTF-8 rather than throw: a log line must never take the process down.
  return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace certkeeper::common
