#include "controller/issuers/acme_setup.h"

#include <fmt/format.h>

#include "controller/issuers/acme_account.h"
#include "lib/api/conditions.h"
#include "lib/api/defaults.h"
#include "lib/common/encoding.h"
#include "lib/common/log.h"

namespace certkeeper::issuers {

namespace {

using nlohmann::json;

// cert-manager generates RSA-2048 account keys (cert-manager-api.md §2.1).
constexpr int kAccountKeyBits = 2048;

Readiness not_ready(std::string_view reason, std::string message) {
  return {api::ConditionStatus::kFalse, std::string(reason), std::move(message)};
}

Readiness registered_readiness() {
  return {api::ConditionStatus::kTrue, std::string(api::kReasonAcmeAccountRegistered),
          std::string(kMessageAccountRegistered)};
}

// The status.acme to keep while the account is not (re)established: the previous one while it
// still describes this key on this server, else nothing (a new key means a new account).
std::optional<api::AcmeIssuerStatus> kept_status(const api::AcmeIssuer& acme,
                                                 const std::optional<api::AcmeIssuerStatus>& prev,
                                                 std::string_view key_hash) {
  if (!prev || prev->last_private_key_hash.value_or("") != key_hash ||
      url_host(prev->uri.value_or("")) != url_host(acme.server)) {
    return std::nullopt;
  }
  return prev;
}

// A kube read or write that failed for a reason that is not the user's: retry, report nothing.
AcmeSetupOutcome transient(const GenericIssuer& issuer, std::string_view what,
                           const common::Error& error) {
  common::logger("issuers")->warn("{} {}/{}: {}: {}", issuer.kind, issuer.metadata.namespace_,
                                  issuer.metadata.name, what, error.to_string());
  return {std::nullopt, issuer.status.acme, kube::ReconcileResult::retry(), false};
}

// Loads the account key, creating its Secret when allowed. An outcome instead of a key when the
// issuer cannot go on.
struct KeyOrOutcome {
  std::optional<crypto::PrivateKey> key;
  AcmeSetupOutcome outcome;
};

KeyOrOutcome load_or_generate_key(const GenericIssuer& issuer, kube::Client& client) {
  const auto& acme = *issuer.spec.acme;
  const auto& ns = issuer.resource_namespace;
  const auto& name = acme.private_key_secret_ref.name;
  const std::string data_key = api::effective_account_key_secret_key(acme);
  auto secret = read_secret(client, ns, name);
  if (!secret) {
    return {std::nullopt, transient(issuer, "reading the ACME account key secret", secret.error())};
  }
  if (*secret) {
    auto key = parse_account_key(**secret, data_key, ns, name);
    if (!key) {
      return {std::nullopt,
              {not_ready(api::kReasonErrVerifyAcmeAccount,
                         std::string(kMessageInvalidPrivateKey) + key.error().message()),
               issuer.status.acme}};
    }
    return {std::move(*key), {}};
  }
  if (acme.disable_account_key_generation.value_or(false)) {
    return {
        std::nullopt,
        {not_ready(api::kReasonErrVerifyAcmeAccount,
                   fmt::format("{}secret \"{}\" not found", kMessageKeyGenerationDisabled, name)),
         issuer.status.acme}};
  }
  auto key = crypto::PrivateKey::generate(crypto::KeyAlgorithm::kRsa, kAccountKeyBits);
  if (!key) {
    return {std::nullopt, transient(issuer, "generating the ACME account key", key.error())};
  }
  auto pem = key->to_pem(crypto::KeyEncoding::kPkcs1);
  if (!pem) {
    return {std::nullopt, transient(issuer, "encoding the ACME account key", pem.error())};
  }
  const json object = {{"apiVersion", "v1"},
                       {"kind", "Secret"},
                       {"metadata", {{"name", name}, {"namespace", ns}}},
                       {"type", "Opaque"},
                       {"data", {{data_key, common::base64_encode(*pem)}}}};
  auto created = client.create(secrets_resource().with_namespace(ns), object);
  if (!created) {
    if (created.error().code() == common::ErrorCode::kAlreadyExists) {
      // Someone else wrote it between our read and create: use theirs on the next pass.
      return {std::nullopt,
              {std::nullopt, issuer.status.acme, kube::ReconcileResult::conflict(), false}};
    }
    return {std::nullopt,
            transient(issuer, "creating the ACME account key secret", created.error())};
  }
  common::logger("issuers")->info("{} {}/{}: generated an ACME account key in secret {}/{}",
                                  issuer.kind, issuer.metadata.namespace_, issuer.metadata.name, ns,
                                  name);
  return {std::move(*key), {}};
}

// The EAB key id and HMAC key (base64url), both empty without externalAccountBinding.
struct EabOrOutcome {
  std::string kid;
  std::string hmac_key;
  std::optional<AcmeSetupOutcome> outcome;
};

EabOrOutcome load_eab(const GenericIssuer& issuer, kube::Client& client,
                      std::optional<api::AcmeIssuerStatus> kept) {
  const auto& acme = *issuer.spec.acme;
  if (!acme.external_account_binding) {
    return {};
  }
  const auto& eab = *acme.external_account_binding;
  const auto& ns = issuer.resource_namespace;
  const auto fail = [&](const std::string& message) {
    return EabOrOutcome{
        "", "",
        AcmeSetupOutcome{not_ready(api::kReasonErrRegisterAcmeAccount,
                                   std::string(kMessageRegistrationFailed) + message),
                         std::move(kept)}};
  };
  if (eab.key_secret_ref.name.empty() || eab.key_secret_ref.key.empty()) {
    return fail("spec.acme.externalAccountBinding.keySecretRef needs a name and a key");
  }
  auto secret = read_secret(client, ns, eab.key_secret_ref.name);
  if (!secret) {
    return {"", "", transient(issuer, "reading the EAB key secret", secret.error())};
  }
  const std::string where =
      fmt::format("secret '{}/{}' key \"{}\"", ns, eab.key_secret_ref.name, eab.key_secret_ref.key);
  if (!*secret) {
    return fail(fmt::format("external account binding: secret '{}/{}' not found", ns,
                            eab.key_secret_ref.name));
  }
  const auto value = (*secret)->find(eab.key_secret_ref.key);
  if (value == (*secret)->end()) {
    return fail(fmt::format("external account binding: no data for {}", where));
  }
  auto decoded = decode_eab_hmac_key(value->second, where);
  if (!decoded) {
    return fail(decoded.error().message());
  }
  return {eab.key_id, common::base64url_encode(*decoded), std::nullopt};
}

}  // namespace

AcmeSetupOutcome setup_acme_account(const GenericIssuer& issuer, kube::Client& client,
                                    AcmeAccounts& accounts, const common::Clock& clock) {
  const auto& acme = *issuer.spec.acme;
  const auto& uid = issuer.metadata.uid;
  const auto& previous = issuer.status.acme;
  if (url_host(acme.server).empty()) {
    accounts.remove(uid);
    return {
        not_ready(api::kReasonInvalidUrl,
                  fmt::format("spec.acme.server \"{}\" is not an absolute https URL", acme.server)),
        previous};
  }
  if (acme.private_key_secret_ref.name.empty()) {
    accounts.remove(uid);
    return {not_ready(api::kReasonInvalidConfig, "spec.acme.privateKeySecretRef.name is required"),
            previous};
  }

  auto loaded = load_or_generate_key(issuer, client);
  if (!loaded.key) {
    if (loaded.outcome.readiness) {
      // No usable key: orders and challenges must not go on with a client for the old one.
      accounts.remove(uid);
    }
    return loaded.outcome;
  }
  auto hash = account_key_hash(*loaded.key);
  if (!hash) {
    return transient(issuer, "hashing the ACME account key", hash.error());
  }
  auto acme_client =
      accounts.client_for(uid, {acme.server, acme.ca_bundle, acme.skip_tls_verify.value_or(false)},
                          *loaded.key, *hash, clock);

  const auto action = account_action(acme, previous, *hash);
  if (action == AccountAction::kNone) {
    // Nothing the account depends on changed: no request to the CA (cert-manager #407, #6222).
    accounts.set_ready(uid, *previous);
    return {std::nullopt, previous};
  }
  if (auto known = accounts.registered(uid);
      known && account_action(acme, known, *hash) == AccountAction::kNone) {
    // This process registered the account a moment ago and the cache has not seen that status
    // write yet: no second registration.
    return {registered_readiness(), known};
  }

  auto kept = kept_status(acme, previous, *hash);
  auto eab = load_eab(issuer, client, kept);
  if (eab.outcome) {
    return *eab.outcome;
  }
  const std::string fingerprint = registration_fingerprint(acme, *hash, eab.hmac_key);
  if (auto pending = accounts.failure_pending(uid, fingerprint, clock.steady_now())) {
    // The CA refused exactly these inputs already: report what it said then.
    return {std::move(pending->readiness), kept,
            kube::ReconcileResult::requeue_after(pending->wait)};
  }

  const auto failed = [&](std::string_view reason, std::string_view prefix,
                          const common::Error& error) {
    AcmeSetupOutcome out{account_failure(reason, prefix, error), kept};
    if (classify_account_error(error) == FailureKind::kUser) {
      accounts.record_failure(uid, fingerprint, clock.steady_now() + kUserErrorRetry,
                              *out.readiness);
      out.result = kube::ReconcileResult::requeue_after(kUserErrorRetry);
    } else if (error.retry_after()) {
      out.result = kube::ReconcileResult::requeue_after(*error.retry_after());
    } else {
      out.result = kube::ReconcileResult::retry();
    }
    return out;
  };

  const auto contact = account_contact(acme.email);
  if (action == AccountAction::kUpdateContact) {
    acme_client->set_account_url(*previous->uri);
    if (auto updated = acme_client->update_contact(contact); !updated) {
      return failed(api::kReasonErrUpdateAcmeAccount, kMessageUpdateFailed, updated.error());
    }
  } else {
    auto account = acme_client->register_account({.contact = contact,
                                                  .terms_of_service_agreed = true,
                                                  .eab_kid = eab.kid,
                                                  .eab_hmac_key = eab.hmac_key});
    if (!account) {
      return failed(api::kReasonErrRegisterAcmeAccount, kMessageRegistrationFailed,
                    account.error());
    }
    // An account that already existed for this key keeps its old contact: bring it up to date.
    if (account->contact != contact) {
      if (auto updated = acme_client->update_contact(contact); !updated) {
        return failed(api::kReasonErrUpdateAcmeAccount, kMessageUpdateFailed, updated.error());
      }
    }
  }
  api::AcmeIssuerStatus registered{acme_client->account_url(), acme.email, *hash};
  accounts.set_ready(uid, registered);
  accounts.clear_failure(uid);
  return {registered_readiness(), std::move(registered)};
}

}  // namespace certkeeper::issuers
