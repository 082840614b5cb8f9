#pragma once

#include <chrono>
#include <memory>
#include <stop_token>
#include <string>
#include <string_view>

#include "controller/manager/informer_factory.h"
#include "controller/manager/options.h"
#include "lib/common/clock.h"
#include "lib/kube/client.h"
#include "lib/kube/events.h"
#include "lib/kube/workqueue.h"

namespace certkeeper::manager {

// What every controller is handed: shared by all of them, owned by the Manager, valid from
// setup() until run() returns.
struct ControllerContext {
  kube::Client& client;
  const common::Clock& clock;
  InformerFactory& informers;
  kube::EventRecorder& events;
  const ManagerOptions& options;
};

// Told about every reconcile a controller's workers run (certmanager_controller_sync_call_count
// and _sync_error_count). Thread-safe; called on the worker threads.
class SyncObserver {
 public:
  virtual ~SyncObserver() = default;
  // `error` is a transient failure that will be retried with backoff; conflicts (409) and
  // waiting are not errors, as in cert-manager, which leaves optimistic-lock conflicts out.
  virtual void on_sync(std::string_view controller, bool error) = 0;
};

// One reconciler. The manager calls setup() once, before any informer starts (ask the factory
// for informers, add handlers that enqueue keys), then run() on its own thread once the caches
// have synced; run() returns when `stop` is requested, after in-flight reconciles finish.
class Controller {
 public:
  virtual ~Controller() = default;
  [[nodiscard]] virtual std::string_view name() const = 0;
  virtual common::Status setup(ControllerContext& context) = 0;
  virtual void run(std::stop_token stop) = 0;
  // Called by the manager before run(); controllers without a worker loop ignore it.
  virtual void set_sync_observer(const std::shared_ptr<SyncObserver>& /*observer*/) {}
};

// The usual shape: a rate-limited work queue of object keys and N workers applying
// `reconcile`. Subclasses enqueue from informer handlers with queue().add(key) and implement
// reconcile(key); run() is done here.
class QueueController : public Controller {
 public:
  QueueController(std::string name, const common::Clock& clock, int workers,
                  kube::WorkQueueOptions queue_options = {});

  [[nodiscard]] std::string_view name() const final { return name_; }
  void run(std::stop_token stop) final;
  void set_sync_observer(const std::shared_ptr<SyncObserver>& observer) final {
    sync_observer_ = observer;
  }

  kube::WorkQueue& queue() { return queue_; }

 protected:
  virtual kube::ReconcileResult reconcile(const std::string& key) = 0;

 private:
  std::string name_;
  int workers_;
  kube::WorkQueue queue_;
  std::shared_ptr<SyncObserver> sync_observer_;
};

}  // namespace certkeeper::manager
