// lib/acme against the real Pebble of tools/testenv (5 % of nonces rejected, so the badNonce
// retry runs for real). HTTP-01 is answered by pebble-challtestsrv through its management API;
// test names under $CK_DNS_ZONE resolve to 127.0.0.1 through BIND9.
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <set>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "lib/acme/client.h"
#include "lib/common/clock.h"
#include "lib/common/random.h"
#include "lib/common/subprocess.h"
#include "lib/crypto/csr.h"
#include "lib/http/curl_client.h"
#include "tests/support/kubectl.h"
#include "tests/support/testenv.h"

namespace certkeeper::acme {
namespace {

using common::ErrorCode;
using json = nlohmann::json;
using testing::TestEnv;
using testing::unique_name;
using ::testing::UnorderedElementsAreArray;

constexpr auto kDeadline = std::chrono::seconds(60);

const std::string& env(const char* key) { return TestEnv::get().at(key); }

// One client trusting the testenv CA (Pebble's HTTPS and management API), shared by all tests.
http::HttpClient& acme_http() {
  static http::CurlHttpClient client([] {
    http::ClientOptions options;
    options.tls.ca_file = env("CK_ACME_SERVER_CA_FILE");
    return options;
  }());
  return client;
}

// Plain HTTP to pebble-challtestsrv's management API.
http::HttpClient& plain_http() {
  static http::CurlHttpClient client;
  return client;
}

crypto::PrivateKey new_key() { return *crypto::PrivateKey::generate(crypto::KeyAlgorithm::kEcdsa); }

std::unique_ptr<AcmeClient> make_client(const crypto::PrivateKey& key) {
  return std::make_unique<AcmeClient>(acme_http(), common::SystemClock::instance(), key,
                                      AcmeClientOptions{.directory_url = env("CK_ACME_DIRECTORY")});
}

std::unique_ptr<AcmeClient> registered_client(const crypto::PrivateKey& key) {
  auto client = make_client(key);
  auto account = client->register_account(
      {.contact = {"mailto:ops@example.test"}, .terms_of_service_agreed = true});
  EXPECT_TRUE(account) << account.error().to_string();
  return client;
}

std::string dns_name(const std::string& prefix) {
  return unique_name(prefix) + "." + env("CK_DNS_ZONE");
}

common::Status challtestsrv(const std::string& path, const json& body) {
  http::Request request{
      .method = "POST", .url = env("CK_CHALLTESTSRV_MGMT_URL") + path, .body = body.dump()};
  request.headers.add("Content-Type", "application/json");
  auto response = plain_http().send(request);
  if (!response) {
    return common::make_error(response.error());
  }
  if (response->status != 200) {
    return common::make_error(ErrorCode::kInternal,
                              path + " answered " + std::to_string(response->status));
  }
  return common::ok();
}

// Solves every pending authorization of `order` over HTTP-01 and waits for it to be valid.
void solve_http01(AcmeClient& client, const Order& order) {
  const auto deadline = std::chrono::steady_clock::now() + kDeadline;
  for (const auto& url : order.authorizations) {
    auto authz = client.get_authorization(url);
    ASSERT_TRUE(authz) << authz.error().to_string();
    if (authz->status == "valid") {
      continue;  // Pebble reuses valid authorizations half of the time
    }
    const Challenge* challenge = authz->find_challenge("http-01");
    ASSERT_NE(challenge, nullptr) << "no http-01 challenge for " << authz->identifier.value;
    auto key_auth = client.key_authorization(challenge->token);
    ASSERT_TRUE(key_auth);
    ASSERT_TRUE(challtestsrv("/add-http01", {{"token", challenge->token}, {"content", *key_auth}}));
    auto responded = client.respond_challenge(challenge->url);
    ASSERT_TRUE(responded) << responded.error().to_string();
    auto final_authz = client.poll_authorization(url, deadline);
    EXPECT_TRUE(challtestsrv("/del-http01", {{"token", challenge->token}}));
    ASSERT_TRUE(final_authz) << final_authz.error().to_string();
    ASSERT_EQ(final_authz->status, "valid")
        << authz->identifier.value << ": "
        << (final_authz->challenges.empty() || !final_authz->challenges[0].error
                ? ""
                : final_authz->challenges[0].error->detail);
  }
}

struct Issued {
  Order order;
  crypto::PrivateKey key;
  CertificateChain chain;
};

// The whole flow: order, HTTP-01, finalize with a fresh key, download.
void issue(AcmeClient& client, const NewOrderRequest& request, Issued& out) {
  auto order = client.new_order(request);
  ASSERT_TRUE(order) << order.error().to_string();
  ASSERT_NO_FATAL_FAILURE(solve_http01(client, *order));
  const auto deadline = std::chrono::steady_clock::now() + kDeadline;
  auto ready = client.poll_order(order->url, deadline);
  ASSERT_TRUE(ready) << ready.error().to_string();
  ASSERT_EQ(ready->status, "ready");

  crypto::CsrSpec spec;
  for (const auto& id : request.identifiers) {
    (id.type == "ip" ? spec.sans.ip_addresses : spec.sans.dns_names).push_back(id.value);
  }
  out.key = new_key();
  auto csr = crypto::create_csr(spec, out.key);
  ASSERT_TRUE(csr) << csr.error().to_string();
  auto finalized = client.finalize_order(*ready, *csr);
  ASSERT_TRUE(finalized) << finalized.error().to_string();
  auto valid = client.poll_order(order->url, deadline);
  ASSERT_TRUE(valid) << valid.error().to_string();
  ASSERT_EQ(valid->status, "valid");
  ASSERT_FALSE(valid->certificate.empty());
  auto chain = client.download_certificate(valid->certificate);
  ASSERT_TRUE(chain) << chain.error().to_string();
  ASSERT_GE(chain->certificates.size(), 2U);
  EXPECT_TRUE(chain->certificates[0].matches(out.key));
  out.order = *valid;
  out.chain = *chain;
}

// A private temporary directory, removed on destruction.
class TempDir {
 public:
  TempDir() {
    std::string templ = std::filesystem::temp_directory_path() / "certkeeper-acme.XXXXXX";
    if (::mkdtemp(templ.data()) != nullptr) {
      path_ = templ;
    }
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string write(const std::string& name, const std::string& content) const {
    std::string file = path_ / name;
    std::ofstream(file) << content;
    return file;
  }

 private:
  std::filesystem::path path_;
};

// `openssl verify` of the leaf against the testenv's Pebble root with the served intermediates.
void expect_chain_verifies(const CertificateChain& chain) {
  TempDir dir;
  std::string intermediates;
  for (std::size_t i = 1; i < chain.certificates.size(); ++i) {
    intermediates += chain.certificates[i].pem();
  }
  const std::string leaf = dir.write("leaf.pem", chain.certificates[0].pem());
  const std::string untrusted = dir.write("intermediates.pem", intermediates);
  auto result = common::run_process(
      {"openssl", "verify", "-CAfile", env("CK_PEBBLE_ROOT_FILE"), "-untrusted", untrusted, leaf});
  ASSERT_TRUE(result) << result.error().to_string();
  EXPECT_EQ(result->exit_code, 0) << result->stdout_data << result->stderr_data;
}

// Pebble's management API: the status ("Valid", "Revoked") of the certificate with `serial`.
std::string pebble_cert_status(const std::string& serial_hex) {
  auto response =
      acme_http().send({.url = env("CK_PEBBLE_MGMT_URL") + "/cert-status-by-serial/" + serial_hex});
  if (!response || response->status != 200) {
    return "<unavailable>";
  }
  json status = json::parse(response->body, nullptr, false);
  return status.is_object() ? status.value("Status", "<none>") : "<not json>";
}

TEST(AcmeAccounts, RegisterThenFindExisting) {
  const crypto::PrivateKey key = new_key();
  auto client = make_client(key);
  auto directory = client->directory();
  ASSERT_TRUE(directory) << directory.error().to_string();
  EXPECT_FALSE(directory->renewal_info.empty());
  EXPECT_TRUE(directory->profiles.contains("shortlived"));
  EXPECT_FALSE(directory->terms_of_service.empty());

  auto account = client->register_account(
      {.contact = {"mailto:ops@example.test"}, .terms_of_service_agreed = true});
  ASSERT_TRUE(account) << account.error().to_string();
  EXPECT_EQ(account->status, "valid");
  EXPECT_FALSE(account->url.empty());

  auto other = make_client(key);
  auto found = other->find_account();
  ASSERT_TRUE(found) << found.error().to_string();
  EXPECT_EQ(found->url, account->url);
  EXPECT_EQ(other->account_url(), account->url);

  auto updated = other->update_contact({"mailto:new@example.test"});
  ASSERT_TRUE(updated) << updated.error().to_string();
  EXPECT_THAT(updated->contact, ::testing::ElementsAre("mailto:new@example.test"));

  auto unknown = make_client(new_key())->find_account();
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(unknown.error().problem_type(), "urn:ietf:params:acme:error:accountDoesNotExist");
}

TEST(AcmeAccounts, RegisterWithExternalAccountBinding) {
  auto client = make_client(new_key());
  auto account = client->register_account({.terms_of_service_agreed = true,
                                           .eab_kid = env("CK_PEBBLE_EAB_KID"),
                                           .eab_hmac_key = env("CK_PEBBLE_EAB_HMAC")});
  ASSERT_TRUE(account) << account.error().to_string();
  EXPECT_EQ(account->status, "valid");
}

TEST(AcmeIssuance, TwoDnsNamesGiveAVerifiableChain) {
  auto client = registered_client(new_key());
  const std::vector<std::string> names = {dns_name("a"), dns_name("b")};
  Issued issued{.key = new_key()};
  ASSERT_NO_FATAL_FAILURE(issue(*client, {.identifiers = identifiers_from_names(names)}, issued));
  EXPECT_THAT(issued.chain.certificates[0].sans().dns_names, UnorderedElementsAreArray(names));
  expect_chain_verifies(issued.chain);
}

TEST(AcmeIssuance, IpAddressOverHttp01) {
  auto client = registered_client(new_key());
  Issued issued{.key = new_key()};
  ASSERT_NO_FATAL_FAILURE(issue(*client, {.identifiers = {Identifier::ip("127.0.0.1")}}, issued));
  EXPECT_THAT(issued.chain.certificates[0].sans().ip_addresses,
              ::testing::ElementsAre("127.0.0.1"));
  expect_chain_verifies(issued.chain);
}

TEST(AcmeIssuance, ShortlivedProfileGivesAtMostSevenDays) {
  auto client = registered_client(new_key());
  Issued issued{.key = new_key()};
  ASSERT_NO_FATAL_FAILURE(
      issue(*client, {.identifiers = {Identifier::dns(dns_name("short"))}, .profile = "shortlived"},
            issued));
  EXPECT_EQ(issued.order.profile, "shortlived");
  const auto& leaf = issued.chain.certificates[0];
  EXPECT_LE(leaf.not_after() - leaf.not_before(), std::chrono::hours(24 * 7));
}

TEST(AcmeAccounts, KeyRolloverKeepsTheAccountAndRefusesTheOldKey) {
  const crypto::PrivateKey old_key = new_key();
  auto client = registered_client(old_key);
  const std::string account_url = client->account_url();
  const crypto::PrivateKey rolled = new_key();
  auto status = client->rollover_key(rolled);
  ASSERT_TRUE(status) << status.error().to_string();
  EXPECT_TRUE(client->account_key().matches(rolled.public_key()));
  EXPECT_EQ(client->account_url(), account_url);

  auto order = client->new_order({.identifiers = {Identifier::dns(dns_name("roll"))}});
  ASSERT_TRUE(order) << order.error().to_string();

  auto found = make_client(rolled)->find_account();
  ASSERT_TRUE(found) << found.error().to_string();
  EXPECT_EQ(found->url, account_url);

  auto old_client = make_client(old_key);
  old_client->set_account_url(account_url);
  auto refused = old_client->new_order({.identifiers = {Identifier::dns(dns_name("old"))}});
  ASSERT_FALSE(refused);
  // Pebble reports a signature by a key that is no longer the account's as a malformed JWS
  // ("JWS verification error"); the RFC leaves the type open.
  EXPECT_EQ(refused.error().problem_type(), "urn:ietf:params:acme:error:malformed")
      << refused.error().to_string();
  EXPECT_EQ(refused.error().http_status(), 400);
  auto gone = make_client(old_key)->find_account();
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code(), ErrorCode::kNotFound);
}

TEST(AcmeAccounts, DeactivatedAccountIsUnauthorized) {
  auto client = registered_client(new_key());
  auto account = client->deactivate_account();
  ASSERT_TRUE(account) << account.error().to_string();
  EXPECT_EQ(account->status, "deactivated");
  auto order = client->new_order({.identifiers = {Identifier::dns(dns_name("deact"))}});
  ASSERT_FALSE(order);
  EXPECT_EQ(order.error().problem_type(), "urn:ietf:params:acme:error:unauthorized");
  EXPECT_EQ(order.error().code(), ErrorCode::kPermissionDenied);
}

TEST(AcmeRevocation, ByAccountKey) {
  auto client = registered_client(new_key());
  Issued issued{.key = new_key()};
  ASSERT_NO_FATAL_FAILURE(
      issue(*client, {.identifiers = {Identifier::dns(dns_name("rev"))}}, issued));
  const auto& leaf = issued.chain.certificates[0];
  EXPECT_EQ(pebble_cert_status(leaf.serial_hex()), "Valid");
  auto status = client->revoke_certificate(leaf, RevocationReason::kSuperseded);
  ASSERT_TRUE(status) << status.error().to_string();
  EXPECT_EQ(pebble_cert_status(leaf.serial_hex()), "Revoked");
  auto again = client->revoke_certificate(leaf);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().problem_type(), "urn:ietf:params:acme:error:alreadyRevoked");
}

TEST(AcmeRevocation, ByCertificateKey) {
  auto client = registered_client(new_key());
  Issued issued{.key = new_key()};
  ASSERT_NO_FATAL_FAILURE(
      issue(*client, {.identifiers = {Identifier::dns(dns_name("revkey"))}}, issued));
  const auto& leaf = issued.chain.certificates[0];
  // A client of another account: only the certificate key can authorise this.
  auto stranger = make_client(new_key());
  auto status =
      stranger->revoke_certificate_with_key(leaf, issued.key, RevocationReason::kKeyCompromise);
  ASSERT_TRUE(status) << status.error().to_string();
  EXPECT_EQ(pebble_cert_status(leaf.serial_hex()), "Revoked");
}

TEST(AcmeRenewalInfo, WindowThenReplacingOrder) {
  auto client = registered_client(new_key());
  const std::vector<std::string> names = {dns_name("ari")};
  Issued issued{.key = new_key()};
  ASSERT_NO_FATAL_FAILURE(issue(*client, {.identifiers = identifiers_from_names(names)}, issued));
  const auto& leaf = issued.chain.certificates[0];

  auto info = client->get_renewal_info(leaf);
  ASSERT_TRUE(info) << info.error().to_string();
  EXPECT_LT(info->window_start, info->window_end);
  EXPECT_GT(info->window_start, leaf.not_before());
  EXPECT_LT(info->window_end, leaf.not_after());
  common::SystemRandom random(42);
  const auto when = pick_renewal_time(*info, random);
  EXPECT_GE(when, info->window_start);
  EXPECT_LE(when, info->window_end);

  auto cert_id = crypto::ari_cert_id(leaf);
  ASSERT_TRUE(cert_id);
  Issued renewed{.key = new_key()};
  ASSERT_NO_FATAL_FAILURE(issue(
      *client, {.identifiers = identifiers_from_names(names), .replaces = *cert_id}, renewed));
  EXPECT_EQ(renewed.order.replaces, *cert_id);
  EXPECT_NE(renewed.chain.certificates[0].serial_hex(), leaf.serial_hex());

  // The predecessor is now replaced: a second `replaces` order is refused with alreadyReplaced
  // and the client falls back to an order without it.
  auto again =
      client->new_order({.identifiers = identifiers_from_names(names), .replaces = *cert_id});
  ASSERT_TRUE(again) << again.error().to_string();
  EXPECT_EQ(again->replaces, "");
}

// Passes requests to the shared client and counts Pebble's badNonce rejections.
class BadNonceCounter final : public http::HttpClient {
 public:
  common::Result<http::Response> send(const http::Request& request) override {
    auto response = acme_http().send(request);
    if (response && response->status == 400 &&
        response->body.find("urn:ietf:params:acme:error:badNonce") != std::string::npos) {
      ++bad_nonces_;
    }
    return response;
  }
  common::Result<http::Response> send_streaming(const http::Request& request,
                                                const http::BodyChunkHandler& on_chunk) override {
    return acme_http().send_streaming(request, on_chunk);
  }
  [[nodiscard]] int bad_nonces() const { return bad_nonces_.load(); }

