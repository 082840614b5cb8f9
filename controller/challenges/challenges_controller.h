#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "controller/challenges/decisions.h"
#include "controller/issuers/acme_accounts.h"
#include "controller/issuers/generic_issuer.h"
#include "controller/manager/controller.h"
#include "controller/manager/options.h"
#include "controller/solvers/dns01.h"
#include "controller/solvers/http01.h"
#include "lib/api/acme_types.h"
#include "lib/common/clock.h"
#include "lib/http/client.h"
#include "lib/kube/informer.h"

namespace certkeeper::challenges {

inline constexpr std::string_view kControllerName = "challenges";

kube::ResourceRef challenges_resource();

// The seams of the controller beyond the API server: the DNS-01 provider factory and the HTTP
// client of the HTTP-01 self-check. Defaults are made in setup() when left null.
struct ChallengeSeams {
  std::shared_ptr<solvers::Dns01ProviderFactory> dns01;
  std::shared_ptr<http::HttpClient> http;
};

// cert-manager's `challenges` controller with its scheduler (cert-manager-api.md §1.8, §3.4,
// §3.6, §3.7, §3.8).
//
// Scheduler: the key kSchedulerKey in the same queue is reconciled every second and whenever a
// Challenge changes: schedule() over the cached Challenges, status.processing=true (SSA under
// "certkeeper-challenges-scheduler") for those it picks. Keys it set are remembered until the
// cache shows them, so a pass never counts a stale cache under the cap.
//
// Per Challenge (level-based, from the cached object; decisions.h):
//  - deleted: clean up (HTTP-01 resources; DNS-01 TXT value), then remove our finalizers.
//    A failed cleanup keeps the finalizer (event CleanUpError, retry), except when the issuer is
//    gone (logged, released) or when nothing was ever presented and the provider cannot be
//    built or refuses (a present that never succeeded left nothing of ours).
//  - finalizer acme.cert-manager.io/finalizer added, the legacy one migrated;
//  - scheduled with no state: the state is read from the CA's authorization (a restart, or an
//    authorization already valid);
//  - present (event Presented / PresentError) → presented, presentedAt;
//  - pending: waitInsteadOfSelfCheck, or the self-check; failing → reason "Waiting for <TYPE>
//    challenge propagation: <stable reason>" and a retry after --dns01-check-retry-period;
//    passing → respond_challenge and state "processing";
//  - processing: one GET of the authorization per reconcile, re-queued after its Retry-After
//    (or 2 s), never blocking a worker; final → state and reason;
//  - final: clean up, then processing=false, presented=false.
// ACME errors: `malformed` ⇒ expired, other 4xx ⇒ errored, others retried with the queue's
// backoff (5 s → 30 min, as cert-manager's challenges queue).
//
// Status (processing, presented, presentedAt, reason, state) is written with SSA under
// "certkeeper-challenges"; each write re-queues the Challenge through the informer, which is
// how the steps follow one another. Owned by the Manager for one leadership term; thread-safe as
// QueueController.
class ChallengesController final : public manager::QueueController {
 public:
  static constexpr std::string_view kSchedulerKey = "\x01scheduler";

  ChallengesController(const common::Clock& clock, const manager::ManagerOptions& options,
                       std::shared_ptr<issuers::AcmeAccounts> accounts, ChallengeSeams seams = {});
  common::Status setup(manager::ControllerContext& context) override;

 protected:
  kube::ReconcileResult reconcile(const std::string& key) override;

 private:
  kube::ReconcileResult schedule_pass();
  kube::ReconcileResult sync(const kube::ObjectPtr& object, api::Challenge challenge);
  kube::ReconcileResult on_deleted(const kube::ObjectPtr& object, const api::Challenge& challenge);
  kube::ReconcileResult present(const kube::ObjectPtr& object, api::Challenge challenge);
  kube::ReconcileResult check_and_accept(const kube::ObjectPtr& object, api::Challenge challenge,
                                         acme::AcmeClient& acme);
  // One GET of the authorization: `initial` takes the Challenge's state from it (kFetchState);
  // otherwise a final authorization becomes the state and a pending one is asked again later.
  kube::ReconcileResult read_authorization(api::Challenge challenge, acme::AcmeClient& acme,
                                           bool initial);
  kube::ReconcileResult clean_up_final(const kube::ObjectPtr& object, api::Challenge challenge);

  // The Challenge's issuer from the caches, nullopt when it does not exist.
  std::optional<issuers::GenericIssuer> resolve_issuer(const api::Challenge& challenge) const;
  // Removes the Challenge's solver resources or TXT value.
  common::Status clean_up(const api::Challenge& challenge, const issuers::GenericIssuer& issuer);
  common::Status present_solver(const api::Challenge& challenge,
                                const issuers::GenericIssuer& issuer);
  // Builds the DNS-01 provider (credentials from the issuer's namespace) and the record name,
  // then calls `fn` with them.
  common::Status with_dns01_provider(
      const api::Challenge& challenge, const issuers::GenericIssuer& issuer,
      const std::function<common::Status(dns::Dns01Provider&, const std::string&)>& fn);
  // The self-check: passed, or a stable reason.
  solvers::SelfCheck self_check(const api::Challenge& challenge);
  common::Status set_finalizers(const api::Challenge& challenge,
                                const std::vector<std::string>& finalizers);
  // Writes the five status members the controller owns, unless they are already so.
  kube::ReconcileResult write_status(const api::Challenge& before, const api::Challenge& after);

  const manager::ManagerOptions& options_;
  std::shared_ptr<issuers::AcmeAccounts> accounts_;
  ChallengeSeams seams_;
  manager::ControllerContext* context_ = nullptr;
  kube::Informer* challenges_ = nullptr;
  kube::Informer* issuers_ = nullptr;
  kube::Informer* cluster_issuers_ = nullptr;  // null in single-namespace mode
  std::unique_ptr<solvers::Http01Resources> http01_;
  solvers::Dns01CheckSettings dns01_settings_;

  std::mutex mu_;
  // Keys the scheduler marked processing that the cache may not show yet, with when.
  std::map<std::string, std::chrono::steady_clock::time_point> scheduled_;
};

std::unique_ptr<manager::Controller> make_challenges_controller(
    const common::Clock& clock, const manager::ManagerOptions& options,
    std::shared_ptr<issuers::AcmeAccounts> accounts);

}  // namespace certkeeper::challenges
