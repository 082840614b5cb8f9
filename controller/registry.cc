#include "controller/registry.h"

#include "controller/certificaterequests/approver.h"
#include "controller/certificaterequests/signer_controller.h"
#include "controller/certificates/controllers.h"
#include "controller/challenges/challenges_controller.h"
#include "controller/ingressshim/ingressshim_controller.h"
#include "controller/issuers/issuers_controller.h"
#include "controller/orders/orders_controller.h"

namespace certkeeper::controller {

std::vector<manager::ControllerRegistration> registrations() {
  // One registry of ACME clients for the process: filled by the issuers controllers, read by the
  // ACME signer, orders and challenges controllers, across leadership terms.
  return registrations(std::make_shared<issuers::AcmeAccounts>());
}

std::vector<manager::ControllerRegistration> registrations(
    const std::shared_ptr<issuers::AcmeAccounts>& accounts) {
  // cert-manager's names (§3.2), in start order: issuers first, then the request signers, then
  // the Certificate pipeline.
  std::vector<manager::ControllerRegistration> out = {
      {{"issuers"},
       [accounts](const common::Clock& clock, const manager::ManagerOptions& o) {
         return issuers::make_issuers_controller(clock, o, accounts);
       }},
      {{"clusterissuers", true, /*cluster_scoped=*/true},
       [accounts](const common::Clock& clock, const manager::ManagerOptions& o) {
         return issuers::make_clusterissuers_controller(clock, o, accounts);
       }},
      {{std::string(certificaterequests::kApproverName)}, certificaterequests::make_approver},
      {{std::string(certificaterequests::kSelfSignedSignerName)},
       certificaterequests::make_selfsigned_signer},
      {{std::string(certificaterequests::kCaSignerName)}, certificaterequests::make_ca_signer},
      {{std::string(certificaterequests::kAcmeSignerName)}, certificaterequests::make_acme_signer},
      {{std::string(orders::kOrdersControllerName)},
       [accounts](const common::Clock& clock, const manager::ManagerOptions& o) {
         return orders::make_orders_controller(clock, o, accounts);
       }},
      {{std::string(challenges::kControllerName)},
       [accounts](const common::Clock& clock, const manager::ManagerOptions& o) {
         return challenges::make_challenges_controller(clock, o, accounts);
       }},
  };
  for (auto& r : certificates::registrations(accounts)) {
    out.push_back(std::move(r));
  }
  out.push_back(
      {{std::string(ingressshim::kControllerName)}, ingressshim::make_ingressshim_controller});
  return out;
}

}  // namespace certkeeper::controller
