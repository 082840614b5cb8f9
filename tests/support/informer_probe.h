#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "lib/common/clock.h"
#include "lib/kube/client.h"
#include "lib/kube/informer.h"
#include "tests/support/testenv.h"

namespace certkeeper::testing {

// Counts an informer's handler calls, per kind and per object key, for assertions such as
// "every object was added exactly once".
class InformerProbe {
 public:
  explicit InformerProbe(kube::Informer& informer) {
    informer.add_handlers({
        .on_add =
            [this](const kube::ObjectPtr& o) {
              ++adds_;
              std::lock_guard lock(mu_);
              ++adds_by_key_[kube::object_key(*o)];
            },
        .on_update = [this](const kube::ObjectPtr&, const kube::ObjectPtr&) { ++updates_; },
        .on_delete = [this](const kube::ObjectPtr&) { ++deletes_; },
    });
  }
  [[nodiscard]] int adds() const { return adds_.load(); }
  [[nodiscard]] int updates() const { return updates_.load(); }
  [[nodiscard]] int deletes() const { return deletes_.load(); }
  [[nodiscard]] std::map<std::string, int> adds_by_key() const {
    std::lock_guard lock(mu_);
    return adds_by_key_;
  }

 private:
  std::atomic<int> adds_{0};
  std::atomic<int> updates_{0};
  std::atomic<int> deletes_{0};
  mutable std::mutex mu_;
  std::map<std::string, int> adds_by_key_;
};

// A kube::Client with the testenv's admin identity.
inline std::unique_ptr<kube::Client> admin_client() {
  auto config =
      kube::load_kubeconfig({.path = TestEnv::get().kubeconfig()}, common::SystemClock::instance());
  if (!config) {
    return nullptr;
  }
  return kube::Client::create(std::move(*config), common::SystemClock::instance());
}

}  // namespace certkeeper::testing
