// certificates-revision-manager (cert-manager-api.md §3.2): once a Certificate is Ready, deletes
// its oldest CertificateRequests beyond spec.revisionHistoryLimit (default 1).

#include <algorithm>

#include "controller/certificates/base.h"
#include "controller/certificates/controllers.h"
#include "controller/certificates/pki.h"
#include "lib/api/conditions.h"
#include "lib/api/defaults.h"

namespace certkeeper::certificates {
namespace {

class RevisionManager final : public CertificatesController {
 public:
  RevisionManager(const common::Clock& clock, const manager::ManagerOptions& options)
      : CertificatesController(std::string(kRevisionManagerName), clock, options,
                               {.requests = true, .secrets = false}) {}

 protected:
  kube::ReconcileResult reconcile(const std::string& key) override {
    auto certificate = caches().certificate(key);
    if (!certificate || !certificate->status.revision.has_value() ||
        !api::has_condition(certificate->status.conditions, api::kConditionReady,
                            api::ConditionStatus::kTrue)) {
      return kube::ReconcileResult::done();
    }
    // Only issued revisions count: the request for the next revision is still in use.
    std::vector<std::pair<std::int32_t, api::CertificateRequest>> issued;
    for (auto& r : caches().owned_requests(*certificate)) {
      auto revision = request_revision(r);
      if (revision && *revision <= *certificate->status.revision) {
        issued.emplace_back(*revision, std::move(r));
      }
    }
    const auto limit = static_cast<std::size_t>(
        std::max(1, api::effective_revision_history_limit(certificate->spec)));
    if (issued.size() <= limit) {
      return kube::ReconcileResult::done();
    }
    std::sort(issued.begin(), issued.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    for (std::size_t i = 0; i + limit < issued.size(); ++i) {
      const auto& meta = issued[i].second.metadata;
      log().info("{}: deleting CertificateRequest {} (revision {}, history limit {})", key,
                 meta.name, issued[i].first, limit);
      auto r = client().remove(requests_resource(meta.namespace_).with_name(meta.name),
                               {.precondition_uid = meta.uid});
      if (!r && r.error().code() != common::ErrorCode::kNotFound) {
        return after_error(r.error());
      }
    }
    return kube::ReconcileResult::done();
  }
};

}  // namespace

std::unique_ptr<manager::Controller> make_revision_manager(const common::Clock& clock,
                                                           const manager::ManagerOptions& options) {
  return std::make_unique<RevisionManager>(clock, options);
}

std::vector<manager::ControllerRegistration> registrations(
    std::shared_ptr<issuers::AcmeAccounts> accounts) {
  const auto entry = [](std::string_view name, manager::ControllerFactory make) {
    return manager::ControllerRegistration{{.name = std::string(name)}, std::move(make)};
  };
  return {
      entry(kTriggerName, make_trigger),
      entry(kKeyManagerName, make_key_manager),
      entry(kRequestManagerName, make_request_manager),
      entry(kIssuingName, make_issuing),
      entry(kReadinessName,
            [accounts](const common::Clock& clock, const manager::ManagerOptions& options) {
              return make_readiness(clock, options, accounts);
            }),
      entry(kRevisionManagerName, make_revision_manager),
  };
}

}  // namespace certkeeper::certificates
