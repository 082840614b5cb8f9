#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "controller/ingressshim/shim.h"
#include "controller/manager/controller.h"
#include "controller/manager/options.h"
#include "lib/common/clock.h"
#include "lib/kube/informer.h"

namespace certkeeper::ingressshim {

inline constexpr std::string_view kControllerName = "ingress-shim";

// The flags of ManagerOptions that ingress-shim reads.
ShimOptions shim_options(const manager::ManagerOptions& options);

// cert-manager's `ingress-shim` controller (cert-manager-api.md §4): keeps the Certificates an
// annotated Ingress asks for (desired_certificates, shim.h) in line with it, level-based:
//  - a missing Certificate is created (Event CreateCertificate on the Ingress);
//  - a Certificate this Ingress controls (controller ownerReference with its UID) that differs in
//    spec, labels or managed annotations is updated (UpdateCertificate);
//  - a Certificate this Ingress controls that no TLS entry names any more is deleted
//    (DeleteCertificate);
//  - a Certificate of the same name that this Ingress does not control is never touched (Warning
//    BadConfig instead);
//  - bad annotations or duplicate secretNames: Warning BadConfig and nothing written at all;
//  - an Ingress being deleted (foreground deletion) is left alone: the garbage collector removes
//    its Certificates. An Ingress without the annotations is not synced, and Certificates it
//    made earlier are kept (as in cert-manager).
//
// Writes Certificates (create, update, delete) and Events only. Re-queued by its Ingresses and by
// the Certificates they control. Owned by the Manager for one leadership term. Thread-safe as
// QueueController.
class IngressShimController final : public manager::QueueController {
 public:
  IngressShimController(const common::Clock& clock, const manager::ManagerOptions& options);
  common::Status setup(manager::ControllerContext& context) override;

 protected:
  kube::ReconcileResult reconcile(const std::string& key) override;

 private:
  enum class Outcome { kOk, kRetry, kConflict };
  // Creates or updates one desired Certificate. kConflict: a 409 or an AlreadyExists (the cache
  // is behind), retried soon without counting as a failure; kRetry: another API error.
  Outcome sync_one(const nlohmann::json& ingress, const std::string& ingress_uid,
                   const api::Certificate& desired);

  ShimOptions shim_;
  manager::ControllerContext* context_ = nullptr;
  kube::Informer* ingresses_ = nullptr;
  kube::Informer* certificates_ = nullptr;
};

std::unique_ptr<manager::Controller> make_ingressshim_controller(
    const common::Clock& clock, const manager::ManagerOptions& options);

}  // namespace certkeeper::ingressshim
