#include "tests/standins/pod_model.h"

#include <algorithm>
#include <charconv>
#include <filesystem>

#include <arpa/inet.h>

#include "lib/common/time_format.h"

namespace certkeeper::standins {
namespace {

using nlohmann::json;

std::vector<std::string> strings_at(const json& object, const char* key) {
  std::vector<std::string> out;
  const auto it = object.find(key);
  if (it != object.end() && it->is_array()) {
    for (const auto& item : *it) {
      if (item.is_string()) {
        out.push_back(item.get<std::string>());
      }
    }
  }
  return out;
}

std::optional<std::string> lookup(const ImageTable& images, const std::string& key) {
  const auto it = images.find(key);
  if (it == images.end()) {
    return std::nullopt;
  }
  return it->second;
}

std::string table_keys(const ImageTable& images) {
  std::string out;
  for (const auto& [repo, binary] : images) {
    out += (out.empty() ? "" : ", ") + repo;
  }
  return out.empty() ? "none" : out;
}

json condition(const char* type, bool status, std::string_view reason,
               std::chrono::system_clock::time_point when) {
  json c = {{"type", type},
            {"status", status ? "True" : "False"},
            {"lastProbeTime", nullptr},
            {"lastTransitionTime", common::format_rfc3339(when)}};
  if (!reason.empty()) {
    c["reason"] = std::string(reason);
  }
  return c;
}

std::string ip_string(std::uint32_t host_order) {
  in_addr addr{};
  addr.s_addr = htonl(host_order);
  char buf[INET_ADDRSTRLEN] = {};
  inet_ntop(AF_INET, &addr, buf, sizeof buf);
  return buf;
}

}  // namespace

std::string string_at(const json& object, const char* key) {
  if (object.is_object()) {
    const auto it = object.find(key);
    if (it != object.end() && it->is_string()) {
      return it->get<std::string>();
    }
  }
  return {};
}

common::Result<std::pair<std::string, std::string>> parse_image_flag(std::string_view flag) {
  const auto eq = flag.find('=');
  if (eq == std::string_view::npos || eq == 0 || eq + 1 == flag.size()) {
    return common::make_error(common::ErrorCode::kInvalidArgument,
                              "--image " + std::string(flag) + ": expected REPO=BINARY");
  }
  return std::pair{std::string(flag.substr(0, eq)), std::string(flag.substr(eq + 1))};
}

std::string image_repository(std::string_view image) {
  if (const auto at = image.find('@'); at != std::string_view::npos) {
    image = image.substr(0, at);
  }
  const auto slash = image.rfind('/');
  const auto colon = image.rfind(':');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
    image = image.substr(0, colon);
  }
  return std::string(image);
}

