#include "lib/acme/client.h"

#include <algorithm>
#include <thread>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "lib/common/encoding.h"
#include "lib/common/time_format.h"
#include "lib/crypto/jose.h"

namespace certkeeper::acme {
namespace {

using common::ErrorCode;
using common::make_error;
using common::Result;
using common::Status;
using json = nlohmann::json;

constexpr std::size_t kMaxPooledNonces = 32;
constexpr std::string_view kJoseContentType = "application/jose+json";

// Nonces are base64url (RFC 8555 §6.5.1); anything else is ignored.
bool valid_nonce(std::string_view nonce) {
  return !nonce.empty() && nonce.size() <= 256 &&
         std::all_of(nonce.begin(), nonce.end(), [](char c) {
           return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_';
         });
}

// A JSON object as a string; json::dump cannot throw for values we build (all strings are
// valid UTF-8 or replaced).
std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

Result<json> jws_as_json(const crypto::FlattenedJws& jws) {
  json j = json::parse(jws.to_json(), nullptr, false);
  if (j.is_discarded()) {
    return make_error(ErrorCode::kInternal, "JWS serialisation is not JSON");
  }
  return j;
}

Result<json> jwk_as_json(const crypto::PublicKey& key) {
  auto jwk = crypto::jwk_of(key);
  if (!jwk) {
    return make_error(jwk.error());
  }
  json j = json::parse(jwk->to_json(), nullptr, false);
  if (j.is_discarded()) {
    return make_error(ErrorCode::kInternal, "JWK serialisation is not JSON");
  }
  return j;
}

// The logical operation the current thread is performing, for RequestObserver: set by the
// outermost public method (poll_order's fetches count as "wait_order", not "get_order"; a nonce
// or directory fetch counts as the operation that needed it, as in cert-manager, whose action
// label travels in the request context).
thread_local const char* t_action = nullptr;

class ActionScope {
 public:
  explicit ActionScope(const char* action) : previous_(t_action) {
    if (t_action == nullptr) {
      t_action = action;
    }
  }
  ~ActionScope() { t_action = previous_; }
  ActionScope(const ActionScope&) = delete;
  ActionScope& operator=(const ActionScope&) = delete;

