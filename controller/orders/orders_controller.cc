#include "controller/orders/orders_controller.h"

#include <algorithm>

#include <fmt/format.h>

#include "controller/manager/handlers.h"
#include "controller/manager/status_apply.h"
#include "controller/orders/order_sync.h"
#include "lib/acme/protocol.h"
#include "lib/api/codec.h"
#include "lib/api/well_known.h"
#include "lib/common/log.h"
#include "lib/crypto/csr.h"

namespace certkeeper::orders {

using kube::ReconcileResult;
using nlohmann::json;

namespace {

constexpr std::string_view kIssuerIndex = "orders.issuer";
constexpr std::string_view kOwnerIndex = "orders.owner";
// How often a pending order whose Challenges are all final is fetched again (§3.4).
constexpr std::chrono::seconds kPendingRecheck{5};
// How soon a processing order (finalized, certificate not ready yet) is fetched again.
constexpr std::chrono::seconds kProcessingRecheck{1};
// How soon an order is looked at again while its issuer's client is not ready.
constexpr std::chrono::seconds kIssuerWait{2};

const manager::StatusOwnership& order_ownership() {
  static const manager::StatusOwnership owned{
      .condition_types = {},
      .fields = {"url", "finalizeURL", "authorizations", "certificate", "state", "reason",
                 "failureTime"}};
  return owned;
}

// "namespace/name" of the Order that controls a raw Challenge, if any.
std::optional<std::string> owner_order_key(const json& challenge) {
  const auto& md = challenge.value("metadata", json::object());
  for (const auto& owner : md.value("ownerReferences", json::array())) {
    if (owner.is_object() && owner.value("controller", false) &&
        owner.value("kind", "") == api::kKindOrder) {
      return fmt::format("{}/{}", md.value("namespace", ""), owner.value("name", ""));
    }
  }
  return std::nullopt;
}

std::shared_ptr<spdlog::logger> orders_log() {
  static const auto logger = common::logger(kOrdersControllerName);
  return logger;
}

// Every identifier of the order: DNS names, IP addresses, and the commonName when it is neither
// (classified as IP or DNS like the rest, cert-manager #7081).
std::vector<acme::Identifier> order_identifiers(const api::OrderSpec& spec) {
  std::vector<std::string> names = spec.dns_names;
  names.insert(names.end(), spec.ip_addresses.begin(), spec.ip_addresses.end());
  if (spec.common_name && !spec.common_name->empty() &&
      std::find(names.begin(), names.end(), *spec.common_name) == names.end()) {
    names.push_back(*spec.common_name);
  }
  return acme::identifiers_from_names(names);
}

}  // namespace

struct OrdersController::Work {
  kube::ObjectPtr object;
  api::Order order;
  std::vector<api::Challenge> owned;
  issuers::GenericIssuer issuer;
  std::shared_ptr<acme::AcmeClient> client;
};

OrdersController::OrdersController(const common::Clock& clock,
                                   const manager::ManagerOptions& options,
                                   std::shared_ptr<issuers::AcmeAccounts> accounts)
    : QueueController(std::string(kOrdersControllerName), clock, options.concurrent_workers),
      accounts_(std::move(accounts)) {}

common::Status OrdersController::setup(manager::ControllerContext& context) {
  context_ = &context;
  if (!accounts_) {
    return common::make_error(common::ErrorCode::kInvalidArgument,
                              "orders: no ACME account registry was given");
  }
  const auto& ns = context.options.namespace_;
  orders_ =
      &context.informers.informer({.resource = issuers::orders_resource().with_namespace(ns)});
  orders_->add_index(std::string(kIssuerIndex), [](const json& object) {
    return std::vector<std::string>{issuers::issuer_ref_key(object)};
  });
  orders_->add_handlers(manager::on_change(
      [this](const kube::ObjectPtr& object) { queue().add(kube::object_key(*object)); },
      /*deletes=*/false));

  challenges_ =
      &context.informers.informer({.resource = issuers::challenges_resource().with_namespace(ns)});
  challenges_->add_index(std::string(kOwnerIndex), issuers::controller_owner_uid);
  challenges_->add_handlers(manager::on_change([this](const kube::ObjectPtr& challenge) {
    if (auto key = owner_order_key(*challenge)) {
      queue().add(*key);
    }
  }));

  issuers_ = issuers::watch_issuers(context, [this](const std::string& issuer_key) {
    for (const auto& order : orders_->by_index(std::string(kIssuerIndex), issuer_key)) {
      queue().add(kube::object_key(*order));
    }
  });
  return common::ok();
}

std::vector<api::Challenge> OrdersController::owned_challenges(const api::Order& order) const {
  std::vector<api::Challenge> out;
  for (const auto& object : challenges_->by_index(std::string(kOwnerIndex), order.metadata.uid)) {
    if (auto challenge = api::decode_challenge(*object)) {
      out.push_back(std::move(*challenge));
    }
  }
  return out;
}

ReconcileResult OrdersController::reconcile(const std::string& key) {
  Work work;
  work.object = orders_->get(key);
  if (!work.object) {
    return ReconcileResult::done();
  }
  auto decoded = api::decode_order(*work.object);
  if (!decoded) {
    context_->events.event(*work.object, kube::EventType::kWarning, "DecodeError",
                           decoded.error().message());
    return ReconcileResult::done();
  }
  work.order = std::move(*decoded);
  if (work.order.metadata.deletion_timestamp) {
    return ReconcileResult::done();
  }

  // A newOrder whose status the cache does not show yet: never send a second one.
  std::optional<api::OrderStatus> remembered;
  {
    std::lock_guard lock(mu_);
    auto found = unseen_.find(work.order.metadata.uid);
    if (found != unseen_.end()) {
      if (work.order.status.url) {
        unseen_.erase(found);
      } else {
        remembered = found->second;
      }
    }
  }
  if (remembered) {
    if (auto written = write_status(work, *remembered); !written) {
      orders_log()->error(
          "{}: the ACME order {} exists but recording it in status failed again: {}", key,
          remembered->url.value_or(""), written.error().message());
      return ReconcileResult::retry();
    }
    return ReconcileResult::requeue_after(kProcessingRecheck);  // when the cache has caught up
  }

  work.owned = owned_challenges(work.order);
  const OrderAction action = decide(work.order, work.owned.size());
  if (action == OrderAction::kNothing) {
    return ReconcileResult::done();
  }
  if (action == OrderAction::kDeleteChallenges) {
    return delete_challenges(work.order, work.owned);
  }

  auto issuer = issuers_.resolve(work.order.spec.issuer_ref, work.order.metadata.namespace_);
  if (!issuer || !*issuer) {
    return ReconcileResult::done();  // the issuer's arrival or repair re-queues the order
  }
  work.issuer = std::move(**issuer);
  if (!work.issuer.spec.acme) {
    return ReconcileResult::done();  // not an ACME issuer: nothing this controller can do
  }
  work.client = accounts_->get(work.issuer.metadata.uid);
  if (!work.client) {
    // The issuers controller registers the account; when nothing about the issuer changes it
    // makes the client ready without an issuer update, so look again shortly.
    return ReconcileResult::requeue_after(kIssuerWait);
  }

  switch (action) {
    case OrderAction::kNewOrder:
      return new_order(work);
    case OrderAction::kFetchAuthorizations:
      return fetch_authorizations(work);
    case OrderAction::kSyncChallenges:
      return sync_challenges(work);
    case OrderAction::kFinalize:
    case OrderAction::kCheckOrder:
      return check_order(work);
    case OrderAction::kNothing:
    case OrderAction::kDeleteChallenges:
      break;
  }
  return ReconcileResult::done();
}

std::vector<api::AcmeAuthorization> OrdersController::fetch_authzs(acme::AcmeClient& client,
                                                                   const acme::Order& order) const {
  std::vector<api::AcmeAuthorization> out;
  for (const auto& url : order.authorizations) {
    auto authz = client.get_authorization(url);
    if (!authz) {
      orders_log()->warn("order {}: fetching authorization {}: {}", order.url, url,
                         authz.error().message());
      return {};  // recorded on a later reconcile (kFetchAuthorizations)
    }
    out.push_back(record_authorization(*authz));
  }
  return out;
}

ReconcileResult OrdersController::new_order(Work& work) {
  const auto& spec = work.order.spec;
  acme::NewOrderRequest request;
  request.identifiers = order_identifiers(spec);
  request.profile = spec.profile.value_or("");
  request.replaces = spec.replaces.value_or("");
  if (spec.duration) {
    request.not_after = context_->clock.now() +
                        std::chrono::duration_cast<std::chrono::seconds>(spec.duration->value);
  }
  const std::string key = kube::object_key(*work.object);
  auto created = work.client->new_order(request);
  if (!created && !request.replaces.empty() && is_client_error(created.error())) {
    // The client already retries without `replaces` when the CA says the certificate was
    // already replaced; a CA that refuses it for another reason (a certificate it did not issue,
    // e.g. after a change of issuer) must not cost the renewal either (§3.6).
    orders_log()->warn("{}: newOrder with replaces={} refused ({}); ordering without it", key,
                       request.replaces, created.error().message());
    request.replaces.clear();
    created = work.client->new_order(request);
  }
  if (!created) {
    return acme_failure(work, "Failed to create Order", created.error());
  }
  orders_log()->info("{}: created ACME order {} ({})", key, created->url, created->status);
  const api::OrderStatus status =
      status_after_new_order(*created, fetch_authzs(*work.client, *created));
  {
    std::lock_guard lock(mu_);
    unseen_[work.order.metadata.uid] = status;
  }
  if (auto written = write_status(work, status); !written) {
    // The order exists at the CA but only this process knows its URL: keep retrying the write
    // (unseen_), and say so loudly, since a crash now would make the next run order again.
    orders_log()->error("{}: the ACME order {} was created but recording it in status failed: {}",
                        key, created->url, written.error().message());
    return ReconcileResult::retry();
  }
  return ReconcileResult::done();
}

ReconcileResult OrdersController::fetch_authorizations(Work& work) {
  auto current = work.client->get_order(*work.order.status.url);
  if (!current) {
    return acme_failure(work, "Failed to get Order", current.error());
  }
  auto authorizations = fetch_authzs(*work.client, *current);
  if (authorizations.empty() && !current->authorizations.empty()) {
    return ReconcileResult::retry();
  }
  api::OrderStatus status = work.order.status;
  status.finalize_url = current->finalize;
  status.state = current->status;
  status.authorizations = std::move(authorizations);
  if (auto written = write_status(work, status); !written) {
    return manager::write_result(written, name(), kube::object_key(*work.object));
  }
  return ReconcileResult::done();
}

ReconcileResult OrdersController::sync_challenges(Work& work) {
  const auto& issuer_acme = *work.issuer.spec.acme;
  acme::AcmeClient& client = *work.client;
  auto plan = plan_challenges(
      work.order, issuer_acme.solvers,
      [&client](std::string_view type, std::string_view token) -> common::Result<std::string> {
        return type == api::kChallengeTypeDns01 ? client.dns01_txt_value(token)
                                                : client.key_authorization(token);
      });
  if (!plan) {
    orders_log()->error("{}: computing challenge keys: {}", kube::object_key(*work.object),
                        plan.error().message());
    return ReconcileResult::retry();
  }

  std::string problem;
  if (!plan->override_error.empty()) {
    problem = "Invalid HTTP-01 solver override annotations: " + plan->override_error;
  } else if (!plan->unsolvable.empty()) {
    problem = no_solver_reason(plan->unsolvable);
  }
  api::OrderStatus status = work.order.status;
  if (!problem.empty()) {
    // The order stays pending: a change to the issuer or the Order re-queues it.
    if (status.reason.value_or("") != problem) {
      status.reason = problem;
      if (auto written = write_status(work, status); !written) {
        return manager::write_result(written, name(), kube::object_key(*work.object));
      }
      context_->events.event(*work.object, kube::EventType::kWarning, "Solver", problem);
    }
    return ReconcileResult::done();
  }
  if (status.reason) {
    status.reason.reset();  // a solver problem that has been fixed
    if (auto written = write_status(work, status); !written) {
      return manager::write_result(written, name(), kube::object_key(*work.object));
    }
  }

  const auto& ns = work.order.metadata.namespace_;
  for (const auto& name_to_delete : unwanted_challenges(work.owned, plan->wanted)) {
    orders_log()->info("{}: deleting Challenge {}: no longer needed",
                       kube::object_key(*work.object), name_to_delete);
    auto removed = context_->client.remove(
        issuers::challenges_resource().with_namespace(ns).with_name(name_to_delete));
    if (!removed && removed.error().code() != common::ErrorCode::kNotFound) {
      return manager::write_result(tl::unexpected(removed.error()), name(),
                                   kube::object_key(*work.object));
    }
  }
  const auto missing = missing_challenges(work.owned, plan->wanted);
  for (const auto& challenge : missing) {
    auto created = context_->client.create(issuers::challenges_resource().with_namespace(ns),
                                           api::encode(challenge));
    if (!created) {
      if (created.error().code() == common::ErrorCode::kAlreadyExists) {
        continue;  // made by an earlier reconcile the cache has not shown yet
      }
      return manager::write_result(tl::unexpected(created.error()), name(),
                                   kube::object_key(*work.object));
    }
    context_->events.event(*work.object, kube::EventType::kNormal, "Created",
                           fmt::format(R"(Created Challenge resource "{}" for domain "{}")",
                                       challenge.metadata.name, challenge.spec.dns_name));
  }
  if (!missing.empty() || !all_challenges_final(work.owned, plan->wanted)) {
    return ReconcileResult::done();  // the Challenges' changes re-queue the order
  }
  return check_order(work);
}

ReconcileResult OrdersController::check_order(Work& work) {
  auto current = work.client->get_order(*work.order.status.url);
  if (!current) {
    return acme_failure(work, "Failed to get Order", current.error());
  }
  const std::string& state = current->status;
  if (state == api::kStateReady) {
    return finalize(work, *current);
  }
  if (state == api::kStateValid) {
    return download(work, *current);
  }
  if (state == api::kStateInvalid || state == api::kStateExpired || api::is_final_state(state)) {
    return fail(work, state, failure_reason(*current, work.owned));
  }
  // pending or processing: record the state if it moved, and look again.
  if (work.order.status.state.value_or("") != state) {
    api::OrderStatus status = work.order.status;
    status.state = state;
    if (auto written = write_status(work, status); !written) {
      return manager::write_result(written, name(), kube::object_key(*work.object));
    }
  }
  if (state == api::kStateProcessing) {
    return ReconcileResult::requeue_after(current->retry_after.value_or(kProcessingRecheck));
  }
  return ReconcileResult::requeue_after(kPendingRecheck);
}

ReconcileResult OrdersController::finalize(Work& work, const acme::Order& current) {
  auto csr = crypto::parse_csr(work.order.spec.request);
  if (!csr) {
    return fail(work, api::kStateErrored,
                "Failed to parse the CSR in spec.request: " + csr.error().message());
  }
  auto finalized = work.client->finalize_order(current, csr->der);
  if (!finalized) {
    return acme_failure(work, "Failed to finalize Order", finalized.error());
  }
  if (finalized->status == api::kStateValid && !finalized->certificate.empty()) {
    return download(work, *finalized);
  }
  api::OrderStatus status = work.order.status;
  status.state = finalized->status;
  if (auto written = write_status(work, status); !written) {
    return manager::write_result(written, name(), kube::object_key(*work.object));
  }
  return ReconcileResult::requeue_after(finalized->retry_after.value_or(kProcessingRecheck));
}

ReconcileResult OrdersController::download(Work& work, const acme::Order& current) {
  if (current.certificate.empty()) {
    return ReconcileResult::requeue_after(kProcessingRecheck);
  }
  const std::string preferred = work.issuer.spec.acme->preferred_chain.value_or("");
  auto chain = work.client->download_certificate(current.certificate, preferred);
  if (!chain) {
    return acme_failure(work, "Failed to download the certificate", chain.error());
  }
  api::OrderStatus status = work.order.status;
  status.state = std::string(api::kStateValid);
  status.certificate = chain->pem;
  status.reason.reset();
  if (auto written = write_status(work, status); !written) {
    return manager::write_result(written, name(), kube::object_key(*work.object));
  }
  context_->events.event(*work.object, kube::EventType::kNormal, "Complete",
                         "Order completed successfully");
  return ReconcileResult::done();
}

ReconcileResult OrdersController::delete_challenges(const api::Order& order,
                                                    const std::vector<api::Challenge>& owned) {
  for (const auto& challenge : owned) {
    if (challenge.metadata.deletion_timestamp) {
      continue;
    }
    auto removed = context_->client.remove(issuers::challenges_resource()
                                               .with_namespace(order.metadata.namespace_)
                                               .with_name(challenge.metadata.name),
                                           {.precondition_uid = challenge.metadata.uid});
    if (!removed && removed.error().code() != common::ErrorCode::kNotFound) {
      return manager::write_result(
          tl::unexpected(removed.error()), name(),
          fmt::format("{}/{}", order.metadata.namespace_, order.metadata.name));
    }
  }
  return ReconcileResult::done();
}

ReconcileResult OrdersController::acme_failure(Work& work, std::string_view what,
                                               const common::Error& error) {
  if (is_client_error(error)) {
    return fail(work, api::kStateErrored, fmt::format("{}: {}", what, error.message()));
  }
  orders_log()->warn("{}: {} (will retry): {}", kube::object_key(*work.object), what,
                     error.message());
  return ReconcileResult::retry();
}

ReconcileResult OrdersController::fail(Work& work, std::string_view state, std::string reason) {
  api::OrderStatus status = work.order.status;
  status.state = std::string(state);
  status.reason = std::move(reason);
  if (!status.failure_time) {
    status.failure_time = std::chrono::floor<std::chrono::seconds>(context_->clock.now());
  }
  orders_log()->info("{}: order {}: {}", kube::object_key(*work.object), state, *status.reason);
  if (auto written = write_status(work, status); !written) {
    return manager::write_result(written, name(), kube::object_key(*work.object));
  }
  return ReconcileResult::done();
}

common::Status OrdersController::write_status(Work& work, const api::OrderStatus& status) {
  if (status == work.order.status) {
    return common::ok();
  }
  api::Order order = work.order;
  order.status = status;
  const json body = manager::status_apply_body(api::encode(order), order_ownership());
  auto applied = manager::apply_status(context_->client,
                                       issuers::orders_resource()
                                           .with_namespace(order.metadata.namespace_)
                                           .with_name(order.metadata.name),
                                       body, name());
  if (applied) {
    work.order.status = status;
  }
  return applied;
}

std::unique_ptr<manager::Controller> make_orders_controller(
    const common::Clock& clock, const manager::ManagerOptions& options,
    std::shared_ptr<issuers::AcmeAccounts> accounts) {
  return std::make_unique<OrdersController>(clock, options, std::move(accounts));
}

}  // namespace certkeeper::orders