common::Result<LaunchPlan> plan_launch(const json& pod, const ImageTable& images) {
  const auto& spec = pod.contains("spec") ? pod["spec"] : json::object();
  if (!spec.contains("containers") || !spec["containers"].is_array() ||
      spec["containers"].empty()) {
    return common::make_error(common::ErrorCode::kInvalidArgument, "spec.containers is empty");
  }
  const json& container = spec["containers"][0];
  LaunchPlan plan;
  plan.container_name = string_at(container, "name");
  plan.image = string_at(container, "image");
  plan.restart_policy = string_at(spec, "restartPolicy");
  if (plan.restart_policy.empty()) {
    plan.restart_policy = "Always";
  }

  const auto command = strings_at(container, "command");
  if (command.empty()) {
    const auto binary = lookup(images, image_repository(plan.image));
    if (!binary) {
      return common::make_error(common::ErrorCode::kNotFound,
                                "the pod runner stand-in cannot run image \"" + plan.image +
                                    "\": its repository is not in the --image table (" +
                                    table_keys(images) + ")");
    }
    plan.argv.push_back(*binary);
  } else {
    auto binary = lookup(images, command[0]);
    if (!binary) {
      binary = lookup(images, std::filesystem::path(command[0]).filename().string());
    }
    if (!binary) {
      return common::make_error(
          common::ErrorCode::kNotFound,
          "the pod runner stand-in cannot run command \"" + command[0] + "\" of image \"" +
              plan.image + "\": it is not in the --image table (" + table_keys(images) + ")");
    }
    plan.argv.push_back(*binary);
    plan.argv.insert(plan.argv.end(), command.begin() + 1, command.end());
  }
  const auto args = strings_at(container, "args");
  plan.argv.insert(plan.argv.end(), args.begin(), args.end());

  plan.env.emplace_back("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  const std::string name = pod.contains("metadata") ? string_at(pod["metadata"], "name") : "";
  plan.env.emplace_back("HOSTNAME", name);
  if (container.contains("env") && container["env"].is_array()) {
    for (const auto& var : container["env"]) {
      if (var.contains("value") && var["value"].is_string()) {
        plan.env.emplace_back(string_at(var, "name"), var["value"].get<std::string>());
      }
    }
  }
  if (container.contains("ports") && container["ports"].is_array()) {
    for (const auto& port : container["ports"]) {
      if (port.contains("containerPort") && port["containerPort"].is_number_integer()) {
        const auto value = port["containerPort"].get<int>();
        if (value > 0 && value < 65536) {
          plan.port = static_cast<std::uint16_t>(value);
          break;
        }
      }
    }
  }
  return plan;
}

common::Result<SubnetAllocator> SubnetAllocator::parse(std::string_view cidr) {
  const auto bad = [&](std::string_view why) {
    return common::make_error(common::ErrorCode::kInvalidArgument,
                              "--subnet " + std::string(cidr) + ": " + std::string(why));
  };
  const auto slash = cidr.find('/');
  if (slash == std::string_view::npos) {
    return bad("expected an IPv4 network such as 10.250.1.0/24");
  }
  const std::string address(cidr.substr(0, slash));
  in_addr addr{};
  if (inet_pton(AF_INET, address.c_str(), &addr) != 1) {
    return bad("not an IPv4 address");
  }
  int prefix = -1;
  const auto tail = cidr.substr(slash + 1);
  const auto [ptr, ec] = std::from_chars(tail.data(), tail.data() + tail.size(), prefix);
  if (ec != std::errc() || ptr != tail.data() + tail.size() || prefix < 8 || prefix > 30) {
    return bad("the prefix must be between 8 and 30");
  }
  const std::uint32_t mask = prefix == 0 ? 0 : ~std::uint32_t{0} << (32 - prefix);
  SubnetAllocator allocator(ntohl(addr.s_addr) & mask, prefix);
  allocator.used_.assign(std::size_t{1} << (30 - prefix), false);
  return allocator;
}

std::optional<PodAddresses> SubnetAllocator::acquire() {
  const auto it = std::find(used_.begin(), used_.end(), false);
  if (it == used_.end()) {
    return std::nullopt;
  }
  *it = true;
  const auto slot = static_cast<int>(it - used_.begin());
  const std::uint32_t network = base_ + static_cast<std::uint32_t>(slot) * 4;
  return PodAddresses{.slot = slot,
                      .host_ip = ip_string(network + 1),
                      .pod_ip = ip_string(network + 2),
                      .prefix = 30};
}

void SubnetAllocator::release(int slot) {
  if (slot >= 0 && static_cast<std::size_t>(slot) < used_.size()) {
    used_[static_cast<std::size_t>(slot)] = false;
  }
}

bool SubnetAllocator::contains(std::string_view ip) const {
  in_addr addr{};
  if (inet_pton(AF_INET, std::string(ip).c_str(), &addr) != 1) {
    return false;
  }
  const std::uint32_t mask = ~std::uint32_t{0} << (32 - prefix_);
  return (ntohl(addr.s_addr) & mask) == base_;
}

bool restarts_after_exit(std::string_view restart_policy, int exit_code) {
  if (restart_policy == "Never") {
    return false;
  }
  if (restart_policy == "OnFailure") {
    return exit_code != 0;
  }
  return true;  // Always, the API default
}

json pod_status(const LaunchPlan& plan, const ContainerRun& run) {
  using State = ContainerRun::State;
  const bool ready = run.state == State::kRunning && run.ready;
  const auto since = run.state == State::kRunning ? run.container_started : run.finished;

  json container = {{"name", plan.container_name},
                    {"image", plan.image},
                    {"imageID", ""},
                    {"ready", ready},
                    {"started", run.state == State::kRunning},
                    {"restartCount", run.restart_count}};
  const json terminated = {{"exitCode", run.exit_code},
                           {"reason", run.exit_code == 0 ? "Completed" : "Error"},
                           {"startedAt", common::format_rfc3339(run.container_started)},
                           {"finishedAt", common::format_rfc3339(run.finished)}};
  std::string phase = "Running";
  std::string not_ready_reason = "ContainersNotReady";
  switch (run.state) {
    case State::kRunning:
      container["state"] = {
          {"running", {{"startedAt", common::format_rfc3339(run.container_started)}}}};
      break;
    case State::kBackOff:
      container["state"] = {
          {"waiting",
           {{"reason", "CrashLoopBackOff"},
            {"message", "back-off restarting the failed container " + plan.container_name}}}};
      container["lastState"] = {{"terminated", terminated}};
      break;
    case State::kTerminated:
    case State::kUnrunnable:
      container["state"] = {{"terminated", terminated}};
      phase = run.exit_code == 0 ? "Succeeded" : "Failed";
      not_ready_reason = run.exit_code == 0 ? "PodCompleted" : "PodFailed";
      break;
  }
  json status = {
      {"phase", phase},
      {"hostIP", run.host_ip},
      {"hostIPs", json::array({{{"ip", run.host_ip}}})},
      {"podIP", run.pod_ip},
      {"podIPs", json::array({{{"ip", run.pod_ip}}})},
      {"startTime", common::format_rfc3339(run.pod_started)},
      {"conditions",
       json::array({condition("PodScheduled", true, "", run.pod_started),
                    condition("Initialized", true, "", run.pod_started),
                    condition("ContainersReady", ready, ready ? "" : not_ready_reason, since),
                    condition("Ready", ready, ready ? "" : not_ready_reason, since)})},
      {"containerStatuses", json::array({container})},
  };
  return status;
}

json unrunnable_pod_status(const json& pod, std::string_view message,
                           std::chrono::system_clock::time_point now) {
  const auto& spec = pod.contains("spec") ? pod["spec"] : json::object();
  json container = json::object();
  if (spec.contains("containers") && spec["containers"].is_array() && !spec["containers"].empty()) {
    container = spec["containers"][0];
  }
  json ready = condition("Ready", false, "StandinCannotRun", now);
  ready["message"] = std::string(message);
  return {
      {"phase", "Pending"},
      {"reason", "StandinCannotRun"},
      {"message", std::string(message)},
      {"conditions", json::array({condition("PodScheduled", true, "", now), ready})},
      {"containerStatuses",
       json::array({{{"name", string_at(container, "name")},
                     {"image", string_at(container, "image")},
                     {"imageID", ""},
                     {"ready", false},
                     {"started", false},
                     {"restartCount", 0},
                     {"state",
                      {{"waiting",
                        {{"reason", "ErrImageNeverPull"}, {"message", std::string(message)}}}}}}})},
  };
}

std::chrono::milliseconds restart_backoff(int restart_count) {
  std::chrono::milliseconds delay(1000);
  for (int i = 0; i < restart_count && delay < std::chrono::seconds(20); ++i) {
    delay *= 2;
  }
  return std::min<std::chrono::milliseconds>(delay, std::chrono::seconds(20));
}

std::string short_uid(std::string_view uid) {
  std::string out;
  for (const char c : uid) {
    if (out.size() == 8) {
      break;
    }
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) {
      out += c;
    }
  }
  return out;
}

}  // namespace certkeeper::standins
