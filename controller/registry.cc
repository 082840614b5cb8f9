#include "controller/registry.h"

#include "controller/certificaterequests/approver.h"
#include "controller/certificaterequests/signer_controller.h"
#include "controller/certificates/controllers.h"
#include "controller/issuers/issuers_controller.h"

namespace certkeeper::controller {

std::vector<manager::ControllerRegistration> registrations() {
  // cert-manager's names (§3.2), in start order: issuers first, then the request signers, then
  // the Certificate pipeline.
  std::vector<manager::ControllerRegistration> out = {
      {{"issuers"}, issuers::make_issuers_controller},
      {{"clusterissuers", true, /*cluster_scoped=*/true}, issuers::make_clusterissuers_controller},
      {{std::string(certificaterequests::kApproverName)}, certificaterequests::make_approver},
      {{std::string(certificaterequests::kSelfSignedSignerName)},
       certificaterequests::make_selfsigned_signer},
      {{std::string(certificaterequests::kCaSignerName)}, certificaterequests::make_ca_signer},
  };
  for (auto& r : certificates::registrations()) {
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace certkeeper::controller