 private:
  const char* previous_;
};

// cert-manager records a request that got no response with this status.
constexpr int kNoResponseStatus = 999;

bool is_bad_nonce(const common::Error& error) {
  return error.problem_type() == std::string(kProblemPrefix) + "badNonce";
}

}  // namespace

AcmeClient::AcmeClient(http::HttpClient& http, const common::Clock& clock,
                       crypto::PrivateKey account_key, AcmeClientOptions options)
    : http_(http), clock_(clock), options_(std::move(options)), key_(std::move(account_key)) {}

namespace {

// The body of a POST's response parsed with `parse` (parse_order, parse_authorization, ...): a
// transport or problem error is wrapped with `request`, a parse error with `resource`.
template <typename Parse>
auto parse_reply(Result<AcmeResponse>& response, std::string_view request,
                 std::string_view resource, Parse parse) -> decltype(parse(std::string_view())) {
  if (!response) {
    return make_error(response.error().wrap(request));
  }
  auto parsed = parse(response->body);
  if (!parsed) {
    return make_error(parsed.error().wrap(resource));
  }
  return parsed;
}

}  // namespace

std::string AcmeClient::account_url() const {
  std::lock_guard lock(mu_);
  return account_url_;
}

void AcmeClient::set_account_url(std::string url) {
  std::lock_guard lock(mu_);
  account_url_ = std::move(url);
}

crypto::PrivateKey AcmeClient::account_key() const {
  std::lock_guard lock(mu_);
  return key_;
}

void AcmeClient::remember_nonce(const http::Headers& headers) {
  auto nonce = headers.get("Replay-Nonce");
  if (!nonce || !valid_nonce(*nonce)) {
    return;
  }
  std::lock_guard lock(mu_);
  nonces_.push_back(std::move(*nonce));
  while (nonces_.size() > kMaxPooledNonces) {
    nonces_.pop_front();
  }
}

Result<AcmeResponse> AcmeClient::send(http::Request request) {
  request.timeout = options_.request_timeout;
  const auto start = clock_.steady_now();
  auto response = http_.send(request);
  if (options_.observer) {
    options_.observer->on_request(RequestRecord{
        .action = t_action != nullptr ? t_action : "unnamed_action",
        .method = request.method,
        .url = request.url,
        .status = response ? response->status : kNoResponseStatus,
        .duration = clock_.steady_now() - start,
    });
  }
  if (!response) {
    return make_error(response.error());
  }
  AcmeResponse out;
  out.status = response->status;
  out.headers = std::move(response->headers);
  out.body = std::move(response->body);
  out.location = out.headers.get("Location").value_or("");
  out.links = parse_link_headers(out.headers.get_all("Link"));
  if (auto ra = out.headers.get("Retry-After")) {
    out.retry_after = parse_retry_after(*ra, clock_.now());
  }
  return out;
}

Result<Directory> AcmeClient::directory() {
  const ActionScope action("discover");
  std::lock_guard lock(directory_mu_);
  if (directory_) {
    return *directory_;
  }
  http::Request request{.method = "GET", .url = options_.directory_url};
  request.headers.add("Accept", "application/json");
  auto response = send(std::move(request));
  if (!response) {
    return make_error(response.error().wrap("ACME directory"));
  }
  if (response->status != 200) {
    return make_error(response_error(response->status, response->body, response->retry_after)
                          .wrap(fmt::format("ACME directory {}", options_.directory_url)));
  }
  auto parsed = parse_directory(response->body);
  if (!parsed) {
    return make_error(parsed.error());
  }
  directory_ = *parsed;
  return *directory_;
}

Result<std::string> AcmeClient::take_nonce() {
  {
    std::lock_guard lock(mu_);
    if (!nonces_.empty()) {
      std::string nonce = std::move(nonces_.front());
      nonces_.pop_front();
      return nonce;
    }
  }
  auto dir = directory();
  if (!dir) {
    return make_error(dir.error());
  }
  // HEAD newNonce (RFC 8555 §7.2); the nonce goes straight to this request, not the pool.
  auto response = send(http::Request{.method = "HEAD", .url = dir->new_nonce});
  if (!response) {
    return make_error(response.error().wrap("newNonce"));
  }
  auto nonce = response->headers.get("Replay-Nonce");
  if (response->status / 100 != 2 || !nonce || !valid_nonce(*nonce)) {
    return make_error(common::Error(ErrorCode::kUnavailable,
                                    fmt::format("newNonce: HTTP {} without a valid Replay-Nonce",
                                                response->status))
                          .with_http_status(response->status));
  }
  return *nonce;
}

Result<AcmeResponse> AcmeClient::post(const std::string& url, std::string_view payload,
                                      bool use_jwk) {
  crypto::PrivateKey key = account_key();
  std::string kid = account_url();
  return post_signed(url, payload, key, use_jwk, kid);
}

Result<AcmeResponse> AcmeClient::post_signed(const std::string& url, std::string_view payload,
                                             const crypto::PrivateKey& key, bool use_jwk,
                                             const std::string& kid) {
  if (!use_jwk && kid.empty()) {
    return make_error(ErrorCode::kFailedPrecondition,
                      fmt::format("POST {}: no account URL (kid); register or find the account "
                                  "first",
                                  url));
  }
  auto nonce = take_nonce();
  if (!nonce) {
    return make_error(nonce.error());
  }
  for (int attempt = 0;; ++attempt) {
    crypto::JwsHeader header{
        .embed_jwk = use_jwk, .kid = use_jwk ? std::string() : kid, .nonce = *nonce, .url = url};
    auto jws = crypto::sign_jws(key, header, payload);
    if (!jws) {
      return make_error(jws.error().wrap(fmt::format("signing POST {}", url)));
    }
    http::Request request{.method = "POST", .url = url, .body = jws->to_json()};
    request.headers.add("Content-Type", std::string(kJoseContentType));
    auto response = send(std::move(request));
    if (!response) {
      return make_error(response.error());
    }
    if (response->status / 100 == 2) {
      remember_nonce(response->headers);
      return response;
    }
    common::Error error = response_error(response->status, response->body, response->retry_after);
    auto fresh = response->headers.get("Replay-Nonce");
    if (is_bad_nonce(error) && attempt < options_.max_bad_nonce_retries) {
      // RFC 8555 §6.5: retry, and use the nonce from the badNonce response.
      if (fresh && valid_nonce(*fresh)) {
        nonce = *fresh;
      } else {
        nonce = take_nonce();
        if (!nonce) {
          return make_error(nonce.error());
        }
      }
      continue;
    }
    remember_nonce(response->headers);
    return make_error(error.wrap(fmt::format("POST {}", url)));
  }
}

Result<Account> AcmeClient::account_request(const std::string& payload, bool use_jwk,
                                            const std::string& url, const char* what) {
  auto response = post(url, payload, use_jwk);
  if (!response) {
    return make_error(response.error().wrap(what));
  }
  auto account = parse_account(response->body);
  if (!account) {
    return make_error(account.error().wrap(what));
  }
  account->url = response->location.empty() ? url : response->location;
  return account;
}

Result<Account> AcmeClient::register_account(const RegisterAccountRequest& request) {
  const ActionScope action("register_account");
  auto dir = directory();
  if (!dir) {
    return make_error(dir.error());
  }
  json payload = json::object();
  if (!request.contact.empty()) {
    payload["contact"] = request.contact;
  }
  if (request.terms_of_service_agreed) {
    payload["termsOfServiceAgreed"] = true;
  }
  if (!request.eab_kid.empty()) {
    // RFC 8555 §7.3.4. The decoded key is a secret: errors name the field only.
    auto mac_key = common::base64_decode_lenient(request.eab_hmac_key);
    if (!mac_key || mac_key->empty()) {
      return make_error(ErrorCode::kInvalidArgument,
                        "newAccount: external account binding HMAC key is not base64");
    }
    auto eab = crypto::external_account_binding(*mac_key, request.eab_kid, dir->new_account,
                                                account_key().public_key());
    if (!eab) {
      return make_error(eab.error().wrap("newAccount: external account binding"));
    }
    auto eab_json = jws_as_json(*eab);
    if (!eab_json) {
      return make_error(eab_json.error());
    }
    payload["externalAccountBinding"] = *eab_json;
  } else if (dir->external_account_required) {
    return make_error(ErrorCode::kInvalidArgument,
                      "newAccount: the server requires external account binding (eab_kid and "
                      "eab_hmac_key)");
  }
  auto account = account_request(dump(payload), true, dir->new_account, "newAccount");
  if (!account) {
    return account;
  }
  if (account->url == dir->new_account) {
    return make_error(ErrorCode::kInternal, "newAccount: response has no Location header");
  }
  set_account_url(account->url);
  return account;
}

Result<Account> AcmeClient::find_account() {
  const ActionScope action("get_registration");
  auto dir = directory();
  if (!dir) {
    return make_error(dir.error());
  }
  auto account = account_request(R"({"onlyReturnExisting":true})", true, dir->new_account,
                                 "newAccount onlyReturnExisting");
  if (!account) {
    return account;
  }
  if (account->url == dir->new_account) {
    return make_error(ErrorCode::kInternal, "newAccount: response has no Location header");
  }
  set_account_url(account->url);
  return account;
}

Result<Account> AcmeClient::update_contact(const std::vector<std::string>& contact) {
  const ActionScope action("update_registration");
  const std::string url = account_url();
  json payload = {{"contact", contact}};
  auto account = account_request(dump(payload), false, url, "account update");
  if (account) {
    account->url = url;
  }
  return account;
}

Result<Account> AcmeClient::deactivate_account() {
  const ActionScope action("deactivate_registration");
  const std::string url = account_url();
  auto account = account_request(R"({"status":"deactivated"})", false, url, "account deactivation");
  if (account) {
    account->url = url;
  }
  return account;
}

Status AcmeClient::rollover_key(const crypto::PrivateKey& new_key) {
  const ActionScope action("account_key_rollover");
  auto dir = directory();
  if (!dir) {
    return make_error(dir.error());
  }
  if (dir->key_change.empty()) {
    return make_error(ErrorCode::kFailedPrecondition, "keyChange: the directory has none");
  }
  const crypto::PrivateKey old_key = account_key();
  const std::string kid = account_url();
  if (kid.empty()) {
    return make_error(ErrorCode::kFailedPrecondition, "keyChange: no account URL");
  }
  if (new_key.matches(old_key.public_key())) {
    return make_error(ErrorCode::kInvalidArgument, "keyChange: the new key is the current key");
  }
  auto old_jwk = jwk_as_json(old_key.public_key());
  if (!old_jwk) {
    return make_error(old_jwk.error());
  }
  // RFC 8555 §7.3.5: inner JWS by the new key, with jwk and url and without a nonce.
  const json inner_payload = {{"account", kid}, {"oldKey", *old_jwk}};
  auto inner =
      crypto::sign_jws(new_key, {.embed_jwk = true, .url = dir->key_change}, dump(inner_payload));
  if (!inner) {
    return make_error(inner.error().wrap("keyChange: signing the inner JWS"));
  }
  // Holding no lock here: a request signed by the old key concurrently still succeeds or fails
  // on its own.
  auto response = post_signed(dir->key_change, inner->to_json(), old_key, false, kid);
  if (!response) {
    return make_error(response.error().wrap("keyChange"));
  }
  std::lock_guard lock(mu_);
  key_ = new_key;
  return common::ok();
}

Result<Order> AcmeClient::new_order_once(const NewOrderRequest& request, bool with_replaces) {
  auto dir = directory();
  if (!dir) {
    return make_error(dir.error());
  }
  json identifiers = json::array();
  for (const auto& id : request.identifiers) {
    identifiers.push_back({{"type", id.type}, {"value", id.value}});
  }
  json payload = {{"identifiers", identifiers}};
  if (!request.profile.empty()) {
    payload["profile"] = request.profile;
  }
  if (request.not_before) {
    payload["notBefore"] = common::format_rfc3339(*request.not_before);
  }
  if (request.not_after) {
    payload["notAfter"] = common::format_rfc3339(*request.not_after);
  }
  if (with_replaces) {
    payload["replaces"] = request.replaces;
  }
  auto response = post(dir->new_order, dump(payload));
  auto order = parse_reply(response, "newOrder", "newOrder", parse_order);
  if (!order) {
    return order;
  }
  if (response->location.empty()) {
    return make_error(ErrorCode::kInternal, "newOrder: response has no Location header");
  }
  order->url = response->location;
  order->retry_after = response->retry_after;
  // RFC 8555 §7.4: the identifiers come back in any order; a different set is a broken order.
  if (!same_identifiers(order->identifiers, request.identifiers)) {
    return make_error(ErrorCode::kFailedPrecondition,
                      fmt::format("newOrder: the server's order {} has different identifiers "
                                  "than requested",
                                  order->url));
  }
  return order;
}

Result<Order> AcmeClient::new_order(const NewOrderRequest& request) {
  const ActionScope action("authorize_order");
  if (request.identifiers.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "newOrder: no identifiers");
  }
  bool with_replaces = !request.replaces.empty();
  if (with_replaces) {
    auto dir = directory();
    if (!dir) {
      return make_error(dir.error());
    }
    // RFC 9773 §5: only send `replaces` to servers that offer ARI.
    with_replaces = !dir->renewal_info.empty();
  }
  auto order = new_order_once(request, with_replaces);
  if (!order && with_replaces &&
      (order.error().problem_type() == std::string(kProblemPrefix) + "alreadyReplaced" ||
       order.error().http_status() == 409)) {
    // The predecessor was already replaced (by an order we lost track of): certmagic #361,
    // lego #2474. Order without `replaces` rather than let the certificate expire.
    return new_order_once(request, false);
  }
  return order;
}

