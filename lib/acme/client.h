#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/acme/protocol.h"
#include "lib/acme/types.h"
#include "lib/common/backoff.h"
#include "lib/common/clock.h"
#include "lib/common/error.h"
#include "lib/crypto/certificate.h"
#include "lib/crypto/keys.h"
#include "lib/http/client.h"

namespace certkeeper::acme {

// A response to a signed request, after badNonce retries and with errors already turned into
// common::Error (only 2xx responses reach the caller).
struct AcmeResponse {
  int status = 0;
  http::Headers headers;
  std::string body;
  std::string location;     // the Location header, empty if none
  std::vector<Link> links;  // every Link header, parsed
  std::optional<std::chrono::seconds> retry_after;
};

// One HTTP exchange with the ACME server, as reported to a RequestObserver: what the client was
// doing (cert-manager's action names, so that dashboards built on its
// certmanager_http_acme_client_request_* metrics keep working: "discover", "register_account",
// "authorize_order", "create_order_cert", ...; "unnamed_action" for a raw post()), the HTTP
// method, the full URL, the status (999 when no response arrived, as cert-manager records it) and
// how long the exchange took. Valid only during the call.
struct RequestRecord {
  std::string_view action;
  std::string_view method;
  std::string_view url;
  int status = 0;
  std::chrono::nanoseconds duration{0};
};

// Told about every HTTP request the client sends, badNonce retries, nonce fetches and polls
// included: the seam through which the controller counts ACME requests without lib/acme knowing
// about metrics. Implementations must be thread-safe and quick (they run on the requesting
// thread) and must not call back into the client.
class RequestObserver {
 public:
  virtual ~RequestObserver() = default;
  virtual void on_request(const RequestRecord& record) = 0;
};

struct AcmeClientOptions {
  // The directory URL (RFC 8555 §7.1.1): the only URL configured; every other one is read from
  // the directory or from responses.
  std::string directory_url;
  // How often a signed request is resent after badNonce (RFC 8555 §6.5); each retry uses the
  // nonce from the error response.
  int max_bad_nonce_retries = 5;
  std::chrono::milliseconds request_timeout{std::chrono::seconds(30)};
  // Waiting between polls when the server sends no Retry-After: a short first interval that
  // backs off (RFC 8555 §7.5.1 leaves the interval to the client).
  common::BackoffPolicy poll_backoff{std::chrono::milliseconds(250), std::chrono::seconds(5), 2.0,
                                     0.0};
  // How polls wait. Empty means std::this_thread::sleep_for; unit tests pass one that advances
  // their FakeClock.
  std::function<void(std::chrono::milliseconds)> sleep;
  // Told about every request (see RequestObserver); none when empty.
  std::shared_ptr<RequestObserver> observer;
};

// newAccount (RFC 8555 §7.3).
struct RegisterAccountRequest {
  std::vector<std::string> contact;  // e.g. "mailto:ops@example.com"
  bool terms_of_service_agreed = false;
  // External Account Binding (§7.3.4): the CA's key id and MAC key. The key is accepted in
  // base64url or standard base64, padded or not (common::base64_decode_lenient).
  std::string eab_kid;
  std::string eab_hmac_key;
};

// newOrder (RFC 8555 §7.4, RFC 9773 §5, profiles draft §4).
struct NewOrderRequest {
  std::vector<Identifier> identifiers;  // see identifiers_from_names()
  std::string profile;                  // empty: the server's default
  std::optional<std::chrono::system_clock::time_point> not_before;
  std::optional<std::chrono::system_clock::time_point> not_after;
  // The ARI CertID of the certificate this order replaces (crypto::ari_cert_id). Dropped when
  // the directory has no renewalInfo; when the server answers alreadyReplaced the order is
  // retried once without it, and the returned Order has `replaces` empty.
  std::string replaces;
};

// A downloaded certificate chain (RFC 8555 §7.4.2).
struct CertificateChain {
  std::string url;  // the URL the chosen chain came from
  std::string pem;  // as served: leaf first, then issuers
  std::vector<crypto::Certificate> certificates;
  std::vector<std::string> alternates;  // rel="alternate" URLs of the default chain
};

// Revocation reason codes (RFC 5280 §5.3.1) that ACME servers accept (acme.md §1.12).
enum class RevocationReason {
  kUnspecified = 0,
  kKeyCompromise = 1,
  kSuperseded = 4,
  kCessationOfOperation = 5,
};

// An ACME (RFC 8555) client for one account at one directory: the engine under both the CLI and
// the controller's ACME issuer.
//
// Owns: the account key (replaced by rollover_key), the account URL (kid), the cached directory
// and a pool of nonces fed from every response. Borrows `http` and `clock`, which must outlive
// it. Thread-safe: any number of threads may call any method concurrently; each request takes
// its own nonce. Lifecycle: construct, then register_account() or find_account() (or
// set_account_url() with a stored URL) before anything signed with the account's kid.
// Requests never throw; every failure is a common::Error, ACME problems mapped by
// error_code_for() with problem_type(), http_status() and retry_after() set.
class AcmeClient {
 public:
  AcmeClient(http::HttpClient& http, const common::Clock& clock, crypto::PrivateKey account_key,
             AcmeClientOptions options);
  AcmeClient(const AcmeClient&) = delete;
  AcmeClient& operator=(const AcmeClient&) = delete;

  // The directory, fetched once and cached (RFC 8555 §7.1.1).
  common::Result<Directory> directory();

  // The account URL used as "kid" (§6.2); empty until registered/found/set.
  [[nodiscard]] std::string account_url() const;
  void set_account_url(std::string url);
  [[nodiscard]] crypto::PrivateKey account_key() const;

