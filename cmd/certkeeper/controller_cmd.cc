// `certkeeper controller`: the controller process, with cert-manager's flags. Parses flags,
// builds the Kubernetes client, and hands over to manager::Manager until SIGTERM or SIGINT.
#include <iostream>
#include <memory>
#include <stop_token>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include <fmt/format.h>

#include "cmd/certkeeper/signals.h"
#include "cmd/certkeeper/subcommands.h"
#include "controller/collectors/acme_metrics.h"
#include "controller/collectors/collectors.h"
#include "controller/issuers/acme_accounts.h"
#include "controller/manager/manager.h"
#include "controller/registry.h"
#include "lib/api/duration.h"
#include "lib/common/clock.h"
#include "lib/common/log.h"
#include "lib/kube/client.h"
#include "lib/kube/config.h"

namespace certkeeper::cmd {
namespace {

constexpr std::string_view kPrefix = "certkeeper controller: ";

// Flags that need more than CLI11 gives: Go duration strings ("60s", "1m30s", as in
// cert-manager's flags), and whether the rate-limit flags were given at all.
struct RawFlags {
  std::string lease = "60s";
  std::string renew = "40s";
  std::string retry = "15s";
  std::string ari_poll = "6h";
  std::string dns01_check_retry = "10s";
  // Whether --kube-api-qps / --kube-api-burst were given; if neither was, the limit is chosen
  // after probing the server (see choose_rate_limit).
  bool rate_limit_given = false;
};

common::Status parse_durations(const RawFlags& flags, manager::ManagerOptions& options) {
  for (const auto& [text, flag, out] :
       {std::tuple{&flags.lease, "--leader-election-lease-duration", &options.lease_duration},
        std::tuple{&flags.renew, "--leader-election-renew-deadline", &options.renew_deadline},
        std::tuple{&flags.retry, "--leader-election-retry-period", &options.retry_period},
        std::tuple{&flags.ari_poll, "--acme-ari-poll-interval", &options.ari_poll_interval},
        std::tuple{&flags.dns01_check_retry, "--dns01-check-retry-period",
                   &options.dns01_check_retry_period}}) {
    auto d = api::parse_go_duration(*text);
    if (!d || d->count() <= 0) {
      return common::make_error(
          common::ErrorCode::kInvalidArgument,
          fmt::format("{}: invalid duration '{}' (want e.g. 60s, 1m30s)", flag, *text));
    }
    *out = std::chrono::duration_cast<std::chrono::milliseconds>(*d);
  }
  return common::ok();
}

// The client-side rate limit: what the flags say when given (QPS <= 0 turns it off); otherwise
// none when the server has API Priority and Fairness (it protects itself, and a client-side
// 20 QPS would make a thousand Certificates take minutes), else cert-manager's 20/50.
void choose_rate_limit(const manager::ManagerOptions& options, bool given, kube::RestConfig& config,
                       const common::Clock& clock) {
  auto log = common::logger("controller");
  config.qps = options.kube_api_qps;
  config.burst = options.kube_api_burst;
  if (given) {
    return;
  }
  auto probe = kube::Client::create(config, clock);
  auto apf = kube::server_has_priority_and_fairness(*probe);
  if (apf && *apf) {
    config.qps = 0;
    log->info(
        "the API server has Priority and Fairness: no client-side rate limit "
        "(set --kube-api-qps to impose one)");
  } else {
    log->info("client-side rate limit {} QPS, burst {}{}", config.qps, config.burst,
              apf ? "" : " (could not probe the server: " + apf.error().message() + ")");
  }
}

int run_controller(manager::ManagerOptions options, const RawFlags& raw) {
  if (auto status = parse_durations(raw, options); !status) {
    std::cerr << kPrefix << status.error().message() << '\n';
    return 2;
  }
  if (auto status = manager::validate(options); !status) {
    std::cerr << kPrefix << status.error().message() << '\n';
    return 2;
  }
  auto registrations = controller::registrations();
  std::vector<manager::ControllerInfo> known;
  for (const auto& r : registrations) {
    known.push_back(r.info);
  }
  if (auto selected =
          manager::select_controllers(options.controllers, known, !options.namespace_.empty());
      !selected) {
    std::cerr << kPrefix << selected.error().message() << '\n';
    return 2;
  }

  const common::SystemClock clock;
  auto config = kube::load_config({.path = options.kubeconfig, .context = options.context}, clock);
  if (!config) {
    std::cerr << kPrefix << config.error().message() << '\n';
    return 1;
  }
  choose_rate_limit(options, raw.rate_limit_given, *config, clock);
  auto client = kube::Client::create(std::move(*config), clock);

  auto log = common::logger("controller");
  const TerminationSignals signals(log);
  if (!signals.ok()) {
    std::cerr << kPrefix << "blocking signals failed\n";
    return 1;
  }

  // One metrics registry for the process: the ACME clients' request counters, the manager's
  // sync counters, and the collectors over the caches (docs/metrics.md).
  auto registry = std::make_shared<metrics::Registry>();
  auto accounts = std::make_shared<issuers::AcmeAccounts>(
      std::make_shared<collectors::AcmeRequestMetrics>(*registry));
  manager::Manager manager(*client, clock, options, controller::registrations(accounts), registry);
  collectors::install(manager, clock);
  if (auto status = manager.start_health_server(); !status) {
    std::cerr << kPrefix << status.error().message() << '\n';
    return 1;
  }
  if (auto status = manager.start_metrics_server(); !status) {
    std::cerr << kPrefix << status.error().message() << '\n';
    return 1;
  }
  log->info("health endpoints on port {}", manager.healthz_port());
  log->info("metrics on port {}", manager.metrics_port());

  // Ends on a signal, or on its own (lost leadership or a setup failure).
  if (auto status = manager.run(signals.token()); !status) {
    std::cerr << kPrefix << status.error().message() << '\n';
    return 1;
  }
  log->info("stopped cleanly");
  return 0;
}

}  // namespace

Runner register_controller(CLI::App& app) {
  auto* sub = app.add_subcommand("controller", "Run the certificate controllers");
  auto options = std::make_shared<manager::ManagerOptions>();
  auto raw = std::make_shared<RawFlags>();
  sub->add_option("--kubeconfig", options->kubeconfig,
                  "Path to a kubeconfig; empty: in-cluster config when running in a Pod");
  sub->add_option("--context", options->context, "The kubeconfig context to use");
  sub->add_option("--namespace", options->namespace_,
                  "Watch only this namespace (cluster-scoped controllers are off)");
  sub->add_option("--cluster-resource-namespace", options->cluster_resource_namespace,
                  "Namespace of the Secrets that ClusterIssuers refer to")
      ->capture_default_str();
  sub->add_option("--leader-elect", options->leader_elect,
                  "Run controllers only while holding the leader-election Lease")
      ->capture_default_str();
  sub->add_option("--leader-election-namespace", options->leader_election_namespace,
                  "Namespace of the leader-election Lease")
      ->capture_default_str();
  sub->add_option("--leader-election-id", options->leader_election_id,
                  "Name of the leader-election Lease")
      ->capture_default_str();
  sub->add_option("--leader-election-lease-duration", raw->lease,
                  "How long a follower waits on an unrenewed Lease before taking it")
      ->capture_default_str();
  sub->add_option("--leader-election-renew-deadline", raw->renew,
                  "How long the leader keeps trying to renew before it stops")
      ->capture_default_str();
  sub->add_option("--leader-election-retry-period", raw->retry,
                  "Time between attempts to acquire or renew")
      ->capture_default_str();
  auto* qps = sub->add_option("--kube-api-qps", options->kube_api_qps,
                              "Client-side limit on API requests/s (<= 0: none); by default none "
                              "when the server has API Priority and Fairness, else 20")
                  ->capture_default_str();
  auto* burst =
      sub->add_option("--kube-api-burst", options->kube_api_burst, "Burst above --kube-api-qps")
          ->capture_default_str();
  sub->callback(
      [qps, burst, raw] { raw->rate_limit_given = qps->count() > 0 || burst->count() > 0; });
  sub->add_option("--concurrent-workers", options->concurrent_workers, "Workers per controller")
      ->capture_default_str();
  sub->add_option("--max-concurrent-challenges", options->max_concurrent_challenges,
                  "ACME challenges presented at once")
      ->capture_default_str();
  sub->add_option("--acme-ari-poll-interval", raw->ari_poll,
                  "How often to ask an ACME CA for renewal information (RFC 9773) at most apart; "
                  "a CA's Retry-After may ask for checks more often, down to min(1h, this)")
      ->capture_default_str();
  sub->add_option("--dns01-recursive-nameservers", options->dns01_recursive_nameservers,
                  "host:port of DNS servers for DNS-01 self-checks (default: resolv.conf)")
      ->delimiter(',');
  sub->add_flag("--dns01-recursive-nameservers-only", options->dns01_recursive_nameservers_only,
                "Check DNS-01 records only on --dns01-recursive-nameservers");
  sub->add_option("--dns01-check-retry-period", raw->dns01_check_retry,
                  "Wait between failed challenge self-checks")
      ->capture_default_str();
  sub->add_option("--acme-http01-solver-image", options->acme_http01_solver_image,
                  "Image of HTTP-01 solver Pods (default: certkeeper:<version>)");
  sub->add_option("--acme-http01-solver-resource-request-cpu",
                  options->acme_http01_solver_resource_request_cpu, "Solver Pod CPU request")
      ->capture_default_str();
  sub->add_option("--acme-http01-solver-resource-request-memory",
                  options->acme_http01_solver_resource_request_memory, "Solver Pod memory request")
      ->capture_default_str();
  sub->add_option("--acme-http01-solver-resource-limits-cpu",
                  options->acme_http01_solver_resource_limits_cpu, "Solver Pod CPU limit")
      ->capture_default_str();
  sub->add_option("--acme-http01-solver-resource-limits-memory",
                  options->acme_http01_solver_resource_limits_memory, "Solver Pod memory limit")
      ->capture_default_str();
  sub->add_option("--acme-http01-solver-run-as-non-root",
                  options->acme_http01_solver_run_as_non_root, "Solver Pods run as non-root")
      ->capture_default_str();
  sub->add_option("--acme-http01-solver-nameservers", options->acme_http01_solver_nameservers,
                  "host:port of DNS servers resolving domains for HTTP-01 self-checks")
      ->delimiter(',');
  sub->add_option("--auto-certificate-annotations", options->auto_certificate_annotations,
                  "Ingress annotations that, set to true, make ingress-shim request Certificates "
                  "from the default issuer")
      ->delimiter(',')
      ->capture_default_str();
  sub->add_option("--default-issuer-name", options->default_issuer_name,
                  "Issuer of Certificates for Ingresses with an auto annotation");
  sub->add_option("--default-issuer-kind", options->default_issuer_kind,
                  "Kind of the default issuer")
      ->capture_default_str();
  sub->add_option("--default-issuer-group", options->default_issuer_group,
                  "API group of the default issuer")
      ->capture_default_str();
  sub->add_option("--extra-certificate-annotations", options->extra_certificate_annotations,
                  "Ingress annotations ingress-shim copies onto the Certificates it makes")
      ->delimiter(',');
  sub->add_option("--controllers", options->controllers,
                  "Controllers to run: '*' for the defaults, 'name' to add, '-name' to remove")
      ->delimiter(',')
      ->capture_default_str();
  sub->add_option("--metrics-listen-address", options->metrics_listen_address,
                  "host:port for /metrics")
      ->capture_default_str();
  sub->add_option("--internal-healthz-listen-address", options->healthz_listen_address,
                  "host:port for /healthz, /livez and /readyz")
      ->capture_default_str();
  return [options, raw] { return run_controller(*options, *raw); };
}

}  // namespace certkeeper::cmd
