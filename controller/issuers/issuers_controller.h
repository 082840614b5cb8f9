#pragma once

#include <memory>
#include <string>

#include "controller/manager/controller.h"
#include "controller/manager/options.h"
#include "lib/common/clock.h"
#include "lib/kube/informer.h"

namespace certkeeper::issuers {

// cert-manager's `issuers` and `clusterissuers` controllers for the CA and SelfSigned types
// (cert-manager-api.md §1.6, §3.2): keeps the Ready condition of each Issuer (or ClusterIssuer)
// true to its configuration. SelfSigned: Ready=True, IsReady. CA: reads the Secret named by
// spec.ca.secretName (in the Issuer's namespace, or --cluster-resource-namespace for a
// ClusterIssuer) and reports KeyPairVerified / ErrGetKeyPair / ErrInvalidKeyPair; a change to
// that Secret re-queues the issuers that name it. ACME issuers (issue 6) and the types certkeeper
// does not implement are left untouched.
//
// Status is written with server-side apply under "certkeeper-issuers" /
// "certkeeper-clusterissuers", carrying only the Ready condition. Owned by the Manager for one
// leadership term; thread-safe as QueueController.
class IssuersController final : public manager::QueueController {
 public:
  // `cluster` selects ClusterIssuers.
  IssuersController(bool cluster, const common::Clock& clock,
                    const manager::ManagerOptions& options);

  common::Status setup(manager::ControllerContext& context) override;

 protected:
  kube::ReconcileResult reconcile(const std::string& key) override;

 private:
  void enqueue_for_secret(const kube::ObjectPtr& secret);

  bool cluster_;
  manager::ControllerContext* context_ = nullptr;
  kube::Informer* issuers_ = nullptr;
};

// The registrations of both controllers (names "issuers" and "clusterissuers").
std::unique_ptr<manager::Controller> make_issuers_controller(const common::Clock& clock,
                                                             const manager::ManagerOptions& o);
std::unique_ptr<manager::Controller> make_clusterissuers_controller(
    const common::Clock& clock, const manager::ManagerOptions& o);

}  // namespace certkeeper::issuers