  // The core of every signed request: a flattened JWS (§6.2) over `payload` signed by the
  // account key, with "jwk" (use_jwk) or "kid", sent with Content-Type application/jose+json.
  // An empty payload is a POST-as-GET (§6.3). badNonce is retried with the error's nonce
  // (§6.5); a non-2xx answer becomes an Error.
  common::Result<AcmeResponse> post(const std::string& url, std::string_view payload,
                                    bool use_jwk = false);

  // --- accounts (§7.3) ---
  // Creates the account, or returns the existing one for this key (200). Keeps its URL.
  common::Result<Account> register_account(const RegisterAccountRequest& request);
  // The existing account of this key (onlyReturnExisting, §7.3.1); kNotFound if there is none.
  common::Result<Account> find_account();
  common::Result<Account> update_contact(const std::vector<std::string>& contact);
  // §7.3.6. Afterwards the server refuses every request signed by this account.
  common::Result<Account> deactivate_account();
  // §7.3.5: the outer JWS signed by the current key (kid), the inner one by `new_key` (jwk, url,
  // no nonce) over {"account", "oldKey"}. On success the client signs with `new_key`.
  common::Status rollover_key(const crypto::PrivateKey& new_key);

  // --- orders and authorizations (§7.4, §7.5) ---
  common::Result<Order> new_order(const NewOrderRequest& request);
  common::Result<Order> get_order(const std::string& url);
  common::Result<Authorization> get_authorization(const std::string& url);
  // Tells the server to validate (payload "{}", §7.5.1).
  common::Result<Challenge> respond_challenge(const std::string& challenge_url);
  // The key authorization for `token` with the current account key (§8.1) and its dns-01 TXT
  // value (§8.4).
  common::Result<std::string> key_authorization(std::string_view token) const;
  common::Result<std::string> dns01_txt_value(std::string_view token) const;
  // Polls until the authorization leaves "pending" (valid, invalid, deactivated, expired,
  // revoked) or the order reaches "ready", "valid" or "invalid", honouring Retry-After and
  // otherwise backing off from a short first interval. kTimeout once `deadline` (on the
  // Clock's steady time) would be passed. A final "invalid" is returned, not an error: the
  // object's `error` says why.
  // `first_wait` is waited before the first fetch (right after answering a challenge or
  // finalizing, the object is almost never final yet, and fetching it at once costs a request).
  common::Result<Authorization> poll_authorization(
      const std::string& url, std::chrono::steady_clock::time_point deadline,
      std::chrono::milliseconds first_wait = std::chrono::milliseconds(0));
  common::Result<Order> poll_order(
      const std::string& url, std::chrono::steady_clock::time_point deadline,
      std::chrono::milliseconds first_wait = std::chrono::milliseconds(0));
  // §7.4: {"csr": base64url(DER)}. The order must be "ready"; returns the order as the server
  // answered (usually "processing" or "valid"): poll_order() until "valid".
  common::Result<Order> finalize_order(const Order& order, std::string_view csr_der);
  // §7.4.2: the chain at `url`; when `preferred_issuer_cn` is set and the default chain's
  // topmost certificate is not issued by that CN, the rel="alternate" chains are fetched and the
  // first match is returned (else the default).
  common::Result<CertificateChain> download_certificate(const std::string& url,
                                                        std::string_view preferred_issuer_cn = {});

  // --- revocation (§7.6) ---
  // Signed by the account (kid).
  common::Status revoke_certificate(const crypto::Certificate& certificate,
                                    std::optional<RevocationReason> reason = std::nullopt);
  // Signed by the certificate's own key (jwk).
  common::Status revoke_certificate_with_key(const crypto::Certificate& certificate,
                                             const crypto::PrivateKey& certificate_key,
                                             std::optional<RevocationReason> reason = std::nullopt);

  // --- ARI (RFC 9773) ---
  // GET renewalInfo/<CertID> (§4.1, unauthenticated). kFailedPrecondition when the directory
  // has no renewalInfo.
  common::Result<RenewalInfo> get_renewal_info(const crypto::Certificate& certificate);

 private:
  common::Result<AcmeResponse> post_signed(const std::string& url, std::string_view payload,
                                           const crypto::PrivateKey& key, bool use_jwk,
                                           const std::string& kid);
  common::Result<AcmeResponse> send(http::Request request);
  common::Result<std::string> take_nonce();
  void remember_nonce(const http::Headers& headers);
  common::Result<Account> account_request(const std::string& payload, bool use_jwk,
                                          const std::string& url, const char* what);
  common::Result<Order> new_order_once(const NewOrderRequest& request, bool with_replaces);
  common::Result<CertificateChain> fetch_chain(const std::string& url);
  common::Status revoke(const crypto::Certificate& certificate,
                        std::optional<RevocationReason> reason, const crypto::PrivateKey* key);
  void wait(std::chrono::milliseconds delay);
  std::chrono::milliseconds poll_delay(std::optional<std::chrono::seconds> retry_after,
                                       int attempt) const;
  // Fetches until `in_progress` is false, waiting per Retry-After or the poll backoff; a
  // kTimeout naming `describe(last)` once the next wait would pass the deadline.
  template <typename T>
  common::Result<T> poll(const std::function<common::Result<T>()>& fetch,
                         const std::function<bool(const T&)>& in_progress,
                         const std::function<std::string(const T&)>& describe,
                         std::chrono::steady_clock::time_point deadline,
                         std::chrono::milliseconds first_wait);

  http::HttpClient& http_;
  const common::Clock& clock_;
  const AcmeClientOptions options_;

  std::mutex directory_mu_;  // held across the directory fetch so it happens once
  std::optional<Directory> directory_;

  mutable std::mutex mu_;  // guards the members below
  crypto::PrivateKey key_;
  std::string account_url_;
  std::deque<std::string> nonces_;
};

}  // namespace certkeeper::acme
