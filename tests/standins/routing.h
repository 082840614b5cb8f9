#pragma once

// The pure half of the ingress router stand-in (tests/standins/README.md): which Ingress rule a
// request matches and which Pods stand behind its backend Service. No I/O; unit-tested.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "lib/common/error.h"

namespace certkeeper::standins {

// The backend of the rule that won.
struct RouteMatch {
  std::string ingress;  // the Ingress's name, for the log line
  std::string rule_host;
  std::string path;
  std::string path_type;
  std::string service;
  std::optional<int> port_number;  // backend.service.port.number, or
  std::string port_name;           // backend.service.port.name
};

// Whether an Ingress belongs to `ingress_class`: spec.ingressClassName or the
// kubernetes.io/ingress.class annotation equals it. An empty class accepts every Ingress.
bool ingress_in_class(const nlohmann::json& ingress, std::string_view ingress_class);

// "App.Example.test:80" → "app.example.test"; "[::1]:80" → "::1".
std::string normalize_host(std::string_view host_header);

// Whether request path `path` matches an Ingress path of `path_type`: Exact compares the whole
// path; Prefix (and ImplementationSpecific, treated as Prefix) matches element by element split
// on '/', so "/foo" matches "/foo", "/foo/" and "/foo/bar" but not "/foobar" (networking.k8s.io/v1
// HTTPIngressPath).
bool path_matches(std::string_view path_type, std::string_view rule_path, std::string_view path);

// Picks the rule for a request among `ingresses` (networking.k8s.io/v1, JSON), filtered by
// `ingress_class`. Hosts: a rule whose host equals the request's wins over a wildcard host
// ("*.example.test" covers exactly one label), which wins over a rule without host (which
// matches any host, as for IP identifiers). Among those, the longest matching path wins, Exact
// before Prefix at equal length. nullopt: nothing matches (404). spec.defaultBackend and
// resource backends are not modelled.
std::optional<RouteMatch> match_route(const std::vector<nlohmann::json>& ingresses,
                                      std::string_view ingress_class, std::string_view host,
                                      std::string_view path);

struct Endpoint {
  std::string pod;
  std::string ip;
  std::uint16_t port = 0;
};

// The ready endpoints of `match`'s backend: the Service port (by number or name) → its
// targetPort (a number, or a container port name looked up in each Pod; absent = the port) →
// the Pods matching the Service's selector that are Running, not being deleted, have a podIP and
// a Ready condition True. kNotFound when the Service has no such port; an empty list when no
// Pod is ready (503).
common::Result<std::vector<Endpoint>> ready_endpoints(const RouteMatch& match,
                                                      const nlohmann::json& service,
                                                      const std::vector<nlohmann::json>& pods);

}  // namespace certkeeper::standins
