// AcmeClient against a scripted fake of http::HttpClient: nonce handling, problem mapping,
// ARI `replaces` fallback and polling with an injected clock.
#include "lib/acme/client.h"

#include <deque>
#include <map>
#include <mutex>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "lib/common/encoding.h"
#include "lib/crypto/jose.h"
#include "tests/support/fake_clock.h"
#include "tests/unit/crypto/test_util.h"

namespace certkeeper::acme {
namespace {

using common::ErrorCode;
using json = nlohmann::json;
using ::testing::HasSubstr;

constexpr const char* kDirectoryUrl = "https://ca.test/dir";
constexpr const char* kDirectory = R"({
  "newNonce": "https://ca.test/nonce", "newAccount": "https://ca.test/acct",
  "newOrder": "https://ca.test/order", "revokeCert": "https://ca.test/revoke",
  "keyChange": "https://ca.test/kc", "renewalInfo": "https://ca.test/ari"})";

http::Response make_response(int status, std::string body,
                             const std::vector<std::pair<std::string, std::string>>& headers = {}) {
  http::Response r;
  r.status = status;
  r.body = std::move(body);
  for (const auto& [name, value] : headers) {
    r.headers.add(name, value);
  }
  return r;
}

// Answers each URL from a queue of scripted responses (the last one repeats) and records every
// request. The directory and newNonce are answered by default.
class FakeHttp final : public http::HttpClient {
 public:
  void script(const std::string& url, http::Response response) {
    std::lock_guard lock(mu_);
    scripted_[url].push_back(std::move(response));
  }

  // Called at each send (the observer test advances its clock there, as latency).
  void on_send(std::function<void()> hook) { on_send_ = std::move(hook); }
  // Requests to `url` get no response (a transport error).
  void fail(const std::string& url) { failing_ = url; }

  common::Result<http::Response> send(const http::Request& request) override {
    if (on_send_) {
      on_send_();
    }
    std::lock_guard lock(mu_);
    requests_.push_back(request);
    if (request.url == failing_) {
      return common::make_error(ErrorCode::kUnavailable, "connection refused");
    }
    if (request.url == kDirectoryUrl) {
      return make_response(200, kDirectory);
    }
    if (request.url == "https://ca.test/nonce") {
      return make_response(200, "", {{"Replay-Nonce", "fresh" + std::to_string(++nonce_)}});
    }
    auto it = scripted_.find(request.url);
    if (it == scripted_.end() || it->second.empty()) {
      return make_response(404, R"({"type":"urn:ietf:params:acme:error:malformed","detail":"no"})");
    }
    http::Response r = it->second.front();
    if (it->second.size() > 1) {
      it->second.pop_front();
    }
    return r;
  }
  common::Result<http::Response> send_streaming(const http::Request& request,
                                                const http::BodyChunkHandler& on_chunk) override {
    auto r = send(request);
    if (r) {
      on_chunk(r->body);
      r->body.clear();
    }
    return r;
  }

  // The signed POSTs to `url`, decoded: protected header and payload as JSON text.
  struct Post {  // NOLINT(bugprone-exception-escape): test-only value
    json header;
    std::string payload;
    std::string content_type;
  };
  std::vector<Post> posts_to(const std::string& url) {
    std::lock_guard lock(mu_);
    std::vector<Post> out;
    for (const auto& r : requests_) {
      if (r.method != "POST" || r.url != url) {
        continue;
      }
      const json body = json::parse(r.body);
      Post p;
      p.header = json::parse(*common::base64url_decode(body.at("protected").get<std::string>()));
      p.payload = *common::base64url_decode(body.at("payload").get<std::string>());
      p.content_type = r.headers.get("Content-Type").value_or("");
      out.push_back(std::move(p));
    }
    return out;
  }

 private:
  std::mutex mu_;
  std::map<std::string, std::deque<http::Response>> scripted_;
  std::vector<http::Request> requests_;
  int nonce_ = 0;
  std::function<void()> on_send_;
  std::string failing_;
};

constexpr const char* kBadNonce =
    R"({"type":"urn:ietf:params:acme:error:badNonce","detail":"JWS has an invalid anti-replay nonce","status":400})";

class AcmeClientTest : public ::testing::Test {
 protected:
  AcmeClientTest()
      : key_(*crypto::PrivateKey::generate(crypto::KeyAlgorithm::kEcdsa)),
        client_(http_, clock_, key_,
                {.directory_url = kDirectoryUrl,
                 .sleep = [this](std::chrono::milliseconds d) { clock_.advance(d); }}) {}

