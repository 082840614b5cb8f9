#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <stop_token>
#include <string>
#include <vector>

#include "controller/manager/controller.h"
#include "controller/manager/informer_factory.h"
#include "controller/manager/options.h"
#include "lib/common/clock.h"
#include "lib/common/error.h"
#include "lib/http/server.h"
#include "lib/kube/client.h"
#include "lib/kube/events.h"
#include "lib/metrics/registry.h"

namespace certkeeper::manager {

// Makes one controller; called once per leadership term, so a controller never carries state
// from a term it lost.
using ControllerFactory =
    std::function<std::unique_ptr<Controller>(const common::Clock&, const ManagerOptions&)>;

struct ControllerRegistration {
  ControllerInfo info;
  ControllerFactory make;
};

// Makes a scrape-time collector over one leadership term's caches (e.g. the Certificates in the
// informer cache); called after the controllers' setup, so it can share their informers. The
// collector is removed from the registry when the term ends, before its informers go.
using CollectorFactory =
    std::function<std::shared_ptr<const prometheus::Collectable>(ControllerContext&)>;

// Runs the selected controllers as cert-manager's controller process does:
//  - the health server answers /healthz and /livez (200 while the process works; 500 once
//    leadership was lost or the caches could not sync) and /readyz (200 only while this
//    process leads, or leader election is off, and every cache has synced);
//  - with leader election, controllers are made, their informers started and their workers run
//    only while the Lease is held; losing it stops them and makes run() return an error (the
//    process should exit, and be restarted, as client-go controllers do);
//  - run() returns ok after `stop` is requested, once in-flight reconciles have finished and the
//    Lease has been released;
//  - the metrics server answers GET /metrics from `metrics` (--metrics-listen-address) whether
//    or not this process leads: reconciles per controller (certmanager_controller_sync_*), and
//    while leading whatever the collector factories make from the term's caches.
//
// Owns the informers, the event recorder, the controllers and the health and metrics servers;
// shares the metrics registry; borrows the client and the clock. run() is called once.
// healthz_port() and metrics_port() are thread-safe.
class Manager {
 public:
  // `metrics`: the process's registry (the ACME client's counters live there too); null makes
  // one of the Manager's own.
  Manager(kube::Client& client, const common::Clock& clock, ManagerOptions options,
          std::vector<ControllerRegistration> registrations,
          std::shared_ptr<metrics::Registry> metrics = nullptr);
  ~Manager();
  Manager(const Manager&) = delete;
  Manager& operator=(const Manager&) = delete;

  // Starts the health server; separate from run() so callers learn its port (tests bind :0).
  common::Status start_health_server();
  [[nodiscard]] std::uint16_t healthz_port() const;
  // Starts the metrics server on --metrics-listen-address (none when it is empty).
  common::Status start_metrics_server();
  [[nodiscard]] std::uint16_t metrics_port() const;
  [[nodiscard]] const std::shared_ptr<metrics::Registry>& metrics() const { return metrics_; }
  // Adds a per-term collector (before run()).
  void add_collector(CollectorFactory factory);

  common::Status run(std::stop_token stop);

  // The controllers --controllers selected, by name (valid after construction).
  [[nodiscard]] const std::vector<std::string>& selected() const { return selected_names_; }
  // What /readyz answers: leading (or leader election off) with every cache synced.
  [[nodiscard]] bool ready() const { return ready_.load(); }

 private:
  common::Status lead(std::stop_token stop);

  kube::Client& client_;
  const common::Clock& clock_;
  ManagerOptions options_;
  std::vector<ControllerRegistration> registrations_;
  std::vector<std::string> selected_names_;
  common::Status selection_;  // a bad --controllers, reported by run()

  std::shared_ptr<metrics::Registry> metrics_;
  std::shared_ptr<SyncObserver> sync_metrics_;
  std::vector<CollectorFactory> collectors_;
  std::unique_ptr<http::HttpServer> health_;
  std::unique_ptr<http::HttpServer> metrics_server_;
  std::atomic<bool> ready_{false};
  std::atomic<bool> healthy_{true};
};

// A unique leader-election identity: the host name and a random suffix.
std::string default_identity();

}  // namespace certkeeper::manager
