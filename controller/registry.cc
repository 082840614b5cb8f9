#include "controller/registry.h"

namespace certkeeper::controller {

std::vector<manager::ControllerRegistration> registrations() {
  // Controllers are added here as they land (issue 5: the certificates pipeline, the
  // CertificateRequest approver, the CA and SelfSigned signers, issuer readiness).
  return {};
}

}  // namespace certkeeper::controller
