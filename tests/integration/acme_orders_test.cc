// The ACME signer and the `orders` controller end to end, in one namespace: the issuers,
// approver, certificaterequests-issuer-acme and orders controllers run in-process in a
// manager::Manager against the real apiserver and a Pebble of this suite's own
// (tools/testenv pebble, fixture in acme_issuer_fixture.h). The TEST plays the challenges
// controller: it serves each Challenge with lib/solver's Http01Solver on the port that Pebble
// validates HTTP-01 on, accepts it with the issuer's client from the shared AcmeAccounts, and
// writes the Challenge's status.state. Assertions are on the objects the apiserver holds, on the
// issued chain (verified against Pebble's root) and on the requests Pebble logged.
#include <set>

#include <gtest/gtest.h>

#include "controller/certificaterequests/approver.h"
#include "controller/certificaterequests/signer_controller.h"
#include "controller/issuers/acme_accounts.h"
#include "controller/issuers/issuers_controller.h"
#include "controller/orders/orders_controller.h"
#include "lib/api/names.h"
#include "lib/crypto/csr.h"
#include "lib/crypto/encoding.h"
#include "lib/crypto/signer.h"
#include "lib/solver/http01.h"
#include "tests/integration/acme_issuer_fixture.h"

namespace certkeeper::acme_issuer_testing {
namespace {

kube::ResourceRef requests_ref() {
  return {"cert-manager.io", "v1", "certificaterequests", "", "", ""};
}
kube::ResourceRef orders_ref() { return {"acme.cert-manager.io", "v1", "orders", "", "", ""}; }
kube::ResourceRef challenges_ref() {
  return {"acme.cert-manager.io", "v1", "challenges", "", "", ""};
}

// newOrder requests Pebble handled (its log names the path of every request it handles).
std::size_t new_orders(const ExtraPebble& pebble) {
  std::ifstream in(pebble.env.at("CK_PEBBLE_LOG_FILE"));
  std::size_t count = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.find("/order-plz -> calling handler()") != std::string::npos) {
      ++count;
    }
  }
  return count;
}

class AcmeOrdersTest : public AcmeIssuerTest {
 protected:
  // One Pebble for the suite (the base fixture's EAB Pebble is not needed).
  static void SetUpTestSuite() {
    auto crds = testing::apply_crds();
    ASSERT_TRUE(crds) << crds.error().to_string();
    plain_ = new std::optional<ExtraPebble>(
        ExtraPebble::start("acord-" + std::to_string(::getpid()), false));
    eab_ = new std::optional<ExtraPebble>();
  }

