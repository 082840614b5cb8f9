// The CertificateRequest approver, the SelfSigned and CA signers and Issuer/ClusterIssuer
// readiness, run in-process by a manager::Manager against the real apiserver with the CRDs from
// crds/. Each test has its own namespace (and ClusterIssuer names); assertions are on the
// objects the apiserver holds.
#include <chrono>
#include <functional>
#include <optional>
#include <stop_token>
#include <thread>

#include <gtest/gtest.h>

#include "controller/manager/manager.h"
#include "controller/registry.h"
#include "lib/api/codec.h"
#include "lib/api/conditions.h"
#include "lib/common/clock.h"
#include "lib/common/encoding.h"
#include "lib/crypto/certificate.h"
#include "lib/crypto/csr.h"
#include "lib/crypto/encoding.h"
#include "lib/crypto/keys.h"
#include "lib/crypto/signer.h"
#include "tests/support/eventually.h"
#include "tests/support/informer_probe.h"
#include "tests/support/kubectl.h"
#include "tests/support/testenv.h"

namespace certkeeper {
namespace {

using nlohmann::json;
using std::chrono::seconds;

constexpr auto kWait = std::chrono::seconds(30);

const kube::ResourceRef kRequests{"cert-manager.io", "v1", "certificaterequests", "", "", ""};
const kube::ResourceRef kIssuers{"cert-manager.io", "v1", "issuers", "", "", ""};
const kube::ResourceRef kClusterIssuers{"cert-manager.io", "v1", "clusterissuers", "", "", ""};
const kube::ResourceRef kSecrets{"", "v1", "secrets", "", "", ""};
const kube::ResourceRef kNamespaces{"", "v1", "namespaces", "", "", ""};

class SignersTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto crds = testing::apply_crds();
    ASSERT_TRUE(crds) << crds.error().to_string();
  }

