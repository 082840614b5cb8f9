#pragma once

#include <chrono>
#include <optional>

#include "controller/issuers/acme_accounts.h"
#include "controller/issuers/ca_keypair.h"
#include "controller/issuers/generic_issuer.h"
#include "lib/api/issuer.h"
#include "lib/common/clock.h"
#include "lib/kube/client.h"
#include "lib/kube/workqueue.h"

namespace certkeeper::issuers {

// How long a registration the CA refused as the user's fault waits before the same inputs are
// tried again (any change to them retries at once).
inline constexpr std::chrono::hours kUserErrorRetry{1};

// What an ACME issuer's setup decided: the Ready condition (unset: leave the current one alone
// and only bring observedGeneration up to date), status.acme to write, and how to requeue.
struct AcmeSetupOutcome {
  std::optional<Readiness> readiness;
  std::optional<api::AcmeIssuerStatus> acme_status;
  kube::ReconcileResult result = kube::ReconcileResult::done();
  bool write_status = true;  // false: a transient read error, nothing to report yet
};

// cert-manager's ACME issuer Setup (pkg/issuer/acme/setup.go, cert-manager-api.md §2.1): loads
// the account key from spec.acme.privateKeySecretRef in `issuer.resource_namespace`, or
// generates an RSA-2048 key there (unless disableAccountKeyGeneration), puts the issuer's client
// into `accounts`, and calls the CA only when account_action() says so: newAccount (with ToS
// agreed, the contact and EAB when configured), or an account update when only the email
// changed. The CA's refusals are Ready=False ErrRegisterACMEAccount / ErrUpdateACMEAccount with
// its detail and are not retried for kUserErrorRetry unless the inputs change; network and 5xx
// errors are retried with backoff.
AcmeSetupOutcome setup_acme_account(const GenericIssuer& issuer, kube::Client& client,
                                    AcmeAccounts& accounts, const common::Clock& clock);

}  // namespace certkeeper::issuers
