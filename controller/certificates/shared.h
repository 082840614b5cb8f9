#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "controller/certificates/secret.h"
#include "controller/manager/controller.h"
#include "lib/api/certificate.h"
#include "lib/kube/client.h"
#include "lib/kube/informer.h"
#include "lib/kube/workqueue.h"

// What the six certificates controllers share: the informers (Certificates, CertificateRequests,
// Secrets — one watch each, from the factory, namespaced in single-namespace mode), indexes that
// find a Certificate's requests, key Secrets and target Secret, typed reads of the caches, and
// the server-side-apply status write.
namespace certkeeper::certificates {

// "namespace/name" of the Certificate a Certificate's target Secret key maps to, on the
// Certificates informer: "namespace/secretName".
inline constexpr std::string_view kIndexSecretName = "certificates.secretName";
// On CertificateRequests and Secrets: "namespace/name" of the Certificate that is their
// controller owner.
inline constexpr std::string_view kIndexOwner = "certificates.owner";

kube::ResourceRef certificates_resource(const std::string& ns = "");
kube::ResourceRef requests_resource(const std::string& ns = "");
kube::ResourceRef secrets_resource(const std::string& ns = "");

// The shared informers. Borrowed from the factory; valid while the controller runs.
struct Caches {
  kube::Informer* certificates = nullptr;
  kube::Informer* requests = nullptr;
  kube::Informer* secrets = nullptr;

  [[nodiscard]] std::optional<api::Certificate> certificate(const std::string& key) const;
  // The same, but nothing for a Certificate being deleted: the controllers that issue do no
  // work for one (its owned objects go with it through the garbage collector).
  [[nodiscard]] std::optional<api::Certificate> live_certificate(const std::string& key) const;
  [[nodiscard]] std::optional<SecretView> secret(const std::string& ns,
                                                 const std::string& name) const;
  // The Certificates that name this Secret (for the duplicate-secretName election), found through
  // the secretName index: decoding every Certificate of a namespace per reconcile made a
  // thousand Certificates cost O(N²) decodes.
  [[nodiscard]] std::vector<api::Certificate> certificates_with_secret(
      const std::string& ns, const std::string& secret_name) const;
  // Requests whose controller owner is this Certificate (same UID).
  [[nodiscard]] std::vector<api::CertificateRequest> owned_requests(
      const api::Certificate& certificate) const;
  // Secrets owned by this Certificate with the cert-manager.io/next-private-key label.
  [[nodiscard]] std::vector<SecretView> next_key_secrets(const api::Certificate& certificate) const;
};

// What a controller's queue hears about.
struct Watches {
  bool requests = false;  // a request changes → its owner Certificate
  bool secrets = false;   // a Secret changes → its owner, and Certificates naming it secretName
};

// Gets the informers (adding the indexes) and enqueues Certificate keys on `queue` for
// Certificate events and what `watches` asks for.
Caches watch(manager::ControllerContext& context, kube::WorkQueue& queue, Watches watches);

// The controller owner of an object if it is a Certificate: "namespace/name".
std::optional<std::string> owner_certificate_key(const nlohmann::json& object);

// The Certificate's status condition of `type` as set_condition leaves it (lastTransitionTime
// kept unless the status changes), and its JSON for an apply.
api::Condition next_condition(const api::Certificate& certificate, std::string_view type,
                              api::ConditionStatus status, std::string_view reason,
                              std::string_view message, api::Time now);
nlohmann::json condition_json(const api::Condition& condition);

// Server-side apply of `status` (only the fields this controller owns) to the Certificate's
// status subresource, force on, under `field_manager`. With `precondition` the apply carries the
// cached resourceVersion, so a decision made on a stale cache fails with kConflict instead of
// being written.
common::Status apply_status(kube::Client& client, const api::Certificate& certificate,
                            const nlohmann::json& status, std::string_view field_manager,
                            bool precondition);

// The object from the API server (not the cache), nullopt when it does not exist.
common::Result<std::optional<SecretView>> fetch_secret(kube::Client& client, const std::string& ns,
                                                       const std::string& name);
common::Result<std::optional<api::Certificate>> fetch_certificate(kube::Client& client,
                                                                  const std::string& ns,
                                                                  const std::string& name);

// "namespace/name".
std::string key_of(const api::ObjectMeta& meta);
// The involved-object JSON for an Event about a Certificate.
nlohmann::json event_object(const api::Certificate& certificate);

// A reconcile's answer to a failed API call: conflict() for 409s, retry() otherwise.
kube::ReconcileResult after_error(const common::Error& error);

// Time until `when`, at least one second (a due time in the past means "now, once more").
std::chrono::nanoseconds until(api::Time when, api::Time now);

}  // namespace certkeeper::certificates
