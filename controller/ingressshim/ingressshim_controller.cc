#include "controller/ingressshim/ingressshim_controller.h"

#include <set>

#include <fmt/format.h>

#include "controller/issuers/issuer_lookup.h"
#include "controller/manager/handlers.h"
#include "lib/api/codec.h"
#include "lib/common/log.h"

namespace certkeeper::ingressshim {

using kube::ReconcileResult;
using nlohmann::json;

namespace {

// On Certificates: the UID of their controller owner (for an Ingress's Certificates).
constexpr std::string_view kOwnerIndex = "ingressshim.owner";

kube::ResourceRef ingresses_resource(const std::string& ns) {
  return {"networking.k8s.io", "v1", "ingresses", ns, "", ""};
}

kube::ResourceRef certificates_resource(const std::string& ns) {
  return {"cert-manager.io", "v1", "certificates", ns, "", ""};
}

bool is_conflict(const common::Error& error) {
  return error.code() == common::ErrorCode::kConflict ||
         error.code() == common::ErrorCode::kAlreadyExists;
}

std::shared_ptr<spdlog::logger> shim_log() {
  static const auto logger = common::logger(kControllerName);
  return logger;
}

// "namespace/name" of the Ingress that controls a Certificate, if any.
std::optional<std::string> owner_ingress_key(const json& certificate) {
  const auto& md = certificate.value("metadata", json::object());
  for (const auto& owner : md.value("ownerReferences", json::array())) {
    if (owner.is_object() && owner.value("controller", false) &&
        owner.value("kind", "") == "Ingress" &&
        owner.value("apiVersion", "").starts_with("networking.k8s.io/")) {
      return fmt::format("{}/{}", md.value("namespace", ""), owner.value("name", ""));
    }
  }
  return std::nullopt;
}

}  // namespace

ShimOptions shim_options(const manager::ManagerOptions& options) {
  return {.auto_certificate_annotations = options.auto_certificate_annotations,
          .default_issuer_name = options.default_issuer_name,
          .default_issuer_kind = options.default_issuer_kind,
          .default_issuer_group = options.default_issuer_group,
          .extra_certificate_annotations = options.extra_certificate_annotations};
}

IngressShimController::IngressShimController(const common::Clock& clock,
                                             const manager::ManagerOptions& options)
    : QueueController(std::string(kControllerName), clock, options.concurrent_workers),
      shim_(shim_options(options)) {}

common::Status IngressShimController::setup(manager::ControllerContext& context) {
  context_ = &context;
  const auto& ns = context.options.namespace_;
  ingresses_ = &context.informers.informer({.resource = ingresses_resource(ns)});
  ingresses_->add_handlers(manager::on_change(
      [this](const kube::ObjectPtr& object) { queue().add(kube::object_key(*object)); },
      /*deletes=*/false));

  certificates_ = &context.informers.informer({.resource = certificates_resource(ns)});
  certificates_->add_index(std::string(kOwnerIndex), issuers::controller_owner_uid);
  // A Certificate of an Ingress edited or deleted by someone else is put back.
  certificates_->add_handlers(manager::on_change([this](const kube::ObjectPtr& certificate) {
    if (auto key = owner_ingress_key(*certificate)) {
      queue().add(*key);
    }
  }));
  return common::ok();
}

IngressShimController::Outcome IngressShimController::sync_one(const json& ingress,
                                                               const std::string& ingress_uid,
                                                               const api::Certificate& desired) {
  const auto& ns = desired.metadata.namespace_;
  const auto& name = desired.metadata.name;
  const auto cached = certificates_->get(fmt::format("{}/{}", ns, name));
  if (!cached) {
    auto created = context_->client.create(certificates_resource(ns), api::encode(desired));
    if (!created) {
      shim_log()->warn("{}/{}: creating Certificate {}: {}", ns,
                       ingress["metadata"].value("name", ""), name, created.error().message());
      return is_conflict(created.error()) ? Outcome::kConflict : Outcome::kRetry;
    }
    context_->events.event(ingress, kube::EventType::kNormal, std::string(kReasonCreateCertificate),
                           fmt::format("Successfully created Certificate \"{}\"", name));
    return Outcome::kOk;
  }
  auto existing = api::decode_certificate(*cached);
  if (!existing || !is_controlled_by(*existing, ingress_uid)) {
    context_->events.event(
        ingress, kube::EventType::kWarning, std::string(kReasonBadConfig),
        fmt::format("Certificate \"{}\" exists and is not controlled by this Ingress; it is left "
                    "untouched",
                    name));
    return Outcome::kOk;
  }
  if (!needs_update(*existing, desired, shim_)) {
    return Outcome::kOk;
  }
  auto updated = context_->client.update(certificates_resource(ns).with_name(name),
                                         update_body(*cached, desired, shim_));
  if (!updated) {
    shim_log()->warn("{}: updating Certificate {}: {}", ns, name, updated.error().message());
    return is_conflict(updated.error()) ? Outcome::kConflict : Outcome::kRetry;
  }
  context_->events.event(ingress, kube::EventType::kNormal, std::string(kReasonUpdateCertificate),
                         fmt::format("Successfully updated Certificate \"{}\"", name));
  return Outcome::kOk;
}

ReconcileResult IngressShimController::reconcile(const std::string& key) {
  const auto object = ingresses_->get(key);
  if (!object || !object->is_object()) {
    return ReconcileResult::done();  // gone: the garbage collector removes its Certificates
  }
  const json& ingress = *object;
  const json metadata = ingress.value("metadata", json::object());
  if (metadata.contains("deletionTimestamp") && !metadata["deletionTimestamp"].is_null()) {
    return ReconcileResult::done();
  }
  if (!should_sync(ingress, shim_)) {
    return ReconcileResult::done();
  }
  auto desired = desired_certificates(ingress, shim_);
  if (!desired) {
    context_->events.event(ingress, kube::EventType::kWarning, std::string(kReasonBadConfig),
                           desired.error().message());
    return ReconcileResult::done();  // an edit of the Ingress queues it again
  }
  for (const auto& warning : desired->warnings) {
    context_->events.event(ingress, kube::EventType::kWarning, std::string(kReasonBadConfig),
                           warning);
  }

  const std::string uid = metadata.value("uid", "");
  bool failed = false;
  bool conflict = false;
  std::set<std::string> wanted;
  for (const auto& certificate : desired->certificates) {
    wanted.insert(certificate.metadata.name);
    const Outcome outcome = sync_one(ingress, uid, certificate);
    failed |= outcome == Outcome::kRetry;
    conflict |= outcome == Outcome::kConflict;
  }

  // Certificates this Ingress controls whose Secret no TLS entry names any more (an entry that
  // is skipped for now still keeps its Certificate).
  for (const auto& owned : certificates_->by_index(std::string(kOwnerIndex), uid)) {
    const auto& md = owned->value("metadata", json::object());
    const std::string name = md.value("name", "");
    const auto spec = owned->value("spec", json::object());
    const std::string secret_name = spec.is_object() ? spec.value("secretName", "") : "";
    if (wanted.contains(name) || desired->referenced_secrets.contains(secret_name) ||
        md.contains("deletionTimestamp")) {
      continue;
    }
    kube::DeleteOptions options;
    options.precondition_uid = md.value("uid", "");
    auto removed = context_->client.remove(
        certificates_resource(md.value("namespace", "")).with_name(name), options);
    if (!removed && removed.error().code() != common::ErrorCode::kNotFound) {
      shim_log()->warn("{}: deleting Certificate {}: {}", key, name, removed.error().message());
      failed = true;
      continue;
    }
    context_->events.event(ingress, kube::EventType::kNormal, std::string(kReasonDeleteCertificate),
                           fmt::format("Successfully deleted unrequired Certificate \"{}\"", name));
  }
  if (failed) {
    return ReconcileResult::retry();
  }
  return conflict ? ReconcileResult::conflict() : ReconcileResult::done();
}

std::unique_ptr<manager::Controller> make_ingressshim_controller(
    const common::Clock& clock, const manager::ManagerOptions& options) {
  return std::make_unique<IngressShimController>(clock, options);
}

}  // namespace certkeeper::ingressshim
