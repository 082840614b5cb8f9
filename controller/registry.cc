#include "controller/registry.h"

#include "controller/certificaterequests/approver.h"
#include "controller/certificaterequests/signer_controller.h"
#include "controller/issuers/issuers_controller.h"

namespace certkeeper::controller {

std::vector<manager::ControllerRegistration> registrations() {
  // Controllers are added here as they land, with cert-manager's names (§3.2).
  return {
      {{"issuers"}, issuers::make_issuers_controller},
      {{"clusterissuers", true, /*cluster_scoped=*/true}, issuers::make_clusterissuers_controller},
      {{std::string(certificaterequests::kApproverName)}, certificaterequests::make_approver},
      {{std::string(certificaterequests::kSelfSignedSignerName)},
       certificaterequests::make_selfsigned_signer},
      {{std::string(certificaterequests::kCaSignerName)}, certificaterequests::make_ca_signer},
  };
}

}  // namespace certkeeper::controller
