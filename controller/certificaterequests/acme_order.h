#pragma once

#include <optional>
#include <string>

#include "controller/certificaterequests/signing.h"
#include "lib/api/acme_types.h"
#include "lib/api/certificate.h"
#include "lib/api/issuer.h"
#include "lib/crypto/csr.h"

// The pure decisions of the ACME signer (cert-manager's pkg/controller/certificaterequests/acme,
// cert-manager-api.md §1.7, §3.6): which Order a CertificateRequest needs, whether its CSR can
// be ordered at all, and what an existing Order means for the request. No I/O; thread-safe.
namespace certkeeper::certificaterequests {

// cert-manager's check before ordering: a CSR with a commonName must also list it among its DNS
// names or IP addresses (ACME certificates carry only SANs). nullopt when the CSR is fine, else
// the final outcome: Failed, event reason InvalidOrder, cert-manager's message followed by
// `"<cn>" does not exist in [<dns names>] or [<ip addresses>]`.
std::optional<SignOutcome> check_common_name(const crypto::ParsedCsr& csr);

// The Order for `cr` (cert-manager's buildOrder): name order_name(cr name, spec without the
// request); the request's labels and annotations; a controller ownerRef to the request; spec
// request (the CSR as the request holds it), issuerRef, commonName, dnsNames and ipAddresses
// from the CSR, duration only when the issuer has enableDurationFeature, profile from the
// issuer, and `replaces` when given (replaces_for says when to look it up).
api::Order build_order(const api::CertificateRequest& cr, const crypto::ParsedCsr& csr,
                       const api::AcmeIssuer& issuer, const std::optional<std::string>& replaces);

// Whether the issuer wants renewal orders to name the certificate they replace (RFC 9773 §5):
// renewalInformationSource is ARI or unset (the CRD's default), not "None" (§3.9).
bool wants_replaces(const api::AcmeIssuer& issuer);

// Whether an existing Order still fits what the request needs. `replaces` is not compared: it is
// read from the Certificate's Secret when the Order is made, and that Secret may change while the
// Order runs; everything else must be equal.
bool order_fits(const api::OrderSpec& want, const api::OrderSpec& have);

// What the request's existing Order (owned by it and fitting it) means:
//  - failed (invalid, expired, errored) → Failed, event reason OrderFailed;
//  - not valid yet → Pending OrderPending "Waiting on certificate issuance from order
//    <ns>/<name>: \"<state>\"";
//  - valid without a certificate → Pending OrderPending, waiting for the order controller;
//  - valid with a certificate for another key than the CSR's, or unreadable → kRecreate (delete
//    the Order, a new one is made);
//  - valid with the CSR's key → Issued: status.certificate = the Order's chain, no status.ca.
struct OrderVerdict {
  enum class Kind { kOutcome, kRecreate };
  Kind kind = Kind::kOutcome;
  SignOutcome outcome;  // for kOutcome
  std::string why;      // for kRecreate: a log line
};
OrderVerdict verdict_for_order(const api::Order& order, const crypto::ParsedCsr& csr);

}  // namespace certkeeper::certificaterequests
