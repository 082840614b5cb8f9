// certificates-issuing (cert-manager-api.md §3.2, §3.3 step 5, §1.10): when the next revision's
// CertificateRequest is issued, writes the target Secret and completes the issuance; when it
// failed, records the failure for the trigger's backoff; when nothing is being issued, repairs
// Secret metadata and outputs that drifted from the spec.

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "controller/certificates/base.h"
#include "controller/certificates/controllers.h"
#include "controller/certificates/pki.h"
#include "controller/certificates/policies.h"
#include "lib/api/conditions.h"
#include "lib/api/well_known.h"
#include "lib/common/time_format.h"

namespace certkeeper::certificates {
namespace {

using json = nlohmann::json;
using kube::ReconcileResult;

class Issuing final : public CertificatesController {
 public:
  Issuing(const common::Clock& clock, const manager::ManagerOptions& options)
      : CertificatesController(std::string(kIssuingName), clock, options,
                               {.requests = true, .secrets = true}) {}

 protected:
  ReconcileResult reconcile(const std::string& key) override {
    auto certificate = caches().live_certificate(key);
    if (!certificate) {
      return ReconcileResult::done();
    }
    if (!issuing(*certificate)) {
      return repair(*certificate);
    }
    const auto next = certificate->status.revision.value_or(0) + 1;
    std::optional<api::CertificateRequest> request;
    for (auto& r : caches().owned_requests(*certificate)) {
      if (request_revision(r) == next) {
        request = std::move(r);
      }
    }
    if (!request) {
      return ReconcileResult::done();
    }
    const auto outcome = request_outcome(*request);
    if (outcome.kind == RequestOutcome::Kind::kPending ||
        !current_request(*certificate, *request)) {
      return ReconcileResult::done();
    }
    // Act on the API server's copy: a stale cache could otherwise complete an issuance twice.
    auto fresh =
        fetch_certificate(client(), certificate->metadata.namespace_, certificate->metadata.name);
    if (!fresh) {
      return after_error(fresh.error());
    }
    if (!fresh->has_value() || !issuing(**fresh) ||
        (*fresh)->status.revision != certificate->status.revision) {
      return ReconcileResult::done();  // the watch brings the newer state
    }
    const auto& current = **fresh;
    if (outcome.kind == RequestOutcome::Kind::kFailed) {
      return fail(current, outcome.reason, outcome.message);
    }
    return complete(current, *request, next);
  }

 private:
  static bool issuing(const api::Certificate& certificate) {
    return api::has_condition(certificate.status.conditions, api::kConditionIssuing,
                              api::ConditionStatus::kTrue);
  }

  // Whether `request` belongs to this issuance: for the next key, for the spec as it is now, and
  // (if it failed) not a leftover from an attempt before this Issuing=True. Anything else is
  // the request manager's to replace; acting on it would record a failure twice.
  bool current_request(const api::Certificate& certificate,
                       const api::CertificateRequest& request) {
    auto key = next_key(certificate);
    auto csr_key = request_public_key(request);
    if (!key || !csr_key || !key->matches(*csr_key) ||
        !request_mismatches(certificate, request).empty()) {
      return false;
    }
    const auto* issuing_condition =
        api::find_condition(certificate.status.conditions, api::kConditionIssuing);
    return request_outcome(request).kind != RequestOutcome::Kind::kFailed ||
           !request.metadata.creation_timestamp.has_value() || issuing_condition == nullptr ||
           !issuing_condition->last_transition_time.has_value() ||
           *request.metadata.creation_timestamp >= *issuing_condition->last_transition_time;
  }

  // status fields this controller keeps owning: a field left out of an apply is removed.
  static json owned_status(const api::Certificate& certificate) {
    json status = json::object();
    if (certificate.status.revision.has_value()) {
      status["revision"] = *certificate.status.revision;
    }
    return status;
  }

  ReconcileResult fail(const api::Certificate& certificate, const std::string& reason,
                       const std::string& message) {
    const auto t = now();
    const auto full = std::string(api::kMessageIssuingFailedPrefix) + message;
    auto status = owned_status(certificate);
    status["lastFailureTime"] = common::format_rfc3339(t);
    status["failedIssuanceAttempts"] = certificate.status.failed_issuance_attempts.value_or(0) + 1;
    status["conditions"] = json::array({condition_json(next_condition(
        certificate, api::kConditionIssuing, api::ConditionStatus::kFalse, reason, full, t))});
    if (auto s = apply_status(client(), certificate, status, field_manager(), true); !s) {
      return after_error(s.error());
    }
    log().info("{}: issuance failed: {}: {}", key_of(certificate.metadata), reason, message);
    events().event(event_object(certificate), kube::EventType::kWarning, "Failed", full);
    return ReconcileResult::done();
  }

