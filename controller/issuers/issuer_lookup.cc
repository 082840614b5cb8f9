#include "controller/issuers/issuer_lookup.h"

#include <fmt/format.h>

#include "controller/manager/handlers.h"
#include "lib/api/defaults.h"
#include "lib/api/well_known.h"

namespace certkeeper::issuers {

using nlohmann::json;

namespace {

std::string json_string(const json& object, std::string_view a, std::string_view b) {
  const auto outer = object.find(std::string(a));
  if (outer == object.end() || !outer->is_object()) {
    return "";
  }
  const auto inner = outer->find(std::string(b));
  return inner != outer->end() && inner->is_string() ? inner->get<std::string>() : "";
}

}  // namespace

common::Result<std::optional<GenericIssuer>> IssuerLookup::resolve(const api::IssuerReference& ref,
                                                                   const std::string& ns) const {
  const std::string kind = api::effective_issuer_kind(ref);
  kube::ObjectPtr object;
  if (kind == api::kKindIssuer && issuers != nullptr) {
    object = issuers->get(fmt::format("{}/{}", ns, ref.name));
  } else if (kind == api::kKindClusterIssuer && cluster_issuers != nullptr) {
    object = cluster_issuers->get(ref.name);
  }
  if (!object) {
    return std::optional<GenericIssuer>();
  }
  auto issuer = decode_generic_issuer(*object, kind, cluster_resource_namespace);
  if (!issuer) {
    return tl::unexpected(issuer.error());
  }
  return std::optional<GenericIssuer>(std::move(*issuer));
}

IssuerLookup watch_issuers(manager::ControllerContext& context,
                           const std::function<void(const std::string&)>& on_issuer) {
  const auto& options = context.options;
  IssuerLookup lookup;
  lookup.cluster_resource_namespace = options.cluster_resource_namespace;
  const auto handler = [on_issuer](std::string_view kind) {
    return [on_issuer, kind = std::string(kind)](const kube::ObjectPtr& object) {
      on_issuer(issuer_index_key(kind, json_string(*object, "metadata", "namespace"),
                                 json_string(*object, "metadata", "name")));
    };
  };
  lookup.issuers = &context.informers.informer(
      {.resource = issuers_resource().with_namespace(options.namespace_)});
  lookup.issuers->add_handlers(manager::on_change(handler(api::kKindIssuer)));
  if (options.namespace_.empty()) {
    lookup.cluster_issuers = &context.informers.informer({.resource = cluster_issuers_resource()});
    lookup.cluster_issuers->add_handlers(manager::on_change(handler(api::kKindClusterIssuer)));
  }
  return lookup;
}

std::string issuer_ref_key(const json& object) {
  const auto spec = object.find("spec");
  if (spec == object.end() || !spec->is_object()) {
    return "";
  }
  const std::string name = json_string(*spec, "issuerRef", "name");
  std::string kind = json_string(*spec, "issuerRef", "kind");
  if (kind.empty()) {
    kind = api::kKindIssuer;
  }
  return issuer_index_key(kind, json_string(object, "metadata", "namespace"), name);
}

kube::ResourceRef orders_resource() { return {"acme.cert-manager.io", "v1", "orders", "", "", ""}; }
kube::ResourceRef challenges_resource() {
  return {"acme.cert-manager.io", "v1", "challenges", "", "", ""};
}

std::vector<std::string> controller_owner_uid(const json& object) {
  const auto md = object.find("metadata");
  if (md == object.end() || !md->is_object()) {
    return {};
  }
  const auto owners = md->find("ownerReferences");
  if (owners == md->end() || !owners->is_array()) {
    return {};
  }
  for (const auto& owner : *owners) {
    if (owner.is_object() && owner.value("controller", false) && owner.contains("uid") &&
        owner["uid"].is_string()) {
      return {owner["uid"].get<std::string>()};
    }
  }
  return {};
}

}  // namespace certkeeper::issuers
