#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "lib/common/clock.h"
#include "lib/kube/client.h"
#include "lib/kube/informer.h"

namespace certkeeper::manager {

// Shared informers: controllers that watch the same resource with the same options share one
// cache and one watch (as client-go's SharedInformerFactory). A transform or extra indexes are
// set by the first caller; later callers asking for the same key get the same informer.
//
// Thread-safe. Lifecycle: informer() during controller setup, start() once, wait_for_sync(),
// then reads; stop() (or destruction) ends every watch.
class InformerFactory {
 public:
  InformerFactory(kube::Client& client, const common::Clock& clock);
  ~InformerFactory();
  InformerFactory(const InformerFactory&) = delete;
  InformerFactory& operator=(const InformerFactory&) = delete;

  kube::Informer& informer(const kube::InformerOptions& options);

  // Starts every informer created so far; informers created later start at once.
  void start();
  void stop();
  // True when every informer has synced (readiness).
  [[nodiscard]] bool synced() const;
  bool wait_for_sync(std::chrono::milliseconds timeout) const;
  [[nodiscard]] std::size_t size() const;

 private:
  static std::string key_of(const kube::InformerOptions& options);

  kube::Client& client_;
  const common::Clock& clock_;
  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<kube::Informer>> informers_;
  bool started_ = false;
};

}  // namespace certkeeper::manager
