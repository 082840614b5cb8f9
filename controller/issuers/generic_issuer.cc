#include "controller/issuers/generic_issuer.h"

#include <algorithm>
#include <initializer_list>

#include <fmt/format.h>

#include "lib/api/codec.h"
#include "lib/api/conditions.h"
#include "lib/api/well_known.h"
#include "lib/common/encoding.h"

namespace certkeeper::issuers {

using nlohmann::json;

kube::ResourceRef issuers_resource() { return {"cert-manager.io", "v1", "issuers", "", "", ""}; }
kube::ResourceRef cluster_issuers_resource() {
  return {"cert-manager.io", "v1", "clusterissuers", "", "", ""};
}
kube::ResourceRef secrets_resource() { return {"", "v1", "secrets", "", "", ""}; }

IssuerType issuer_type(const api::IssuerSpec& spec) {
  if (spec.acme) {
    return IssuerType::kAcme;
  }
  if (spec.ca) {
    return IssuerType::kCa;
  }
  if (spec.vault) {
    return IssuerType::kVault;
  }
  if (spec.self_signed) {
    return IssuerType::kSelfSigned;
  }
  if (spec.venafi) {
    return IssuerType::kVenafi;
  }
  return IssuerType::kNone;
}

bool is_ready(const GenericIssuer& issuer) {
  return api::has_condition(issuer.status.conditions, api::kConditionReady,
                            api::ConditionStatus::kTrue);
}

namespace {

// Issuer and ClusterIssuer have the same members.
template <typename T>
common::Result<GenericIssuer> to_generic(common::Result<T> decoded, std::string_view kind,
                                         const std::string& resource_namespace) {
  if (!decoded) {
    return tl::unexpected(decoded.error());
  }
  GenericIssuer out{std::string(kind), std::move(decoded->metadata), std::move(decoded->spec),
                    std::move(decoded->status), resource_namespace};
  if (out.resource_namespace.empty()) {
    out.resource_namespace = out.metadata.namespace_;
  }
  return out;
}

}  // namespace

common::Result<GenericIssuer> decode_generic_issuer(const json& object, std::string_view kind,
                                                    const std::string& cluster_resource_namespace) {
  if (kind == api::kKindClusterIssuer) {
    return to_generic(api::decode_cluster_issuer(object), kind, cluster_resource_namespace);
  }
  return to_generic(api::decode_issuer(object), kind, "");
}

std::string issuer_index_key(std::string_view kind, std::string_view ns, std::string_view name) {
  if (kind == api::kKindClusterIssuer) {
    return fmt::format("{}/{}", kind, name);
  }
  return fmt::format("{}/{}/{}", kind, ns, name);
}

namespace {

// spec.<type>.<path...>.<member> as a non-empty string, or empty.
std::string string_at(const json& object, std::initializer_list<std::string_view> path) {
  const json* at = &object;
  for (const auto part : path) {
    if (!at->is_object()) {
      return "";
    }
    const auto found = at->find(std::string(part));
    if (found == at->end()) {
      return "";
    }
    at = &*found;
  }
  return at->is_string() ? at->get<std::string>() : "";
}

}  // namespace

std::vector<std::string> secret_index_keys(const json& issuer,
                                           std::string_view resource_namespace) {
  std::vector<std::string> out;
  for (const auto& name :
       {string_at(issuer, {"spec", "ca", "secretName"}),
        string_at(issuer, {"spec", "acme", "privateKeySecretRef", "name"}),
        string_at(issuer, {"spec", "acme", "externalAccountBinding", "keySecretRef", "name"})}) {
    std::string key = fmt::format("{}/{}", resource_namespace, name);
    if (!name.empty() && std::find(out.begin(), out.end(), key) == out.end()) {
      out.push_back(std::move(key));
    }
  }
  return out;
}

common::Result<std::map<std::string, std::string>> decode_secret_data(const json& secret) {
  std::map<std::string, std::string> out;
  const auto data = secret.find("data");
  if (data == secret.end() || !data->is_object()) {
    return out;
  }
  for (const auto& [key, value] : data->items()) {
    if (!value.is_string()) {
      continue;
    }
    auto bytes = common::base64_decode(value.get<std::string>());
    if (!bytes) {
      return common::make_error(common::ErrorCode::kInvalidArgument,
                                fmt::format("data[{}]: not base64", key));
    }
    out.emplace(key, std::move(*bytes));
  }
  return out;
}

common::Result<std::optional<std::map<std::string, std::string>>> read_secret(
    kube::Client& client, const std::string& ns, const std::string& name) {
  auto secret = client.get(secrets_resource().with_namespace(ns).with_name(name));
  if (!secret) {
    if (secret.error().code() == common::ErrorCode::kNotFound) {
      return std::optional<std::map<std::string, std::string>>();
    }
    return tl::unexpected(secret.error());
  }
  auto data = decode_secret_data(*secret);
  if (!data) {
    return tl::unexpected(data.error());
  }
  return std::optional<std::map<std::string, std::string>>(std::move(*data));
}

}  // namespace certkeeper::issuers
