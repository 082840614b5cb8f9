#include "controller/manager/manager.h"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <mutex>
#include <string_view>
#include <thread>

#include <fmt/format.h>

#include "lib/common/log.h"
#include "lib/common/random.h"
#include "lib/common/stop.h"
#include "lib/kube/leader_election.h"

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
                 std::vector<ControllerRegistration> registrations)
    : client_(client),
      clock_(clock),
      options_(std::move(options)),
      registrations_(std::move(registrations)) {
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
}

common::Status Manager::start_health_server() {
  if (options_.healthz_listen_address.empty()) {
    return common::ok();
  }
  auto address =
      parse_listen_address(options_.healthz_listen_address, "--internal-healthz-listen-address");
  if (!address) {
    return tl::unexpected(address.error());
  }
  health_ = std::make_unique<http::HttpServer>(http::ServerOptions{
      .address = address->host,
      .port = address->port,
      .read_timeout = std::chrono::seconds(10),
      .write_timeout = std::chrono::seconds(10),
  });
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
    controllers.push_back(std::move(controller));
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
