#include "controller/issuers/issuers_controller.h"

#include <fmt/format.h>

#include "controller/issuers/ca_keypair.h"
#include "controller/issuers/generic_issuer.h"
#include "controller/manager/handlers.h"
#include "controller/manager/status_apply.h"
#include "lib/api/codec.h"
#include "lib/api/conditions.h"
#include "lib/api/well_known.h"
#include "lib/common/log.h"

namespace certkeeper::issuers {

using nlohmann::json;

namespace {

constexpr std::string_view kIssuersName = "issuers";
constexpr std::string_view kClusterIssuersName = "clusterissuers";

}  // namespace

IssuersController::IssuersController(bool cluster, const common::Clock& clock,
                                     const manager::ManagerOptions& options)
    : QueueController(std::string(cluster ? kClusterIssuersName : kIssuersName), clock,
                      options.concurrent_workers),
      cluster_(cluster) {}

common::Status IssuersController::setup(manager::ControllerContext& context) {
  context_ = &context;
  const auto& options = context.options;
  const std::string crn = options.cluster_resource_namespace;
  kube::InformerOptions issuer_options{
      .resource = cluster_ ? cluster_issuers_resource()
                           : issuers_resource().with_namespace(options.namespace_)};
  issuers_ = &context.informers.informer(issuer_options);
  const bool cluster = cluster_;
  issuers_->add_index(std::string(kCaSecretIndex), [cluster, crn](const json& object) {
    const std::string ns = cluster ? crn : object["metadata"].value("namespace", "");
    std::string key = ca_secret_index_key(object, ns);
    return key.empty() ? std::vector<std::string>{} : std::vector<std::string>{key};
  });
  issuers_->add_handlers(manager::on_change(
      [this](const kube::ObjectPtr& object) { queue().add(kube::object_key(*object)); },
      /*deletes=*/false));

  // Secrets: metadata only (a change is all we need to know; the data is read when it counts).
  kube::InformerOptions secret_options{
      .resource = secrets_resource().with_namespace(cluster_ ? crn : options.namespace_),
      .metadata_only = true};
  auto& secrets = context.informers.informer(secret_options);
  secrets.add_handlers(
      manager::on_change([this](const kube::ObjectPtr& secret) { enqueue_for_secret(secret); }));
  return common::ok();
}

void IssuersController::enqueue_for_secret(const kube::ObjectPtr& secret) {
  for (const auto& issuer :
       issuers_->by_index(std::string(kCaSecretIndex), kube::object_key(*secret))) {
    queue().add(kube::object_key(*issuer));
  }
}

kube::ReconcileResult IssuersController::reconcile(const std::string& key) {
  const auto object = issuers_->get(key);
  if (!object) {
    return kube::ReconcileResult::done();
  }
  const auto kind = cluster_ ? api::kKindClusterIssuer : api::kKindIssuer;
  auto issuer = decode_generic_issuer(*object, kind, context_->options.cluster_resource_namespace);
  if (!issuer) {
    context_->events.event(*object, kube::EventType::kWarning, "DecodeError",
                           issuer.error().message());
    return kube::ReconcileResult::done();
  }

  Readiness readiness;
  switch (issuer_type(issuer->spec)) {
    case IssuerType::kSelfSigned:
      readiness = self_signed_readiness();
      break;
    case IssuerType::kCa: {
      auto secret =
          read_secret(context_->client, issuer->resource_namespace, issuer->spec.ca->secret_name);
      if (!secret) {
        common::logger(name())->warn("{} {}: reading the CA secret: {}", name(), key,
                                     secret.error().to_string());
        return kube::ReconcileResult::retry();
      }
      readiness = ca_readiness(*issuer->spec.ca, issuer->resource_namespace, *secret);
      break;
    }
    default:
      // ACME belongs to issue 6; Vault and Venafi are not implemented.
      return kube::ReconcileResult::done();
  }

  auto conditions = issuer->status.conditions;
  if (!api::set_condition(conditions, api::kConditionReady, readiness.status, readiness.reason,
                          readiness.message, issuer->metadata.generation, context_->clock.now())) {
    return kube::ReconcileResult::done();
  }
  const bool status_changed =
      !api::has_condition(issuer->status.conditions, api::kConditionReady, readiness.status);
  json encoded;
  if (cluster_) {
    api::ClusterIssuer out{issuer->metadata, issuer->spec, {conditions, {}}};
    encoded = api::encode(out);
  } else {
    api::Issuer out{issuer->metadata, issuer->spec, {conditions, {}}};
    encoded = api::encode(out);
  }
  const auto body =
      manager::status_apply_body(encoded, {.condition_types = {api::kConditionReady}});
  const auto ref = (cluster_ ? cluster_issuers_resource() : issuers_resource())
                       .with_namespace(issuer->metadata.namespace_)
                       .with_name(issuer->metadata.name);
  if (auto applied = manager::apply_status(context_->client, ref, body, name()); !applied) {
    return manager::write_result(applied, name(), key);
  }
  if (status_changed || readiness.status != api::ConditionStatus::kTrue) {
    context_->events.event(
        *object,
        readiness.status == api::ConditionStatus::kTrue ? kube::EventType::kNormal
                                                        : kube::EventType::kWarning,
        readiness.reason, readiness.message.empty() ? readiness.reason : readiness.message);
  }
  return kube::ReconcileResult::done();
}

std::unique_ptr<manager::Controller> make_issuers_controller(const common::Clock& clock,
                                                             const manager::ManagerOptions& o) {
  return std::make_unique<IssuersController>(false, clock, o);
}

std::unique_ptr<manager::Controller> make_clusterissuers_controller(
    const common::Clock& clock, const manager::ManagerOptions& o) {
  return std::make_unique<IssuersController>(true, clock, o);
}

}  // namespace certkeeper::issuers