Result<Order> AcmeClient::get_order(const std::string& url) {
  const ActionScope action("get_order");
  auto response = post(url, "");
  auto order = parse_reply(response, "order", url, parse_order);
  if (!order) {
    return order;
  }
  order->url = url;
  order->retry_after = response->retry_after;
  return order;
}

Result<Authorization> AcmeClient::get_authorization(const std::string& url) {
  const ActionScope action("get_authorization");
  auto response = post(url, "");
  auto authz = parse_reply(response, "authorization", url, parse_authorization);
  if (!authz) {
    return authz;
  }
  authz->url = url;
  authz->retry_after = response->retry_after;
  return authz;
}

Result<Challenge> AcmeClient::respond_challenge(const std::string& challenge_url) {
  const ActionScope action("accept_challenge");
  // "{}" and nothing else (RFC 8555 §7.5.1); an empty payload would only read the challenge.
  auto response = post(challenge_url, "{}");
  return parse_reply(response, "challenge", challenge_url, parse_challenge);
}

Result<std::string> AcmeClient::key_authorization(std::string_view token) const {
  return acme::key_authorization(token, account_key().public_key());
}

Result<std::string> AcmeClient::dns01_txt_value(std::string_view token) const {
  auto key_auth = key_authorization(token);
  if (!key_auth) {
    return key_auth;
  }
  return acme::dns01_txt_value(*key_auth);
}

