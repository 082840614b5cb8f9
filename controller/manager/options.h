#pragma once

#include <chrono>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "lib/common/error.h"

namespace certkeeper::manager {

// `certkeeper controller`'s settings, with cert-manager's flag names and defaults
// (cert-manager-api.md §7.1) so that existing Deployments keep working.
struct ManagerOptions {
  std::string kubeconfig;  // empty: in-cluster, else $KUBECONFIG / ~/.kube/config
  std::string context;
  // Single-namespace mode: watch only this namespace and run no cluster-scoped controller.
  std::string namespace_;
  // Where ClusterIssuers' Secrets live.
  std::string cluster_resource_namespace = "kube-system";

  bool leader_elect = true;
  std::string leader_election_namespace = "kube-system";
  std::string leader_election_id = "certkeeper-controller";
  std::chrono::milliseconds lease_duration{std::chrono::seconds(60)};
  std::chrono::milliseconds renew_deadline{std::chrono::seconds(40)};
  std::chrono::milliseconds retry_period{std::chrono::seconds(15)};

  double kube_api_qps = 20.0;
  int kube_api_burst = 50;
  int concurrent_workers = 5;
  int max_concurrent_challenges = 60;
  // How often the readiness controller asks an ACME CA for renewal information (ARI, RFC 9773)
  // when the CA gave no Retry-After (certkeeper's flag; cert-manager hard-codes 6 h).
  std::chrono::milliseconds ari_poll_interval{std::chrono::hours(6)};

  // ACME challenges (cert-manager-api.md §3.4, §3.7, §3.8, §7.1).
  // DNS servers ("host:port") asked for DNS-01 self-checks and CNAME/zone lookups; empty: the
  // first nameserver of /etc/resolv.conf.
  std::vector<std::string> dns01_recursive_nameservers;
  // Check the TXT value only on dns01_recursive_nameservers, not on the zone's authoritative
  // servers.
  bool dns01_recursive_nameservers_only = false;
  // How long a challenge whose self-check failed waits before checking again (HTTP-01 too).
  std::chrono::milliseconds dns01_check_retry_period{std::chrono::seconds(10)};
  // The HTTP-01 solver Pod's image; empty: "certkeeper:<version>" (our binary's acmesolver).
  std::string acme_http01_solver_image;
  std::string acme_http01_solver_resource_request_cpu = "10m";
  std::string acme_http01_solver_resource_request_memory = "64Mi";
  std::string acme_http01_solver_resource_limits_cpu = "100m";
  std::string acme_http01_solver_resource_limits_memory = "64Mi";
  bool acme_http01_solver_run_as_non_root = true;
  // DNS servers ("host:port") that resolve challenge domains for the HTTP-01 self-check; empty:
  // the system resolver.
  std::vector<std::string> acme_http01_solver_nameservers;
  // ingress-shim (cert-manager-api.md §4): Ingress annotations that, set to true, ask for
  // Certificates from the default issuer below; Ingress annotations copied onto Certificates.
  std::vector<std::string> auto_certificate_annotations{"kubernetes.io/tls-acme"};
  std::string default_issuer_name;
  std::string default_issuer_kind = "Issuer";
  std::string default_issuer_group = "cert-manager.io";
  std::vector<std::string> extra_certificate_annotations;
  // "*" = every default controller, "name" enables one, "-name" disables one.
  std::vector<std::string> controllers{"*"};

  std::string metrics_listen_address = "0.0.0.0:9402";
  // /healthz, /livez and /readyz.
  std::string healthz_listen_address = "0.0.0.0:9403";
  // How long to wait for the caches to fill before giving up leadership and exiting.
  std::chrono::milliseconds cache_sync_timeout{std::chrono::minutes(2)};
};

// A controller the manager knows by name.
struct ControllerInfo {
  std::string name;
  bool enabled_by_default = true;
  bool cluster_scoped = false;  // removed in single-namespace mode
};

// Resolves --controllers against the known ones: "*" adds the defaults, "name" adds one,
// "-name" removes one (later entries win, as in cert-manager). Cluster-scoped controllers are
// dropped when `single_namespace`. kInvalidArgument naming the flag and the unknown name.
common::Result<std::set<std::string>> select_controllers(const std::vector<std::string>& spec,
                                                         const std::vector<ControllerInfo>& known,
                                                         bool single_namespace);

// "0.0.0.0:9402", "[::1]:0", ":9402" (all interfaces). kInvalidArgument naming `flag`.
struct ListenAddress {
  std::string host;
  std::uint16_t port = 0;
};
common::Result<ListenAddress> parse_listen_address(std::string_view value, std::string_view flag);

// Cross-field checks (e.g. the renew deadline must be shorter than the lease). The error names
// the flag at fault.
common::Status validate(const ManagerOptions& options);

}  // namespace certkeeper::manager
