#include "tests/standins/routing.h"

#include <algorithm>

#include "tests/standins/pod_model.h"

namespace certkeeper::standins {
namespace {

using nlohmann::json;

const json& member(const json& object, const char* key) {
  static const json null_json;
  if (object.is_object()) {
    const auto it = object.find(key);
    if (it != object.end()) {
      return *it;
    }
  }
  return null_json;
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// 2: the rule's host is the request's; 1: a wildcard rule covers it; 0: a rule without host;
// -1: no match.
int host_rank(std::string_view rule_host, std::string_view host) {
  if (rule_host.empty()) {
    return 0;
  }
  const std::string rule = lower(rule_host);
  if (rule == host) {
    return 2;
  }
  if (rule.size() > 2 && rule.starts_with("*.")) {
    const auto dot = host.find('.');
    if (dot != std::string_view::npos && dot > 0 && host.substr(dot) == rule.substr(1)) {
      return 1;
    }
  }
  return -1;
}

std::vector<std::string_view> segments(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (start <= path.size()) {
    const auto slash = path.find('/', start);
    const auto end = slash == std::string_view::npos ? path.size() : slash;
    if (end > start) {
      out.push_back(path.substr(start, end - start));
    }
    if (slash == std::string_view::npos) {
      break;
    }
    start = slash + 1;
  }
  return out;
}

bool pod_ready(const json& pod) {
  const auto& metadata = member(pod, "metadata");
  if (metadata.contains("deletionTimestamp") && !metadata["deletionTimestamp"].is_null()) {
    return false;
  }
  const auto& status = member(pod, "status");
  if (string_at(status, "phase") != "Running" || string_at(status, "podIP").empty()) {
    return false;
  }
  const auto& conditions = member(status, "conditions");
  if (!conditions.is_array()) {
    return false;
  }
  return std::any_of(conditions.begin(), conditions.end(), [](const json& c) {
    return string_at(c, "type") == "Ready" && string_at(c, "status") == "True";
  });
}

bool selector_matches(const json& selector, const json& labels) {
  if (!selector.is_object() || selector.empty()) {
    return false;  // a Service without selector has no Pods behind it here
  }
  for (const auto& [key, value] : selector.items()) {
    if (!labels.is_object() || !labels.contains(key) || labels[key] != value) {
      return false;
    }
  }
  return true;
}

std::optional<int> named_container_port(const json& pod, const std::string& name) {
  for (const auto& container : member(member(pod, "spec"), "containers")) {
    for (const auto& port : member(container, "ports")) {
      if (string_at(port, "name") == name && member(port, "containerPort").is_number_integer()) {
        return port["containerPort"].get<int>();
      }
    }
  }
  return std::nullopt;
}

}  // namespace

bool ingress_in_class(const json& ingress, std::string_view ingress_class) {
  if (ingress_class.empty()) {
    return true;
  }
  if (string_at(member(ingress, "spec"), "ingressClassName") == ingress_class) {
    return true;
  }
  return string_at(member(member(ingress, "metadata"), "annotations"),
                   "kubernetes.io/ingress.class") == ingress_class;
}

std::string normalize_host(std::string_view host_header) {
  if (host_header.starts_with('[')) {
    const auto close = host_header.find(']');
    return lower(host_header.substr(
        1, close == std::string_view::npos ? std::string_view::npos : close - 1));
  }
  const auto colon = host_header.rfind(':');
  if (colon != std::string_view::npos && host_header.find(':') == colon) {
    host_header = host_header.substr(0, colon);
  }
  return lower(host_header);
}

bool path_matches(std::string_view path_type, std::string_view rule_path, std::string_view path) {
  if (path_type == "Exact") {
    return rule_path == path;
  }
  const auto want = segments(rule_path);
  const auto have = segments(path);
  if (want.size() > have.size()) {
    return false;
  }
  return std::equal(want.begin(), want.end(), have.begin());
}

std::optional<RouteMatch> match_route(const std::vector<json>& ingresses,
                                      std::string_view ingress_class, std::string_view host,
                                      std::string_view path) {
  std::optional<RouteMatch> best;
  // (host rank, path length, exact) of the best so far; larger wins.
  std::tuple<int, std::size_t, bool> best_key{-1, 0, false};
  for (const auto& ingress : ingresses) {
    if (!ingress_in_class(ingress, ingress_class)) {
      continue;
    }
    const auto& metadata = member(ingress, "metadata");
    if (metadata.contains("deletionTimestamp") && !metadata["deletionTimestamp"].is_null()) {
      continue;
    }
    for (const auto& rule : member(member(ingress, "spec"), "rules")) {
      const std::string rule_host = string_at(rule, "host");
      const int rank = host_rank(rule_host, host);
      if (rank < 0) {
        continue;
      }
      for (const auto& entry : member(member(rule, "http"), "paths")) {
        std::string rule_path = string_at(entry, "path");
        if (rule_path.empty()) {
          rule_path = "/";
        }
        const std::string type = string_at(entry, "pathType");
        if (!path_matches(type, rule_path, path)) {
          continue;
        }
        const auto& service = member(member(entry, "backend"), "service");
        if (!service.is_object()) {
          continue;  // resource backends are not modelled
        }
        const std::tuple<int, std::size_t, bool> key{rank, rule_path.size(), type == "Exact"};
        if (best && key <= best_key) {
          continue;
        }
        RouteMatch match{.ingress = string_at(metadata, "name"),
                         .rule_host = rule_host,
                         .path = rule_path,
                         .path_type = type,
                         .service = string_at(service, "name")};
        const auto& port = member(service, "port");
        if (member(port, "number").is_number_integer()) {
          match.port_number = port["number"].get<int>();
        }
        match.port_name = string_at(port, "name");
        best = std::move(match);
        best_key = key;
      }
    }
  }
  return best;
}

common::Result<std::vector<Endpoint>> ready_endpoints(const RouteMatch& match, const json& service,
                                                      const std::vector<json>& pods) {
  const json* service_port = nullptr;
  for (const auto& port : member(member(service, "spec"), "ports")) {
    const bool by_number = match.port_number && member(port, "port").is_number_integer() &&
                           port["port"].get<int>() == *match.port_number;
    const bool by_name = !match.port_name.empty() && string_at(port, "name") == match.port_name;
    if (by_number || by_name) {
      service_port = &port;
      break;
    }
  }
  if (service_port == nullptr) {
    return common::make_error(
        common::ErrorCode::kNotFound,
        "service " + match.service + " has no port " +
            (match.port_number ? std::to_string(*match.port_number) : match.port_name));
  }
  const auto& target = member(*service_port, "targetPort");
  std::vector<Endpoint> out;
  for (const auto& pod : pods) {
    if (!selector_matches(member(member(service, "spec"), "selector"),
                          member(member(pod, "metadata"), "labels")) ||
        !pod_ready(pod)) {
      continue;
    }
    std::optional<int> port;
    if (target.is_number_integer()) {
      port = target.get<int>();
    } else if (target.is_string()) {
      port = named_container_port(pod, target.get<std::string>());
    } else if (member(*service_port, "port").is_number_integer()) {
      port = (*service_port)["port"].get<int>();
    }
    if (!port || *port <= 0 || *port > 65535) {
      continue;
    }
    out.push_back({.pod = string_at(member(pod, "metadata"), "name"),
                   .ip = string_at(member(pod, "status"), "podIP"),
                   .port = static_cast<std::uint16_t>(*port)});
  }
  return out;
}

}  // namespace certkeeper::standins