  FakeHttp http_;
  testing::FakeClock clock_;
  crypto::PrivateKey key_;
  AcmeClient client_;
};

TEST_F(AcmeClientTest, BadNonceIsRetriedWithTheNonceFromTheError) {
  http_.script("https://ca.test/acct",
               make_response(400, kBadNonce, {{"Replay-Nonce", "fromerr"}}));
  http_.script("https://ca.test/acct",
               make_response(201, R"({"status":"valid"})",
                             {{"Location", "https://ca.test/acct/1"}, {"Replay-Nonce", "next"}}));
  auto account = client_.register_account({.terms_of_service_agreed = true});
  ASSERT_TRUE(account) << account.error().to_string();
  EXPECT_EQ(account->url, "https://ca.test/acct/1");
  EXPECT_EQ(client_.account_url(), "https://ca.test/acct/1");

  const auto posts = http_.posts_to("https://ca.test/acct");
  ASSERT_EQ(posts.size(), 2U);
  EXPECT_EQ(posts[0].header.at("nonce"), "fresh1");
  EXPECT_EQ(posts[1].header.at("nonce"), "fromerr");
  EXPECT_TRUE(posts[1].header.contains("jwk"));
  EXPECT_FALSE(posts[1].header.contains("kid"));
  EXPECT_EQ(posts[1].header.at("url"), "https://ca.test/acct");
  EXPECT_EQ(posts[1].content_type, "application/jose+json");
  EXPECT_EQ(json::parse(posts[1].payload).at("termsOfServiceAgreed"), true);
}

TEST_F(AcmeClientTest, NoncesFromResponsesAreReusedAndKidIsTheAccountUrl) {
  client_.set_account_url("https://ca.test/acct/7");
  http_.script("https://ca.test/order/1",
               make_response(200, R"({"status":"ready","finalize":"https://ca.test/fin/1"})",
                             {{"Replay-Nonce", "pooled"}}));
  ASSERT_TRUE(client_.get_order("https://ca.test/order/1"));
  ASSERT_TRUE(client_.get_order("https://ca.test/order/1"));
  const auto posts = http_.posts_to("https://ca.test/order/1");
  ASSERT_EQ(posts.size(), 2U);
  EXPECT_EQ(posts[1].header.at("nonce"), "pooled");
  EXPECT_EQ(posts[1].header.at("kid"), "https://ca.test/acct/7");
  EXPECT_FALSE(posts[1].header.contains("jwk"));
  EXPECT_EQ(posts[1].payload, "");  // POST-as-GET (RFC 8555 §6.3)
}

TEST_F(AcmeClientTest, BadNonceRetriesAreBounded) {
  client_.set_account_url("https://ca.test/acct/7");
  http_.script("https://ca.test/order/1", make_response(400, kBadNonce, {{"Replay-Nonce", "n"}}));
  auto order = client_.get_order("https://ca.test/order/1");
  ASSERT_FALSE(order);
  EXPECT_EQ(order.error().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(order.error().problem_type(), "urn:ietf:params:acme:error:badNonce");
  EXPECT_EQ(http_.posts_to("https://ca.test/order/1").size(), 6U);
}

TEST_F(AcmeClientTest, RateLimitedBecomesRateLimitedWithRetryAfter) {
  client_.set_account_url("https://ca.test/acct/7");
  http_.script("https://ca.test/order",
               make_response(429,
                             R"({"type":"urn:ietf:params:acme:error:rateLimited",
                                 "detail":"too many new orders","status":429})",
                             {{"Retry-After", "3600"}, {"Replay-Nonce", "n"}}));
  auto order = client_.new_order({.identifiers = {Identifier::dns("a.example")}});
  ASSERT_FALSE(order);
  EXPECT_EQ(order.error().code(), ErrorCode::kRateLimited);
  EXPECT_EQ(order.error().retry_after(), std::chrono::seconds(3600));
  EXPECT_EQ(order.error().http_status(), 429);
  EXPECT_THAT(order.error().message(), HasSubstr("too many new orders"));
}