  std::optional<crypto::PrivateKey> next_key(const api::Certificate& certificate) {
    const auto& name = certificate.status.next_private_key_secret_name;
    if (!name) {
      return std::nullopt;
    }
    auto secret = caches().secret(certificate.metadata.namespace_, *name);
    if (!secret) {
      auto fresh = fetch_secret(client(), certificate.metadata.namespace_, *name);
      if (!fresh || !fresh->has_value()) {
        return std::nullopt;
      }
      secret = **fresh;
    }
    auto pem = secret->get(api::kSecretTlsKey);
    if (!pem) {
      return std::nullopt;
    }
    auto key = crypto::PrivateKey::from_pem(*pem);
    return key ? std::optional<crypto::PrivateKey>(*key) : std::nullopt;
  }

  // A keystore password: the literal one, else the key of the named Secret.
  common::Result<std::string> password(const api::Certificate& certificate,
                                       const std::optional<std::string>& literal,
                                       const std::optional<api::SecretKeySelector>& ref,
                                       std::string_view field) {
    if (literal.has_value() && !literal->empty()) {
      return *literal;
    }
    if (!ref.has_value()) {
      return common::make_error(common::ErrorCode::kInvalidArgument,
                                fmt::format("{}: no password or passwordSecretRef", field));
    }
    const auto& ns = certificate.metadata.namespace_;
    auto secret = caches().secret(ns, ref->name);
    if (!secret) {
      auto fresh = fetch_secret(client(), ns, ref->name);
      if (!fresh) {
        return tl::unexpected(fresh.error());
      }
      secret = *fresh;
    }
    auto value = secret ? secret->get(ref->key) : std::nullopt;
    if (!value || value->empty()) {
      return common::make_error(common::ErrorCode::kFailedPrecondition,
                                fmt::format(R"({}.passwordSecretRef: Secret "{}" has no key "{}")",
                                            field, ref->name, ref->key));
    }
    return *value;
  }

  common::Result<SecretInputs> inputs_for(const api::Certificate& certificate) {
    SecretInputs inputs;
    inputs.certificate = &certificate;
    if (certificate.spec.keystores.has_value()) {
      const auto& ks = *certificate.spec.keystores;
      if (ks.jks.has_value() && ks.jks->create.value_or(false)) {
        auto p = password(certificate, ks.jks->password, ks.jks->password_secret_ref,
                          "spec.keystores.jks");
        if (!p) {
          return tl::unexpected(p.error());
        }
        inputs.jks_password = *p;
      }
      if (ks.pkcs12.has_value() && ks.pkcs12->create.value_or(false)) {
        auto p = password(certificate, ks.pkcs12->password, ks.pkcs12->password_secret_ref,
                          "spec.keystores.pkcs12");
        if (!p) {
          return tl::unexpected(p.error());
        }
        inputs.pkcs12_password = *p;
      }
    }
    return inputs;
  }

  common::Status write_secret(const api::Certificate& certificate, SecretInputs inputs,
                              const crypto::PrivateKey& key, const std::string& existing_type) {
    inputs.existing_type = existing_type;
    auto contents = build_secret(inputs, key);
    if (!contents) {
      return tl::unexpected(contents.error());
    }
    const auto& ns = certificate.metadata.namespace_;
    const auto& name = certificate.spec.secret_name;
    auto applied =
        client().apply(secrets_resource(ns).with_name(name), secret_apply_body(ns, name, *contents),
                       {.field_manager = field_manager(), .force = true});
    if (!applied) {
      return tl::unexpected(applied.error());
    }
    return common::ok();
  }

