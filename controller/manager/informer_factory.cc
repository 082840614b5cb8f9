#include "controller/manager/informer_factory.h"

#include <thread>

#include <fmt/format.h>

namespace certkeeper::manager {

InformerFactory::InformerFactory(kube::Client& client, const common::Clock& clock)
    : client_(client), clock_(clock) {}

InformerFactory::~InformerFactory() { stop(); }

std::string InformerFactory::key_of(const kube::InformerOptions& o) {
  const auto& r = o.resource;
  return fmt::format("{}/{}/{}|ns={}|l={}|f={}|meta={}", r.group, r.version, r.resource, r.ns,
                     o.label_selector, o.field_selector, o.metadata_only);
}

kube::Informer& InformerFactory::informer(const kube::InformerOptions& options) {
  const std::lock_guard lock(mu_);
  auto& slot = informers_[key_of(options)];
  if (!slot) {
    slot = std::make_unique<kube::Informer>(client_, options, clock_);
    if (started_) {
      slot->start();
    }
  }
  return *slot;
}

void InformerFactory::start() {
  const std::lock_guard lock(mu_);
  if (started_) {
    return;
  }
  started_ = true;
  for (auto& [key, informer] : informers_) {
    informer->start();
  }
}

void InformerFactory::stop() {
  const std::lock_guard lock(mu_);
  // All at once: each open watch takes up to a second to notice, and one after the other that
  // added up to several seconds of a SIGTERM's grace period.
  for (auto& [key, informer] : informers_) {
    informer->request_stop();
  }
  for (auto& [key, informer] : informers_) {
    informer->stop();
  }
}

bool InformerFactory::synced() const {
  const std::lock_guard lock(mu_);
  for (const auto& [key, informer] : informers_) {
    if (!informer->has_synced()) {
      return false;
    }
  }
  return true;
}

bool InformerFactory::wait_for_sync(std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!synced()) {
    if (std::chrono::steady_clock::now() >= deadline) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return true;
}

std::size_t InformerFactory::size() const {
  const std::lock_guard lock(mu_);
  return informers_.size();
}

}  // namespace certkeeper::manager
