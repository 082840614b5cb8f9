#include "controller/certificates/shared.h"

#include <algorithm>

#include "lib/api/codec.h"
#include "lib/api/conditions.h"
#include "lib/api/well_known.h"
#include "lib/common/log.h"
#include "lib/common/time_format.h"

namespace certkeeper::certificates {
namespace {

using json = nlohmann::json;

kube::ResourceRef resource(std::string group, std::string plural, const std::string& ns) {
  kube::ResourceRef ref;
  ref.group = std::move(group);
  ref.version = "v1";
  ref.resource = std::move(plural);
  ref.ns = ns;
  return ref;
}

std::string namespace_of(const json& object) {
  return object.value("metadata", json::object()).value("namespace", "");
}

std::vector<std::string> owner_index(const json& object) {
  if (auto key = owner_certificate_key(object)) {
    return {*key};
  }
  return {};
}

bool owned_by(const api::ObjectMeta& meta, const api::Certificate& certificate) {
  return std::any_of(meta.owner_references.begin(), meta.owner_references.end(),
                     [&](const api::OwnerReference& ref) {
                       return ref.controller.value_or(false) && ref.kind == api::kKindCertificate &&
                              ref.uid == certificate.metadata.uid;
                     });
}

}  // namespace

kube::ResourceRef certificates_resource(const std::string& ns) {
  return resource(std::string(api::kGroup), "certificates", ns);
}
kube::ResourceRef requests_resource(const std::string& ns) {
  return resource(std::string(api::kGroup), "certificaterequests", ns);
}
kube::ResourceRef secrets_resource(const std::string& ns) { return resource("", "secrets", ns); }

std::string key_of(const api::ObjectMeta& meta) { return meta.namespace_ + "/" + meta.name; }

std::optional<std::string> owner_certificate_key(const json& object) {
  const auto meta = object.value("metadata", json::object());
  const auto refs = meta.value("ownerReferences", json::array());
  for (const auto& ref : refs) {
    if (ref.value("controller", false) && ref.value("kind", "") == api::kKindCertificate &&
        ref.value("apiVersion", "").starts_with(std::string(api::kGroup) + "/")) {
      return meta.value("namespace", "") + "/" + ref.value("name", "");
    }
  }
  return std::nullopt;
}

Caches watch(manager::ControllerContext& context, kube::WorkQueue& queue, Watches watches) {
  const auto& ns = context.options.namespace_;
  Caches caches;
  caches.certificates = &context.informers.informer({.resource = certificates_resource(ns)});
  caches.requests = &context.informers.informer({.resource = requests_resource(ns)});
  caches.secrets = &context.informers.informer({.resource = secrets_resource(ns)});
  caches.certificates->add_index(std::string(kIndexSecretName), [](const json& object) {
    const auto name = object.value("spec", json::object()).value("secretName", "");
    return name.empty() ? std::vector<std::string>{}
                        : std::vector<std::string>{namespace_of(object) + "/" + name};
  });
  caches.requests->add_index(std::string(kIndexOwner), owner_index);
  caches.secrets->add_index(std::string(kIndexOwner), owner_index);

  auto* q = &queue;
  const auto enqueue_self = [q](const kube::ObjectPtr& o) { q->add(kube::object_key(*o)); };
  caches.certificates->add_handlers(
      {.on_add = enqueue_self,
       .on_update = [enqueue_self](const kube::ObjectPtr&,
                                   const kube::ObjectPtr& o) { enqueue_self(o); },
       .on_delete = enqueue_self});

  const auto enqueue_owner = [q](const kube::ObjectPtr& o) {
    if (auto key = owner_certificate_key(*o)) {
      q->add(*key);
    }
  };
  if (watches.requests) {
    caches.requests->add_handlers(
        {.on_add = enqueue_owner,
         .on_update = [enqueue_owner](const kube::ObjectPtr&,
                                      const kube::ObjectPtr& o) { enqueue_owner(o); },
         .on_delete = enqueue_owner});
  }
  if (watches.secrets) {
    auto* certificates = caches.certificates;
    const auto enqueue_for_secret = [q, certificates, enqueue_owner](const kube::ObjectPtr& o) {
      enqueue_owner(o);
      for (const auto& c :
           certificates->by_index(std::string(kIndexSecretName), kube::object_key(*o))) {
        q->add(kube::object_key(*c));
      }
    };
    caches.secrets->add_handlers(
        {.on_add = enqueue_for_secret,
         .on_update = [enqueue_for_secret](const kube::ObjectPtr&,
                                           const kube::ObjectPtr& o) { enqueue_for_secret(o); },
         .on_delete = enqueue_for_secret});
  }
  return caches;
}

std::optional<api::Certificate> Caches::certificate(const std::string& key) const {
  auto object = certificates->get(key);
  if (!object) {
    return std::nullopt;
  }
  auto decoded = api::decode_certificate(*object);
  if (!decoded) {
    common::logger("certificates")->warn("{}: {}", key, decoded.error().message());
    return std::nullopt;
  }
  return std::move(*decoded);
}

std::optional<api::Certificate> Caches::live_certificate(const std::string& key) const {
  auto found = certificate(key);
  if (found && found->metadata.deletion_timestamp.has_value()) {
    return std::nullopt;
  }
  return found;
}

std::optional<SecretView> Caches::secret(const std::string& ns, const std::string& name) const {
  auto object = secrets->get(ns + "/" + name);
  if (!object) {
    return std::nullopt;
  }
  auto decoded = decode_secret(*object);
  if (!decoded) {
    return std::nullopt;
  }
  return std::move(*decoded);
}

std::vector<api::Certificate> Caches::certificates_with_secret(
    const std::string& ns, const std::string& secret_name) const {
  std::vector<api::Certificate> out;
  for (const auto& object :
       certificates->by_index(std::string(kIndexSecretName), ns + "/" + secret_name)) {
    if (auto decoded = api::decode_certificate(*object)) {
      out.push_back(std::move(*decoded));
    }
  }
  return out;
}

std::vector<api::CertificateRequest> Caches::owned_requests(
    const api::Certificate& certificate) const {
  std::vector<api::CertificateRequest> out;
  for (const auto& object :
       requests->by_index(std::string(kIndexOwner), key_of(certificate.metadata))) {
    auto decoded = api::decode_certificate_request(*object);
    if (decoded && owned_by(decoded->metadata, certificate)) {
      out.push_back(std::move(*decoded));
    }
  }
  return out;
}

std::vector<SecretView> Caches::next_key_secrets(const api::Certificate& certificate) const {
  std::vector<SecretView> out;
  for (const auto& object :
       secrets->by_index(std::string(kIndexOwner), key_of(certificate.metadata))) {
    auto decoded = decode_secret(*object);
    if (!decoded || !owned_by(decoded->metadata, certificate)) {
      continue;
    }
    auto label = decoded->metadata.labels.find(std::string(api::kLabelNextPrivateKey));
    if (label != decoded->metadata.labels.end() && label->second == "true") {
      out.push_back(std::move(*decoded));
    }
  }
  return out;
}

api::Condition next_condition(const api::Certificate& certificate, std::string_view type,
                              api::ConditionStatus status, std::string_view reason,
                              std::string_view message, api::Time now) {
  auto conditions = certificate.status.conditions;
  api::set_condition(conditions, type, status, reason, message, certificate.metadata.generation,
                     now);
  return *api::find_condition(conditions, type);
}

json condition_json(const api::Condition& condition) {
  json out = {{"type", condition.type},
              {"status", api::to_string(condition.status)},
              {"reason", condition.reason},
              {"message", condition.message}};
  if (condition.last_transition_time.has_value()) {
    out["lastTransitionTime"] = common::format_rfc3339(*condition.last_transition_time);
  }
  if (condition.observed_generation.has_value()) {
    out["observedGeneration"] = *condition.observed_generation;
  }
  return out;
}

common::Status apply_status(kube::Client& client, const api::Certificate& certificate,
                            const json& status, std::string_view field_manager, bool precondition) {
  json metadata = {{"name", certificate.metadata.name},
                   {"namespace", certificate.metadata.namespace_}};
  if (precondition) {
    metadata["resourceVersion"] = certificate.metadata.resource_version;
  }
  const json body = {{"apiVersion", api::kApiVersion},
                     {"kind", api::kKindCertificate},
                     {"metadata", metadata},
                     {"status", status}};
  auto result = client.apply(certificates_resource(certificate.metadata.namespace_)
                                 .with_name(certificate.metadata.name)
                                 .with_subresource("status"),
                             body, {.field_manager = std::string(field_manager), .force = true});
  if (!result) {
    return tl::unexpected(result.error());
  }
  return common::ok();
}

common::Result<std::optional<SecretView>> fetch_secret(kube::Client& client, const std::string& ns,
                                                       const std::string& name) {
  auto object = client.get(secrets_resource(ns).with_name(name));
  if (!object) {
    if (object.error().code() == common::ErrorCode::kNotFound) {
      return std::optional<SecretView>();
    }
    return tl::unexpected(object.error());
  }
  auto decoded = decode_secret(*object);
  if (!decoded) {
    return tl::unexpected(decoded.error());
  }
  return std::optional<SecretView>(std::move(*decoded));
}

common::Result<std::optional<api::Certificate>> fetch_certificate(kube::Client& client,
                                                                  const std::string& ns,
                                                                  const std::string& name) {
  auto object = client.get(certificates_resource(ns).with_name(name));
  if (!object) {
    if (object.error().code() == common::ErrorCode::kNotFound) {
      return std::optional<api::Certificate>();
    }
    return tl::unexpected(object.error());
  }
  auto decoded = api::decode_certificate(*object);
  if (!decoded) {
    return tl::unexpected(decoded.error());
  }
  return std::optional<api::Certificate>(std::move(*decoded));
}

json event_object(const api::Certificate& certificate) {
  return {{"apiVersion", api::kApiVersion},
          {"kind", api::kKindCertificate},
          {"metadata",
           {{"name", certificate.metadata.name},
            {"namespace", certificate.metadata.namespace_},
            {"uid", certificate.metadata.uid},
            {"resourceVersion", certificate.metadata.resource_version}}}};
}

kube::ReconcileResult after_error(const common::Error& error) {
  if (error.code() == common::ErrorCode::kConflict) {
    return kube::ReconcileResult::conflict();
  }
  return kube::ReconcileResult::retry();
}

std::chrono::nanoseconds until(api::Time when, api::Time now) {
  return std::max<std::chrono::nanoseconds>(when - now, std::chrono::seconds(1));
}

}  // namespace certkeeper::certificates
