#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/acme/types.h"
#include "lib/api/acme_types.h"
#include "lib/common/error.h"

// The pure decisions of the challenges controller (cert-manager-api.md §1.8, §3.4, §3.6): what a
// reconcile does next given the Challenge as it is, how an ACME error or authorization maps to
// a state and reason, and the messages, which are stable so that a challenge failing the same way
// does not rewrite its status on every retry.
namespace certkeeper::challenges {

// The next step for a Challenge that is not being deleted.
enum class Action {
  kAddFinalizer,       // acme.cert-manager.io/finalizer missing, or the legacy one present
  kNothing,            // not scheduled yet, or final and cleaned up
  kCleanUpFinal,       // final state: clean up, then processing=false, presented=false
  kFetchState,         // scheduled, state unknown: ask the CA (a restart may find it valid)
  kPresent,            // create the solver resources / TXT record
  kCheckAndAccept,     // presented, pending: self-check (or wait), then answer the challenge
  kPollAuthorization,  // answered: wait for the authorization to become final
};
Action next_action(const api::Challenge& challenge);

// The finalizers with ours added and the legacy one dropped, or nullopt when already so.
std::optional<std::vector<std::string>> finalizers_with_ours(
    const std::vector<std::string>& finalizers);
// The finalizers without ours (current or legacy), or nullopt when neither is there.
std::optional<std::vector<std::string>> finalizers_without_ours(
    const std::vector<std::string>& finalizers);

// What to do about a failed ACME request.
struct ErrorOutcome {
  bool final = false;  // false: transient (network, 5xx, rate limit): retry with backoff
  std::string state;   // expired (problem malformed) or errored (any other 4xx)
  std::string reason;
};
ErrorOutcome classify_acme_error(const common::Error& error, std::string_view what);

// The Challenge's state from its authorization (one GET, no waiting): nullopt while the CA is
// still validating; else valid, invalid (with the CA's error as reason) or expired.
struct AuthorizationOutcome {
  std::string state;
  std::string reason;
};
std::optional<AuthorizationOutcome> authorization_outcome(const acme::Authorization& authz,
                                                          const api::Challenge& challenge);

// The state a Challenge starts in from the CA's view of its challenge (kFetchState): the
// challenge's status ("pending", "processing", "valid", "invalid"); "pending" when the CA does
// not list it.
std::string initial_state(const acme::Authorization& authz, const api::Challenge& challenge);

// "Waiting for <TYPE> challenge propagation: <reason>" (§3.4).
std::string propagation_reason(const api::Challenge& challenge, std::string_view reason);
// Event messages, as cert-manager words them.
std::string presented_message(const api::Challenge& challenge);
std::string present_error_message(const common::Error& error);
std::string cleanup_error_message(const common::Error& error);

}  // namespace certkeeper::challenges
