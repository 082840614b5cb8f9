// certificates-trigger (cert-manager-api.md §3.2, §3.3 step 1, §3.4): decides that a
// Certificate needs a new certificate and says so with Issuing=True and the policy's reason.

#include <nlohmann/json.hpp>

#include "controller/certificates/ari.h"
#include "controller/certificates/base.h"
#include "controller/certificates/controllers.h"
#include "controller/certificates/pki.h"
#include "controller/certificates/policies.h"
#include "lib/api/conditions.h"

namespace certkeeper::certificates {
namespace {

// A Certificate that shares its secretName and lost the election is looked at again this often,
// so that it takes over when the owner goes away (§3.4 "Trigger duplicate-secret").
constexpr std::chrono::minutes kDuplicateSecretRequeue{3};

const api::CertificateRequest* find_revision(const std::vector<api::CertificateRequest>& requests,
                                             std::optional<std::int32_t> revision) {
  if (!revision.has_value()) {
    return nullptr;
  }
  for (const auto& r : requests) {
    if (request_revision(r) == revision) {
      return &r;
    }
  }
  return nullptr;
}

class Trigger final : public CertificatesController {
 public:
  Trigger(const common::Clock& clock, const manager::ManagerOptions& options)
      : CertificatesController(std::string(kTriggerName), clock, options,
                               {.requests = true, .secrets = true}) {}

 protected:
  kube::ReconcileResult reconcile(const std::string& key) override {
    auto certificate = caches().live_certificate(key);
    if (!certificate) {
      return kube::ReconcileResult::done();
    }
    const auto& meta = certificate->metadata;
    auto secret = caches().secret(meta.namespace_, certificate->spec.secret_name);
    if (!certificate_owns_secret(
            *certificate,
            caches().certificates_with_secret(meta.namespace_, certificate->spec.secret_name),
            secret ? &*secret : nullptr)) {
      log().debug("{}: another Certificate owns Secret {}", key, certificate->spec.secret_name);
      return kube::ReconcileResult::requeue_after(kDuplicateSecretRequeue);
    }
    if (api::has_condition(certificate->status.conditions, api::kConditionIssuing,
                           api::ConditionStatus::kTrue)) {
      return kube::ReconcileResult::done();
    }
    const auto t = now();
    if (auto wait = backoff_remaining(*certificate, t)) {
      log().debug("{}: backing off after {} failed issuances", key,
                  certificate->status.failed_issuance_attempts.value_or(0));
      return kube::ReconcileResult::requeue_after(*wait);
    }
    const auto requests = caches().owned_requests(*certificate);
    PolicyInput input{.certificate = &*certificate,
                      .secret = secret ? &*secret : nullptr,
                      .current_request = find_revision(requests, certificate->status.revision),
                      .now = t};
    auto hit = trigger_policy(input);
    if (!hit) {
      return schedule_renewal(*certificate, secret);
    }
    // The Secret cache may lag behind a Secret just written by the issuing controller; decide
    // on the API server's copy before starting an issuance.
    auto fresh = fetch_secret(client(), meta.namespace_, certificate->spec.secret_name);
    if (!fresh) {
      return after_error(fresh.error());
    }
    input.secret = fresh->has_value() ? &**fresh : nullptr;
    hit = trigger_policy(input);
    if (!hit) {
      return kube::ReconcileResult::done();  // the Secret's watch event re-queues us
    }
    const auto condition =
        next_condition(*certificate, api::kConditionIssuing, api::ConditionStatus::kTrue,
                       hit->reason, hit->message, t);
    const nlohmann::json status = {
        {"conditions", nlohmann::json::array({condition_json(condition)})}};
    if (auto s = apply_status(client(), *certificate, status, field_manager(), true); !s) {
      return after_error(s.error());
    }
    log().info("{}: issuing: {}: {}", key, hit->reason, hit->message);
    events().event(event_object(*certificate), kube::EventType::kNormal, "Issuing", hit->message);
    return kube::ReconcileResult::done();
  }

 private:
  // Nothing to do now: come back when the certificate is due for renewal (§1.4 step 4), or
  // earlier when the CA's renewal information asked for it (ari.h).
  kube::ReconcileResult schedule_renewal(const api::Certificate& certificate,
                                         const std::optional<SecretView>& secret) {
    if (!secret) {
      return kube::ReconcileResult::done();
    }
    auto leaf = secret_leaf(*secret);
    if (!leaf) {
      return kube::ReconcileResult::done();
    }
    auto renewal = scheduled_renewal_time(certificate, *leaf);
    if (!renewal) {
      return kube::ReconcileResult::done();
    }
    return kube::ReconcileResult::requeue_after(until(*renewal, now()));
  }
};

}  // namespace

std::unique_ptr<manager::Controller> make_trigger(const common::Clock& clock,
                                                  const manager::ManagerOptions& options) {
  return std::make_unique<Trigger>(clock, options);
}

}  // namespace certkeeper::certificates