  void SetUp() override {
    ASSERT_TRUE(*plain_) << "the extra Pebble did not start";
    client_ = testing::admin_client();
    ASSERT_TRUE(client_);
    ns_ = testing::unique_name("acord");
    ASSERT_TRUE(client_->create(
        kNamespaces, {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", ns_}}}}));
    start_controllers();
  }

  // A fresh Manager with a fresh AcmeAccounts, as a restarted process has.
  void start_controllers() {
    accounts_ = std::make_shared<issuers::AcmeAccounts>();
    manager::ManagerOptions options;
    options.leader_elect = false;
    options.healthz_listen_address = "";
    options.namespace_ = ns_;
    options.cluster_resource_namespace = ns_;
    options.controllers = {"issuers", std::string(certificaterequests::kApproverName),
                           std::string(certificaterequests::kAcmeSignerName),
                           std::string(orders::kOrdersControllerName)};
    auto accounts = accounts_;
    std::vector<manager::ControllerRegistration> registrations = {
        {{"issuers"},
         [accounts](const common::Clock& clock, const manager::ManagerOptions& o) {
           return issuers::make_issuers_controller(clock, o, accounts);
         }},
        {{std::string(certificaterequests::kApproverName)}, certificaterequests::make_approver},
        {{std::string(certificaterequests::kAcmeSignerName)},
         certificaterequests::make_acme_signer},
        {{std::string(orders::kOrdersControllerName)},
         [accounts](const common::Clock& clock, const manager::ManagerOptions& o) {
           return orders::make_orders_controller(clock, o, accounts);
         }},
    };
    manager_ = std::make_unique<manager::Manager>(*client_, common::SystemClock::instance(),
                                                  options, std::move(registrations));
    thread_ = std::jthread([this](std::stop_token stop) {
      auto status = manager_->run(std::move(stop));
      EXPECT_TRUE(status) << status.error().to_string();
    });
  }

  void stop_controllers() {
    thread_.request_stop();
    thread_.join();
    manager_.reset();
  }

  const ExtraPebble& pebble() const { return **plain_; }

  // An ACME Issuer on this suite's Pebble, Ready.
  api::Issuer ready_issuer(const std::string& name, const json& acme) {
    create_issuer(name, acme);
    wait_ready(name, api::ConditionStatus::kTrue, "ACMEAccountRegistered");
    return *issuer(name);
  }

  // A CertificateRequest for a fresh key; returns the CSR's key.
  crypto::PrivateKey create_request(const std::string& name, const std::string& issuer_name,
                                    const crypto::CsrSpec& spec,
                                    const json& annotations = json::object()) {
    auto key = crypto::PrivateKey::generate(crypto::KeyAlgorithm::kEcdsa, 256);
    EXPECT_TRUE(key);
    auto der = crypto::create_csr(spec, *key);
    EXPECT_TRUE(der) << der.error().to_string();
    const std::string pem = crypto::pem_encode("CERTIFICATE REQUEST", *der);
    auto created = client_->create(
        requests_ref().with_namespace(ns_),
        {{"apiVersion", "cert-manager.io/v1"},
         {"kind", "CertificateRequest"},
         {"metadata",
          {{"name", name},
           {"namespace", ns_},
           {"labels", {{"suite", "orders"}}},
           {"annotations", annotations}}},
         {"spec",
          {{"request", common::base64_encode(pem)},
           {"issuerRef",
            {{"name", issuer_name}, {"kind", "Issuer"}, {"group", "cert-manager.io"}}}}}});
    EXPECT_TRUE(created) << created.error().to_string();
    return *key;
  }

  std::optional<api::CertificateRequest> request(const std::string& name) {
    auto object = client_->get(requests_ref().with_namespace(ns_).with_name(name));
    if (!object) {
      return std::nullopt;
    }
    auto cr = api::decode_certificate_request(*object);
    return cr ? std::optional(std::move(*cr)) : std::nullopt;
  }

  std::vector<json> items(const kube::ResourceRef& ref) {
    auto list = client_->list(ref.with_namespace(ns_));
    EXPECT_TRUE(list) << list.error().to_string();
    std::vector<json> out;
    if (list) {
      for (const auto& item : list->value("items", json::array())) {
        out.push_back(item);
      }
    }
    return out;
  }

  // Plays the challenges controller once: every Challenge not yet handled is presented on
  // `solver`, accepted at the CA with the issuer's client, and its final state written.
  void serve_challenges(solver::Http01Solver& solver, const std::string& issuer_uid) {
    auto client = accounts_->get(issuer_uid);
    if (!client) {
      return;
    }
    for (const auto& item : items(challenges_ref())) {
      auto challenge = api::decode_challenge(item);
      ASSERT_TRUE(challenge) << challenge.error().to_string();
      if (served_.contains(challenge->metadata.name)) {
        continue;
      }
      served_.insert(challenge->metadata.name);
      const auto& spec = challenge->spec;
      EXPECT_EQ(spec.type, "HTTP-01");
      EXPECT_EQ(spec.key, *client->key_authorization(spec.token));
      EXPECT_TRUE(spec.solver.http01.has_value());
      ASSERT_TRUE(solver.present(acme::Identifier::ip(spec.dns_name), spec.token, spec.key));
      auto accepted = client->respond_challenge(spec.url);
      ASSERT_TRUE(accepted) << accepted.error().to_string();
      auto authz = client->poll_authorization(
          spec.authorization_url, std::chrono::steady_clock::now() + std::chrono::seconds(30));
      ASSERT_TRUE(authz) << authz.error().to_string();
      const std::string state = authz->status == "valid" ? "valid" : "invalid";
      auto patched = client_->patch(
          challenges_ref()
              .with_namespace(ns_)
              .with_name(challenge->metadata.name)
              .with_subresource("status"),
          kube::PatchType::kMerge,
          {{"status", {{"state", state}, {"processing", false}, {"presented", true}}}});
      ASSERT_TRUE(patched) << patched.error().to_string();
    }
  }

  // Serves Challenges until the request has a certificate; returns the request then.
  std::optional<api::CertificateRequest> wait_issued(const std::string& name,
                                                     solver::Http01Solver& solver,
                                                     const std::string& issuer_uid) {
    std::optional<api::CertificateRequest> done;
    const bool issued = testing::eventually(
        [&] {
          serve_challenges(solver, issuer_uid);
          done = request(name);
          return done && !done->status.certificate.empty();
        },
        std::chrono::seconds(90));
    EXPECT_TRUE(issued) << name << " never issued; status: "
                        << (done ? api::encode(*done).value("status", json()).dump() : "none");
    return issued ? done : std::nullopt;
  }

  std::shared_ptr<issuers::AcmeAccounts> accounts_;
  std::set<std::string> served_;
};

TEST_F(AcmeOrdersTest, IpAddressCertificateOverHttp01) {
  auto solver = solver::Http01Solver::start(
      {.address = "127.0.0.1",
       .port = static_cast<std::uint16_t>(std::stoi(pebble().env.at("CK_PEBBLE_HTTP01_PORT")))});
  ASSERT_TRUE(solver) << solver.error().to_string();
  const auto le = ready_issuer("le", acme_spec(pebble(), "le-account"));
  const std::size_t orders_before = new_orders(pebble());

  crypto::CsrSpec csr;
  csr.sans.ip_addresses = {"127.0.0.1"};
  const auto key = create_request("ip-1", "le", csr);

  std::optional<api::CertificateRequest> done;
  const bool issued = testing::eventually(
      [&] {
        serve_challenges(**solver, le.metadata.uid);
        done = request("ip-1");
        return done && !done->status.certificate.empty();
      },
      std::chrono::seconds(90));
  ASSERT_TRUE(issued) << "never issued; CR status: "
                      << (done ? api::encode(*done).value("status", json()).dump() : "none");
  const auto* ready = api::find_condition(done->status.conditions, api::kConditionReady);
  ASSERT_NE(ready, nullptr);
  EXPECT_EQ(ready->status, api::ConditionStatus::kTrue);
  EXPECT_EQ(ready->reason, "Issued");
  EXPECT_TRUE(done->status.ca.empty());  // ACME sets no status.ca

  // The chain is for the CSR's key and the IP, and verifies against Pebble's root.
  auto chain = crypto::parse_pem_chain(done->status.certificate);
  ASSERT_TRUE(chain && !chain->empty());
  const auto& leaf = chain->front();
  EXPECT_TRUE(leaf.matches(key));
  EXPECT_EQ(leaf.sans().ip_addresses, std::vector<std::string>{"127.0.0.1"});
  auto roots =
      crypto::parse_pem_chain(testing::read_text_file(pebble().env.at("CK_PEBBLE_ROOT_FILE")));
  ASSERT_TRUE(roots && !roots->empty());
  const std::vector<crypto::Certificate> intermediates(chain->begin() + 1, chain->end());
  auto verified =
      crypto::verify_chain(leaf, intermediates, *roots, std::chrono::system_clock::now());
  EXPECT_TRUE(verified) << verified.error().to_string();

  // One Order, with the deterministic name, the ACME URL and state valid; ordered exactly once.
  const auto orders = items(orders_ref());
  ASSERT_EQ(orders.size(), 1U);
  auto order = api::decode_order(orders[0]);
  ASSERT_TRUE(order);
  api::OrderSpec expected;
  expected.issuer_ref = {"le", "Issuer", "cert-manager.io"};
  expected.ip_addresses = {"127.0.0.1"};
  EXPECT_EQ(order->metadata.name, api::order_name("ip-1", expected));
  EXPECT_EQ(order->metadata.labels.at("suite"), "orders");
  ASSERT_TRUE(order->status.url);
  EXPECT_EQ(order->status.url->rfind("https://127.0.0.1:", 0), 0U);
  EXPECT_EQ(order->status.state, "valid");
  EXPECT_EQ(order->status.certificate, done->status.certificate);
  ASSERT_EQ(order->status.authorizations.size(), 1U);
  EXPECT_EQ(order->status.authorizations[0].identifier, "127.0.0.1");
  EXPECT_EQ(order->status.authorizations[0].initial_state, "pending");
  EXPECT_EQ(new_orders(pebble()) - orders_before, 1U);
  EXPECT_EQ(served_.size(), 1U);

  // Its Challenges are deleted once the order is valid.
  EXPECT_TRUE(testing::eventually([&] { return items(challenges_ref()).empty(); }, kWait));
}

TEST_F(AcmeOrdersTest, CommonNameNotAmongTheSansFailsWithInvalidOrder) {
  ready_issuer("le", acme_spec(pebble(), "le-account"));
  crypto::CsrSpec csr;
  csr.subject.common_name = "not-listed.example.test";
  csr.sans.dns_names = {"listed.example.test"};
  create_request("bad-cn", "le", csr);
  std::optional<api::CertificateRequest> last;
  const bool failed = testing::eventually(
      [&] {
        last = request("bad-cn");
        return last &&
               api::has_condition(last->status.conditions, api::kConditionReady,
                                  api::ConditionStatus::kFalse) &&
               api::find_condition(last->status.conditions, api::kConditionReady)->reason ==
                   "Failed";
      },
      kWait);
  ASSERT_TRUE(failed) << (last ? api::encode(*last).value("status", json()).dump() : "none");
  const auto* ready = api::find_condition(last->status.conditions, api::kConditionReady);
  EXPECT_TRUE(ready->message.starts_with(
      "The CSR PEM requests a commonName that is not present in the list of dnsNames or "
      "ipAddresses"))
      << ready->message;
  EXPECT_TRUE(last->status.failure_time.has_value());
  EXPECT_TRUE(items(orders_ref()).empty());
}

TEST_F(AcmeOrdersTest, AProfileTheCaDoesNotOfferErrorsTheOrderAndFailsTheRequest) {
  auto spec = acme_spec(pebble(), "profile-account");
  spec["profile"] = "no-such-profile";
  ready_issuer("odd", spec);
  const std::size_t orders_before = new_orders(pebble());
  crypto::CsrSpec csr;
  csr.sans.ip_addresses = {"127.0.0.1"};
  create_request("profiled", "odd", csr);

  std::optional<api::CertificateRequest> last;
  const bool failed = testing::eventually(
      [&] {
        last = request("profiled");
        return last && last->status.failure_time.has_value();
      },
      kWait);
  ASSERT_TRUE(failed) << (last ? api::encode(*last).value("status", json()).dump() : "none");
  const auto* ready = api::find_condition(last->status.conditions, api::kConditionReady);
  ASSERT_NE(ready, nullptr);
  EXPECT_EQ(ready->reason, "Failed");
  EXPECT_NE(ready->message.find("order is in \"errored\" state"), std::string::npos)
      << ready->message;

  const auto orders = items(orders_ref());
  ASSERT_EQ(orders.size(), 1U);
  auto order = api::decode_order(orders[0]);
  ASSERT_TRUE(order);
  EXPECT_EQ(order->spec.profile, "no-such-profile");
  EXPECT_EQ(order->status.state, "errored");
  EXPECT_FALSE(order->status.url.has_value());
  EXPECT_TRUE(order->status.failure_time.has_value());
  EXPECT_NE(order->status.reason.value_or("").find("Failed to create Order"), std::string::npos)
      << order->status.reason.value_or("");
  // Not retried: the CA was asked once, and is not asked again.
  EXPECT_EQ(new_orders(pebble()) - orders_before, 1U);
  std::this_thread::sleep_for(std::chrono::seconds(3));
  EXPECT_EQ(new_orders(pebble()) - orders_before, 1U);
}

TEST_F(AcmeOrdersTest, ARestartedControllerResumesTheSameOrder) {
  auto solver = solver::Http01Solver::start(
      {.address = "127.0.0.1",
       .port = static_cast<std::uint16_t>(std::stoi(pebble().env.at("CK_PEBBLE_HTTP01_PORT")))});
  ASSERT_TRUE(solver) << solver.error().to_string();
  const auto le = ready_issuer("le", acme_spec(pebble(), "le-account"));
  const std::size_t orders_before = new_orders(pebble());
  crypto::CsrSpec csr;
  csr.sans.ip_addresses = {"127.0.0.1"};
  create_request("resume", "le", csr);

  // Stop every controller once the order is at the CA and its Challenge exists, then start
  // them again with nothing in memory: the Order's status is all they have.
  ASSERT_TRUE(testing::eventually([&] { return items(challenges_ref()).size() == 1; }, kWait));
  stop_controllers();
  start_controllers();

  std::optional<api::CertificateRequest> done;
  const bool issued = testing::eventually(
      [&] {
        serve_challenges(**solver, le.metadata.uid);
        done = request("resume");
        return done && !done->status.certificate.empty();
      },
      std::chrono::seconds(90));
  ASSERT_TRUE(issued) << "never issued; CR status: "
                      << (done ? api::encode(*done).value("status", json()).dump() : "none");
  EXPECT_EQ(new_orders(pebble()) - orders_before, 1U);
  EXPECT_EQ(items(orders_ref()).size(), 1U);
  EXPECT_EQ(served_.size(), 1U);
}

TEST_F(AcmeOrdersTest, ARenewalOrderNamesTheCertificateItReplaces) {
  auto solver = solver::Http01Solver::start(
      {.address = "127.0.0.1",
       .port = static_cast<std::uint16_t>(std::stoi(pebble().env.at("CK_PEBBLE_HTTP01_PORT")))});
  ASSERT_TRUE(solver) << solver.error().to_string();
  const auto le = ready_issuer("le", acme_spec(pebble(), "le-account"));
  crypto::CsrSpec csr;
  csr.sans.ip_addresses = {"127.0.0.1"};
  create_request("first", "le", csr);
  const auto first = wait_issued("first", **solver, le.metadata.uid);
  ASSERT_TRUE(first);

  // The Certificate whose Secret holds that certificate, as the issuing controller leaves it.
  auto leaf = crypto::Certificate::from_pem(first->status.certificate);
  ASSERT_TRUE(leaf);
  auto cert_id = crypto::ari_cert_id(*leaf);
  ASSERT_TRUE(cert_id) << cert_id.error().to_string();
  create_secret("web-tls", {{"tls.crt", first->status.certificate}, {"tls.key", "unused"}});
  auto certificate =
      client_->create(kube::ResourceRef{"cert-manager.io", "v1", "certificates", ns_, "", ""},
                      {{"apiVersion", "cert-manager.io/v1"},
                       {"kind", "Certificate"},
                       {"metadata", {{"name", "web"}, {"namespace", ns_}}},
                       {"spec",
                        {{"secretName", "web-tls"},
                         {"ipAddresses", {"127.0.0.1"}},
                         {"issuerRef", {{"name", "le"}, {"kind", "Issuer"}}}}}});
  ASSERT_TRUE(certificate) << certificate.error().to_string();

  const std::size_t orders_before = new_orders(pebble());
  create_request("renewal", "le", csr, {{"cert-manager.io/certificate-name", "web"}});
  const auto renewal = wait_issued("renewal", **solver, le.metadata.uid);
  ASSERT_TRUE(renewal);
  std::optional<api::Order> order;
  for (const auto& item : items(orders_ref())) {
    auto decoded = api::decode_order(item);
    ASSERT_TRUE(decoded);
    if (decoded->metadata.owner_references.at(0).name == "renewal") {
      order = std::move(*decoded);
    }
  }
  ASSERT_TRUE(order);
  EXPECT_EQ(order->spec.replaces, *cert_id);
  EXPECT_EQ(order->metadata.annotations.at("cert-manager.io/certificate-name"), "web");
  // Pebble took `replaces` at once: one newOrder, not a refusal and a retry without it.
  EXPECT_EQ(new_orders(pebble()) - orders_before, 1U);
}

TEST_F(AcmeOrdersTest, NoMatchingSolverKeepsTheOrderPendingWithAReasonAndAnEvent) {
  auto spec = acme_spec(pebble(), "le-account");
  spec["solvers"] = json::array({{{"selector", {{"dnsNames", {"somewhere.else.test"}}}},
                                  {"http01", {{"ingress", json::object()}}}}});
  ready_issuer("picky", spec);
  const std::size_t orders_before = new_orders(pebble());
  crypto::CsrSpec csr;
  csr.sans.ip_addresses = {"127.0.0.1"};
  create_request("unsolvable", "picky", csr);

  std::optional<api::Order> order;
  const bool reported = testing::eventually(
      [&] {
        const auto orders = items(orders_ref());
        if (orders.size() != 1) {
          return false;
        }
        auto decoded = api::decode_order(orders[0]);
        order = decoded ? std::optional(std::move(*decoded)) : std::nullopt;
        return order && order->status.reason.has_value();
      },
      kWait);
  ASSERT_TRUE(reported) << (order ? api::encode(*order).value("status", json()).dump() : "none");
  EXPECT_EQ(order->status.state, "pending");
  EXPECT_TRUE(order->status.reason->starts_with(
      "Failed to determine a valid solver configuration for the set of domains on the Order"))
      << *order->status.reason;
  EXPECT_NE(order->status.reason->find("127.0.0.1"), std::string::npos);
  EXPECT_TRUE(items(challenges_ref()).empty());
  const kube::ResourceRef events{"", "v1", "events", "", "", ""};
  EXPECT_TRUE(testing::eventually(
      [&] {
        for (const auto& event : items(events)) {
          if (event.value("reason", "") == "Solver" && event.value("type", "") == "Warning") {
            return true;
          }
        }
        return false;
      },
      kWait));
  EXPECT_EQ(new_orders(pebble()) - orders_before, 1U);
  auto cr = request("unsolvable");
  ASSERT_TRUE(cr);
  const auto* ready = api::find_condition(cr->status.conditions, api::kConditionReady);
  ASSERT_NE(ready, nullptr);
  EXPECT_EQ(ready->reason, "Pending");
}

}  // namespace
}  // namespace certkeeper::acme_issuer_testing