TEST_F(AcmeClientTest, AccountDoesNotExistIsNotFound) {
  http_.script("https://ca.test/acct",
               make_response(400, R"({"type":"urn:ietf:params:acme:error:accountDoesNotExist",
                                      "detail":"unknown key","status":400})"));
  auto account = client_.find_account();
  ASSERT_FALSE(account);
  EXPECT_EQ(account.error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(
      json::parse(http_.posts_to("https://ca.test/acct").at(0).payload).at("onlyReturnExisting"),
      true);
}

TEST_F(AcmeClientTest, SignedRequestWithoutAccountUrlFailsBeforeSending) {
  auto order = client_.get_order("https://ca.test/order/1");
  ASSERT_FALSE(order);
  EXPECT_EQ(order.error().code(), ErrorCode::kFailedPrecondition);
  EXPECT_TRUE(http_.posts_to("https://ca.test/order/1").empty());
}

TEST_F(AcmeClientTest, AlreadyReplacedRetriesOnceWithoutReplaces) {
  client_.set_account_url("https://ca.test/acct/7");
  http_.script("https://ca.test/order",
               make_response(409, R"({"type":"urn:ietf:params:acme:error:alreadyReplaced",
                                      "detail":"already replaced","status":409})",
                             {{"Replay-Nonce", "n1"}}));
  http_.script("https://ca.test/order",
               make_response(201,
                             R"({"status":"pending","finalize":"https://ca.test/fin/2",
                                 "identifiers":[{"type":"dns","value":"a.example"}],
                                 "authorizations":["https://ca.test/authz/2"]})",
                             {{"Location", "https://ca.test/order/2"}, {"Replay-Nonce", "n2"}}));
  auto order =
      client_.new_order({.identifiers = {Identifier::dns("a.example")}, .replaces = "aYhb.AIdl"});
  ASSERT_TRUE(order) << order.error().to_string();
  EXPECT_EQ(order->url, "https://ca.test/order/2");
  EXPECT_EQ(order->replaces, "");
  const auto posts = http_.posts_to("https://ca.test/order");
  ASSERT_EQ(posts.size(), 2U);
  EXPECT_EQ(json::parse(posts[0].payload).at("replaces"), "aYhb.AIdl");
  EXPECT_FALSE(json::parse(posts[1].payload).contains("replaces"));
}

TEST_F(AcmeClientTest, ChangedIdentifiersAreRejected) {
  client_.set_account_url("https://ca.test/acct/7");
  http_.script("https://ca.test/order",
               make_response(201,
                             R"({"status":"pending","finalize":"https://ca.test/fin/2",
                                 "identifiers":[{"type":"dns","value":"other.example"}]})",
                             {{"Location", "https://ca.test/order/2"}}));
  auto order = client_.new_order({.identifiers = {Identifier::dns("a.example")}});
  ASSERT_FALSE(order);
  EXPECT_EQ(order.error().code(), ErrorCode::kFailedPrecondition);
}

TEST_F(AcmeClientTest, PollHonoursRetryAfterUntilFinal) {
  client_.set_account_url("https://ca.test/acct/7");
  const std::string pending =
      R"({"identifier":{"type":"dns","value":"a.example"},"status":"pending","challenges":[]})";
  http_.script("https://ca.test/authz/1", make_response(200, pending, {{"Retry-After", "3"}}));
  http_.script("https://ca.test/authz/1", make_response(200, pending, {{"Retry-After", "3"}}));
  http_.script("https://ca.test/authz/1",
               make_response(200, R"({"identifier":{"type":"dns","value":"a.example"},
                                      "status":"valid","challenges":[]})"));
  const auto start = clock_.steady_now();
  auto authz =
      client_.poll_authorization("https://ca.test/authz/1", start + std::chrono::minutes(1));
  ASSERT_TRUE(authz) << authz.error().to_string();
  EXPECT_EQ(authz->status, "valid");
  EXPECT_EQ(clock_.steady_now() - start, std::chrono::seconds(6));
}

