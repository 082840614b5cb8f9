#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "controller/issuers/ca_keypair.h"
#include "lib/acme/client.h"
#include "lib/api/issuer.h"
#include "lib/common/clock.h"
#include "lib/crypto/keys.h"

namespace certkeeper::issuers {

// How an issuer reaches its ACME server (spec.acme.server, caBundle, skipTLSVerify).
struct AcmeServerConfig {
  std::string server;
  std::string ca_bundle;  // PEM; empty: the system trust store
  bool skip_tls_verify = false;
  bool operator==(const AcmeServerConfig&) const = default;
};

// The in-memory registry of ACME clients, one per issuer (keyed by the issuer's UID), as
// cert-manager's pkg/acme/accounts registry: the issuers controllers put a client here once the
// account is registered or verified, and the ACME signer, orders and challenges controllers take
// it with get(uid), so no sync of theirs ever calls newAccount. A client is rebuilt only when the
// server, its TLS settings or the account key change; otherwise the same client (its HTTP
// connections, cached directory and nonces) is reused.
//
// It also remembers, per issuer, the inputs of the last registration the CA refused as the
// user's fault, so that a reconcile with the same inputs does not ask again (no hot loop on a
// 4xx) until `retry_after` of that failure has passed.
//
// Owns the clients and their HTTP clients; a client handed out stays valid while its holder
// keeps the shared_ptr, even if the registry replaces or removes it. Thread-safe. Made once per
// process by controller::registrations() and shared by the controllers' factories, so it
// outlives every leadership term.
class AcmeAccounts {
 public:
  // `observer` is handed to every client it makes (the controller's ACME request metrics).
  explicit AcmeAccounts(std::shared_ptr<acme::RequestObserver> observer = nullptr)
      : observer_(std::move(observer)) {}

  // The client for `issuer_uid` with this configuration and key, made if there is none or the
  // stored one differs in configuration or key (`key_hash`). A new client has no account URL.
  // `clock` must outlive the registry (the Manager's clock).
  std::shared_ptr<acme::AcmeClient> client_for(const std::string& issuer_uid,
                                               const AcmeServerConfig& config,
                                               const crypto::PrivateKey& key,
                                               const std::string& key_hash,
                                               const common::Clock& clock);

  // Marks the issuer's client ready for use with the account `registered` describes (its URL is
  // set on the client), and remembers that status.acme until the client is replaced.
  void set_ready(const std::string& issuer_uid, const api::AcmeIssuerStatus& registered);
  // The status.acme last passed to set_ready() for the issuer's current client: lets a
  // reconcile that reads a cache older than our own status write see the account it already has.
  [[nodiscard]] std::optional<api::AcmeIssuerStatus> registered(
      const std::string& issuer_uid) const;
  // The issuer's client once set_ready() was called for it, else nullptr: what the orders and
  // challenges controllers use (nullptr means "the issuer is not ready yet").
  [[nodiscard]] std::shared_ptr<acme::AcmeClient> get(const std::string& issuer_uid) const;
  // Forgets the issuer (deleted, or no longer an ACME issuer).
  void remove(const std::string& issuer_uid);

  // Registration failures that are the user's fault, by the inputs' fingerprint
  // (registration_fingerprint), with the Ready condition they were reported as.
  // failure_pending() says how long to wait before asking the CA again with the same inputs and
  // what to keep reporting meanwhile; nullopt when the last failure had other inputs, or its
  // wait is over.
  struct PendingFailure {
    std::chrono::nanoseconds wait;
    Readiness readiness;
  };
  void record_failure(const std::string& issuer_uid, const std::string& fingerprint,
                      std::chrono::steady_clock::time_point retry_at, Readiness readiness);
  [[nodiscard]] std::optional<PendingFailure> failure_pending(
      const std::string& issuer_uid, const std::string& fingerprint,
      std::chrono::steady_clock::time_point now) const;
  void clear_failure(const std::string& issuer_uid);

  // How many issuers have a client (for tests and logs).
  [[nodiscard]] std::size_t size() const;

 private:
  struct Entry {
    AcmeServerConfig config;
    std::string key_hash;
    std::shared_ptr<acme::AcmeClient> client;
    bool ready = false;
    std::optional<api::AcmeIssuerStatus> registered;
  };
  struct Failure {
    std::string fingerprint;
    std::chrono::steady_clock::time_point retry_at;
    Readiness readiness;
  };

  std::shared_ptr<acme::RequestObserver> observer_;
  mutable std::mutex mu_;
  std::map<std::string, Entry> entries_;
  std::map<std::string, Failure> failures_;
};

}  // namespace certkeeper::issuers
