// The certificates pipeline against the real apiserver: a Manager runs the six certificates
// controllers in-process (single-namespace mode, one namespace per test) while the test itself
// plays the approver and signer — it watches for CertificateRequests, marks them Approved and
// writes a certificate signed by a test CA (or a failure) on the status subresource. Assertions
// are on the resulting objects.
#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <set>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "controller/certificates/controllers.h"
#include "controller/manager/manager.h"
#include "lib/api/codec.h"
#include "lib/api/conditions.h"
#include "lib/common/clock.h"
#include "lib/common/encoding.h"
#include "lib/common/subprocess.h"
#include "lib/common/time_format.h"
#include "lib/crypto/certificate.h"
#include "lib/crypto/csr.h"
#include "lib/crypto/keys.h"
#include "lib/crypto/keystore.h"
#include "lib/crypto/signer.h"
#include "tests/support/eventually.h"
#include "tests/support/informer_probe.h"
#include "tests/support/kubectl.h"
#include "tests/support/testenv.h"

namespace certkeeper {
namespace {

using nlohmann::json;
using std::chrono::seconds;

constexpr auto kWait = std::chrono::milliseconds(60'000);

kube::ResourceRef resource(const std::string& group, const std::string& plural,
                           const std::string& ns) {
  kube::ResourceRef ref;
  ref.group = group;
  ref.version = "v1";
  ref.resource = plural;
  ref.ns = ns;
  return ref;
}

// A CA the test signs with, made once.
struct TestCa {
  crypto::PrivateKey key;
  crypto::Certificate certificate;
};

const TestCa& test_ca() {
  static const TestCa ca = [] {
    auto key = crypto::PrivateKey::generate(crypto::KeyAlgorithm::kEcdsa, 256);
    crypto::CertificateTemplate t;
    t.subject.common_name = "certkeeper test CA";
    t.is_ca = true;
    t.key_usages = {crypto::KeyUsage::kKeyCertSign, crypto::KeyUsage::kCrlSign};
    const auto now = std::chrono::floor<seconds>(std::chrono::system_clock::now());
    t.not_before = now - std::chrono::hours(1);
    t.not_after = now + std::chrono::hours(24 * 365);
    auto cert = crypto::sign_certificate(t, key->public_key(), std::nullopt, *key);
    return TestCa{*key, *cert};
  }();
  return ca;
}

class CertificatesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto applied = testing::kubectl({"apply", "--server-side", "--force-conflicts", "-f",
                                     std::string(CK_SOURCE_DIR) + "/crds/"});
    ASSERT_TRUE(applied && applied->exit_code == 0)
        << (applied ? applied->stderr_data : applied.error().to_string());
    auto established = testing::kubectl({"wait", "--for=condition=Established", "--timeout=60s",
                                         "crd/certificates.cert-manager.io",
                                         "crd/certificaterequests.cert-manager.io"});
    ASSERT_TRUE(established && established->exit_code == 0);
  }