void AcmeClient::wait(std::chrono::milliseconds delay) {
  if (options_.sleep) {
    options_.sleep(delay);
  } else {
    std::this_thread::sleep_for(delay);
  }
}

std::chrono::milliseconds AcmeClient::poll_delay(std::optional<std::chrono::seconds> retry_after,
                                                 int attempt) const {
  if (retry_after) {
    return std::max<std::chrono::milliseconds>(*retry_after, std::chrono::milliseconds(100));
  }
  return common::backoff_delay(options_.poll_backoff, attempt);
}

template <typename T>
Result<T> AcmeClient::poll(const std::function<Result<T>()>& fetch,
                           const std::function<bool(const T&)>& in_progress,
                           const std::function<std::string(const T&)>& describe,
                           std::chrono::steady_clock::time_point deadline,
                           std::chrono::milliseconds first_wait) {
  if (first_wait.count() > 0) {
    wait(std::min(first_wait, std::chrono::duration_cast<std::chrono::milliseconds>(
                                  std::max(deadline - clock_.steady_now(),
                                           std::chrono::steady_clock::duration::zero()))));
  }
  for (int attempt = 1;; ++attempt) {
    auto current = fetch();
    if (!current || !in_progress(*current)) {
      return current;
    }
    const auto delay = poll_delay(current->retry_after, attempt);
    if (clock_.steady_now() + delay > deadline) {
      common::Error error(ErrorCode::kTimeout, describe(*current) + " at the deadline");
      if (current->retry_after) {
        error.with_retry_after(*current->retry_after);  // when a requeued caller should look again
      }
      return make_error(std::move(error));
    }
    wait(delay);
  }
}