TEST_F(AcmeClientTest, PollBacksOffWithoutRetryAfterAndStopsAtTheDeadline) {
  client_.set_account_url("https://ca.test/acct/7");
  http_.script("https://ca.test/order/1",
               make_response(200, R"({"status":"processing","finalize":"https://ca.test/fin/1"})"));
  const auto start = clock_.steady_now();
  auto order = client_.poll_order("https://ca.test/order/1", start + std::chrono::seconds(10));
  ASSERT_FALSE(order);
  EXPECT_EQ(order.error().code(), ErrorCode::kTimeout);
  EXPECT_LE(clock_.steady_now() - start, std::chrono::seconds(10));
  // 250 ms, 500 ms, 1 s, 2 s, 4 s (capped at 5 s): short first, then backing off.
  EXPECT_EQ(clock_.steady_now() - start, std::chrono::milliseconds(7750));
}

TEST_F(AcmeClientTest, ChallengeResponseIsAnEmptyObject) {
  client_.set_account_url("https://ca.test/acct/7");
  http_.script("https://ca.test/chall/1",
               make_response(200, R"({"type":"http-01","url":"https://ca.test/chall/1",
                                      "status":"processing","token":"tok"})"));
  auto challenge = client_.respond_challenge("https://ca.test/chall/1");
  ASSERT_TRUE(challenge) << challenge.error().to_string();
  EXPECT_EQ(challenge->status, "processing");
  EXPECT_EQ(http_.posts_to("https://ca.test/chall/1").at(0).payload, "{}");
}

TEST_F(AcmeClientTest, KeyAuthorizationUsesTheAccountKeyThumbprint) {
  auto thumbprint = crypto::jwk_thumbprint(key_.public_key());
  ASSERT_TRUE(thumbprint);
  EXPECT_EQ(*client_.key_authorization("tok"), "tok." + *thumbprint);
  EXPECT_EQ(*client_.dns01_txt_value("tok"), *dns01_txt_value("tok." + *thumbprint));
}

// A self-signed certificate with CN `cn`, made by the openssl CLI.
std::string self_signed(const crypto::testutil::TempDir& dir, const std::string& cn) {
  return dir.openssl_ok({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                         "-nodes", "-keyout", "/dev/null", "-subj", "/CN=" + cn, "-days", "1"});
}

TEST_F(AcmeClientTest, PreferredChainIsChosenByTopmostIssuerCn) {
  client_.set_account_url("https://ca.test/acct/7");
  crypto::testutil::TempDir dir;
  const std::string root_a = self_signed(dir, "Root A");
  const std::string root_b = self_signed(dir, "Root B");
  http_.script("https://ca.test/cert/1",
               make_response(200, root_a,
                             {{"Link", R"(<https://ca.test/dir>;rel="index")"},
                              {"Link", R"(<https://ca.test/cert/1/alt/1>;rel="alternate")"}}));
  http_.script(
      "https://ca.test/cert/1/alt/1",
      make_response(200, root_b, {{"Link", R"(<https://ca.test/cert/1>;rel="alternate")"}}));

  auto preferred = client_.download_certificate("https://ca.test/cert/1", "Root B");
  ASSERT_TRUE(preferred) << preferred.error().to_string();
  EXPECT_EQ(preferred->url, "https://ca.test/cert/1/alt/1");
  EXPECT_EQ(preferred->certificates.at(0).common_name(), "Root B");
  EXPECT_THAT(preferred->alternates, ::testing::ElementsAre("https://ca.test/cert/1/alt/1"));

  auto fallback = client_.download_certificate("https://ca.test/cert/1", "Root C");
  ASSERT_TRUE(fallback) << fallback.error().to_string();
  EXPECT_EQ(fallback->url, "https://ca.test/cert/1");

  auto default_chain = client_.download_certificate("https://ca.test/cert/1");
  ASSERT_TRUE(default_chain);
  EXPECT_EQ(default_chain->certificates.at(0).common_name(), "Root A");
  EXPECT_EQ(http_.posts_to("https://ca.test/cert/1").at(0).payload, "");
}

TEST_F(AcmeClientTest, TimeoutCarriesTheServersRetryAfter) {
  client_.set_account_url("https://ca.test/acct/7");
  http_.script("https://ca.test/order/1",
               make_response(200, R"({"status":"processing","finalize":"https://ca.test/fin/1"})",
                             {{"Retry-After", "600"}}));
  auto order =
      client_.poll_order("https://ca.test/order/1", clock_.steady_now() + std::chrono::seconds(30));
  ASSERT_FALSE(order);
  EXPECT_EQ(order.error().code(), ErrorCode::kTimeout);
  EXPECT_EQ(order.error().retry_after(), std::chrono::seconds(600));
}

TEST_F(AcmeClientTest, RevocationByCertificateKeyUsesJwk) {
  crypto::testutil::TempDir dir;
  dir.openssl_ok({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                  "-keyout", "leaf.key", "-out", "leaf.crt", "-subj", "/CN=leaf", "-days", "1"});
  auto cert = crypto::Certificate::from_pem(dir.read("leaf.crt"));
  auto cert_key = crypto::PrivateKey::from_pem(dir.read("leaf.key"));
  ASSERT_TRUE(cert && cert_key);
  http_.script("https://ca.test/revoke", make_response(200, ""));
  ASSERT_TRUE(
      client_.revoke_certificate_with_key(*cert, *cert_key, RevocationReason::kKeyCompromise));
  const auto post = http_.posts_to("https://ca.test/revoke").at(0);
  EXPECT_TRUE(post.header.contains("jwk"));
  EXPECT_FALSE(post.header.contains("kid"));
  const json payload = json::parse(post.payload);
  EXPECT_EQ(payload.at("reason"), 1);
  EXPECT_EQ(*common::base64url_decode(payload.at("certificate").get<std::string>()), cert->der());
  // The wrong key is refused before anything is sent.
  EXPECT_FALSE(client_.revoke_certificate_with_key(*cert, key_));
}

// Records what the client reports to its RequestObserver.
class RecordingObserver final : public RequestObserver {
 public:
  struct Entry {
    std::string action, method, url;
    int status;
    std::chrono::nanoseconds duration;
  };
  void on_request(const RequestRecord& r) override {
    std::lock_guard lock(mu_);
    entries.push_back(
        {std::string(r.action), std::string(r.method), std::string(r.url), r.status, r.duration});
  }
  std::vector<std::string> summary() {
    std::lock_guard lock(mu_);
    std::vector<std::string> out;
    for (const auto& e : entries) {
      out.push_back(e.action + " " + e.method + " " + e.url + " " + std::to_string(e.status));
    }
    return out;
  }
  std::mutex mu_;
  std::vector<Entry> entries;
};

TEST_F(AcmeClientTest, ObserverSeesEveryRequestWithCertManagersActionNames) {
  auto observer = std::make_shared<RecordingObserver>();
  AcmeClient client(http_, clock_, key_,
                    {.directory_url = kDirectoryUrl,
                     .sleep = [this](std::chrono::milliseconds d) { clock_.advance(d); },
                     .observer = observer});
  http_.on_send([this] { clock_.advance(std::chrono::milliseconds(30)); });
  client.set_account_url("https://ca.test/acct/7");
  http_.script("https://ca.test/order",
               make_response(201,
                             R"({"status":"pending","identifiers":[{"type":"dns","value":"a.test"}],
                                 "finalize":"https://ca.test/fin/1"})",
                             {{"Location", "https://ca.test/order/1"}, {"Replay-Nonce", "n1"}}));
  // A badNonce first: the retry is a request of its own, under the same action.
  http_.script("https://ca.test/order/1", make_response(400, kBadNonce, {{"Replay-Nonce", "n2"}}));
  http_.script("https://ca.test/order/1",
               make_response(200, R"({"status":"valid","finalize":"https://ca.test/fin/1"})",
                             {{"Replay-Nonce", "n3"}}));
  ASSERT_TRUE(client.new_order({.identifiers = {Identifier::dns("a.test")}}));
  ASSERT_TRUE(
      client.poll_order("https://ca.test/order/1", clock_.steady_now() + std::chrono::minutes(1)));
  http_.script("https://ca.test/chall/1", make_response(200, R"({"type":"dns-01",
      "url":"https://ca.test/chall/1","status":"processing","token":"t"})"));
  ASSERT_TRUE(client.respond_challenge("https://ca.test/chall/1"));

  // The directory and nonce fetches count as the operation that needed them (cert-manager's
  // action travels with the request context the same way); poll_order's fetches are wait_order.
  EXPECT_THAT(observer->summary(),
              ::testing::ElementsAre("authorize_order GET https://ca.test/dir 200",
                                     "authorize_order HEAD https://ca.test/nonce 200",
                                     "authorize_order POST https://ca.test/order 201",
                                     "wait_order POST https://ca.test/order/1 400",
                                     "wait_order POST https://ca.test/order/1 200",
                                     "accept_challenge POST https://ca.test/chall/1 200"));
  for (const auto& e : observer->entries) {
    EXPECT_EQ(e.duration, std::chrono::milliseconds(30)) << e.url;
  }
}

TEST_F(AcmeClientTest, ObserverRecordsATransportFailureAsStatus999) {
  auto observer = std::make_shared<RecordingObserver>();
  AcmeClient client(http_, clock_, key_, {.directory_url = kDirectoryUrl, .observer = observer});
  http_.fail(kDirectoryUrl);
  ASSERT_FALSE(client.directory());
  client.set_account_url("https://ca.test/acct/7");
  ASSERT_FALSE(client.get_order("https://ca.test/order/1"));  // its nonce needs the directory
  http_.fail("https://ca.test/x");
  ASSERT_FALSE(client.post("https://ca.test/x", ""));  // a raw post has no action name
  EXPECT_THAT(observer->summary(),
              ::testing::ElementsAre("discover GET https://ca.test/dir 999",
                                     "get_order GET https://ca.test/dir 999",
                                     "discover GET https://ca.test/dir 200",
                                     "unnamed_action HEAD https://ca.test/nonce 200",
                                     "unnamed_action POST https://ca.test/x 999"));
}

}  // namespace
}  // namespace certkeeper::acme
