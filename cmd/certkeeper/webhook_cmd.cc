// `certkeeper webhook`: the admission webhook (cert-manager-api.md §5.1). Parses flags, builds
// the Kubernetes client, and runs webhook::WebhookServer until SIGTERM or SIGINT.
#include <condition_variable>
#include <iostream>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>

#include "cmd/certkeeper/signals.h"
#include "cmd/certkeeper/subcommands.h"
#include "lib/api/duration.h"
#include "lib/common/clock.h"
#include "lib/common/log.h"
#include "lib/kube/client.h"
#include "lib/kube/config.h"
#include "webhook/server.h"

namespace certkeeper::cmd {
namespace {

constexpr std::string_view kPrefix = "certkeeper webhook: ";

struct WebhookFlags {
  std::string kubeconfig;
  std::string leaf_duration = "168h";
  webhook::WebhookOptions options;
};

int run_webhook(WebhookFlags flags) {
  auto& options = flags.options;
  auto duration = api::parse_go_duration(flags.leaf_duration);
  if (!duration || duration->count() <= 0) {
    std::cerr << kPrefix << "--dynamic-serving-leaf-duration: invalid duration '"
              << flags.leaf_duration << "' (want e.g. 168h, 30s)\n";
    return 2;
  }
  options.leaf_duration = std::chrono::duration_cast<std::chrono::seconds>(*duration);
  if (auto status = webhook::validate(options); !status) {
    std::cerr << kPrefix << status.error().message() << '\n';
    return 2;
  }
  const common::SystemClock clock;
  auto config = kube::load_config({.path = flags.kubeconfig}, clock);
  if (!config) {
    std::cerr << kPrefix << config.error().message() << '\n';
    return 1;
  }
  auto client = kube::Client::create(std::move(*config), clock);

  auto log = common::logger("webhook");
  const TerminationSignals signals(log);
  if (!signals.ok()) {
    std::cerr << kPrefix << "blocking signals failed\n";
    return 1;
  }
  int code = 0;
  {
    webhook::WebhookServer server(*client, clock, options);
    if (auto status = server.start(signals.token()); !status) {
      if (!signals.stop_requested()) {
        std::cerr << kPrefix << status.error().message() << '\n';
        code = 1;
      }
    } else {
      std::mutex m;
      std::unique_lock lock(m);
      std::condition_variable_any cv;
      cv.wait(lock, signals.token(), [] { return false; });
    }
  }  // stops the servers and the TLS thread
  if (code == 0) {
    log->info("stopped cleanly");
  }
  return code;
}

}  // namespace

Runner register_webhook(CLI::App& app) {
  auto* sub = app.add_subcommand("webhook", "Run the admission webhook server");
  // --log-level and --log-format may come after `webhook` too (the Helm chart passes them so).
  sub->fallthrough();
  auto flags = std::make_shared<WebhookFlags>();
  auto& o = flags->options;
  sub->add_option("--kubeconfig", flags->kubeconfig,
                  "Path to a kubeconfig; empty: in-cluster config when running in a Pod");
  sub->add_option("--secure-port", o.secure_port, "HTTPS port of /validate and /mutate")
      ->capture_default_str();
  sub->add_option("--bind-address", o.bind_address, "Address both servers listen on")
      ->capture_default_str();
  sub->add_option("--healthz-port", o.healthz_port, "Plain-HTTP port of /healthz and /livez")
      ->capture_default_str();
  sub->add_option("--tls-cert-file", o.tls_cert_file,
                  "Static serving certificate (PEM, reloaded when it changes); no dynamic CA");
  sub->add_option("--tls-private-key-file", o.tls_private_key_file,
                  "Private key of --tls-cert-file");
  sub->add_option("--dynamic-serving-ca-secret-namespace", o.ca_secret_namespace,
                  "Namespace of the Secret holding the self-managed serving CA");
  sub->add_option("--dynamic-serving-ca-secret-name", o.ca_secret_name,
                  "Name of the Secret holding the self-managed serving CA");
  sub->add_option("--dynamic-serving-dns-names", o.dns_names,
                  "DNS names (or IPs) of the serving certificate, comma-separated")
      ->delimiter(',');
  sub->add_option("--dynamic-serving-leaf-duration", flags->leaf_duration,
                  "Lifetime of the serving certificate; renewed at 2/3 of it")
      ->capture_default_str();
  sub->add_option("--validating-webhook-configuration-name", o.injection.validating,
                  "ValidatingWebhookConfiguration whose caBundle gets the CA (empty: none)");
  sub->add_option("--mutating-webhook-configuration-name", o.injection.mutating,
                  "MutatingWebhookConfiguration whose caBundle gets the CA (empty: none)");
  return [flags] { return run_webhook(*flags); };
}

}  // namespace certkeeper::cmd