Result<Authorization> AcmeClient::poll_authorization(const std::string& url,
                                                     std::chrono::steady_clock::time_point deadline,
                                                     std::chrono::milliseconds first_wait) {
  const ActionScope action("wait_authorization");
  return poll<Authorization>(
      [&] { return get_authorization(url); },
      // Only "pending" promises progress; valid, invalid, deactivated, expired, revoked
      // (RFC 8555 §7.1.6) and anything the server invents are final.
      [](const Authorization& a) { return a.status == "pending"; },
      [&](const Authorization& a) {
        return fmt::format("authorization {} for {} still pending", url, a.identifier.value);
      },
      deadline, first_wait);
}

Result<Order> AcmeClient::poll_order(const std::string& url,
                                     std::chrono::steady_clock::time_point deadline,
                                     std::chrono::milliseconds first_wait) {
  const ActionScope action("wait_order");
  return poll<Order>(
      [&] { return get_order(url); },
      [](const Order& o) { return o.status == "pending" || o.status == "processing"; },
      [&](const Order& o) { return fmt::format("order {} still {}", url, o.status); }, deadline,
      first_wait);
}

Result<Order> AcmeClient::finalize_order(const Order& order, std::string_view csr_der) {
  const ActionScope action("create_order_cert");
  const json payload = {{"csr", common::base64url_encode(csr_der)}};
  auto response = post(order.finalize, dump(payload));
  auto updated = parse_reply(response, "finalize", "finalize", parse_order);
  if (!updated) {
    return updated;
  }
  // Keep the order URL from newOrder; Pebble's Location on finalize was removed (acme.md §1.9).
  updated->url = order.url;
  updated->retry_after = response->retry_after;
  return updated;
}

