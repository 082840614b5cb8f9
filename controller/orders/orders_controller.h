#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "controller/issuers/acme_accounts.h"
#include "controller/issuers/issuer_lookup.h"
#include "controller/manager/controller.h"
#include "controller/manager/options.h"
#include "lib/acme/client.h"
#include "lib/api/acme_types.h"
#include "lib/common/clock.h"
#include "lib/kube/informer.h"

namespace certkeeper::orders {

inline constexpr std::string_view kOrdersControllerName = "orders";

// cert-manager's `orders` controller (pkg/controller/acmeorders, cert-manager-api.md §1.7, §3.4,
// §3.6): drives an Order through the ACME protocol with its issuer's client from AcmeAccounts
// (Issuers and ClusterIssuers alike, keyed by UID). Each reconcile takes the step decide()
// (order_sync.h) gives for the Order's current status:
//  - newOrder once, and write url, finalizeURL, state and the authorizations in ONE status write
//    straight away: the URL in status is what makes a restarted controller resume the same order
//    instead of sending a second newOrder. Until the cache shows that write, the status is kept in
//    memory (and re-written if the write failed), so a stale cache cannot cause a second newOrder
//    either. The window that remains — newOrder succeeded, the process dies before the write —
//    is the one cert-manager has too;
//  - one Challenge per pending authorization (plan_challenges; no solver → Warning Event
//    `Solver`, status.reason says why, the Order stays pending); Challenges it no longer wants
//    are deleted; Event `Created` per new Challenge;
//  - once every Challenge is final (or the order is `processing`), the order is fetched from the
//    CA (again after 5 s while it stays pending); `ready` → finalize with the CSR; `valid` →
//    download the chain (issuer preferredChain), record status.certificate, Event `Complete`;
//    `invalid`/`expired` → final with the reason;
//  - a 4xx from the CA on newOrder, fetch, finalize or download (e.g. a profile the CA does not
//    offer) → `errored`, final, never retried; network errors, 5xx and 429 → the queue's backoff,
//    with no status write, so a failing CA cannot make it hot-loop on writes;
//  - final orders: their Challenges are deleted.
//
// Writes only the Order's status (SSA, field manager "certkeeper-orders") and Challenges.
// Re-queued by its Orders, their Challenges (controller owner) and their issuers. Owned by the
// Manager for one leadership term; `accounts` is shared with the issuers controllers and outlives
// it. Thread-safe as QueueController.
class OrdersController final : public manager::QueueController {
 public:
  OrdersController(const common::Clock& clock, const manager::ManagerOptions& options,
                   std::shared_ptr<issuers::AcmeAccounts> accounts);
  common::Status setup(manager::ControllerContext& context) override;

 protected:
  kube::ReconcileResult reconcile(const std::string& key) override;

 private:
  struct Work;  // one reconcile's Order, its cached object, Challenges, issuer and client

  kube::ReconcileResult new_order(Work& work);
  kube::ReconcileResult fetch_authorizations(Work& work);
  kube::ReconcileResult sync_challenges(Work& work);
  kube::ReconcileResult check_order(Work& work);
  kube::ReconcileResult finalize(Work& work, const acme::Order& current);
  kube::ReconcileResult download(Work& work, const acme::Order& current);
  kube::ReconcileResult delete_challenges(const api::Order& order,
                                          const std::vector<api::Challenge>& owned);
  // An ACME failure: 4xx → `errored` with "<what>: <message>"; otherwise retry with backoff.
  kube::ReconcileResult acme_failure(Work& work, std::string_view what, const common::Error& error);
  // Records a final state (invalid, expired, errored) with its reason and failureTime.
  kube::ReconcileResult fail(Work& work, std::string_view state, std::string reason);
  // SSA of the owned status fields of `order`; nothing is sent when `order` has the cached
  // status (`work.order.status`).
  common::Status write_status(Work& work, const api::OrderStatus& status);
  std::vector<api::Challenge> owned_challenges(const api::Order& order) const;
  std::vector<api::AcmeAuthorization> fetch_authzs(acme::AcmeClient& client,
                                                   const acme::Order& order) const;

  std::shared_ptr<issuers::AcmeAccounts> accounts_;
  manager::ControllerContext* context_ = nullptr;
  kube::Informer* orders_ = nullptr;
  kube::Informer* challenges_ = nullptr;
  issuers::IssuerLookup issuers_;

  // Statuses written (or to be written) after newOrder that the cache has not shown yet, by
  // Order UID. Guarded by mu_.
  std::mutex mu_;
  std::map<std::string, api::OrderStatus> unseen_;
};

std::unique_ptr<manager::Controller> make_orders_controller(
    const common::Clock& clock, const manager::ManagerOptions& options,
    std::shared_ptr<issuers::AcmeAccounts> accounts);

}  // namespace certkeeper::orders
