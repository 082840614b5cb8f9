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

// One reconciler. The manager calls setup() once, before any informer starts (ask the factory
// for informers, add handlers that enqueue keys), then run() on its own thread once the caches
// have synced; run() returns when `stop` is requested, after in-flight reconciles finish.
class Controller {
 public:
  virtual ~Controller() = default;
  [[nodiscard]] virtual std::string_view name() const = 0;
  virtual common::Status setup(ControllerContext& context) = 0;
  virtual void run(std::stop_token stop) = 0;
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

  kube::WorkQueue& queue() { return queue_; }

 protected:
  virtual kube::ReconcileResult reconcile(const std::string& key) = 0;

 private:
  std::string name_;
  int workers_;
  kube::WorkQueue queue_;
};

}  // namespace certkeeper::manager
