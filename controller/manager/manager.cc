#include "controller/manager/manager.h"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <mutex>
#include <string_view>
#include <thread>

#include <fmt/format.h>

#include "controller/manager/sync_metrics.h"
#include "lib/common/log.h"
#include "lib/common/random.h"
#include "lib/common/stop.h"
#include "lib/kube/leader_election.h"
#include "lib/metrics/serve.h"

namespace certkeeper::manager {
namespace {

std::vector<ControllerInfo> infos_of(const std::vector<ControllerRegistration>& registrations) {
  std::vector<ControllerInfo> infos;
  infos.reserve(registrations.size());
  for (const auto& r : registrations) {
    infos.push_back(r.info);
  }
  return infos;
}

// The per-term collectors, removed from the registry (which waits out scrapes still using them)
// before the informers they read are destroyed: declare it after the InformerFactory.
class TermCollectors {
 public:
  explicit TermCollectors(metrics::Registry& registry) : registry_(registry) {}
  ~TermCollectors() {
    for (const auto& c : collectors_) {
      registry_.remove(c.get());
    }
  }
  TermCollectors(const TermCollectors&) = delete;
  TermCollectors& operator=(const TermCollectors&) = delete;
  void add(std::shared_ptr<const prometheus::Collectable> collector) {
    if (collector) {
      registry_.add(collector);
      collectors_.push_back(std::move(collector));
    }
  }

