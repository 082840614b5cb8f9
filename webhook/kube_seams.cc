#include "webhook/kube_seams.h"

#include <algorithm>
#include <cctype>
#include <utility>

#include <fmt/format.h>

#include "lib/api/codec.h"
#include "lib/api/validation.h"
#include "lib/common/encoding.h"
#include "lib/common/log.h"

namespace certkeeper::webhook {

namespace {
// A Kind as Kubernetes spells them: a letter, then letters and digits.
bool is_kind_name(const std::string& kind) {
  if (kind.empty() || kind.size() > 63 || std::isalpha(static_cast<unsigned char>(kind[0])) == 0) {
    return false;
  }
  return std::all_of(kind.begin(), kind.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; });
}

using nlohmann::json;

constexpr int kConflictRetries = 3;

}  // namespace

json subject_access_review(const AccessQuestion& q) {
  json attributes = {
      {"verb", q.verb}, {"group", q.group}, {"resource", q.resource}, {"name", q.name}};
  if (!q.ns.empty()) {
    attributes["namespace"] = q.ns;
  }
  json spec = {{"user", q.user.username}, {"resourceAttributes", attributes}};
  if (!q.user.uid.empty()) {
    spec["uid"] = q.user.uid;
  }
  if (!q.user.groups.empty()) {
    spec["groups"] = q.user.groups;
  }
  if (!q.user.extra.empty()) {
    spec["extra"] = q.user.extra;
  }
  return {
      {"apiVersion", "authorization.k8s.io/v1"}, {"kind", "SubjectAccessReview"}, {"spec", spec}};
}

common::Result<bool> KubeSubjectAccessReviewer::allowed(const AccessQuestion& question) {
  auto answer = client_.create({"authorization.k8s.io", "v1", "subjectaccessreviews", "", "", ""},
                               subject_access_review(question));
  if (!answer) {
    return tl::unexpected(answer.error().wrap("SubjectAccessReview"));
  }
  const auto status = answer->find("status");
  if (status == answer->end() || !status->is_object()) {
    return false;
  }
  auto allowed = status->find("allowed");
  return allowed != status->end() && allowed->is_boolean() && allowed->get<bool>();
}

common::Result<std::optional<IssuerKind>> KubeIssuerKindResolver::resolve(const std::string& group,
                                                                          const std::string& kind) {
  constexpr std::chrono::seconds kNegativeTtl{30};
  const auto key = std::pair{group, kind};
  {
    std::lock_guard lock(mu_);
    if (auto it = cache_.find(key);
        it != cache_.end() &&
        (it->second.kind || clock_.steady_now() - it->second.checked < kNegativeTtl)) {
      return it->second.kind;
    }
  }
  // Both come from the request's issuerRef and end up in a URL path: anything that is not an API
  // group and a Kind is unknown here, with no request made (and nothing cached for it).
  if (!api::is_dns1123_subdomain(group) || !is_kind_name(kind)) {
    return std::optional<IssuerKind>{};
  }
  std::optional<IssuerKind> found;
  // GET /apis/<group>: the group's preferred version (readable by every authenticated user).
  auto response = client_.request({.path = "/apis/" + group});
  if (!response) {
    return tl::unexpected(response.error().wrap("discovering group " + group));
  }
  if (response->status == 200) {
    auto group_doc = api::parse_json(response->body);
    const json preferred = group_doc && group_doc->is_object()
                               ? group_doc->value("preferredVersion", json::object())
                               : json::object();
    const std::string version =
        preferred.is_object() && preferred.contains("version") && preferred["version"].is_string()
            ? preferred["version"].get<std::string>()
            : std::string();
    if (!version.empty()) {
      auto info = client_.discover(group, version, kind);
      if (info) {
        found = IssuerKind{info->resource, info->namespaced};
      } else if (info.error().code() != common::ErrorCode::kNotFound) {
        return tl::unexpected(info.error());
      }
    }
  } else if (response->status != 404) {
    return tl::unexpected(kube::status_error(*response, "discovering group " + group));
  }
  std::lock_guard lock(mu_);
  cache_[key] = Entry{found, clock_.steady_now()};
  return found;
}

