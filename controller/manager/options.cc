#include "controller/manager/options.h"

#include <charconv>

#include <fmt/format.h>

namespace certkeeper::manager {

using common::ErrorCode;
using common::make_error;

common::Result<std::set<std::string>> select_controllers(const std::vector<std::string>& spec,
                                                         const std::vector<ControllerInfo>& known,
                                                         bool single_namespace) {
  auto find = [&known](std::string_view name) -> const ControllerInfo* {
    for (const auto& c : known) {
      if (c.name == name) {
        return &c;
      }
    }
    return nullptr;
  };
  std::set<std::string> selected;
  for (const auto& entry : spec) {
    if (entry == "*") {
      for (const auto& c : known) {
        if (c.enabled_by_default) {
          selected.insert(c.name);
        }
      }
      continue;
    }
    const bool remove = !entry.empty() && entry.front() == '-';
    const std::string name = remove ? entry.substr(1) : entry;
    if (find(name) == nullptr) {
      return make_error(ErrorCode::kInvalidArgument,
                        fmt::format("--controllers: unknown controller '{}'", name));
    }
    if (remove) {
      selected.erase(name);
    } else {
      selected.insert(name);
    }
  }
  if (single_namespace) {
    std::erase_if(selected, [&find](const std::string& name) {
      const auto* c = find(name);
      return c != nullptr && c->cluster_scoped;
    });
  }
  return selected;
}

common::Result<ListenAddress> parse_listen_address(std::string_view value, std::string_view flag) {
  auto bad = [&](std::string_view why) {
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("{}: invalid address '{}': {}", flag, value, why));
  };
  const auto colon = value.rfind(':');
  if (colon == std::string_view::npos) {
    return bad("want host:port");
  }
  std::string_view host = value.substr(0, colon);
  const std::string_view port_text = value.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return bad("an IPv6 address must be in brackets");
  }
  unsigned port = 0;
  const auto [end, ec] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port > 65535) {
    return bad("the port must be a number from 0 to 65535");
  }
  return ListenAddress{host.empty() ? std::string("0.0.0.0") : std::string(host),
                       static_cast<std::uint16_t>(port)};
}

namespace {
double seconds(std::chrono::milliseconds d) { return std::chrono::duration<double>(d).count(); }
}  // namespace

common::Status validate(const ManagerOptions& options) {
  auto bad = [](std::string message) {
    return make_error(ErrorCode::kInvalidArgument, std::move(message));
  };
  if (options.leader_elect) {
    if (options.leader_election_namespace.empty()) {
      return bad("--leader-election-namespace: must not be empty when --leader-elect is on");
    }
    if (options.renew_deadline >= options.lease_duration) {
      return bad(
          fmt::format("--leader-election-renew-deadline: {}s must be shorter than "
                      "--leader-election-lease-duration ({}s)",
                      seconds(options.renew_deadline), seconds(options.lease_duration)));
    }
    if (options.retry_period >= options.renew_deadline) {
      return bad(
          fmt::format("--leader-election-retry-period: {}s must be shorter than "
                      "--leader-election-renew-deadline ({}s)",
                      seconds(options.retry_period), seconds(options.renew_deadline)));
    }
  }
  if (options.concurrent_workers < 1) {
    return bad("--concurrent-workers: must be at least 1");
  }
  if (options.max_concurrent_challenges < 1) {
    return bad("--max-concurrent-challenges: must be at least 1");
  }
  if (options.dns01_check_retry_period.count() <= 0) {
    return bad("--dns01-check-retry-period: must be positive");
  }
  if (options.kube_api_burst < 1 && options.kube_api_qps > 0) {
    return bad("--kube-api-burst: must be at least 1 when --kube-api-qps is set");
  }
  for (const auto& [value, flag] :
       {std::pair{options.metrics_listen_address, "--metrics-listen-address"},
        std::pair{options.healthz_listen_address, "--internal-healthz-listen-address"}}) {
    if (!value.empty()) {
      if (auto parsed = parse_listen_address(value, flag); !parsed) {
        return tl::unexpected(parsed.error());
      }
    }
  }
  return common::ok();
}

}  // namespace certkeeper::manager
