#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "lib/api/certificate.h"
#include "lib/common/error.h"

// The pure part of ingress-shim (cert-manager-api.md §4): from a networking.k8s.io/v1 Ingress
// as JSON and the controller's flags to the Certificates the Ingress asks for, or the reason it
// cannot have them. No I/O; every rule is unit-tested (tests/unit/ingressshim/).
namespace certkeeper::ingressshim {

// The Event reasons of cert-manager's ingress-shim, on the Ingress.
inline constexpr std::string_view kReasonBadConfig = "BadConfig";
inline constexpr std::string_view kReasonCreateCertificate = "CreateCertificate";
inline constexpr std::string_view kReasonUpdateCertificate = "UpdateCertificate";
inline constexpr std::string_view kReasonDeleteCertificate = "DeleteCertificate";

// Ingress annotations read only by ingress-shim (the others, issuer-kind and issuer-group
// included, are in lib/api/well_known.h).
inline constexpr std::string_view kAnnotationEditInPlace =
    "acme.cert-manager.io/http01-edit-in-place";
inline constexpr std::string_view kAnnotationIngressClass =
    "acme.cert-manager.io/http01-ingress-class";
inline constexpr std::string_view kAnnotationIngressClassName =
    "acme.cert-manager.io/http01-ingress-ingressclassname";
// Dropped from the labels copied to Certificates (cert-manager #7306): kubectl's ApplySet
// pruning would otherwise delete the Certificates as objects of the user's set.
inline constexpr std::string_view kLabelApplySetPartOf = "applyset.kubernetes.io/part-of";

// The flags ingress-shim reads (cert-manager-api.md §7.1).
struct ShimOptions {
  // Annotations that, parsing as true, ask for Certificates from the default issuer.
  std::vector<std::string> auto_certificate_annotations{"kubernetes.io/tls-acme"};
  std::string default_issuer_name;
  std::string default_issuer_kind = "Issuer";
  std::string default_issuer_group = "cert-manager.io";
  // Ingress annotations copied (key and value) onto the Certificates.
  std::vector<std::string> extra_certificate_annotations;
};

// Whether the Ingress asks for Certificates at all: cert-manager.io/issuer or
// cert-manager.io/cluster-issuer present, or an auto annotation parsing as true (Go's
// strconv.ParseBool: 1, t, T, true, TRUE, True).
bool should_sync(const nlohmann::json& ingress, const ShimOptions& options);

// What an Ingress asks for: one Certificate per usable spec.tls[] entry, and a warning for each
// entry skipped (no hosts or no secretName), to be recorded as Warning BadConfig events.
struct Desired {
  std::vector<api::Certificate> certificates;
  std::vector<std::string> warnings;
  // Every non-empty spec.tls[].secretName, usable entry or not. An owned Certificate for one of
  // them is kept even while its entry is skipped (hosts emptied for a moment), as cert-manager
  // does: deleting it would lose the Certificate and cost a fresh issuance when the hosts return.
  std::set<std::string> referenced_secrets;
};

// The Certificates of `ingress` (name = secretName, SANs from the hosts, issuerRef and the rest
// from the annotations, controller ownerRef to the Ingress, labels and extra annotations). An
// invalid annotation value, a conflicting issuer, duplicate secretNames, or a result that fails
// api::validate_certificate_spec is an error with reason BadConfig naming the annotation and
// value (or the field) at fault; then no Certificate at all is made for this Ingress.
common::Result<Desired> desired_certificates(const nlohmann::json& ingress,
                                             const ShimOptions& options);

// One record of Go's encoding/csv, as cert-manager's subject-* annotations are written: fields
// separated by ',', a field in double quotes may hold ',' and '""' for '"'. More than one record
// (a newline outside quotes), a stray quote or an empty input is an error.
common::Result<std::vector<std::string>> split_csv(std::string_view text);

// True when the Certificate's controller ownerReference has this UID.
bool is_controlled_by(const api::Certificate& certificate, std::string_view owner_uid);

// The annotations ingress-shim manages on its Certificates: the HTTP-01 overrides,
// issue-temporary-certificate and the --extra-certificate-annotations keys. Others that someone
// added to an owned Certificate are left alone.
std::vector<std::string> managed_annotation_keys(const ShimOptions& options);

// Whether an owned Certificate differs from what the Ingress asks for: spec, labels, or a
// managed annotation.
bool needs_update(const api::Certificate& existing, const api::Certificate& desired,
                  const ShimOptions& options);

// The body of the update that makes `existing` (the object as cached, with its
// resourceVersion) what `desired` says: spec and labels replaced, managed annotations set or
// removed, everything else kept.
nlohmann::json update_body(const nlohmann::json& existing, const api::Certificate& desired,
                           const ShimOptions& options);

}  // namespace certkeeper::ingressshim