kube::ResourceRef KubeCaSecretStore::ref() const { return {"", "v1", "secrets", ns_, name_, ""}; }

json KubeCaSecretStore::secret(const std::map<std::string, std::string>& data) const {
  json encoded = json::object();
  for (const auto& [key, value] : data) {
    encoded[key] = common::base64_encode(value);
  }
  return {{"apiVersion", "v1"},
          {"kind", "Secret"},
          {"metadata", {{"name", name_}, {"namespace", ns_}}},
          {"type", "kubernetes.io/tls"},
          {"data", encoded}};
}

common::Result<std::optional<CaSecret>> KubeCaSecretStore::get() {
  auto object = client_.get(ref());
  if (!object) {
    if (object.error().code() == common::ErrorCode::kNotFound) {
      return std::optional<CaSecret>();
    }
    return tl::unexpected(object.error());
  }
  CaSecret out;
  if (auto rv = object->find("metadata"); rv != object->end() && rv->contains("resourceVersion")) {
    out.resource_version = (*rv)["resourceVersion"].get<std::string>();
  }
  if (auto data = object->find("data"); data != object->end() && data->is_object()) {
    for (const auto& [key, value] : data->items()) {
      if (!value.is_string()) {
        continue;
      }
      if (auto decoded = common::base64_decode(value.get<std::string>())) {
        out.data[key] = std::move(*decoded);
      }
    }
  }
  return std::optional<CaSecret>(std::move(out));
}

common::Status KubeCaSecretStore::create(const std::map<std::string, std::string>& data) {
  auto created = client_.create(ref().with_name(""), secret(data));
  if (!created) {
    return tl::unexpected(created.error());
  }
  return common::ok();
}

common::Status KubeCaSecretStore::update(const std::map<std::string, std::string>& data,
                                         const std::string& resource_version) {
  json object = secret(data);
  object["metadata"]["resourceVersion"] = resource_version;
  auto updated = client_.update(ref(), object);
  if (!updated) {
    return tl::unexpected(updated.error());
  }
  return common::ok();
}

bool set_ca_bundle(json& configuration, const std::string& bundle_pem) {
  const std::string encoded = common::base64_encode(bundle_pem);
  auto webhooks = configuration.find("webhooks");
  if (webhooks == configuration.end() || !webhooks->is_array()) {
    return false;
  }
  bool changed = false;
  for (auto& hook : *webhooks) {
    if (!hook.is_object()) {
      continue;
    }
    json& client_config = hook["clientConfig"];
    if (!client_config.is_object()) {
      client_config = json::object();
    }
    auto current = client_config.find("caBundle");
    if (current == client_config.end() || *current != encoded) {
      client_config["caBundle"] = encoded;
      changed = true;
    }
  }
  return changed;
}

common::Result<int> inject_ca_bundle(kube::Client& client, const InjectionTargets& targets,
                                     const std::string& bundle_pem) {
  int written = 0;
  for (const auto& [name, collection] :
       {std::pair{targets.validating, kValidatingWebhookConfigurations},
        std::pair{targets.mutating, kMutatingWebhookConfigurations}}) {
    if (name.empty()) {
      continue;
    }
    const auto ref = collection.with_name(name);
    for (int attempt = 0;; ++attempt) {
      auto object = client.get(ref);
      if (!object) {
        if (object.error().code() == common::ErrorCode::kNotFound) {
          common::logger("webhook")->warn("{} {} not found; caBundle not injected yet",
                                          collection.resource, name);
          break;
        }
        return tl::unexpected(object.error().wrap("reading " + collection.resource + "/" + name));
      }
      if (!set_ca_bundle(*object, bundle_pem)) {
        break;
      }
      auto updated = client.update(ref, *object);
      if (updated) {
        ++written;
        common::logger("webhook")->info("caBundle injected into {} {}", collection.resource, name);
        break;
      }
      if (updated.error().code() != common::ErrorCode::kConflict ||
          attempt + 1 >= kConflictRetries) {
        return tl::unexpected(updated.error().wrap("writing " + collection.resource + "/" + name));
      }
    }
  }
  return written;
}

}  // namespace certkeeper::webhook