 private:
  std::atomic<int> bad_nonces_{0};
};

TEST(AcmeNonces, RejectedNoncesAreRetriedUnderConcurrentLoad) {
  // Pebble rejects 5 % of good nonces: in 200 requests at least one rejection is all but
  // certain (0.95^200 < 1e-4), and every request must still succeed.
  BadNonceCounter counting;
  AcmeClient client(counting, common::SystemClock::instance(), new_key(),
                    {.directory_url = env("CK_ACME_DIRECTORY")});
  ASSERT_TRUE(client.register_account({.terms_of_service_agreed = true}));
  auto order = client.new_order({.identifiers = {Identifier::dns(dns_name("load"))}});
  ASSERT_TRUE(order) << order.error().to_string();
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  threads.reserve(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        auto fetched = client.get_order(order->url);
        if (!fetched || fetched->url != order->url) {
          ++failures;
        }
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  EXPECT_EQ(failures.load(), 0);
  EXPECT_GE(counting.bad_nonces(), 1);
  std::cout << "badNonce rejections retried: " << counting.bad_nonces() << "\n";
}

// Adds (or deletes) a TXT record in the testenv's BIND9 zone with a TSIG-signed nsupdate.
void nsupdate_txt(const std::string& action, const std::string& name, const std::string& value) {
  const std::string& server = env("CK_DNS_SERVER");
  const std::string host = server.substr(0, server.rfind(':'));
  const std::string port = server.substr(server.rfind(':') + 1);
  const std::string script = "server " + host + " " + port + "\nzone " + env("CK_DNS_ZONE") +
                             "\nupdate " + action + " " + name + ". 60 TXT \"" + value +
                             "\"\nsend\n";
  auto result = common::run_process({"nsupdate", "-k", env("CK_TSIG_KEY_FILE")},
                                    {.stdin_data = script, .timeout = std::chrono::seconds(20)});
  ASSERT_TRUE(result) << result.error().to_string();
  ASSERT_EQ(result->exit_code, 0) << result->stderr_data;
}

TEST(AcmeIssuance, WildcardOverDns01) {
  auto client = registered_client(new_key());
  const std::string base = dns_name("w");
  auto order = client->new_order({.identifiers = {Identifier::dns("*." + base)}});
  ASSERT_TRUE(order) << order.error().to_string();
  ASSERT_EQ(order->authorizations.size(), 1U);
  auto authz = client->get_authorization(order->authorizations[0]);
  ASSERT_TRUE(authz) << authz.error().to_string();
  EXPECT_TRUE(authz->wildcard);
  EXPECT_EQ(authz->identifier.value, base);
  const Challenge* challenge = authz->find_challenge("dns-01");
  ASSERT_NE(challenge, nullptr);
  auto txt = client->dns01_txt_value(challenge->token);
  ASSERT_TRUE(txt);
  ASSERT_NO_FATAL_FAILURE(nsupdate_txt("add", "_acme-challenge." + base, *txt));
  ASSERT_TRUE(client->respond_challenge(challenge->url));
  const auto deadline = std::chrono::steady_clock::now() + kDeadline;
  auto final_authz = client->poll_authorization(authz->url, deadline);
  nsupdate_txt("delete", "_acme-challenge." + base, *txt);
  ASSERT_TRUE(final_authz) << final_authz.error().to_string();
  ASSERT_EQ(final_authz->status, "valid");
  auto ready = client->poll_order(order->url, deadline);
  ASSERT_TRUE(ready) << ready.error().to_string();
  ASSERT_EQ(ready->status, "ready");

  const crypto::PrivateKey key = new_key();
  crypto::CsrSpec spec;
  spec.sans.dns_names = {"*." + base};
  auto csr = crypto::create_csr(spec, key);
  ASSERT_TRUE(csr);
  ASSERT_TRUE(client->finalize_order(*ready, *csr));
  auto valid = client->poll_order(order->url, deadline);
  ASSERT_TRUE(valid) << valid.error().to_string();
  ASSERT_EQ(valid->status, "valid");
  auto chain = client->download_certificate(valid->certificate);
  ASSERT_TRUE(chain) << chain.error().to_string();
  EXPECT_THAT(chain->certificates[0].sans().dns_names, ::testing::ElementsAre("*." + base));
  expect_chain_verifies(*chain);
}

TEST(AcmeIssuance, BlockedNameIsRejectedIdentifier) {
  auto client = registered_client(new_key());
  auto order =
      client->new_order({.identifiers = {Identifier::dns("blocked." + env("CK_DNS_ZONE"))}});
  ASSERT_FALSE(order);
  EXPECT_EQ(order.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(order.error().problem_type(), "urn:ietf:params:acme:error:rejectedIdentifier");
}

}  // namespace
}  // namespace certkeeper::acme