  void SetUp() override {
    client_ = testing::admin_client();
    ASSERT_NE(client_, nullptr);
    ns_ = testing::unique_name("certs");
    auto created = client_->create(
        resource("", "namespaces", ""),
        {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", ns_}}}});
    ASSERT_TRUE(created) << created.error().to_string();

    manager::ManagerOptions options;
    options.leader_elect = false;
    options.healthz_listen_address = "";
    options.namespace_ = ns_;
    options.concurrent_workers = 2;
    manager_ = std::make_unique<manager::Manager>(*client_, common::SystemClock::instance(),
                                                  options, certificates::registrations());
    manager_thread_ = std::jthread([this](std::stop_token stop) {
      auto status = manager_->run(stop);
      EXPECT_TRUE(status) << status.error().to_string();
    });
    signer_thread_ = std::jthread([this](std::stop_token stop) { sign_loop(stop); });
  }

  void TearDown() override {
    signer_thread_ = {};
    manager_thread_ = {};
    manager_.reset();
    (void)testing::kubectl({"delete", "namespace", ns_, "--wait=false"});
  }

  // --- the test's signer ---------------------------------------------------------------------

  void sign_loop(const std::stop_token& stop) {
    while (!stop.stop_requested()) {
      auto list = client_->list(resource("cert-manager.io", "certificaterequests", ns_));
      if (list) {
        for (const auto& item : (*list)["items"]) {
          auto request = api::decode_certificate_request(item);
          if (request && request->status.conditions.empty()) {
            answer(*request);
          }
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  }

  void answer(const api::CertificateRequest& request) {
    const auto now = common::format_rfc3339(std::chrono::system_clock::now());
    const json approved = {{"type", "Approved"},
                           {"status", "True"},
                           {"reason", "cert-manager.io"},
                           {"message", "approved by the test"},
                           {"lastTransitionTime", now}};
    json status;
    bool fail = false;
    {
      std::lock_guard lock(mu_);
      fail = fail_ && fail_(request);
    }
    if (fail) {
      status = {{"conditions",
                 {approved,
                  {{"type", "Ready"},
                   {"status", "False"},
                   {"reason", "Failed"},
                   {"message", "the test signer refused"},
                   {"lastTransitionTime", now}}}},
                {"failureTime", now}};
    } else {
      auto csr = crypto::parse_csr(request.spec.request);
      ASSERT_TRUE(csr) << csr.error().to_string();
      auto t = crypto::template_from_csr(*csr);
      // Valid from now for spec.duration (default 90 days), as the CA issuer does.
      const auto start = std::chrono::floor<seconds>(std::chrono::system_clock::now());
      t.not_before = start;
      t.not_after = start + std::chrono::duration_cast<seconds>(request.spec.duration
                                                                    ? request.spec.duration->value
                                                                    : std::chrono::hours(24 * 90));
      auto leaf =
          crypto::sign_certificate(t, csr->public_key, test_ca().certificate, test_ca().key);
      ASSERT_TRUE(leaf) << leaf.error().to_string();
      status = {{"conditions",
                 {approved,
                  {{"type", "Ready"},
                   {"status", "True"},
                   {"reason", "Issued"},
                   {"message", "Certificate fetched from issuer successfully"},
                   {"lastTransitionTime", now}}}},
                {"certificate", common::base64_encode(leaf->pem())},
                {"ca", common::base64_encode(test_ca().certificate.pem())}};
    }
    const json body = {{"apiVersion", "cert-manager.io/v1"},
                       {"kind", "CertificateRequest"},
                       {"metadata", {{"name", request.metadata.name}, {"namespace", ns_}}},
                       {"status", status}};
    auto r = client_->apply(resource("cert-manager.io", "certificaterequests", ns_)
                                .with_name(request.metadata.name)
                                .with_subresource("status"),
                            body, {.field_manager = "test-signer", .force = true});
    EXPECT_TRUE(r) << r.error().to_string();
  }

  void fail_requests(std::function<bool(const api::CertificateRequest&)> fail) {
    std::lock_guard lock(mu_);
    fail_ = std::move(fail);
  }

  // --- helpers -------------------------------------------------------------------------------

  json certificate_json(const std::string& name, const std::string& secret,
                        const std::vector<std::string>& dns_names) {
    return {{"apiVersion", "cert-manager.io/v1"},
            {"kind", "Certificate"},
            {"metadata", {{"name", name}, {"namespace", ns_}}},
            {"spec",
             {{"secretName", secret},
              {"dnsNames", dns_names},
              {"issuerRef", {{"name", "test-ca"}}},
              {"privateKey", {{"algorithm", "ECDSA"}}}}}};
  }

  void create_certificate(const json& object) {
    auto r = client_->create(resource("cert-manager.io", "certificates", ns_), object);
    ASSERT_TRUE(r) << r.error().to_string();
  }

  void patch_certificate(const std::string& name, const json& patch) {
    auto r = client_->patch(resource("cert-manager.io", "certificates", ns_).with_name(name),
                            kube::PatchType::kMerge, patch);
    ASSERT_TRUE(r) << r.error().to_string();
  }

  std::optional<api::Certificate> certificate(const std::string& name) {
    auto object = client_->get(resource("cert-manager.io", "certificates", ns_).with_name(name));
    if (!object) {
      return std::nullopt;
    }
    auto decoded = api::decode_certificate(*object);
    return decoded ? std::optional<api::Certificate>(*decoded) : std::nullopt;
  }

  std::optional<json> secret(const std::string& name) {
    auto object = client_->get(resource("", "secrets", ns_).with_name(name));
    return object ? std::optional<json>(*object) : std::nullopt;
  }

  std::string secret_data(const json& secret, const std::string& key) {
    if (!secret.contains("data") || !secret["data"].contains(key)) {
      return "";
    }
    auto bytes = common::base64_decode(secret["data"][key].get<std::string>());
    return bytes ? *bytes : "";
  }

  std::vector<api::CertificateRequest> requests() {
    std::vector<api::CertificateRequest> out;
    auto list = client_->list(resource("cert-manager.io", "certificaterequests", ns_));
    if (list) {
      for (const auto& item : (*list)["items"]) {
        if (auto r = api::decode_certificate_request(item)) {
          out.push_back(*r);
        }
      }
    }
    return out;
  }

  std::vector<std::string> request_names() {
    std::vector<std::string> out;
    for (const auto& r : requests()) {
      out.push_back(r.metadata.name);
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  // Ready=True at `revision` (or later with revision unset).
  bool ready_at(const std::string& name, std::int32_t revision) {
    auto c = certificate(name);
    if (!c || c->status.revision != revision) {
      return false;
    }
    for (const auto& condition : c->status.conditions) {
      if (condition.type == "Ready" && condition.status == api::ConditionStatus::kTrue) {
        return true;
      }
    }
    return false;
  }

  std::unique_ptr<kube::Client> client_;
  std::string ns_;
  std::unique_ptr<manager::Manager> manager_;
  std::jthread manager_thread_;
  std::jthread signer_thread_;
  std::mutex mu_;
  std::function<bool(const api::CertificateRequest&)> fail_;
};

TEST_F(CertificatesTest, IssuesThenReissuesOnSpecChangeAndOnSecretDeletion) {
  auto object = certificate_json("web", "web-tls", {"a.example.com"});
  object["spec"].erase("privateKey");  // RSA 2048, PKCS#1: the defaults
  create_certificate(object);
  ASSERT_TRUE(testing::eventually([&] { return ready_at("web", 1); }, kWait));

  auto waited = testing::kubectl(
      {"wait", "--for=condition=Ready", "-n", ns_, "certificate/web", "--timeout=30s"});
  ASSERT_TRUE(waited);
  EXPECT_EQ(waited->exit_code, 0) << waited->stderr_data;

  auto s = secret("web-tls");
  ASSERT_TRUE(s);
  EXPECT_EQ((*s)["type"], "kubernetes.io/tls");
  EXPECT_EQ((*s)["metadata"]["labels"]["controller.cert-manager.io/fao"], "true");
  EXPECT_EQ((*s)["metadata"]["annotations"]["cert-manager.io/certificate-name"], "web");
  EXPECT_EQ((*s)["metadata"]["annotations"]["cert-manager.io/issuer-name"], "test-ca");
  EXPECT_EQ((*s)["metadata"]["annotations"]["cert-manager.io/issuer-kind"], "Issuer");
  EXPECT_EQ((*s)["metadata"]["annotations"]["cert-manager.io/alt-names"], "a.example.com");
  const auto key_pem = secret_data(*s, "tls.key");
  EXPECT_TRUE(key_pem.starts_with("-----BEGIN RSA PRIVATE KEY-----"));
  auto key = crypto::PrivateKey::from_pem(key_pem);
  ASSERT_TRUE(key);
  EXPECT_EQ(key->algorithm(), crypto::KeyAlgorithm::kRsa);
  EXPECT_EQ(key->size(), 2048);
  auto chain = crypto::parse_pem_chain(secret_data(*s, "tls.crt"));
  ASSERT_TRUE(chain);
  EXPECT_TRUE(chain->front().matches(*key));
  EXPECT_EQ(chain->front().sans().dns_names, std::vector<std::string>{"a.example.com"});
  EXPECT_TRUE(crypto::verify_chain(chain->front(), {}, {test_ca().certificate},
                                   std::chrono::system_clock::now()));
  EXPECT_EQ(secret_data(*s, "ca.crt"), test_ca().certificate.pem());
  EXPECT_EQ(request_names(), std::vector<std::string>{"web-1"});

  auto c = certificate("web");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->status.not_after, chain->front().not_after());
  ASSERT_TRUE(c->status.renewal_time.has_value());
  EXPECT_LT(*c->status.renewal_time, chain->front().not_after());
  // The next-key Secret and its status field go once the issuance is done.
  EXPECT_TRUE(testing::eventually(
      [&] {
        auto now = certificate("web");
        auto list = client_->list(resource("", "secrets", ns_),
                                  {.label_selector = "cert-manager.io/next-private-key=true"});
        return now && !now->status.next_private_key_secret_name && list && (*list)["items"].empty();
      },
      kWait));

  // A new dnsName reissues at once, as revision 2; history keeps only the latest request.
  patch_certificate("web", {{"spec", {{"dnsNames", {"a.example.com", "b.example.com"}}}}});
  ASSERT_TRUE(testing::eventually([&] { return ready_at("web", 2); }, kWait));
  s = secret("web-tls");
  ASSERT_TRUE(s);
  chain = crypto::parse_pem_chain(secret_data(*s, "tls.crt"));
  ASSERT_TRUE(chain);
  EXPECT_EQ(chain->front().sans().dns_names,
            (std::vector<std::string>{"a.example.com", "b.example.com"}));
  EXPECT_TRUE(testing::eventually(
      [&] { return request_names() == std::vector<std::string>{"web-2"}; }, kWait));

  // Deleting the Secret reissues (revision 3).
  auto removed = client_->remove(resource("", "secrets", ns_).with_name("web-tls"));
  ASSERT_TRUE(removed);
  ASSERT_TRUE(testing::eventually([&] { return ready_at("web", 3); }, kWait));
  s = secret("web-tls");
  ASSERT_TRUE(s);
  chain = crypto::parse_pem_chain(secret_data(*s, "tls.crt"));
  key = crypto::PrivateKey::from_pem(secret_data(*s, "tls.key"));
  ASSERT_TRUE(chain && key);
  EXPECT_TRUE(chain->front().matches(*key));
}

TEST_F(CertificatesTest, FailedRequestIsCountedAndBackedOffUntilTheSpecChanges) {
  fail_requests([](const api::CertificateRequest&) { return true; });
  create_certificate(certificate_json("flaky", "flaky-tls", {"flaky.example.com"}));
  ASSERT_TRUE(testing::eventually(
      [&] {
        auto c = certificate("flaky");
        return c && c->status.failed_issuance_attempts == 1;
      },
      kWait));
  auto c = certificate("flaky");
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->status.last_failure_time.has_value());
  const auto* issuing = api::find_condition(c->status.conditions, "Issuing");
  ASSERT_NE(issuing, nullptr);
  EXPECT_EQ(issuing->status, api::ConditionStatus::kFalse);
  EXPECT_EQ(issuing->reason, "Failed");
  EXPECT_EQ(issuing->message,
            "The certificate request has failed to complete and will be retried: the test "
            "signer refused");
  const auto first = requests();
  ASSERT_EQ(first.size(), 1U);
  EXPECT_EQ(first[0].metadata.name, "flaky-1");

  // Backoff: one hour before the next try, so nothing new for a while.
  std::this_thread::sleep_for(seconds(10));
  const auto later = requests();
  ASSERT_EQ(later.size(), 1U);
  EXPECT_EQ(later[0].metadata.uid, first[0].metadata.uid);
  EXPECT_EQ(certificate("flaky")->status.failed_issuance_attempts, 1);

  // A spec change skips the backoff: the request is replaced and this time signed.
  fail_requests({});
  patch_certificate("flaky", {{"spec", {{"dnsNames", {"flaky.example.com", "x.example.com"}}}}});
  ASSERT_TRUE(testing::eventually([&] { return ready_at("flaky", 1); }, kWait));
  c = certificate("flaky");
  EXPECT_FALSE(c->status.failed_issuance_attempts.has_value());
  EXPECT_FALSE(c->status.last_failure_time.has_value());
}

TEST_F(CertificatesTest, TwoCertificatesOnOneSecretMakeAtMostOneRequest) {
  create_certificate(certificate_json("first", "shared-tls", {"first.example.com"}));
  std::this_thread::sleep_for(seconds(1));  // a strictly older creationTimestamp
  create_certificate(certificate_json("second", "shared-tls", {"second.example.com"}));
  std::set<std::string> seen;
  const auto deadline = std::chrono::steady_clock::now() + seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    for (const auto& r : requests()) {
      seen.insert(r.metadata.uid);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  EXPECT_EQ(seen.size(), 1U);
  EXPECT_EQ(request_names(), std::vector<std::string>{"first-1"});
  EXPECT_TRUE(ready_at("first", 1));
  auto s = secret("shared-tls");
  ASSERT_TRUE(s);
  EXPECT_EQ((*s)["metadata"]["annotations"]["cert-manager.io/certificate-name"], "first");
}

TEST_F(CertificatesTest, RotationPolicyAlwaysMakesANewKeyAndNeverKeepsIt) {
  auto always = certificate_json("always", "always-tls", {"always.example.com"});
  always["spec"]["privateKey"]["rotationPolicy"] = "Always";
  auto never = certificate_json("never", "never-tls", {"never.example.com"});
  never["spec"]["privateKey"]["rotationPolicy"] = "Never";
  create_certificate(always);
  create_certificate(never);
  ASSERT_TRUE(
      testing::eventually([&] { return ready_at("always", 1) && ready_at("never", 1); }, kWait));
  const auto always_key = secret_data(*secret("always-tls"), "tls.key");
  const auto never_key = secret_data(*secret("never-tls"), "tls.key");
  patch_certificate("always", {{"spec", {{"dnsNames", {"always.example.com", "b.example.com"}}}}});
  patch_certificate("never", {{"spec", {{"dnsNames", {"never.example.com", "b.example.com"}}}}});
  ASSERT_TRUE(
      testing::eventually([&] { return ready_at("always", 2) && ready_at("never", 2); }, kWait));
  EXPECT_NE(secret_data(*secret("always-tls"), "tls.key"), always_key);
  EXPECT_EQ(secret_data(*secret("never-tls"), "tls.key"), never_key);
}

TEST_F(CertificatesTest, RenewsByItselfAtTheRenewalTime) {
  auto object = certificate_json("short", "short-tls", {"short.example.com"});
  object["spec"]["duration"] = "1h";
  object["spec"]["renewBefore"] = "59m52s";  // renewal 8 s after notBefore
  create_certificate(object);
  ASSERT_TRUE(testing::eventually([&] { return ready_at("short", 1); }, kWait));
  auto c = certificate("short");
  ASSERT_TRUE(c && c->status.not_before && c->status.renewal_time);
  EXPECT_EQ(*c->status.renewal_time - *c->status.not_before, seconds(8));
  // Nothing changes, yet revision 2 arrives once the renewal time has passed.
  ASSERT_TRUE(testing::eventually([&] { return ready_at("short", 2); }, kWait));
  c = certificate("short");
  ASSERT_TRUE(c && c->status.not_before);
  EXPECT_GE(std::chrono::system_clock::now() + seconds(1), *c->status.not_before);
}

TEST_F(CertificatesTest, KeystoresOutputFormatsAndSecretTemplate) {
  auto pass = client_->create(resource("", "secrets", ns_),
                              {{"apiVersion", "v1"},
                               {"kind", "Secret"},
                               {"metadata", {{"name", "jks-password"}}},
                               {"stringData", {{"password", "jks-secret-pw"}}}});
  ASSERT_TRUE(pass) << pass.error().to_string();
  auto object = certificate_json("stores", "stores-tls", {"stores.example.com"});
  object["spec"]["privateKey"]["encoding"] = "PKCS8";
  object["spec"]["keystores"] = {
      {"jks",
       {{"create", true}, {"passwordSecretRef", {{"name", "jks-password"}, {"key", "password"}}}}},
      {"pkcs12", {{"create", true}, {"password", "p12-pw"}, {"profile", "Modern2023"}}}};
  object["spec"]["additionalOutputFormats"] = {{{"type", "DER"}}, {{"type", "CombinedPEM"}}};
  object["spec"]["secretTemplate"] = {{"labels", {{"team", "web"}}},
                                      {"annotations", {{"example.com/owner", "ops"}}}};
  create_certificate(object);
  ASSERT_TRUE(testing::eventually([&] { return ready_at("stores", 1); }, kWait));
  auto s = secret("stores-tls");
  ASSERT_TRUE(s);
  EXPECT_EQ((*s)["metadata"]["labels"]["team"], "web");
  EXPECT_EQ((*s)["metadata"]["annotations"]["example.com/owner"], "ops");
  const auto key_pem = secret_data(*s, "tls.key");
  EXPECT_TRUE(key_pem.starts_with("-----BEGIN PRIVATE KEY-----"));
  auto key = crypto::PrivateKey::from_pem(key_pem);
  ASSERT_TRUE(key);
  auto der_key = crypto::PrivateKey::from_der(secret_data(*s, "key.der"));
  ASSERT_TRUE(der_key);
  EXPECT_TRUE(der_key->matches(key->public_key()));
  EXPECT_EQ(secret_data(*s, "tls-combined.pem"), key_pem + "\n" + secret_data(*s, "tls.crt"));

  auto entries = crypto::parse_jks(secret_data(*s, "keystore.jks"), "jks-secret-pw");
  ASSERT_TRUE(entries) << entries.error().to_string();
  bool found_key = false;
  for (const auto& e : *entries) {
    if (e.key) {
      found_key = e.key->matches(key->public_key());
    }
  }
  EXPECT_TRUE(found_key);

  const auto dir = std::filesystem::temp_directory_path() / testing::unique_name("p12");
  std::filesystem::create_directories(dir);
  {
    std::ofstream out(dir / "keystore.p12", std::ios::binary);
    out << secret_data(*s, "keystore.p12");
  }
  auto opened = common::run_process({"openssl", "pkcs12", "-in", (dir / "keystore.p12").string(),
                                     "-passin", "pass:p12-pw", "-nodes"});
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(opened);
  EXPECT_EQ(opened->exit_code, 0) << opened->stderr_data;
  EXPECT_NE(opened->stdout_data.find("BEGIN CERTIFICATE"), std::string::npos);
  EXPECT_NE(opened->stdout_data.find("BEGIN PRIVATE KEY"), std::string::npos);

  // Drifted metadata and outputs are repaired in place, without a new issuance.
  auto patched = client_->patch(
      resource("", "secrets", ns_).with_name("stores-tls"), kube::PatchType::kMerge,
      {{"metadata", {{"labels", {{"team", nullptr}}}}}, {"data", {{"key.der", nullptr}}}});
  ASSERT_TRUE(patched) << patched.error().to_string();
  EXPECT_TRUE(testing::eventually(
      [&] {
        auto now = secret("stores-tls");
        return now && now->contains("data") && (*now)["data"].contains("key.der") &&
               (*now)["metadata"]["labels"].value("team", "") == "web";
      },
      kWait));
  EXPECT_TRUE(ready_at("stores", 1));
  EXPECT_EQ(secret_data(*secret("stores-tls"), "tls.key"), key_pem);
}

}  // namespace
}  // namespace certkeeper
