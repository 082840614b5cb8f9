#include "controller/certificaterequests/signer_controller.h"

#include <fmt/format.h>

#include "controller/certificaterequests/request_state.h"
#include "controller/certificaterequests/request_status.h"
#include "controller/manager/handlers.h"
#include "lib/api/codec.h"
#include "lib/api/conditions.h"
#include "lib/api/defaults.h"
#include "lib/api/well_known.h"

namespace certkeeper::certificaterequests {

using nlohmann::json;
using Kind = SignOutcome::Kind;

namespace {

constexpr std::string_view kIssuerIndex = "issuer";
constexpr std::string_view kPrivateKeySecretIndex = "private-key-secret";

// The status members a signer owns besides the Ready condition.
const manager::StatusOwnership& signer_ownership() {
  static const manager::StatusOwnership owned{.condition_types = {api::kConditionReady},
                                              .fields = {"certificate", "ca", "failureTime"}};
  return owned;
}

std::string lowercase(std::string_view text) {
  std::string out(text);
  for (auto& c : out) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return out;
}

std::vector<std::string> private_key_secret_key(const json& object) {
  const auto md = object.find("metadata");
  if (md == object.end() || !md->is_object()) {
    return {};
  }
  const auto annotations = md->find("annotations");
  if (annotations == md->end() || !annotations->is_object()) {
    return {};
  }
  const auto name = annotations->find(std::string(api::kAnnotationPrivateKeySecretName));
  if (name == annotations->end() || !name->is_string() || name->get<std::string>().empty()) {
    return {};
  }
  return {fmt::format("{}/{}", md->value("namespace", ""), name->get<std::string>())};
}

std::string_view signer_name(SignerType type) {
  switch (type) {
    case SignerType::kCa:
      return kCaSignerName;
    case SignerType::kAcme:
      return kAcmeSignerName;
    case SignerType::kSelfSigned:
      break;
  }
  return kSelfSignedSignerName;
}

issuers::IssuerType served_type(SignerType type) {
  switch (type) {
    case SignerType::kCa:
      return issuers::IssuerType::kCa;
    case SignerType::kAcme:
      return issuers::IssuerType::kAcme;
    case SignerType::kSelfSigned:
      break;
  }
  return issuers::IssuerType::kSelfSigned;
}

SignOutcome pending(std::string_view reason, std::string message) {
  return {Kind::kPending, std::string(reason), std::move(message), {}, {}};
}

}  // namespace

SignerController::SignerController(SignerType type, const common::Clock& clock,
                                   const manager::ManagerOptions& options)
    : QueueController(std::string(signer_name(type)), clock, options.concurrent_workers),
      type_(type) {}

common::Status SignerController::setup(manager::ControllerContext& context) {
  context_ = &context;
  const auto& options = context.options;
  requests_ = &request_informer(context);
  requests_->add_index(std::string(kIssuerIndex), [](const json& object) {
    return std::vector<std::string>{issuers::issuer_ref_key(object)};
  });
  requests_->add_index(std::string(kPrivateKeySecretIndex), private_key_secret_key);
  requests_->add_handlers(manager::on_change(
      [this](const kube::ObjectPtr& object) { queue().add(kube::object_key(*object)); },
      /*deletes=*/false));

  // An issuer's change (it became Ready, its type changed, it appeared) re-queues its requests.
  issuers_ = issuers::watch_issuers(
      context, [this](const std::string& key) { enqueue_index(std::string(kIssuerIndex), key); });

  if (type_ == SignerType::kAcme) {
    acme_ =
        std::make_unique<AcmeOrders>(context, [this](const std::string& key) { queue().add(key); });
  }
  if (type_ == SignerType::kSelfSigned) {
    // The private key Secret may be written after the request: its arrival re-queues it.
    auto& secrets = context.informers.informer(
        {.resource = issuers::secrets_resource().with_namespace(options.namespace_),
         .metadata_only = true});
    secrets.add_handlers(manager::on_change([this](const kube::ObjectPtr& secret) {
      enqueue_index(std::string(kPrivateKeySecretIndex), kube::object_key(*secret));
    }));
  }
  return common::ok();
}

void SignerController::enqueue_index(const std::string& index, const std::string& value) {
  for (const auto& request : requests_->by_index(index, value)) {
    queue().add(kube::object_key(*request));
  }
}

common::Result<std::optional<issuers::GenericIssuer>> SignerController::resolve_issuer(
    const api::CertificateRequest& cr) const {
  return issuers_.resolve(cr.spec.issuer_ref, cr.metadata.namespace_);
}

kube::ReconcileResult SignerController::reconcile(const std::string& key) {
  auto cached = cached_request(*requests_, key, context_->events);
  if (!cached) {
    return kube::ReconcileResult::done();
  }
  auto& [object, request] = *cached;
  if (!is_builtin_issuer_group(request.spec.issuer_ref) || is_final(request)) {
    return kube::ReconcileResult::done();
  }
  const std::string kind = api::effective_issuer_kind(request.spec.issuer_ref);
  if (kind != api::kKindIssuer && kind != api::kKindClusterIssuer) {
    return kube::ReconcileResult::done();  // the webhook rejects other kinds
  }

  auto issuer = resolve_issuer(request);
  if (!issuer) {
    // A broken issuer object: its controller reports it; nothing to do here until it changes.
    return kube::ReconcileResult::done();
  }
  if (!*issuer) {
    return write(object, request,
                 pending(api::kReasonIssuerNotFound,
                         fmt::format("Referenced \"{}\" not found: {}.cert-manager.io \"{}\" not "
                                     "found",
                                     kind, lowercase(kind), request.spec.issuer_ref.name)));
  }
  const auto type = issuers::issuer_type((*issuer)->spec);
  if (type == issuers::IssuerType::kNone) {
    return write(
        object, request,
        pending(api::kReasonIssuerTypeMissing,
                fmt::format("Missing issuer type: no issuer specified for {} '{}/{}'", kind,
                            (*issuer)->metadata.namespace_, (*issuer)->metadata.name)));
  }
  if (type != served_type(type_)) {
    return kube::ReconcileResult::done();
  }
  if (is_denied(request)) {
    return write(object, request,
                 {Kind::kFailed,
                  std::string(api::kReasonDenied),
                  std::string(api::kMessageRequestDenied),
                  {},
                  {}});
  }
  if (!is_approved(request)) {
    return kube::ReconcileResult::done();  // the approval's write re-queues it
  }
  if (!issuers::is_ready(**issuer)) {
    return write(object, request,
                 pending(api::kReasonIssuerNotReady,
                         "Referenced issuer does not have a Ready status condition"));
  }

  bool transient = false;
  auto outcome = sign(request, **issuer, transient);
  auto result = write(object, request, outcome);
  if (transient && result.kind == kube::ReconcileResult::Kind::kDone) {
    return kube::ReconcileResult::retry();
  }
  return result;
}

SignOutcome SignerController::sign(const api::CertificateRequest& cr,
                                   const issuers::GenericIssuer& issuer, bool& transient) {
  if (type_ == SignerType::kAcme) {
    return acme_->sign(cr, issuer, transient);
  }
  const auto now = context_->clock.now();
  if (type_ == SignerType::kSelfSigned) {
    const std::string secret_name = private_key_secret_name(cr);
    std::optional<std::map<std::string, std::string>> secret;
    if (!secret_name.empty()) {
      auto read = issuers::read_secret(context_->client, cr.metadata.namespace_, secret_name);
      if (!read) {
        transient = true;
        return pending(api::kReasonErrorGettingSecret,
                       fmt::format("Failed to get certificate key pair from secret {}/{}: {}",
                                   cr.metadata.namespace_, secret_name, read.error().message()));
      }
      secret = std::move(*read);
    }
    return sign_self_signed(cr, *issuer.spec.self_signed, secret, now);
  }
  const auto& ca = *issuer.spec.ca;
  auto read = issuers::read_secret(context_->client, issuer.resource_namespace, ca.secret_name);
  if (!read) {
    transient = true;
    return pending(api::kReasonSecretGetError,
                   fmt::format("Failed to get certificate key pair from secret {}/{}: {}",
                               issuer.resource_namespace, ca.secret_name, read.error().message()));
  }
  return sign_with_ca(cr, ca, issuer.resource_namespace, *read, now);
}

kube::ReconcileResult SignerController::write(const kube::ObjectPtr& object,
                                              const api::CertificateRequest& current,
                                              const SignOutcome& outcome) {
  api::CertificateRequest cr = current;
  const auto now = context_->clock.now();
  const bool denied = outcome.reason == api::kReasonDenied && outcome.kind == Kind::kFailed;
  std::string_view ready_reason = api::kReasonPending;
  auto ready_status = api::ConditionStatus::kFalse;
  auto event_type = kube::EventType::kNormal;
  switch (outcome.kind) {
    case Kind::kIssued:
      ready_status = api::ConditionStatus::kTrue;
      ready_reason = api::kReasonIssued;
      cr.status.certificate = outcome.certificate;
      cr.status.ca = outcome.ca;
      break;
    case Kind::kFailed:
      ready_reason = denied ? api::kReasonDenied : api::kReasonFailed;
      event_type = kube::EventType::kWarning;
      if (!cr.status.failure_time) {
        cr.status.failure_time = std::chrono::floor<std::chrono::seconds>(now);
      }
      break;
    case Kind::kPending:
      break;
  }
  const bool changed = api::set_condition(cr.status.conditions, api::kConditionReady, ready_status,
                                          ready_reason, outcome.message, std::nullopt, now);
  if (!changed && outcome.kind == Kind::kPending) {
    return kube::ReconcileResult::done();  // nothing new to say
  }
  // Final outcomes are decided on this copy of the request: write them only if it is current.
  const bool precondition = outcome.kind != Kind::kPending;
  auto applied =
      apply_request_status(context_->client, cr, signer_ownership(), name(), precondition);
  if (!applied) {
    return manager::write_result(applied, name(), kube::object_key(*object));
  }
  context_->events.event(*object, event_type, outcome.reason, outcome.message);
  return kube::ReconcileResult::done();
}

std::unique_ptr<manager::Controller> make_selfsigned_signer(
    const common::Clock& clock, const manager::ManagerOptions& options) {
  return std::make_unique<SignerController>(SignerType::kSelfSigned, clock, options);
}

std::unique_ptr<manager::Controller> make_acme_signer(const common::Clock& clock,
                                                      const manager::ManagerOptions& options) {
  return std::make_unique<SignerController>(SignerType::kAcme, clock, options);
}

std::unique_ptr<manager::Controller> make_ca_signer(const common::Clock& clock,
                                                    const manager::ManagerOptions& options) {
  return std::make_unique<SignerController>(SignerType::kCa, clock, options);
}

}  // namespace certkeeper::certificaterequests
