#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "lib/common/clock.h"
#include "lib/common/error.h"
#include "lib/kube/client.h"
#include "webhook/handlers.h"
#include "webhook/serving_tls.h"

// The webhook's seams implemented with lib/kube's client: SubjectAccessReviews, the CA Secret,
// and caBundle injection into the webhook configurations.
namespace certkeeper::webhook {

// Posts an authorization.k8s.io/v1 SubjectAccessReview. Thread-safe (the client is).
class KubeSubjectAccessReviewer final : public SubjectAccessReviewer {
 public:
  explicit KubeSubjectAccessReviewer(kube::Client& client) : client_(client) {}
  common::Result<bool> allowed(const AccessQuestion& question) override;

 private:
  kube::Client& client_;
};

// Discovery of issuer kinds (§3.5): the group's preferred version, then the kind's plural and
// scope. Answers are cached: found kinds for the life of the process, unknown ones for 30 s (so
// an issuer installed later is picked up). Thread-safe.
class KubeIssuerKindResolver final : public IssuerKindResolver {
 public:
  KubeIssuerKindResolver(kube::Client& client, const common::Clock& clock)
      : client_(client), clock_(clock) {}
  common::Result<std::optional<IssuerKind>> resolve(const std::string& group,
                                                    const std::string& kind) override;

 private:
  struct Entry {
    std::optional<IssuerKind> kind;
    std::chrono::steady_clock::time_point checked;
  };
  kube::Client& client_;
  const common::Clock& clock_;
  std::mutex mu_;
  std::map<std::pair<std::string, std::string>, Entry> cache_;
};

// The SubjectAccessReview body for `question`. Pure.
nlohmann::json subject_access_review(const AccessQuestion& question);

// The CA Secret `ns`/`name` (type kubernetes.io/tls). Thread-safe.
class KubeCaSecretStore final : public CaSecretStore {
 public:
  KubeCaSecretStore(kube::Client& client, std::string ns, std::string name)
      : client_(client), ns_(std::move(ns)), name_(std::move(name)) {}
  common::Result<std::optional<CaSecret>> get() override;
  common::Status create(const std::map<std::string, std::string>& data) override;
  common::Status update(const std::map<std::string, std::string>& data,
                        const std::string& resource_version) override;

 private:
  nlohmann::json secret(const std::map<std::string, std::string>& data) const;
  kube::ResourceRef ref() const;

  kube::Client& client_;
  std::string ns_;
  std::string name_;
};

// Sets clientConfig.caBundle (base64 of `bundle_pem`) on every webhook of a
// Validating/MutatingWebhookConfiguration. True when anything changed. Pure.
bool set_ca_bundle(nlohmann::json& configuration, const std::string& bundle_pem);

// Which configurations get the CA. Empty names are skipped.
struct InjectionTargets {
  std::string validating;
  std::string mutating;
};

inline const kube::ResourceRef kValidatingWebhookConfigurations{
    "admissionregistration.k8s.io", "v1", "validatingwebhookconfigurations", "", "", ""};
inline const kube::ResourceRef kMutatingWebhookConfigurations{
    "admissionregistration.k8s.io", "v1", "mutatingwebhookconfigurations", "", "", ""};

// Writes the CA bundle into the targets (GET, set, PUT; a 409 is retried on a fresh copy). A
// missing configuration is not an error (it may not be installed yet; the next pass retries).
// Returns how many configurations were written. Thread-safe.
common::Result<int> inject_ca_bundle(kube::Client& client, const InjectionTargets& targets,
                                     const std::string& bundle_pem);

}  // namespace certkeeper::webhook
