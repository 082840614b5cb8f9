#pragma once

#include "lib/api/certificate.h"
#include "lib/api/meta.h"

// Where a CertificateRequest stands (cert-manager-api.md §1.5, §3.2, §3.5). Pure functions.
namespace certkeeper::certificaterequests {

// issuerRef.group is cert-manager.io or empty (the default): the built-in approver and signers
// act only on these; other groups belong to external issuers.
bool is_builtin_issuer_group(const api::IssuerReference& ref);

bool is_approved(const api::CertificateRequest& cr);  // Approved=True
bool is_denied(const api::CertificateRequest& cr);    // Denied=True

// Nothing will change it again: a certificate was issued (status.certificate set; never sign
// twice), Ready is False with reason Failed or Denied or True with reason Issued, or
// InvalidRequest=True.
bool is_final(const api::CertificateRequest& cr);

// The built-in approver approves a request of the cert-manager.io group that is neither
// approved nor denied nor final.
bool should_approve(const api::CertificateRequest& cr);

}  // namespace certkeeper::certificaterequests
