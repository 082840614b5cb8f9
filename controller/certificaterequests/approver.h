#pragma once

#include <memory>
#include <string>

#include "controller/manager/controller.h"
#include "controller/manager/options.h"
#include "lib/common/clock.h"
#include "lib/kube/informer.h"

namespace certkeeper::certificaterequests {

inline constexpr std::string_view kApproverName = "certificaterequests-approver";

// cert-manager's `certificaterequests-approver` (cert-manager-api.md §3.2, §3.5): sets
// Approved=True, reason "cert-manager.io", message "Certificate request has been approved by
// cert-manager.io" on every CertificateRequest for a cert-manager.io issuer that is not yet
// approved, denied or final, and records the same as an Event. Requests for other groups are
// left to their own approvers. Writes only the Approved condition (SSA, field manager
// "certkeeper-certificaterequests-approver").
//
// Owned by the Manager for one leadership term; thread-safe as QueueController.
class ApproverController final : public manager::QueueController {
 public:
  ApproverController(const common::Clock& clock, const manager::ManagerOptions& options);
  common::Status setup(manager::ControllerContext& context) override;

 protected:
  kube::ReconcileResult reconcile(const std::string& key) override;

 private:
  manager::ControllerContext* context_ = nullptr;
  kube::Informer* requests_ = nullptr;
};

std::unique_ptr<manager::Controller> make_approver(const common::Clock& clock,
                                                   const manager::ManagerOptions& options);

}  // namespace certkeeper::certificaterequests
