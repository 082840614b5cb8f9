#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "lib/api/issuer.h"
#include "lib/common/error.h"
#include "lib/kube/client.h"
#include "lib/kube/informer.h"

namespace certkeeper::issuers {

// The issuer kinds of cert-manager.io and their API resources.
kube::ResourceRef issuers_resource();
kube::ResourceRef cluster_issuers_resource();
kube::ResourceRef secrets_resource();

// Which configuration an issuer's spec holds (cert-manager's apiutil.NameForIssuer).
enum class IssuerType { kNone, kAcme, kCa, kSelfSigned, kVault, kVenafi };
IssuerType issuer_type(const api::IssuerSpec& spec);

// An Issuer or a ClusterIssuer, as signers and readiness see them. A plain value.
struct GenericIssuer {
  std::string kind;  // "Issuer" | "ClusterIssuer"
  api::ObjectMeta metadata;
  api::IssuerSpec spec;
  api::IssuerStatus status;
  // Where the issuer's Secrets live: its own namespace, or the cluster resource namespace.
  std::string resource_namespace;
};

// Ready=True (cert-manager's signers wait for exactly that, §1.6).
bool is_ready(const GenericIssuer& issuer);

// Decodes a cached Issuer or ClusterIssuer (`kind` says which).
common::Result<GenericIssuer> decode_generic_issuer(const nlohmann::json& object,
                                                    std::string_view kind,
                                                    const std::string& cluster_resource_namespace);

// The index value naming an issuer: "Issuer/<namespace>/<name>" or "ClusterIssuer/<name>".
std::string issuer_index_key(std::string_view kind, std::string_view ns, std::string_view name);

// The Secrets an issuer reads, as "<namespace>/<name>" (index values): a CA issuer's
// spec.ca.secretName; an ACME issuer's privateKeySecretRef and EAB keySecretRef. Works on the
// raw object, so indexes need no decode.
std::vector<std::string> secret_index_keys(const nlohmann::json& issuer,
                                           std::string_view resource_namespace);
inline constexpr std::string_view kSecretIndex = "secrets";

// A Secret's data, base64-decoded. A value that is not base64 is kInvalidArgument naming the key.
common::Result<std::map<std::string, std::string>> decode_secret_data(const nlohmann::json& secret);

// GETs a Secret: its data, nullopt when it does not exist, an error for anything else.
common::Result<std::optional<std::map<std::string, std::string>>> read_secret(
    kube::Client& client, const std::string& ns, const std::string& name);

}  // namespace certkeeper::issuers
