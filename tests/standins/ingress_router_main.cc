// ck-ingress-router: routes HTTP requests by the Ingresses, Services and Pods of one namespace,
// for a test cluster without an ingress controller (README.md).
#include <charconv>
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>

#include "lib/common/clock.h"
#include "lib/common/log.h"
#include "tests/standins/ingress_router.h"
#include "tests/standins/process_setup.h"

namespace {

int run(int argc, char** argv) {
  using namespace certkeeper;  // NOLINT(google-build-using-namespace): a main() of a test tool
  CLI::App app{"ck-ingress-router: the ingress controller stand-in"};
  std::string kubeconfig;
  std::string listen;
  std::string log_level = "info";
  standins::IngressRouterOptions options;
  app.add_option("--kubeconfig", kubeconfig, "Kubeconfig of the test cluster")->required();
  app.add_option("--namespace", options.ns, "Namespace whose Ingresses to serve")->required();
  app.add_option("--listen", listen, "ADDR:PORT to listen on, e.g. 127.0.77.1:80")->required();
  app.add_option("--ingress-class", options.ingress_class,
                 "Serve only Ingresses of this class (spec.ingressClassName or the "
                 "kubernetes.io/ingress.class annotation); default: every Ingress");
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  const auto colon = listen.rfind(':');
  int port = -1;
  if (colon != std::string::npos) {
    const char* first = listen.data() + colon + 1;
    const char* last = listen.data() + listen.size();
    const auto [ptr, ec] = std::from_chars(first, last, port);
    if (ec != std::errc() || ptr != last) {
      port = -1;
    }
  }
  if (colon == std::string::npos || colon == 0 || port < 1 || port > 65535) {
    std::cerr << "ck-ingress-router: --listen " << listen << ": expected ADDR:PORT\n";
    return 2;
  }
  options.listen_address = listen.substr(0, colon);
  if (options.listen_address.size() > 2 && options.listen_address.front() == '[') {
    options.listen_address = options.listen_address.substr(1, options.listen_address.size() - 2);
  }
  options.port = static_cast<std::uint16_t>(port);

  const auto signals = standins::block_stop_signals();
  auto client = standins::setup(kubeconfig, log_level);
  if (!client) {
    std::cerr << "ck-ingress-router: " << client.error().message() << '\n';
    return 1;
  }
  auto log = common::logger("ingress-router");
  standins::IngressRouter router(**client, options, common::SystemClock::instance());
  if (auto status = router.start(std::chrono::seconds(30)); !status) {
    std::cerr << "ck-ingress-router: " << status.error().message() << '\n';
    return 1;
  }
  log->info("routing namespace {} on {} (ingress class: {})", options.ns, listen,
            options.ingress_class.empty() ? "any" : options.ingress_class);
  const std::string received = standins::wait_for_signal(signals);
  log->info("received {}: stopping", received);
  router.stop();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return certkeeper::standins::guarded_main("ck-ingress-router", run, argc, argv);
}