 private:
  metrics::Registry& registry_;
  std::vector<std::shared_ptr<const prometheus::Collectable>> collectors_;
};

// A server (not started) on the flag's "host:port", with `timeout` to read and to write.
common::Result<std::unique_ptr<http::HttpServer>> server_on(const std::string& value,
                                                            std::string_view flag,
                                                            std::chrono::seconds timeout) {
  auto address = parse_listen_address(value, flag);
  if (!address) {
    return tl::unexpected(address.error());
  }
  return std::make_unique<http::HttpServer>(http::ServerOptions{
      .address = address->host,
      .port = address->port,
      .read_timeout = timeout,
      .write_timeout = timeout,
  });
}

http::Response text(int status, std::string body) {
  return http::text_response(status, std::move(body));
}

}  // namespace

std::string default_identity() {
  std::array<char, 256> host{};
  if (::gethostname(host.data(), host.size() - 1) != 0) {
    host[0] = '\0';
  }
  common::SystemRandom random;
  constexpr std::string_view kAlphabet = "bcdfghjklmnpqrstvwxz2456789";
  std::string suffix;
  for (int i = 0; i < 8; ++i) {
    suffix += kAlphabet[static_cast<std::size_t>(random.uniform01() * kAlphabet.size())];
  }
  return fmt::format("{}_{}", host.data()[0] != '\0' ? host.data() : "certkeeper", suffix);
}

Manager::Manager(kube::Client& client, const common::Clock& clock, ManagerOptions options,
                 std::vector<ControllerRegistration> registrations,
                 std::shared_ptr<metrics::Registry> metrics)
    : client_(client),
      clock_(clock),
      options_(std::move(options)),
      registrations_(std::move(registrations)),
      metrics_(metrics ? std::move(metrics) : std::make_shared<metrics::Registry>()),
      sync_metrics_(make_sync_metrics(*metrics_)) {
  auto selected = select_controllers(options_.controllers, infos_of(registrations_),
                                     !options_.namespace_.empty());
  if (!selected) {
    selection_ = tl::unexpected(selected.error());
    return;
  }
  // Registration order, not name order: controllers start as they were registered.
  for (const auto& r : registrations_) {
    if (selected->contains(r.info.name)) {
      selected_names_.push_back(r.info.name);
    }
  }
}

Manager::~Manager() {
  if (health_) {
    health_->stop();
  }
  if (metrics_server_) {
    metrics_server_->stop();
  }
}

void Manager::add_collector(CollectorFactory factory) { collectors_.push_back(std::move(factory)); }

common::Status Manager::start_metrics_server() {
  if (options_.metrics_listen_address.empty()) {
    return common::ok();
  }
  // cert-manager's metrics server allows 8 s to read a request and 8 s to write the answer.
  auto server = server_on(options_.metrics_listen_address, "--metrics-listen-address",
                          std::chrono::seconds(8));
  if (!server) {
    return tl::unexpected(server.error());
  }
  metrics_server_ = std::move(*server);
  metrics::serve(*metrics_server_, metrics_);
  return metrics_server_->start();
}

std::uint16_t Manager::metrics_port() const {
  return metrics_server_ ? metrics_server_->port() : 0;
}

common::Status Manager::start_health_server() {
  if (options_.healthz_listen_address.empty()) {
    return common::ok();
  }
  auto server = server_on(options_.healthz_listen_address, "--internal-healthz-listen-address",
                          std::chrono::seconds(10));
  if (!server) {
    return tl::unexpected(server.error());
  }
  health_ = std::move(*server);
  const auto live = [this](const http::ServerRequest&) {
    return healthy_.load() ? text(200, "ok\n") : text(500, "controllers stopped\n");
  };
  health_->route("GET", "/healthz", live);
  health_->route("GET", "/livez", live);
  health_->route("GET", "/readyz", [this](const http::ServerRequest&) {
    return ready_.load() ? text(200, "ok\n")
                         : text(503, "not ready: not leading, or caches not synced\n");
  });
  return health_->start();
}

std::uint16_t Manager::healthz_port() const { return health_ ? health_->port() : 0; }

common::Status Manager::lead(std::stop_token stop) {
  auto log = common::logger("manager");
  InformerFactory informers(client_, clock_);
  kube::EventRecorder events(client_, "certkeeper", clock_);
  ControllerContext context{client_, clock_, informers, events, options_};

  std::vector<std::unique_ptr<Controller>> controllers;
  for (const auto& r : registrations_) {
    if (std::find(selected_names_.begin(), selected_names_.end(), r.info.name) ==
        selected_names_.end()) {
      continue;
    }
    auto controller = r.make(clock_, options_);
    if (auto status = controller->setup(context); !status) {
      return make_error(status.error().code(),
                        fmt::format("controller {}: {}", r.info.name, status.error().message()));
    }
    controller->set_sync_observer(sync_metrics_);
    controllers.push_back(std::move(controller));
  }
  TermCollectors term_collectors(*metrics_);
  for (const auto& factory : collectors_) {
    term_collectors.add(factory(context));
  }

  informers.start();
  log->info("waiting for {} caches to sync", informers.size());
  const auto deadline = std::chrono::steady_clock::now() + options_.cache_sync_timeout;
  while (!informers.synced()) {
    if (stop.stop_requested()) {
      return common::ok();
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return make_error(
          common::ErrorCode::kUnavailable,
          fmt::format("caches did not sync within {} s",
                      std::chrono::duration_cast<std::chrono::seconds>(options_.cache_sync_timeout)
                          .count()));
    }
    common::sleep_unless_stopped(stop, std::chrono::milliseconds(50));
  }

  std::vector<std::jthread> threads;
  threads.reserve(controllers.size());
  for (auto& controller : controllers) {
    log->info("starting controller {}", controller->name());
    threads.emplace_back([&controller, stop] { controller->run(stop); });
  }
  ready_ = true;
  log->info("ready: {} controllers running", controllers.size());

  while (!stop.stop_requested()) {
    common::sleep_unless_stopped(stop, std::chrono::seconds(1));
  }
  ready_ = false;
  threads.clear();  // joins: each run() returns after its in-flight reconciles
  informers.stop();
  events.flush();
  log->info("controllers stopped");
  return common::ok();
}

common::Status Manager::run(std::stop_token stop) {
  if (!selection_) {
    return selection_;
  }
  if (auto status = validate(options_); !status) {
    return status;
  }
  if (!options_.leader_elect) {
    auto status = lead(stop);
    healthy_ = status.has_value();
    return status;
  }

  // A failure inside the term (a controller's setup, caches that never sync) must also end the
  // term, so that the Lease is released for another replica instead of being held idle.
  std::stop_source term;
  const std::stop_callback forward(stop, [&term] { term.request_stop(); });
  common::Status inner = common::ok();
  kube::LeaderElector elector(client_,
                              {.lease_namespace = options_.leader_election_namespace,
                               .lease_name = options_.leader_election_id,
                               .identity = default_identity(),
                               .lease_duration = options_.lease_duration,
                               .renew_deadline = options_.renew_deadline,
                               .retry_period = options_.retry_period},
                              clock_);
  auto status = elector.run(term.get_token(), [this, &inner, &term](std::stop_token lead_stop) {
    inner = lead(lead_stop);
    if (!inner) {
      term.request_stop();
    }
  });
  if (!inner) {
    healthy_ = false;
    return inner;
  }
  healthy_ = status.has_value();
  return status;
}

}  // namespace certkeeper::manager