  void SetUp() override {
    client_ = testing::admin_client();
    ASSERT_TRUE(client_);
    ns_ = testing::unique_name("signers");
    crn_ = testing::unique_name("signers-crn");
    for (const auto& ns : {ns_, crn_}) {
      ASSERT_TRUE(client_->create(
          kNamespaces,
          {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", ns}}}}));
    }
  }

  void TearDown() override {
    stop_manager();
    for (const auto& name : cluster_issuers_) {
      (void)client_->remove(kClusterIssuers.with_name(name));
    }
    for (const auto& ns : {ns_, crn_}) {
      (void)client_->remove(kNamespaces.with_name(ns));
    }
  }

  // Runs the controllers `controllers` selects, as `certkeeper controller` would, with leader
  // election and the health server off.
  void start_manager(std::vector<std::string> controllers = {"*"}) {
    manager::ManagerOptions options;
    options.leader_elect = false;
    options.healthz_listen_address = "";
    options.cluster_resource_namespace = crn_;
    options.controllers = std::move(controllers);
    manager_ = std::make_unique<manager::Manager>(*client_, common::SystemClock::instance(),
                                                  options, controller::registrations());
    thread_ = std::jthread([this](std::stop_token stop) {
      auto status = manager_->run(stop);
      EXPECT_TRUE(status) << status.error().to_string();
    });
  }

  void stop_manager() {
    if (thread_.joinable()) {
      thread_.request_stop();
      thread_.join();
    }
    manager_.reset();
  }

  // --- fixtures --------------------------------------------------------------------------------

  void create_secret(const std::string& ns, const std::string& name,
                     const std::map<std::string, std::string>& data) {
    json encoded = json::object();
    for (const auto& [key, value] : data) {
      encoded[key] = common::base64_encode(value);
    }
    json secret = {{"apiVersion", "v1"},
                   {"kind", "Secret"},
                   {"metadata", {{"name", name}, {"namespace", ns}}},
                   {"type", data.contains("tls.crt") ? "kubernetes.io/tls" : "Opaque"},
                   {"data", encoded}};
    auto applied = client_->apply(kSecrets.with_namespace(ns).with_name(name), secret,
                                  {.field_manager = "signers-test", .force = true});
    ASSERT_TRUE(applied) << applied.error().to_string();
  }

  void create_issuer(const std::string& name, const json& spec) {
    auto created = client_->create(kIssuers.with_namespace(ns_),
                                   {{"apiVersion", "cert-manager.io/v1"},
                                    {"kind", "Issuer"},
                                    {"metadata", {{"name", name}, {"namespace", ns_}}},
                                    {"spec", spec}});
    ASSERT_TRUE(created) << created.error().to_string();
  }

  std::string create_cluster_issuer(const json& spec) {
    const std::string name = testing::unique_name("ciss");
    cluster_issuers_.push_back(name);
    auto created = client_->create(kClusterIssuers, {{"apiVersion", "cert-manager.io/v1"},
                                                     {"kind", "ClusterIssuer"},
                                                     {"metadata", {{"name", name}}},
                                                     {"spec", spec}});
    EXPECT_TRUE(created) << created.error().to_string();
    return name;
  }

  struct RequestOptions {
    json issuer_ref;
    crypto::CsrSpec csr;
    std::optional<std::string> key_secret;  // the private-key-secret-name annotation
    bool is_ca = false;
    std::vector<std::string> usages;
    std::string duration;
  };

  // A CertificateRequest for `key`'s CSR.
  void create_request(const std::string& name, const crypto::PrivateKey& key,
                      const RequestOptions& o) {
    auto der = crypto::create_csr(o.csr, key);
    ASSERT_TRUE(der) << der.error().to_string();
    json spec = {
        {"request", common::base64_encode(crypto::pem_encode("CERTIFICATE REQUEST", *der))},
        {"issuerRef", o.issuer_ref}};
    if (o.is_ca) {
      spec["isCA"] = true;
    }
    if (!o.usages.empty()) {
      spec["usages"] = o.usages;
    }
    if (!o.duration.empty()) {
      spec["duration"] = o.duration;
    }
    json metadata = {{"name", name}, {"namespace", ns_}};
    if (o.key_secret) {
      metadata["annotations"] = {{"cert-manager.io/private-key-secret-name", *o.key_secret}};
    }
    auto created =
        client_->create(kRequests.with_namespace(ns_), {{"apiVersion", "cert-manager.io/v1"},
                                                        {"kind", "CertificateRequest"},
                                                        {"metadata", metadata},
                                                        {"spec", spec}});
    ASSERT_TRUE(created) << created.error().to_string();
  }

  // --- reading ---------------------------------------------------------------------------------

  std::optional<api::CertificateRequest> request(const std::string& name) {
    auto object = client_->get(kRequests.with_namespace(ns_).with_name(name));
    if (!object) {
      return std::nullopt;
    }
    auto cr = api::decode_certificate_request(*object);
    return cr ? std::optional(std::move(*cr)) : std::nullopt;
  }

  std::vector<api::Condition> issuer_conditions(const std::string& name, bool cluster) {
    auto object = cluster ? client_->get(kClusterIssuers.with_name(name))
                          : client_->get(kIssuers.with_namespace(ns_).with_name(name));
    if (!object) {
      return {};
    }
    if (cluster) {
      auto issuer = api::decode_cluster_issuer(*object);
      return issuer ? issuer->status.conditions : std::vector<api::Condition>{};
    }
    auto issuer = api::decode_issuer(*object);
    return issuer ? issuer->status.conditions : std::vector<api::Condition>{};
  }

  // Waits for the request's condition of `type` to reach `status` with `reason`, and returns the
  // request as it was then.
  api::CertificateRequest wait_request(const std::string& name, std::string_view type,
                                       api::ConditionStatus status, std::string_view reason) {
    std::optional<api::CertificateRequest> last;
    const bool reached = testing::eventually(
        [&] {
          last = request(name);
          if (!last) {
            return false;
          }
          const auto* c = api::find_condition(last->status.conditions, type);
          return c != nullptr && c->status == status && c->reason == reason;
        },
        kWait);
    EXPECT_TRUE(reached) << name << ": " << type << " never became " << api::to_string(status)
                         << "/" << reason << "; status: "
                         << (last ? api::encode(*last).value("status", json()).dump() : "none");
    return last.value_or(api::CertificateRequest{});
  }

  api::Condition wait_issuer_ready(const std::string& name, bool cluster,
                                   api::ConditionStatus status) {
    api::Condition last;
    const bool reached = testing::eventually(
        [&] {
          const auto conditions = issuer_conditions(name, cluster);
          const auto* c = api::find_condition(conditions, api::kConditionReady);
          if (c != nullptr) {
            last = *c;
          }
          return c != nullptr && c->status == status;
        },
        kWait);
    EXPECT_TRUE(reached) << name << " Ready never became " << api::to_string(status)
                         << "; last: " << last.reason << " " << last.message;
    return last;
  }

  std::unique_ptr<kube::Client> client_;
  std::string ns_;
  std::string crn_;
  std::vector<std::string> cluster_issuers_;
  std::unique_ptr<manager::Manager> manager_;
  std::jthread thread_;
};

crypto::PrivateKey new_key() {
  auto key = crypto::PrivateKey::generate(crypto::KeyAlgorithm::kEcdsa, 256);
  EXPECT_TRUE(key);
  return *key;
}

std::string key_pem(const crypto::PrivateKey& key) {
  return *key.to_pem(crypto::KeyEncoding::kPkcs8);
}

crypto::Certificate parse_leaf(const std::string& pem) {
  auto chain = crypto::parse_pem_chain(pem);
  EXPECT_TRUE(chain) << chain.error().to_string();
  return chain->front();
}

// A self-signed certificate for `key` made without any controller (e.g. a non-CA).
std::string self_signed_pem(const crypto::PrivateKey& key, bool is_ca) {
  crypto::CertificateTemplate t;
  t.subject.common_name = is_ca ? "test root" : "not a ca";
  t.not_before = std::chrono::floor<seconds>(std::chrono::system_clock::now());
  t.not_after = t.not_before + std::chrono::hours(24);
  t.is_ca = is_ca;
  t.key_usages = {crypto::KeyUsage::kDigitalSignature};
  if (is_ca) {
    t.key_usages.push_back(crypto::KeyUsage::kKeyCertSign);
  }
  auto cert = crypto::sign_certificate(t, key.public_key(), std::nullopt, key);
  EXPECT_TRUE(cert) << cert.error().to_string();
  return cert->pem();
}

TEST_F(SignersTest, SelfSignedClusterIssuerThenCaIssuerIssueAChainThatVerifies) {
  start_manager();
  const std::string ciss = create_cluster_issuer({{"selfSigned", json::object()}});
  const auto ready = wait_issuer_ready(ciss, /*cluster=*/true, api::ConditionStatus::kTrue);
  EXPECT_EQ(ready.reason, "IsReady");

  // A CA certificate from the SelfSigned ClusterIssuer, for a key stored in a Secret.
  const auto ca_key = new_key();
  create_secret(ns_, "ca-key", {{"tls.key", key_pem(ca_key)}});
  crypto::CsrSpec ca_csr;
  ca_csr.subject.common_name = "certkeeper test CA";
  ca_csr.subject.organizations = {"certkeeper"};
  ca_csr.sans.dns_names = {"ca.example.test"};
  ca_csr.is_ca = true;
  ca_csr.key_usages = {crypto::KeyUsage::kDigitalSignature, crypto::KeyUsage::kKeyEncipherment,
                       crypto::KeyUsage::kKeyCertSign};
  create_request("ca", ca_key,
                 {.issuer_ref = {{"name", ciss}, {"kind", "ClusterIssuer"}},
                  .csr = ca_csr,
                  .key_secret = "ca-key",
                  .is_ca = true,
                  .usages = {"digital signature", "key encipherment", "cert sign"},
                  .duration = "2h"});
  const auto approved =
      wait_request("ca", "Approved", api::ConditionStatus::kTrue, "cert-manager.io");
  const auto* approval = api::find_condition(approved.status.conditions, "Approved");
  ASSERT_NE(approval, nullptr);
  EXPECT_EQ(approval->message, "Certificate request has been approved by cert-manager.io");
  auto issued = wait_request("ca", "Ready", api::ConditionStatus::kTrue, "Issued");
  ASSERT_FALSE(issued.status.certificate.empty());
  const auto ca_cert = parse_leaf(issued.status.certificate);
  EXPECT_TRUE(ca_cert.matches(ca_key));
  EXPECT_TRUE(ca_cert.is_ca());
  EXPECT_EQ(ca_cert.common_name(), "certkeeper test CA");
  EXPECT_EQ(ca_cert.sans().dns_names, std::vector<std::string>{"ca.example.test"});
  EXPECT_EQ(ca_cert.subject(), ca_cert.issuer());
  EXPECT_EQ(ca_cert.not_after() - ca_cert.not_before(), std::chrono::hours(2));
  EXPECT_EQ(issued.status.ca, issued.status.certificate);
  EXPECT_FALSE(issued.status.failure_time.has_value());

  // A CA Issuer backed by it is Ready.
  create_secret(ns_, "ca-pair",
                {{"tls.crt", issued.status.certificate}, {"tls.key", key_pem(ca_key)}});
  create_issuer("ca", {{"ca",
                        {{"secretName", "ca-pair"},
                         {"crlDistributionPoints", {"http://crl.example.test/ca.crl"}},
                         {"ocspServers", {"http://ocsp.example.test"}}}}});
  const auto ca_ready = wait_issuer_ready("ca", false, api::ConditionStatus::kTrue);
  EXPECT_EQ(ca_ready.reason, "KeyPairVerified");
  EXPECT_EQ(ca_ready.message, "Signing CA verified");

  // A leaf signed by it chains to the CA.
  const auto leaf_key = new_key();
  crypto::CsrSpec leaf_csr;
  leaf_csr.subject.common_name = "app.example.test";
  leaf_csr.sans.dns_names = {"app.example.test", "www.example.test"};
  leaf_csr.sans.ip_addresses = {"10.0.0.7"};
  leaf_csr.key_usages = {crypto::KeyUsage::kDigitalSignature, crypto::KeyUsage::kKeyEncipherment};
  leaf_csr.extended_key_usages = {crypto::ExtendedKeyUsage::kServerAuth};
  create_request("leaf", leaf_key,
                 {.issuer_ref = {{"name", "ca"}},
                  .csr = leaf_csr,
                  .usages = {"digital signature", "key encipherment", "server auth"}});
  auto leaf_cr = wait_request("leaf", "Ready", api::ConditionStatus::kTrue, "Issued");
  ASSERT_FALSE(leaf_cr.status.certificate.empty());
  const auto leaf = parse_leaf(leaf_cr.status.certificate);
  EXPECT_TRUE(leaf.matches(leaf_key));
  EXPECT_FALSE(leaf.is_ca());
  EXPECT_EQ(leaf.sans().dns_names, leaf_csr.sans.dns_names);
  EXPECT_EQ(leaf.sans().ip_addresses, leaf_csr.sans.ip_addresses);
  EXPECT_EQ(leaf.extended_key_usages(),
            std::vector<crypto::ExtendedKeyUsage>{crypto::ExtendedKeyUsage::kServerAuth});
  // Default duration: 90 days.
  EXPECT_EQ(leaf.not_after() - leaf.not_before(), std::chrono::hours(24 * 90));
  EXPECT_TRUE(leaf.extension("2.5.29.31").has_value()) << "no CRL distribution points";
  EXPECT_TRUE(leaf.extension("1.3.6.1.5.5.7.1.1").has_value()) << "no authority info access";
  EXPECT_EQ(parse_leaf(leaf_cr.status.ca).der(), ca_cert.der());
  // The root is the trust anchor and not repeated in the chain.
  EXPECT_EQ(crypto::parse_pem_chain(leaf_cr.status.certificate)->size(), 1U);
  auto verified = crypto::verify_chain(leaf, {}, {ca_cert}, std::chrono::system_clock::now());
  EXPECT_TRUE(verified) << verified.error().to_string();

  // Issued is final: the certificate never changes again.
  const std::string first = leaf_cr.status.certificate;
  std::this_thread::sleep_for(seconds(2));
  EXPECT_EQ(request("leaf")->status.certificate, first);
}

TEST_F(SignersTest, CaIssuerWhoseSecretIsNotACaIsNotReadyAndItsRequestsWait) {
  start_manager();
  const auto key = new_key();
  create_secret(ns_, "not-ca",
                {{"tls.crt", self_signed_pem(key, /*is_ca=*/false)}, {"tls.key", key_pem(key)}});
  create_issuer("not-ca", {{"ca", {{"secretName", "not-ca"}}}});
  const auto not_ready = wait_issuer_ready("not-ca", false, api::ConditionStatus::kFalse);
  EXPECT_EQ(not_ready.reason, "ErrInvalidKeyPair");
  EXPECT_EQ(not_ready.message, "Error getting keypair for CA issuer: certificate is not a CA");

  // An Issuer whose Secret does not exist.
  create_issuer("missing", {{"ca", {{"secretName", "nowhere"}}}});
  const auto missing = wait_issuer_ready("missing", false, api::ConditionStatus::kFalse);
  EXPECT_EQ(missing.reason, "ErrGetKeyPair");
  EXPECT_EQ(missing.message, "Error getting keypair for CA issuer: secret \"nowhere\" not found");

  const auto leaf_key = new_key();
  crypto::CsrSpec csr;
  csr.sans.dns_names = {"waiting.example.test"};
  create_request("waiting", leaf_key, {.issuer_ref = {{"name", "not-ca"}}, .csr = csr});
  wait_request("waiting", "Approved", api::ConditionStatus::kTrue, "cert-manager.io");
  auto pending = wait_request("waiting", "Ready", api::ConditionStatus::kFalse, "Pending");
  EXPECT_EQ(api::find_condition(pending.status.conditions, "Ready")->message,
            "Referenced issuer does not have a Ready status condition");
  EXPECT_TRUE(pending.status.certificate.empty());

  // Fixing the Secret makes the Issuer Ready (a Secret change re-checks it), and the request
  // that waited is issued.
  const auto ca_key = new_key();
  const std::string ca_pem = self_signed_pem(ca_key, /*is_ca=*/true);
  create_secret(ns_, "not-ca", {{"tls.crt", ca_pem}, {"tls.key", key_pem(ca_key)}});
  EXPECT_EQ(wait_issuer_ready("not-ca", false, api::ConditionStatus::kTrue).reason,
            "KeyPairVerified");
  auto issued = wait_request("waiting", "Ready", api::ConditionStatus::kTrue, "Issued");
  ASSERT_FALSE(issued.status.certificate.empty());
  auto ca = crypto::Certificate::from_pem(ca_pem);
  ASSERT_TRUE(ca);
  EXPECT_TRUE(crypto::verify_chain(parse_leaf(issued.status.certificate), {}, {*ca},
                                   std::chrono::system_clock::now()));
}

TEST_F(SignersTest, SelfSignedRequestWaitsForItsKeyAndFailsOnAnotherKey) {
  start_manager();
  create_issuer("self", {{"selfSigned", json::object()}});
  wait_issuer_ready("self", false, api::ConditionStatus::kTrue);

  // The key Secret does not exist yet: Pending, then Issued once it is written.
  const auto key = new_key();
  crypto::CsrSpec csr;
  csr.subject.common_name = "late.example.test";
  csr.sans.dns_names = {"late.example.test"};
  create_request("late", key, {.issuer_ref = {{"name", "self"}}, .csr = csr, .key_secret = "k"});
  auto pending = wait_request("late", "Ready", api::ConditionStatus::kFalse, "Pending");
  EXPECT_EQ(api::find_condition(pending.status.conditions, "Ready")->message,
            "Referenced secret " + ns_ + "/k not found: secret \"k\" not found");
  create_secret(ns_, "k", {{"tls.key", key_pem(key)}});
  auto issued = wait_request("late", "Ready", api::ConditionStatus::kTrue, "Issued");
  EXPECT_TRUE(parse_leaf(issued.status.certificate).matches(key));

  // A CSR made with another key than the Secret's: Failed, with failureTime.
  create_request("other", new_key(),
                 {.issuer_ref = {{"name", "self"}}, .csr = csr, .key_secret = "k"});
  auto failed = wait_request("other", "Ready", api::ConditionStatus::kFalse, "Failed");
  EXPECT_EQ(api::find_condition(failed.status.conditions, "Ready")->message,
            "Error generating certificate template: CSR not signed by referenced private key");
  EXPECT_TRUE(failed.status.failure_time.has_value());
  EXPECT_TRUE(failed.status.certificate.empty());
}

TEST_F(SignersTest, DeniedRequestIsNeverSigned) {
  // No approver: the test denies the request itself, as an external approver would.
  start_manager({"*", "-certificaterequests-approver"});
  create_issuer("self", {{"selfSigned", json::object()}});
  wait_issuer_ready("self", false, api::ConditionStatus::kTrue);
  const auto key = new_key();
  create_secret(ns_, "k", {{"tls.key", key_pem(key)}});
  crypto::CsrSpec csr;
  csr.sans.dns_names = {"denied.example.test"};
  create_request("denied", key, {.issuer_ref = {{"name", "self"}}, .csr = csr, .key_secret = "k"});
  const json denial = {{"apiVersion", "cert-manager.io/v1"},
                       {"kind", "CertificateRequest"},
                       {"metadata", {{"name", "denied"}, {"namespace", ns_}}},
                       {"status",
                        {{"conditions",
                          {{{"type", "Denied"},
                            {"status", "True"},
                            {"reason", "PolicyDenied"},
                            {"message", "not allowed"},
                            {"lastTransitionTime", "2026-01-01T00:00:00Z"}}}}}}};
  ASSERT_TRUE(
      client_->apply(kRequests.with_namespace(ns_).with_name("denied").with_subresource("status"),
                     denial, {.field_manager = "test-approver", .force = true}));
  auto denied = wait_request("denied", "Ready", api::ConditionStatus::kFalse, "Denied");
  EXPECT_EQ(api::find_condition(denied.status.conditions, "Ready")->message,
            "The CertificateRequest was denied by an approval controller");
  EXPECT_TRUE(denied.status.failure_time.has_value());
  // Denied is final: it stays unsigned and unapproved.
  std::this_thread::sleep_for(seconds(2));
  const auto later = request("denied");
  ASSERT_TRUE(later);
  EXPECT_TRUE(later->status.certificate.empty());
  EXPECT_EQ(api::find_condition(later->status.conditions, "Approved"), nullptr);
}

TEST_F(SignersTest, RequestsForOtherIssuerGroupsAreNotApproved) {
  start_manager();
  const auto key = new_key();
  crypto::CsrSpec csr;
  csr.sans.dns_names = {"external.example.test"};
  create_request(
      "external", key,
      {.issuer_ref = {{"name", "x"}, {"kind", "MyIssuer"}, {"group", "example.com"}}, .csr = csr});
  // The control: a cert-manager.io request created after it is approved.
  create_request("builtin", key, {.issuer_ref = {{"name", "nowhere"}}, .csr = csr});
  wait_request("builtin", "Approved", api::ConditionStatus::kTrue, "cert-manager.io");
  // ... and, since its issuer does not exist, Pending.
  auto builtin = wait_request("builtin", "Ready", api::ConditionStatus::kFalse, "Pending");
  EXPECT_EQ(api::find_condition(builtin.status.conditions, "Ready")->message,
            "Referenced \"Issuer\" not found: issuer.cert-manager.io \"nowhere\" not found");
  const auto external = request("external");
  ASSERT_TRUE(external);
  EXPECT_TRUE(external->status.conditions.empty())
      << api::encode(*external).value("status", json()).dump();
}

}  // namespace
}  // namespace certkeeper
