#pragma once

#include <optional>
#include <string>
#include <vector>

#include "lib/api/validation.h"
#include "lib/common/error.h"
#include "webhook/admission.h"

// The admission plugins of the webhook (cert-manager-api.md §5.1, §1.12, §3.5):
//   /validate: ResourceValidation (lib/api's rules for the six kinds, plus the X.509 checks
//              lib/api cannot do), CertificateRequestIdentity (identity fields immutable) and
//              CertificateRequestApproval (who may set Approved/Denied);
//   /mutate:   CertificateRequestIdentity (spec.username/uid/groups/extra from the requester).
namespace certkeeper::webhook {

// One authorization.k8s.io/v1 SubjectAccessReview: may `user` do `verb` on the resource?
struct AccessQuestion {
  UserInfo user;
  std::string verb;
  std::string group;
  std::string resource;
  std::string name;
  std::string ns;
};

// Asks the API server's authorizer. The real implementation posts a SubjectAccessReview
// (KubeSubjectAccessReviewer); unit tests use a fake. Implementations must be thread-safe.
class SubjectAccessReviewer {
 public:
  virtual ~SubjectAccessReviewer() = default;
  // Whether the authorizer allows it; an error when it could not be asked.
  virtual common::Result<bool> allowed(const AccessQuestion& question) = 0;
};

// An issuer kind as discovery describes it: its plural resource name and scope.
struct IssuerKind {
  std::string plural;  // "issuers", "awspcaclusterissuers"
  bool namespaced = false;
  friend bool operator==(const IssuerKind&, const IssuerKind&) = default;
};

// Finds the plural and scope of an issuerRef's kind (§3.5: the signer name is built from the
// plural). KubeIssuerKindResolver asks discovery; unit tests fake it. Thread-safe.
class IssuerKindResolver {
 public:
  virtual ~IssuerKindResolver() = default;
  // nullopt when the group has no such kind; an error when discovery could not be asked.
  virtual common::Result<std::optional<IssuerKind>> resolve(const std::string& group,
                                                            const std::string& kind) = 0;
};

// cert-manager.io's own Issuer and ClusterIssuer, known without asking; nullopt otherwise.
std::optional<IssuerKind> builtin_issuer_kind(const std::string& group, const std::string& kind);

// The signer names a CertificateRequest's issuerRef stands for (§3.5), most general first:
// "<plural>.<group>/*", then "<plural>.<group>/<namespace>.<name>" for namespaced kinds or
// "<plural>.<group>/<name>" for cluster-scoped ones.
std::vector<std::string> signer_names(const IssuerKind& kind, const std::string& issuer_group,
                                      const std::string& issuer_name,
                                      const std::string& request_namespace);

// X.509 checks on a CertificateRequest that lib/api cannot make: spec.request parses and its
// signature verifies, its keyUsage/extKeyUsage equal spec.usages (defaults applied) when it has
// any, and its basicConstraints cA equals spec.isCA. Pure.
std::vector<api::FieldError> validate_csr_consistency(const api::CertificateRequestSpec& spec);

// A caBundle (spec.acme.caBundle) holds at least one parseable certificate. Pure.
std::vector<api::FieldError> validate_issuer_ca_bundle(const api::IssuerSpec& spec);

// spec.username/uid/groups/extra may not change on UPDATE. Pure.
std::vector<api::FieldError> validate_identity_unchanged(
    const api::CertificateRequestSpec& old_spec, const api::CertificateRequestSpec& spec);

// The RFC 6902 patch that sets a CertificateRequest's identity fields from `user`, removing
// whatever the object held that `user` does not have. Pure.
nlohmann::json identity_patch(const nlohmann::json& object, const UserInfo& user);

// Answers AdmissionReviews. Thread-safe (stateless apart from its seams, which are).
// Lifecycle: the reviewer and the resolver must outlive it. Without a resolver only the built-in
// issuer kinds can be approved.
class AdmissionHandler {
 public:
  explicit AdmissionHandler(SubjectAccessReviewer& reviewer, IssuerKindResolver* resolver = nullptr)
      : reviewer_(reviewer), resolver_(resolver) {}

  AdmissionResponse validate(const AdmissionRequest& request);
  AdmissionResponse mutate(const AdmissionRequest& request);

 private:
  std::optional<AdmissionResponse> check_approval(const AdmissionRequest& request,
                                                  const api::CertificateRequest& old_request,
                                                  const api::CertificateRequest& new_request);

  SubjectAccessReviewer& reviewer_;
  IssuerKindResolver* resolver_;
};

}  // namespace certkeeper::webhook
