#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "controller/certificaterequests/signing.h"
#include "controller/issuers/generic_issuer.h"
#include "controller/manager/controller.h"
#include "lib/api/certificate.h"
#include "lib/kube/informer.h"

namespace certkeeper::certificaterequests {

inline constexpr std::string_view kAcmeSignerName = "certificaterequests-issuer-acme";

// The ACME step of `certificaterequests-issuer-acme` (cert-manager's
// pkg/controller/certificaterequests/acme, cert-manager-api.md §3.6): SignerController runs the
// shared part (issuer found, approved, Ready) and calls sign() for an approved, non-final request
// whose issuer is ACME. sign() turns the request into an Order and the Order's outcome into the
// request's:
//  - the CSR must decode (else Failed RequestParsingError) and its commonName be among its SANs
//    (else Failed InvalidOrder, acme_order.h);
//  - an Order it controls that no longer fits the request is deleted; with none left, the Order
//    of build_order() is created (Pending OrderCreated "Created Order resource <ns>/<name>"),
//    `replaces` read once, at creation, from the current certificate of the Certificate named by
//    the request's cert-manager.io/certificate-name annotation (its Secret's tls.crt);
//  - then verdict_for_order(): Failed, Pending, Issued, or delete and recreate.
// The Order controller does the ACME protocol; nothing here talks to the CA.
//
// Borrows the context's client and informers; re-queues a request (through `enqueue`) when an
// Order it controls changes. Thread-safe for distinct requests (the work queue never hands one key
// to two workers).
class AcmeOrders {
 public:
  AcmeOrders(manager::ControllerContext& context,
             const std::function<void(const std::string&)>& enqueue);

  // `transient` is set when the outcome comes from a failed API call and should be retried.
  SignOutcome sign(const api::CertificateRequest& cr, const issuers::GenericIssuer& issuer,
                   bool& transient);

 private:
  // The ARI CertID of the certificate the request renews, nullopt when there is none (first
  // issuance, no annotation, no Secret, unreadable tls.crt): a missing `replaces` only costs the
  // CA's renewal bookkeeping, so no error stops the order.
  std::optional<std::string> replaced_cert_id(const api::CertificateRequest& cr) const;

  manager::ControllerContext& context_;
  kube::Informer* orders_ = nullptr;
};

}  // namespace certkeeper::certificaterequests
