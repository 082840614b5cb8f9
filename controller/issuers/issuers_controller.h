#pragma once

#include <memory>
#include <string>

#include "controller/issuers/acme_accounts.h"
#include "controller/manager/controller.h"
#include "controller/manager/options.h"
#include "lib/common/clock.h"
#include "lib/kube/informer.h"

namespace certkeeper::issuers {

// cert-manager's `issuers` and `clusterissuers` controllers for the ACME, CA and SelfSigned
// types (cert-manager-api.md §1.6, §2.1, §3.2): keeps the Ready condition of each Issuer (or
// ClusterIssuer) true to its configuration. SelfSigned: Ready=True, IsReady. CA: reads the
// Secret named by spec.ca.secretName (in the Issuer's namespace, or
// --cluster-resource-namespace for a ClusterIssuer) and reports KeyPairVerified / ErrGetKeyPair /
// ErrInvalidKeyPair. ACME: the account setup of acme_setup.h (key, registration, status.acme,
// the client in AcmeAccounts). A change to a Secret an issuer names re-queues it. The types
// certkeeper does not implement (Vault, Venafi) are left untouched.
//
// Status is written with server-side apply under "certkeeper-issuers" /
// "certkeeper-clusterissuers", carrying only the Ready condition (and status.acme for ACME
// issuers). Owned by the Manager for one leadership term; thread-safe as QueueController. The
// AcmeAccounts registry is shared with the controllers that use the clients and outlives terms.
class IssuersController final : public manager::QueueController {
 public:
  // `cluster` selects ClusterIssuers.
  // `accounts` may be null: the controller then keeps a registry of its own.
  IssuersController(bool cluster, const common::Clock& clock,
                    const manager::ManagerOptions& options, std::shared_ptr<AcmeAccounts> accounts);

  common::Status setup(manager::ControllerContext& context) override;

 protected:
  kube::ReconcileResult reconcile(const std::string& key) override;

 private:
  void enqueue_for_secret(const kube::ObjectPtr& secret);

  bool cluster_;
  manager::ControllerContext* context_ = nullptr;
  kube::Informer* issuers_ = nullptr;
  std::shared_ptr<AcmeAccounts> accounts_;
};

// The registrations of both controllers (names "issuers" and "clusterissuers"), sharing
// `accounts` with the ACME signer, orders and challenges controllers (null: a private registry).
std::unique_ptr<manager::Controller> make_issuers_controller(
    const common::Clock& clock, const manager::ManagerOptions& o,
    std::shared_ptr<AcmeAccounts> accounts = nullptr);
std::unique_ptr<manager::Controller> make_clusterissuers_controller(
    const common::Clock& clock, const manager::ManagerOptions& o,
    std::shared_ptr<AcmeAccounts> accounts = nullptr);

}  // namespace certkeeper::issuers
