// certificates-readiness (cert-manager-api.md §1.3 Ready, §1.4): the Ready condition from the
// readiness policy chain, status.notBefore/notAfter/renewalTime from the issued certificate.

#include <algorithm>

#include <nlohmann/json.hpp>

#include "controller/certificates/base.h"
#include "controller/certificates/controllers.h"
#include "controller/certificates/pki.h"
#include "controller/certificates/policies.h"
#include "lib/api/conditions.h"
#include "lib/common/time_format.h"

namespace certkeeper::certificates {
namespace {

using json = nlohmann::json;

class Readiness final : public CertificatesController {
 public:
  Readiness(const common::Clock& clock, const manager::ManagerOptions& options)
      : CertificatesController(std::string(kReadinessName), clock, options,
                               {.requests = true, .secrets = true}) {}

 protected:
  kube::ReconcileResult reconcile(const std::string& key) override {
    auto certificate = caches().live_certificate(key);
    if (!certificate) {
      return kube::ReconcileResult::done();
    }
    const auto& meta = certificate->metadata;
    auto secret = caches().secret(meta.namespace_, certificate->spec.secret_name);
    const auto requests = caches().owned_requests(*certificate);
    const api::CertificateRequest* current = nullptr;
    for (const auto& r : requests) {
      if (certificate->status.revision.has_value() &&
          request_revision(r) == certificate->status.revision) {
        current = &r;
      }
    }
    const auto t = now();
    const auto hit = readiness_policy({.certificate = &*certificate,
                                       .secret = secret ? &*secret : nullptr,
                                       .current_request = current,
                                       .now = t});
    const auto condition =
        hit ? next_condition(*certificate, api::kConditionReady, api::ConditionStatus::kFalse,
                             hit->reason, hit->message, t)
            : next_condition(*certificate, api::kConditionReady, api::ConditionStatus::kTrue,
                             api::kReasonReady, api::kMessageCertificateReady, t);

    std::optional<api::Time> not_before;
    std::optional<api::Time> not_after;
    std::optional<api::Time> renewal;
    if (auto leaf = secret ? secret_leaf(*secret) : std::nullopt) {
      not_before = leaf->not_before();
      not_after = leaf->not_after();
      renewal = renewal_time_for(*certificate, *leaf);
    }

    const auto& status = certificate->status;
    const auto* existing = api::find_condition(status.conditions, api::kConditionReady);
    const bool unchanged = existing != nullptr && *existing == condition &&
                           status.not_before == not_before && status.not_after == not_after &&
                           status.renewal_time == renewal;
    if (!unchanged) {
      json out = {{"conditions", json::array({condition_json(condition)})}};
      if (not_before) {
        out["notBefore"] = common::format_rfc3339(*not_before);
        out["notAfter"] = common::format_rfc3339(*not_after);
      }
      if (renewal) {
        out["renewalTime"] = common::format_rfc3339(*renewal);
      }
      if (auto s = apply_status(client(), *certificate, out, field_manager(), false); !s) {
        return after_error(s.error());
      }
    }
    // Look again when the certificate is due for renewal and when it expires.
    std::optional<api::Time> next;
    for (const auto& when : {renewal, not_after}) {
      if (when && *when > t && (!next || *when < *next)) {
        next = when;
      }
    }
    return next ? kube::ReconcileResult::requeue_after(until(*next, t))
                : kube::ReconcileResult::done();
  }
};

}  // namespace

std::unique_ptr<manager::Controller> make_readiness(const common::Clock& clock,
                                                    const manager::ManagerOptions& options) {
  return std::make_unique<Readiness>(clock, options);
}

}  // namespace certkeeper::certificates
