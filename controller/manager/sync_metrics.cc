#include "controller/manager/sync_metrics.h"

#include <string>

#include <prometheus/counter.h>
#include <prometheus/family.h>

namespace certkeeper::manager {
namespace {

class SyncMetrics final : public SyncObserver {
 public:
  explicit SyncMetrics(metrics::Registry& registry)
      : calls_(prometheus::BuildCounter()
                   .Name("certmanager_controller_sync_call_count")
                   .Help("Reconciles run by each controller.")
                   .Register(registry.families())),
        errors_(prometheus::BuildCounter()
                    .Name("certmanager_controller_sync_error_count")
                    .Help("Reconciles of each controller that failed and will be retried with "
                          "backoff (write conflicts are not counted).")
                    .Register(registry.families())) {}

  void on_sync(std::string_view controller, bool error) override {
    const prometheus::Labels labels{{"controller", std::string(controller)}};
    calls_.Add(labels).Increment();
    if (error) {
      errors_.Add(labels).Increment();
    }
  }

 private:
  prometheus::Family<prometheus::Counter>& calls_;
  prometheus::Family<prometheus::Counter>& errors_;
};

}  // namespace

std::shared_ptr<SyncObserver> make_sync_metrics(metrics::Registry& registry) {
  return std::make_shared<SyncMetrics>(registry);
}

}  // namespace certkeeper::manager
