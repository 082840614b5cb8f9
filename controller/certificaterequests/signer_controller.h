#pragma once

#include <memory>
#include <string>

#include "controller/certificaterequests/acme_signer.h"
#include "controller/certificaterequests/signing.h"
#include "controller/issuers/generic_issuer.h"
#include "controller/issuers/issuer_lookup.h"
#include "controller/manager/controller.h"
#include "controller/manager/options.h"
#include "lib/api/certificate.h"
#include "lib/common/clock.h"
#include "lib/kube/informer.h"

namespace certkeeper::certificaterequests {

inline constexpr std::string_view kSelfSignedSignerName = "certificaterequests-issuer-selfsigned";
inline constexpr std::string_view kCaSignerName = "certificaterequests-issuer-ca";

// Which issuer type a signer serves.
enum class SignerType { kSelfSigned, kCa, kAcme };

// cert-manager's `certificaterequests-issuer-selfsigned`, `certificaterequests-issuer-ca` and
// `certificaterequests-issuer-acme`
// (cert-manager-api.md §1.5, §2, §3.2). For each CertificateRequest of the cert-manager.io group
// that is not final, as cert-manager's certificaterequests sync does:
//  1. resolve issuerRef (an Issuer in the request's namespace, or a ClusterIssuer): missing →
//     Pending IssuerNotFound; no type → Pending IssuerTypeMissing; another type → not ours;
//  2. Denied → Ready=False Denied with failureTime (final);
//  3. not Approved → wait; issuer not Ready → Pending IssuerNotReady;
//  4. sign (signing.h; for ACME through an Order, acme_signer.h) → Issued, Pending or Failed.
// A request with status.certificate is final: it is never signed again, and final writes carry
// the resourceVersion they were decided on.
//
// Writes the Ready condition, certificate, ca and failureTime (SSA, field manager
// "certkeeper-<name>"). Re-queued by changes to the request, to its issuer, (SelfSigned) to
// the private key Secret its annotation names, and (ACME) to the Orders it controls. Owned by the
// Manager for one leadership term; thread-safe as QueueController.
class SignerController final : public manager::QueueController {
 public:
  SignerController(SignerType type, const common::Clock& clock,
                   const manager::ManagerOptions& options);
  common::Status setup(manager::ControllerContext& context) override;

 protected:
  kube::ReconcileResult reconcile(const std::string& key) override;

 private:
  // The request's issuer, nullopt when it does not exist; an error for a bad object.
  common::Result<std::optional<issuers::GenericIssuer>> resolve_issuer(
      const api::CertificateRequest& cr) const;
  // Reads the Secret and signs (ACME: the Order); a failure to read is a Pending outcome and
  // `transient`.
  SignOutcome sign(const api::CertificateRequest& cr, const issuers::GenericIssuer& issuer,
                   bool& transient);
  kube::ReconcileResult write(const kube::ObjectPtr& object, const api::CertificateRequest& current,
                              const SignOutcome& outcome);
  void enqueue_index(const std::string& index, const std::string& value);

  SignerType type_;
  manager::ControllerContext* context_ = nullptr;
  kube::Informer* requests_ = nullptr;
  issuers::IssuerLookup issuers_;
  std::unique_ptr<AcmeOrders> acme_;  // kAcme only
};

std::unique_ptr<manager::Controller> make_selfsigned_signer(const common::Clock& clock,
                                                            const manager::ManagerOptions& options);
std::unique_ptr<manager::Controller> make_ca_signer(const common::Clock& clock,
                                                    const manager::ManagerOptions& options);
std::unique_ptr<manager::Controller> make_acme_signer(const common::Clock& clock,
                                                      const manager::ManagerOptions& options);

}  // namespace certkeeper::certificaterequests
