#include "controller/issuers/acme_accounts.h"

#include "lib/common/log.h"
#include "lib/http/curl_client.h"

namespace certkeeper::issuers {

namespace {

// An AcmeClient together with the HTTP client it borrows, so both live as long as any holder.
struct ClientBundle {
  ClientBundle(const AcmeServerConfig& config, const crypto::PrivateKey& key,
               const common::Clock& clock, std::shared_ptr<acme::RequestObserver> observer)
      : http(http::ClientOptions{
            .tls = {.ca_pem = config.ca_bundle, .insecure_skip_verify = config.skip_tls_verify}}),
        acme(http, clock, key, {.directory_url = config.server, .observer = std::move(observer)}) {}
  http::CurlHttpClient http;
  acme::AcmeClient acme;
};

}  // namespace

std::shared_ptr<acme::AcmeClient> AcmeAccounts::client_for(const std::string& issuer_uid,
                                                           const AcmeServerConfig& config,
                                                           const crypto::PrivateKey& key,
                                                           const std::string& key_hash,
                                                           const common::Clock& clock) {
  std::lock_guard lock(mu_);
  auto& entry = entries_[issuer_uid];
  if (entry.client && entry.config == config && entry.key_hash == key_hash) {
    return entry.client;
  }
  if (config.skip_tls_verify) {
    common::logger("issuers")->warn(
        "issuer {}: skipTLSVerify is set, the ACME server {} is not authenticated", issuer_uid,
        config.server);
  }
  auto bundle = std::make_shared<ClientBundle>(config, key, clock, observer_);
  entry = Entry{config, key_hash, std::shared_ptr<acme::AcmeClient>(bundle, &bundle->acme), false,
                std::nullopt};
  return entry.client;
}

void AcmeAccounts::set_ready(const std::string& issuer_uid,
                             const api::AcmeIssuerStatus& registered) {
  std::lock_guard lock(mu_);
  const auto found = entries_.find(issuer_uid);
  if (found == entries_.end() || !found->second.client) {
    return;
  }
  const std::string url = registered.uri.value_or("");
  if (found->second.client->account_url() != url) {
    found->second.client->set_account_url(url);
  }
  found->second.ready = true;
  found->second.registered = registered;
}

std::optional<api::AcmeIssuerStatus> AcmeAccounts::registered(const std::string& issuer_uid) const {
  std::lock_guard lock(mu_);
  const auto found = entries_.find(issuer_uid);
  if (found == entries_.end()) {
    return std::nullopt;
  }
  return found->second.registered;
}

std::shared_ptr<acme::AcmeClient> AcmeAccounts::get(const std::string& issuer_uid) const {
  std::lock_guard lock(mu_);
  const auto found = entries_.find(issuer_uid);
  if (found == entries_.end() || !found->second.ready) {
    return nullptr;
  }
  return found->second.client;
}

void AcmeAccounts::remove(const std::string& issuer_uid) {
  std::lock_guard lock(mu_);
  entries_.erase(issuer_uid);
  failures_.erase(issuer_uid);
}

void AcmeAccounts::record_failure(const std::string& issuer_uid, const std::string& fingerprint,
                                  std::chrono::steady_clock::time_point retry_at,
                                  Readiness readiness) {
  std::lock_guard lock(mu_);
  failures_[issuer_uid] = Failure{fingerprint, retry_at, std::move(readiness)};
}

std::optional<AcmeAccounts::PendingFailure> AcmeAccounts::failure_pending(
    const std::string& issuer_uid, const std::string& fingerprint,
    std::chrono::steady_clock::time_point now) const {
  std::lock_guard lock(mu_);
  const auto found = failures_.find(issuer_uid);
  if (found == failures_.end() || found->second.fingerprint != fingerprint ||
      found->second.retry_at <= now) {
    return std::nullopt;
  }
  return PendingFailure{found->second.retry_at - now, found->second.readiness};
}

void AcmeAccounts::clear_failure(const std::string& issuer_uid) {
  std::lock_guard lock(mu_);
  failures_.erase(issuer_uid);
}

std::size_t AcmeAccounts::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

}  // namespace certkeeper::issuers
