#include "controller/issuers/issuers_controller.h"

#include <fmt/format.h>

#include "controller/issuers/acme_account.h"
#include "controller/issuers/acme_setup.h"
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

// cert-manager's queues for these controllers back off 5s→5min (§3.1); ours start at 1 s so a
// CA Secret that appears is picked up quickly, and an unreachable ACME server is not hammered.
kube::WorkQueueOptions queue_options() {
  return {.per_key = {std::chrono::seconds(1), std::chrono::minutes(5)}};
}

}  // namespace

IssuersController::IssuersController(bool cluster, const common::Clock& clock,
                                     const manager::ManagerOptions& options,
                                     std::shared_ptr<AcmeAccounts> accounts)
    : QueueController(std::string(cluster ? kClusterIssuersName : kIssuersName), clock,
                      options.concurrent_workers, queue_options()),
      cluster_(cluster),
      accounts_(accounts ? std::move(accounts) : std::make_shared<AcmeAccounts>()) {}

common::Status IssuersController::setup(manager::ControllerContext& context) {
  context_ = &context;
  const auto& options = context.options;
  const std::string crn = options.cluster_resource_namespace;
  kube::InformerOptions issuer_options{
      .resource = cluster_ ? cluster_issuers_resource()
                           : issuers_resource().with_namespace(options.namespace_)};
  issuers_ = &context.informers.informer(issuer_options);
  const bool cluster = cluster_;
  issuers_->add_index(std::string(kSecretIndex), [cluster, crn](const json& object) {
    const std::string ns = cluster ? crn : object["metadata"].value("namespace", "");
    return secret_index_keys(object, ns);
  });
  kube::EventHandlers handlers = manager::on_change(
      [this](const kube::ObjectPtr& object) { queue().add(kube::object_key(*object)); },
      /*deletes=*/false);
  // A deleted issuer's ACME client goes with it.
  handlers.on_delete = [accounts = accounts_](const kube::ObjectPtr& object) {
    if (const auto* uid = object->contains("metadata") ? &(*object)["metadata"]["uid"] : nullptr;
        uid != nullptr && uid->is_string()) {
      accounts->remove(uid->get<std::string>());
    }
  };
  issuers_->add_handlers(std::move(handlers));

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
       issuers_->by_index(std::string(kSecretIndex), kube::object_key(*secret))) {
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

  std::optional<Readiness> readiness;
  std::optional<api::AcmeIssuerStatus> acme_status;
  auto result = kube::ReconcileResult::done();
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
    case IssuerType::kAcme: {
      auto outcome = setup_acme_account(*issuer, context_->client, *accounts_, context_->clock);
      if (!outcome.write_status) {
        return outcome.result;
      }
      readiness = std::move(outcome.readiness);
      acme_status = std::move(outcome.acme_status);
      result = outcome.result;
      break;
    }
    default:
      // Vault and Venafi are not implemented.
      return kube::ReconcileResult::done();
  }
  const bool acme = issuer_type(issuer->spec) == IssuerType::kAcme;
  if (!acme) {
    accounts_->remove(issuer->metadata.uid);
  }

  auto conditions = issuer->status.conditions;
  const auto* current = api::find_condition(conditions, api::kConditionReady);
  if (!readiness) {
    // The ACME account is as status.acme says: keep a True Ready condition (only
    // observedGeneration follows the spec); otherwise it is now verified.
    readiness =
        current != nullptr && current->status == api::ConditionStatus::kTrue
            ? Readiness{current->status, current->reason, current->message}
            : Readiness{api::ConditionStatus::kTrue, std::string(api::kReasonAcmeAccountVerified),
                        std::string(kMessageAccountVerified)};
  }
  const bool condition_changed =
      api::set_condition(conditions, api::kConditionReady, readiness->status, readiness->reason,
                         readiness->message, issuer->metadata.generation, context_->clock.now());
  const bool acme_changed = acme && acme_status != issuer->status.acme;
  if (!condition_changed && !acme_changed) {
    return result;
  }
  const bool status_changed =
      !api::has_condition(issuer->status.conditions, api::kConditionReady, readiness->status);
  json encoded;
  if (cluster_) {
    api::ClusterIssuer out{issuer->metadata, issuer->spec, {conditions, acme_status}};
    encoded = api::encode(out);
  } else {
    api::Issuer out{issuer->metadata, issuer->spec, {conditions, acme_status}};
    encoded = api::encode(out);
  }
  manager::StatusOwnership owned{.condition_types = {api::kConditionReady}};
  if (acme) {
    owned.fields = {"acme"};
  }
  const auto body = manager::status_apply_body(encoded, owned);
  const auto ref = (cluster_ ? cluster_issuers_resource() : issuers_resource())
                       .with_namespace(issuer->metadata.namespace_)
                       .with_name(issuer->metadata.name);
  if (auto applied = manager::apply_status(context_->client, ref, body, name()); !applied) {
    return manager::write_result(applied, name(), key);
  }
  if (condition_changed && (status_changed || readiness->status != api::ConditionStatus::kTrue ||
                            readiness->reason != (current != nullptr ? current->reason : ""))) {
    context_->events.event(
        *object,
        readiness->status == api::ConditionStatus::kTrue ? kube::EventType::kNormal
                                                         : kube::EventType::kWarning,
        readiness->reason, readiness->message.empty() ? readiness->reason : readiness->message);
  }
  return result;
}

std::unique_ptr<manager::Controller> make_issuers_controller(
    const common::Clock& clock, const manager::ManagerOptions& o,
    std::shared_ptr<AcmeAccounts> accounts) {
  return std::make_unique<IssuersController>(false, clock, o, std::move(accounts));
}

std::unique_ptr<manager::Controller> make_clusterissuers_controller(
    const common::Clock& clock, const manager::ManagerOptions& o,
    std::shared_ptr<AcmeAccounts> accounts) {
  return std::make_unique<IssuersController>(true, clock, o, std::move(accounts));
}

}  // namespace certkeeper::issuers
