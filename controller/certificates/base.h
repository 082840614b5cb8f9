#pragma once

#include <memory>
#include <string>

#include <spdlog/spdlog.h>

#include "controller/certificates/shared.h"
#include "controller/manager/controller.h"
#include "lib/common/log.h"

namespace certkeeper::certificates {

// The common shape of the six certificates controllers: a queue of Certificate keys fed by the
// shared informers (which events it hears is the subclass's choice), cert-manager's per-key
// backoff for certificates-* controllers (1 s → 30 s, §3.1), and the context handed to setup().
//
// Owns its queue and workers (QueueController); borrows the context from setup() until run()
// returns. reconcile() runs on several workers at once, never for the same key.
class CertificatesController : public manager::QueueController {
 public:
  CertificatesController(const std::string& name, const common::Clock& clock,
                         const manager::ManagerOptions& options, Watches watches)
      : QueueController(
            name, clock, options.concurrent_workers,
            kube::WorkQueueOptions{.per_key = {std::chrono::seconds(1), std::chrono::seconds(30)}}),
        watches_(watches),
        field_manager_("certkeeper-" + name),
        log_(common::logger(name)) {}

  common::Status setup(manager::ControllerContext& context) override {
    context_ = &context;
    caches_ = watch(context, queue(), watches_);
    return common::ok();
  }

 protected:
  kube::Client& client() { return context_->client; }
  [[nodiscard]] api::Time now() const { return context_->clock.now(); }
  kube::EventRecorder& events() { return context_->events; }
  [[nodiscard]] const Caches& caches() const { return caches_; }
  [[nodiscard]] const std::string& field_manager() const { return field_manager_; }
  spdlog::logger& log() { return *log_; }

 private:
  Watches watches_;
  std::string field_manager_;
  std::shared_ptr<spdlog::logger> log_;
  manager::ControllerContext* context_ = nullptr;
  Caches caches_;
};

}  // namespace certkeeper::certificates
