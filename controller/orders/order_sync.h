#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/acme/types.h"
#include "lib/api/acme_types.h"
#include "lib/api/issuer.h"
#include "lib/common/error.h"

// The pure decisions of the `orders` controller (cert-manager's pkg/controller/acmeorders/sync.go,
// cert-manager-api.md §1.7, §1.8, §3.4, §3.6): what to do for an Order in each state, which
// Challenges it needs, which of its Challenges must go, and how the CA's answers are recorded.
// No I/O; thread-safe.
namespace certkeeper::orders {

// The next step for an Order, from its status alone (level-based: the same Order always gives
// the same step).
enum class OrderAction {
  kNothing,              // final, and no Challenge of it is left
  kDeleteChallenges,     // final (valid with its certificate, invalid, expired, errored): remove
                         // its Challenges (their finalizers clean the solvers up)
  kNewOrder,             // no status.url: newOrder, once
  kFetchAuthorizations,  // status.url known, authorizations not recorded yet (the status write
                         // right after newOrder carried only the URL)
  kSyncChallenges,       // pending: one Challenge per pending authorization; once they are all
                         // final, ask the CA about the order
  kFinalize,             // ready: finalize with the CSR, download, record the chain
  kCheckOrder,           // processing, or valid without the certificate: ask the CA again
};
OrderAction decide(const api::Order& order, std::size_t owned_challenges);

// An ACME error that is the client's fault (HTTP 4xx other than 429 rate limiting and
// orderNotReady): the Order becomes `errored` instead of being retried (§3.4). Network errors,
// 5xx, 429 and orderNotReady are retried with the queue's backoff.
bool is_client_error(const common::Error& error);

// status.authorizations[] entry for an authorization as the CA answered it: url, identifier
// (the base domain for a wildcard), wildcard (only when true), initialState and the challenges.
api::AcmeAuthorization record_authorization(const acme::Authorization& authz);

// The status of an Order right after newOrder (or a fetch of it): url, finalizeURL, state and the
// authorizations when given (empty when fetching them failed; kFetchAuthorizations follows).
api::OrderStatus status_after_new_order(const acme::Order& order,
                                        std::vector<api::AcmeAuthorization> authorizations);

// Computes a Challenge's `key`: HTTP-01 → the key authorization, DNS-01 → its TXT value
// (from the issuer's account key; RFC 8555 §8.1, §8.4). `type` is "HTTP-01" or "DNS-01".
using KeyFor =
    std::function<common::Result<std::string>(std::string_view type, std::string_view token)>;

// The Challenges an Order needs: one per authorization whose initialState is pending (a valid
// authorization is reused, §3.6), with the solver pick_solver() chooses. Each has the name
// challenge_name(order, spec), the Order's namespace and labels, a controller ownerRef to the
// Order, and spec url, authorizationURL, dnsName (without "*."), wildcard, type, token, key,
// the full solver (after the Order's HTTP-01 ingress override annotations, §1.9) and the Order's
// issuerRef. Identifiers no solver can take are listed in `unsolvable` ("*.example.com" form) and
// get no Challenge.
struct ChallengePlan {
  std::vector<api::Challenge> wanted;
  std::vector<std::string> unsolvable;
  std::string override_error;  // conflicting override annotations (then nothing is wanted)
};
common::Result<ChallengePlan> plan_challenges(const api::Order& order,
                                              const std::vector<api::AcmeChallengeSolver>& solvers,
                                              const KeyFor& key_for);

// Owned Challenges that are not wanted any more (by name).
std::vector<std::string> unwanted_challenges(const std::vector<api::Challenge>& owned,
                                             const std::vector<api::Challenge>& wanted);
// Wanted Challenges that do not exist yet.
std::vector<api::Challenge> missing_challenges(const std::vector<api::Challenge>& owned,
                                               const std::vector<api::Challenge>& wanted);
// Every wanted Challenge exists and is in a final state (valid, invalid, expired, errored):
// time to ask the CA about the order. True when nothing is wanted (all authorizations valid).
bool all_challenges_final(const std::vector<api::Challenge>& owned,
                          const std::vector<api::Challenge>& wanted);

// The Order's status.reason when no solver fits (cert-manager's message, with the identifiers).
std::string no_solver_reason(const std::vector<std::string>& unsolvable);

// The reason recorded for a failed order: the CA's problem detail when it gave one, else the
// reason of an invalid Challenge of it, else the state. Stable text: no request IDs or times.
std::string failure_reason(const acme::Order& order, const std::vector<api::Challenge>& owned);

}  // namespace certkeeper::orders
