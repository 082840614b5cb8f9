#include "controller/certificaterequests/approver.h"

#include "controller/certificaterequests/request_state.h"
#include "controller/certificaterequests/request_status.h"
#include "controller/manager/handlers.h"
#include "lib/api/conditions.h"

namespace certkeeper::certificaterequests {

ApproverController::ApproverController(const common::Clock& clock,
                                       const manager::ManagerOptions& options)
    : QueueController(std::string(kApproverName), clock, options.concurrent_workers) {}

common::Status ApproverController::setup(manager::ControllerContext& context) {
  context_ = &context;
  requests_ = &request_informer(context);
  requests_->add_handlers(manager::on_change(
      [this](const kube::ObjectPtr& object) { queue().add(kube::object_key(*object)); },
      /*deletes=*/false));
  return common::ok();
}

kube::ReconcileResult ApproverController::reconcile(const std::string& key) {
  auto cached = cached_request(*requests_, key, context_->events);
  if (!cached) {
    return kube::ReconcileResult::done();
  }
  auto& [object, cr] = *cached;
  if (!should_approve(cr)) {
    return kube::ReconcileResult::done();
  }
  api::set_condition(cr.status.conditions, api::kConditionApproved, api::ConditionStatus::kTrue,
                     api::kReasonApprovedByCertManager, api::kMessageApprovedByCertManager,
                     std::nullopt, context_->clock.now());
  // Precondition: never approve a request someone denied since the cache was filled.
  auto applied = apply_request_status(context_->client, cr,
                                      {.condition_types = {api::kConditionApproved}}, name(),
                                      /*precondition=*/true);
  if (!applied) {
    return manager::write_result(applied, name(), key);
  }
  context_->events.event(*object, kube::EventType::kNormal,
                         std::string(api::kReasonApprovedByCertManager),
                         std::string(api::kMessageApprovedByCertManager));
  return kube::ReconcileResult::done();
}

std::unique_ptr<manager::Controller> make_approver(const common::Clock& clock,
                                                   const manager::ManagerOptions& options) {
  return std::make_unique<ApproverController>(clock, options);
}

}  // namespace certkeeper::certificaterequests
