// certificates-request-manager (cert-manager-api.md §3.2, §3.3 step 3): while a Certificate is
// Issuing and its next key exists, keeps exactly one CertificateRequest for revision
// status.revision+1, named <cert>-<revision>, that fits the spec and the key.

#include <fmt/format.h>

#include "controller/certificates/base.h"
#include "controller/certificates/controllers.h"
#include "controller/certificates/pki.h"
#include "lib/api/codec.h"
#include "lib/api/conditions.h"
#include "lib/api/well_known.h"

namespace certkeeper::certificates {
namespace {

class RequestManager final : public CertificatesController {
 public:
  RequestManager(const common::Clock& clock, const manager::ManagerOptions& options)
      : CertificatesController(std::string(kRequestManagerName), clock, options,
                               {.requests = true, .secrets = true}) {}

 protected:
  kube::ReconcileResult reconcile(const std::string& key) override {
    auto certificate = caches().live_certificate(key);
    if (!certificate) {
      return kube::ReconcileResult::done();
    }
    const auto* issuing =
        api::find_condition(certificate->status.conditions, api::kConditionIssuing);
    if (issuing == nullptr || issuing->status != api::ConditionStatus::kTrue) {
      return kube::ReconcileResult::done();
    }
    const auto& key_name = certificate->status.next_private_key_secret_name;
    if (!key_name.has_value()) {
      return kube::ReconcileResult::done();  // the key manager's status write re-queues us
    }
    const auto& ns = certificate->metadata.namespace_;
    auto key_secret = caches().secret(ns, *key_name);
    if (!key_secret) {
      auto fresh = fetch_secret(client(), ns, *key_name);
      if (!fresh) {
        return after_error(fresh.error());
      }
      key_secret = *fresh;
    }
    if (!key_secret || !key_secret->get(api::kSecretTlsKey)) {
      return kube::ReconcileResult::done();
    }
    auto private_key = crypto::PrivateKey::from_pem(*key_secret->get(api::kSecretTlsKey));
    if (!private_key) {
      return kube::ReconcileResult::done();  // the key manager replaces an unreadable key
    }

    const auto next = certificate->status.revision.value_or(0) + 1;
    bool have_next = false;
    for (const auto& request : caches().owned_requests(*certificate)) {
      const auto revision = request_revision(request);
      if (revision.has_value() && *revision != next) {
        continue;  // earlier revisions are the revision manager's
      }
      std::string why;
      if (!revision.has_value()) {
        why = "it has no valid revision annotation";
      } else if (auto pub = request_public_key(request); !pub || !private_key->matches(*pub)) {
        why = "its CSR is not for the next private key";
      } else if (auto fields = request_mismatches(*certificate, request); !fields.empty()) {
        why = "it does not match the spec: " + field_list(fields);
      } else if (request_outcome(request).kind == RequestOutcome::Kind::kFailed &&
                 request.metadata.creation_timestamp.has_value() &&
                 issuing->last_transition_time.has_value() &&
                 *request.metadata.creation_timestamp < *issuing->last_transition_time) {
        why = "it failed before this issuance began";
      }
      if (why.empty()) {
        have_next = true;
        continue;
      }
      log().info("{}: deleting CertificateRequest {}: {}", key, request.metadata.name, why);
      auto r = client().remove(requests_resource(ns).with_name(request.metadata.name),
                               {.precondition_uid = request.metadata.uid});
      if (!r && r.error().code() != common::ErrorCode::kNotFound) {
        return after_error(r.error());
      }
    }
    if (have_next) {
      return kube::ReconcileResult::done();
    }

    auto request = build_request(*certificate, next, *key_name, *private_key);
    if (!request) {
      events().event(event_object(*certificate), kube::EventType::kWarning, "RequestFailed",
                     "Failed to create CertificateRequest: " + request.error().message());
      return kube::ReconcileResult::done();  // a spec the CSR cannot express: wait for a change
    }
    auto created = client().create(requests_resource(ns), api::encode(*request));
    if (!created) {
      if (created.error().code() == common::ErrorCode::kAlreadyExists) {
        // One with this name is still being deleted, or the cache has not seen ours yet: the
        // name is deterministic, so wait rather than make a second request for the revision.
        return kube::ReconcileResult::requeue_after(std::chrono::seconds(1));
      }
      return after_error(created.error());
    }
    events().event(
        event_object(*certificate), kube::EventType::kNormal, "Requested",
        fmt::format("Created new CertificateRequest resource \"{}\"", request->metadata.name));
    return kube::ReconcileResult::done();
  }
};

}  // namespace

std::unique_ptr<manager::Controller> make_request_manager(const common::Clock& clock,
                                                          const manager::ManagerOptions& options) {
  return std::make_unique<RequestManager>(clock, options);
}

}  // namespace certkeeper::certificates
