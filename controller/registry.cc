#include "controller/registry.h"

#include "controller/certificates/controllers.h"

namespace certkeeper::controller {

std::vector<manager::ControllerRegistration> registrations() {
  // Controllers are added here as they land (issue 5: the CertificateRequest approver, the CA
  // and SelfSigned signers and issuer readiness are still to come).
  std::vector<manager::ControllerRegistration> out;
  for (auto& r : certificates::registrations()) {
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace certkeeper::controller
