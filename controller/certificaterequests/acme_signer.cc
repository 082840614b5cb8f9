#include "controller/certificaterequests/acme_signer.h"

#include <fmt/format.h>

#include "controller/certificaterequests/acme_order.h"
#include "controller/issuers/issuer_lookup.h"
#include "controller/manager/handlers.h"
#include "lib/api/codec.h"
#include "lib/api/conditions.h"
#include "lib/api/well_known.h"
#include "lib/common/log.h"
#include "lib/crypto/certificate.h"

namespace certkeeper::certificaterequests {

using nlohmann::json;
using Kind = SignOutcome::Kind;

namespace {

constexpr std::string_view kOwnerIndex = "acme-signer.owner";

SignOutcome pending(std::string_view reason, std::string message) {
  return {Kind::kPending, std::string(reason), std::move(message), {}, {}};
}

kube::ResourceRef certificates_resource(const std::string& ns) {
  return {"cert-manager.io", "v1", "certificates", ns, "", ""};
}

// "namespace/name" of the CertificateRequest that controls a raw Order, if any.
std::optional<std::string> owner_request_key(const json& order) {
  const auto& md = order.value("metadata", json::object());
  for (const auto& owner : md.value("ownerReferences", json::array())) {
    if (owner.is_object() && owner.value("controller", false) &&
        owner.value("kind", "") == api::kKindCertificateRequest) {
      return fmt::format("{}/{}", md.value("namespace", ""), owner.value("name", ""));
    }
  }
  return std::nullopt;
}

}  // namespace

AcmeOrders::AcmeOrders(manager::ControllerContext& context,
                       const std::function<void(const std::string&)>& enqueue)
    : context_(context) {
  orders_ = &context.informers.informer(
      {.resource = issuers::orders_resource().with_namespace(context.options.namespace_)});
  orders_->add_index(std::string(kOwnerIndex), issuers::controller_owner_uid);
  orders_->add_handlers(manager::on_change([enqueue](const kube::ObjectPtr& order) {
    if (auto key = owner_request_key(*order)) {
      enqueue(*key);
    }
  }));
}

std::optional<std::string> AcmeOrders::replaced_cert_id(const api::CertificateRequest& cr) const {
  const auto name = cr.metadata.annotations.find(std::string(api::kAnnotationCertificateName));
  if (name == cr.metadata.annotations.end() || name->second.empty()) {
    return std::nullopt;
  }
  const auto& ns = cr.metadata.namespace_;
  auto object = context_.client.get(certificates_resource(ns).with_name(name->second));
  if (!object) {
    return std::nullopt;
  }
  auto certificate = api::decode_certificate(*object);
  if (!certificate || certificate->spec.secret_name.empty()) {
    return std::nullopt;
  }
  auto secret = issuers::read_secret(context_.client, ns, certificate->spec.secret_name);
  if (!secret || !*secret) {
    return std::nullopt;
  }
  const auto crt = (*secret)->find(std::string(api::kSecretTlsCrt));
  if (crt == (*secret)->end() || crt->second.empty()) {
    return std::nullopt;
  }
  auto leaf = crypto::Certificate::from_pem(crt->second);
  if (!leaf) {
    return std::nullopt;
  }
  auto id = crypto::ari_cert_id(*leaf);
  if (!id) {
    return std::nullopt;
  }
  return *id;
}

SignOutcome AcmeOrders::sign(const api::CertificateRequest& cr,
                             const issuers::GenericIssuer& issuer, bool& transient) {
  auto csr = crypto::parse_csr(cr.spec.request);
  if (!csr) {
    return {Kind::kFailed,
            std::string(api::kReasonRequestParsingError),
            "Failed to decode CSR in spec.request: " + csr.error().message(),
            {},
            {}};
  }
  if (auto bad = check_common_name(*csr)) {
    return *bad;
  }
  const auto& acme = *issuer.spec.acme;
  const api::Order want = build_order(cr, *csr, acme, std::nullopt);
  const auto& ns = cr.metadata.namespace_;

  std::optional<api::Order> current;
  for (const auto& object : orders_->by_index(std::string(kOwnerIndex), cr.metadata.uid)) {
    auto order = api::decode_order(*object);
    if (!order) {
      continue;  // the order controller reports it
    }
    if (!current && order_fits(want.spec, order->spec)) {
      current = std::move(*order);
      continue;
    }
    common::logger(kAcmeSignerName)
        ->info("{}/{}: deleting Order {}: it does not match the request", ns, cr.metadata.name,
               order->metadata.name);
    auto removed = context_.client.remove(
        issuers::orders_resource().with_namespace(ns).with_name(order->metadata.name),
        {.precondition_uid = order->metadata.uid});
    if (!removed && removed.error().code() != common::ErrorCode::kNotFound) {
      transient = true;
      return pending(api::kReasonOrderGetError,
                     fmt::format("Failed to delete Order {}/{}: {}", ns, order->metadata.name,
                                 removed.error().message()));
    }
  }

  if (!current) {
    std::optional<std::string> replaces;
    if (wants_replaces(acme)) {
      replaces = replaced_cert_id(cr);
    }
    const api::Order order = build_order(cr, *csr, acme, replaces);
    auto created =
        context_.client.create(issuers::orders_resource().with_namespace(ns), api::encode(order));
    if (!created && created.error().code() != common::ErrorCode::kAlreadyExists) {
      transient = true;
      return pending(api::kReasonOrderCreatingError,
                     fmt::format("Failed create new order resource {}/{}: {}", ns,
                                 order.metadata.name, created.error().message()));
    }
    return pending(api::kReasonOrderCreated,
                   fmt::format("Created Order resource {}/{}", ns, order.metadata.name));
  }

  auto verdict = verdict_for_order(*current, *csr);
  if (verdict.kind == OrderVerdict::Kind::kOutcome) {
    return verdict.outcome;
  }
  common::logger(kAcmeSignerName)
      ->info("{}/{}: deleting Order {}: {}", ns, cr.metadata.name, current->metadata.name,
             verdict.why);
  auto removed = context_.client.remove(
      issuers::orders_resource().with_namespace(ns).with_name(current->metadata.name),
      {.precondition_uid = current->metadata.uid});
  if (!removed && removed.error().code() != common::ErrorCode::kNotFound) {
    transient = true;
  }
  return pending(api::kReasonOrderPending,
                 fmt::format("The certificate in Order {}/{} does not match the CSR; the Order "
                             "was deleted and will be created again",
                             ns, current->metadata.name));
}

}  // namespace certkeeper::certificaterequests
