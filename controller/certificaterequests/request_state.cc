#include "controller/certificaterequests/request_state.h"

#include "lib/api/conditions.h"
#include "lib/api/defaults.h"
#include "lib/api/well_known.h"

namespace certkeeper::certificaterequests {

bool is_builtin_issuer_group(const api::IssuerReference& ref) {
  return api::effective_issuer_group(ref) == api::kGroup;
}

bool is_approved(const api::CertificateRequest& cr) {
  return api::has_condition(cr.status.conditions, api::kConditionApproved,
                            api::ConditionStatus::kTrue);
}

bool is_denied(const api::CertificateRequest& cr) {
  return api::has_condition(cr.status.conditions, api::kConditionDenied,
                            api::ConditionStatus::kTrue);
}

bool is_final(const api::CertificateRequest& cr) {
  if (!cr.status.certificate.empty()) {
    return true;
  }
  if (api::has_condition(cr.status.conditions, api::kConditionInvalidRequest,
                         api::ConditionStatus::kTrue)) {
    return true;
  }
  const auto* ready = api::find_condition(cr.status.conditions, api::kConditionReady);
  if (ready == nullptr) {
    return false;
  }
  if (ready->status == api::ConditionStatus::kTrue) {
    return ready->reason == api::kReasonIssued;
  }
  return ready->status == api::ConditionStatus::kFalse &&
         (ready->reason == api::kReasonFailed || ready->reason == api::kReasonDenied);
}

bool should_approve(const api::CertificateRequest& cr) {
  return is_builtin_issuer_group(cr.spec.issuer_ref) && !is_approved(cr) && !is_denied(cr) &&
         !is_final(cr);
}

}  // namespace certkeeper::certificaterequests
