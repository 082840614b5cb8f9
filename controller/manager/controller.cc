#include "controller/manager/controller.h"

#include "lib/common/stop.h"

namespace certkeeper::manager {

QueueController::QueueController(std::string name, const common::Clock& clock, int workers,
                                 kube::WorkQueueOptions queue_options)
    : name_(std::move(name)), workers_(workers), queue_(clock, queue_options) {}

void QueueController::run(std::stop_token stop) {
  kube::WorkerPool pool(
      queue_,
      [this, observer = sync_observer_](const std::string& key) {
        if (!observer) {
          return reconcile(key);
        }
        const kube::ReconcileResult result = reconcile(key);
        observer->on_sync(name_, result.kind == kube::ReconcileResult::Kind::kRetry);
        return result;
      },
      workers_);
  while (!stop.stop_requested()) {
    common::sleep_unless_stopped(stop, std::chrono::seconds(1));
  }
  pool.stop();  // shuts the queue down; in-flight reconciles finish first
}

}  // namespace certkeeper::manager