Result<CertificateChain> AcmeClient::fetch_chain(const std::string& url) {
  auto response = post(url, "");
  if (!response) {
    return make_error(response.error().wrap("certificate"));
  }
  auto certificates = crypto::parse_pem_chain(response->body);
  if (!certificates) {
    return make_error(certificates.error().wrap(fmt::format("certificate {}", url)));
  }
  CertificateChain chain;
  chain.url = url;
  chain.pem = std::move(response->body);
  chain.certificates = std::move(*certificates);
  chain.alternates = links_with_rel(response->links, "alternate");
  return chain;
}

Result<CertificateChain> AcmeClient::download_certificate(const std::string& url,
                                                          std::string_view preferred_issuer_cn) {
  const ActionScope action("fetch_cert");
  auto chain = fetch_chain(url);
  if (!chain) {
    return chain;
  }
  const auto top_issuer = [](const CertificateChain& c) {
    return rfc4514_common_name(c.certificates.back().issuer());
  };
  if (preferred_issuer_cn.empty() || top_issuer(*chain) == preferred_issuer_cn) {
    return chain;
  }
  std::vector<CertificateChain> candidates;
  candidates.push_back(*chain);
  std::vector<std::string> issuers = {top_issuer(*chain)};
  for (const auto& alternate : chain->alternates) {
    auto alt = fetch_chain(alternate);
    if (!alt) {
      return make_error(alt.error().wrap("alternate chain"));
    }
    issuers.push_back(top_issuer(*alt));
    candidates.push_back(std::move(*alt));
  }
  CertificateChain chosen = std::move(candidates[choose_chain(issuers, preferred_issuer_cn)]);
  chosen.alternates = chain->alternates;
  return chosen;
}

Status AcmeClient::revoke(const crypto::Certificate& certificate,
                          std::optional<RevocationReason> reason, const crypto::PrivateKey* key) {
  auto dir = directory();
  if (!dir) {
    return make_error(dir.error());
  }
  json payload = {{"certificate", common::base64url_encode(certificate.der())}};
  if (reason) {
    payload["reason"] = static_cast<int>(*reason);
  }
  Result<AcmeResponse> response =
      key == nullptr ? post(dir->revoke_cert, dump(payload))
                     : post_signed(dir->revoke_cert, dump(payload), *key, true, {});
  if (!response) {
    return make_error(
        response.error().wrap(fmt::format("revokeCert serial {}", certificate.serial_hex())));
  }
  return common::ok();
}

Status AcmeClient::revoke_certificate(const crypto::Certificate& certificate,
                                      std::optional<RevocationReason> reason) {
  const ActionScope action("revoke_cert");
  return revoke(certificate, reason, nullptr);
}

Status AcmeClient::revoke_certificate_with_key(const crypto::Certificate& certificate,
                                               const crypto::PrivateKey& certificate_key,
                                               std::optional<RevocationReason> reason) {
  const ActionScope action("revoke_cert");
  if (!certificate.matches(certificate_key)) {
    return make_error(ErrorCode::kInvalidArgument,
                      "revokeCert: the key is not the certificate's key");
  }
  return revoke(certificate, reason, &certificate_key);
}

Result<RenewalInfo> AcmeClient::get_renewal_info(const crypto::Certificate& certificate) {
  const ActionScope action("get_renewal_info");
  auto dir = directory();
  if (!dir) {
    return make_error(dir.error());
  }
  if (dir->renewal_info.empty()) {
    return make_error(ErrorCode::kFailedPrecondition,
                      "renewalInfo: the ACME server does not offer ARI (RFC 9773)");
  }
  auto cert_id = crypto::ari_cert_id(certificate);
  if (!cert_id) {
    return make_error(cert_id.error());
  }
  std::string url = dir->renewal_info;
  if (!url.ends_with('/')) {
    url += '/';
  }
  url += *cert_id;
  http::Request request{.method = "GET", .url = url};
  request.headers.add("Accept", "application/json");
  auto response = send(std::move(request));
  if (!response) {
    return make_error(response.error().wrap("renewalInfo"));
  }
  if (response->status != 200) {
    return make_error(response_error(response->status, response->body, response->retry_after)
                          .wrap(fmt::format("renewalInfo {}", *cert_id)));
  }
  auto info = parse_renewal_info(response->body);
  if (!info) {
    return make_error(info.error());
  }
  info->retry_after = response->retry_after;
  return info;
}

}  // namespace certkeeper::acme
