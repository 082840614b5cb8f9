// TokenSource implementations: a token file re-read as it rotates, and client-go exec plugins.
#include <fstream>
#include <mutex>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "lib/common/subprocess.h"
#include "lib/common/time_format.h"
#include "lib/kube/config.h"

namespace certkeeper::kube {

using common::ErrorCode;
using common::make_error;

struct FileTokenSource::State {
  std::mutex mu;
  std::string token;
  std::chrono::steady_clock::time_point read_at{};
  bool valid = false;
};

FileTokenSource::FileTokenSource(std::string path, const common::Clock& clock,
                                 std::chrono::seconds refresh)
    : path_(std::move(path)), clock_(clock), refresh_(refresh), state_(std::make_shared<State>()) {}

common::Result<Token> FileTokenSource::token() {
  std::lock_guard lock(state_->mu);
  const auto now = clock_.steady_now();
  if (!state_->valid || now - state_->read_at >= refresh_) {
    std::ifstream in(path_);
    if (!in) {
      return make_error(ErrorCode::kUnauthenticated,
                        fmt::format("cannot read token file {}", path_));
    }
    std::ostringstream out;
    out << in.rdbuf();
    std::string token = out.str();
    while (!token.empty() &&
           (token.back() == '\n' || token.back() == '\r' || token.back() == ' ')) {
      token.pop_back();
    }
    if (token.empty()) {
      return make_error(ErrorCode::kUnauthenticated, fmt::format("token file {} is empty", path_));
    }
    state_->token = std::move(token);
    state_->read_at = now;
    state_->valid = true;
  }
  return Token{state_->token, std::nullopt};
}

void FileTokenSource::invalidate() {
  std::lock_guard lock(state_->mu);
  state_->valid = false;
}

struct ExecTokenSource::State {
  std::mutex mu;
  std::optional<Token> cached;
};

ExecTokenSource::ExecTokenSource(ExecConfig config, const common::Clock& clock)
    : config_(std::move(config)), clock_(clock), state_(std::make_shared<State>()) {}

common::Result<Token> ExecTokenSource::token() {
  std::lock_guard lock(state_->mu);
  // Refresh a little before expiry so a request never leaves with a token about to lapse.
  constexpr auto kSkew = std::chrono::seconds(30);
  if (state_->cached &&
      (!state_->cached->expires || clock_.now() + kSkew < *state_->cached->expires)) {
    return *state_->cached;
  }
  const std::string api_version =
      config_.api_version.empty() ? "client.authentication.k8s.io/v1" : config_.api_version;
  common::ProcessOptions options;
  options.env = config_.env;
  options.env.emplace_back("KUBERNETES_EXEC_INFO",
                           nlohmann::json{{"apiVersion", api_version},
                                          {"kind", "ExecCredential"},
                                          {"spec", {{"interactive", false}}}}
                               .dump());
  options.timeout = std::chrono::seconds(60);
  std::vector<std::string> argv = {config_.command};
  argv.insert(argv.end(), config_.args.begin(), config_.args.end());
  auto run = common::run_process(argv, options);
  if (!run) {
    return make_error(run.error().wrap(config_.origin));
  }
  if (!run->success()) {
    std::string err = run->stderr_data.substr(0, 300);
    while (!err.empty() && err.back() == '\n') {
      err.pop_back();
    }
    return make_error(
        ErrorCode::kUnauthenticated,
        fmt::format("{}: '{}' {}: {}", config_.origin, config_.command,
                    run->timed_out ? "timed out" : fmt::format("exited {}", run->exit_code), err));
  }
  const auto doc = nlohmann::json::parse(run->stdout_data, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    return make_error(
        ErrorCode::kUnauthenticated,
        fmt::format("{}: the plugin did not print an ExecCredential JSON object", config_.origin));
  }
  const auto status = doc.find("status");
  if (status == doc.end() || !status->is_object() || !status->contains("token") ||
      !(*status)["token"].is_string()) {
    return make_error(ErrorCode::kUnauthenticated,
                      fmt::format("{}: ExecCredential has no status.token (client certificates "
                                  "from plugins are not supported)",
                                  config_.origin));
  }
  Token token{(*status)["token"].get<std::string>(), std::nullopt};
  if (const auto exp = status->find("expirationTimestamp");
      exp != status->end() && exp->is_string()) {
    auto when = common::parse_rfc3339(exp->get<std::string>());
    if (!when) {
      return make_error(when.error().wrap(config_.origin + ": status.expirationTimestamp"));
    }
    token.expires = *when;
  }
  state_->cached = token;
  return token;
}

void ExecTokenSource::invalidate() {
  std::lock_guard lock(state_->mu);
  state_->cached.reset();
}

}  // namespace certkeeper::kube
