#pragma once

#include <memory>

#include "controller/manager/controller.h"
#include "lib/metrics/registry.h"

namespace certkeeper::manager {

// certmanager_controller_sync_call_count and certmanager_controller_sync_error_count (counters,
// label `controller`), registered in `registry`; the returned observer counts into them.
// Thread-safe.
std::shared_ptr<SyncObserver> make_sync_metrics(metrics::Registry& registry);

}  // namespace certkeeper::manager