  ReconcileResult complete(const api::Certificate& certificate,
                           const api::CertificateRequest& request, std::int32_t revision) {
    auto key = next_key(certificate);
    if (!key) {
      return ReconcileResult::done();  // the key manager's work re-queues us
    }
    auto csr_key = request_public_key(request);
    if (!csr_key || !key->matches(*csr_key)) {
      return ReconcileResult::done();  // a request for an older key: the request manager replaces
                                       // it
    }
    auto chain = crypto::parse_pem_chain(request.status.certificate);
    if (!chain) {
      return fail(certificate, std::string(api::kReasonInvalidCertificate),
                  "the issued certificate could not be parsed: " + chain.error().message());
    }
    const auto& leaf = chain->front();
    if (!leaf.matches(*key)) {
      return fail(certificate, std::string(api::kReasonInvalidCertificate),
                  "the issuer returned a certificate for a different public key");
    }
    if (now() >= leaf.not_after()) {
      return fail(certificate, std::string(api::kReasonInvalidCertificate),
                  "the issuer returned a certificate that has already expired");
    }
    auto inputs = inputs_for(certificate);
    if (!inputs) {
      log().warn("{}: {}", key_of(certificate.metadata), inputs.error().message());
      return ReconcileResult::retry();
    }
    inputs->certificate_pem = request.status.certificate;
    inputs->ca_pem = request.status.ca;
    auto existing =
        fetch_secret(client(), certificate.metadata.namespace_, certificate.spec.secret_name);
    if (!existing) {
      return after_error(existing.error());
    }
    if (auto s = write_secret(certificate, *inputs, *key,
                              existing->has_value() ? (*existing)->type : std::string());
        !s) {
      log().warn("{}: writing Secret: {}", key_of(certificate.metadata), s.error().message());
      return after_error(s.error());
    }
    json status = json::object();
    status["revision"] = revision;
    status["conditions"] = json::array({condition_json(
        next_condition(certificate, api::kConditionIssuing, api::ConditionStatus::kFalse,
                       api::kReasonIssued, api::kMessageCertificateIssued, now()))});
    if (auto s = apply_status(client(), certificate, status, field_manager(), true); !s) {
      return after_error(s.error());
    }
    log().info("{}: issued revision {}", key_of(certificate.metadata), revision);
    events().event(event_object(certificate), kube::EventType::kNormal, "Issuing",
                   std::string(api::kMessageCertificateIssued));
    return ReconcileResult::done();
  }

  // Not issuing: rewrite the Secret from its own key and certificate when its metadata or
  // outputs no longer match the spec (§1.10, "repaired in place without reissuing").
  ReconcileResult repair(const api::Certificate& certificate) {
    if (!certificate.status.revision.has_value()) {
      return ReconcileResult::done();
    }
    auto secret = caches().secret(certificate.metadata.namespace_, certificate.spec.secret_name);
    if (!secret) {
      return ReconcileResult::done();
    }
    auto named = secret->metadata.annotations.find(std::string(api::kAnnotationCertificateName));
    if (named != secret->metadata.annotations.end() && named->second != certificate.metadata.name) {
      return ReconcileResult::done();
    }
    auto key_pem = secret->get(api::kSecretTlsKey);
    auto cert_pem = secret->get(api::kSecretTlsCrt);
    if (!key_pem || !cert_pem) {
      return ReconcileResult::done();
    }
    auto key = crypto::PrivateKey::from_pem(*key_pem);
    auto leaf = secret_leaf(*secret);
    if (!key || !leaf || !leaf->matches(*key)) {
      return ReconcileResult::done();  // the trigger reissues
    }
    auto inputs = inputs_for(certificate);
    if (!inputs) {
      return ReconcileResult::done();
    }
    inputs->certificate_pem = *cert_pem;
    inputs->ca_pem = secret->get(api::kSecretCaCrt).value_or("");
    inputs->existing_type = secret->type;
    auto desired = build_secret(*inputs, *key);
    if (!desired) {
      return ReconcileResult::done();
    }
    auto drift = secret_drift(certificate, *secret, *desired);
    if (!drift) {
      return ReconcileResult::done();
    }
    log().info("{}: repairing Secret {}: {}", key_of(certificate.metadata),
               certificate.spec.secret_name, *drift);
    const auto& ns = certificate.metadata.namespace_;
    const auto& name = certificate.spec.secret_name;
    auto applied =
        client().apply(secrets_resource(ns).with_name(name), secret_apply_body(ns, name, *desired),
                       {.field_manager = field_manager(), .force = true});
    if (!applied) {
      return after_error(applied.error());
    }
    return ReconcileResult::done();
  }
};

}  // namespace

std::unique_ptr<manager::Controller> make_issuing(const common::Clock& clock,
                                                  const manager::ManagerOptions& options) {
  return std::make_unique<Issuing>(clock, options);
}

}  // namespace certkeeper::certificates
