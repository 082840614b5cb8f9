// The challenges controller (with the issuers controller) in an in-process Manager against the
// real apiserver, a Pebble of this suite's own and the testenv BIND9. The test plays the orders
// controller: it takes the issuer's ACME client from the shared AcmeAccounts, creates the ACME
// order itself and creates one Challenge per authorization, as the orders controller will.
#include <unistd.h>

#include <chrono>
#include <set>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "controller/challenges/challenges_controller.h"
#include "controller/issuers/acme_accounts.h"
#include "controller/solvers/http01.h"
#include "lib/common/subprocess.h"
#include "lib/dns/resolver.h"
#include "tests/integration/acme_issuer_fixture.h"

namespace certkeeper::acme_issuer_testing {
namespace {

const kube::ResourceRef kChallenges{"acme.cert-manager.io", "v1", "challenges", "", "", ""};
const kube::ResourceRef kServiceAccounts{"", "v1", "serviceaccounts", "", "", ""};
constexpr auto kSolveWait = std::chrono::seconds(150);

class AcmeChallengesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto crds = testing::apply_crds();
    ASSERT_TRUE(crds) << crds.error().to_string();
    pebble_ = new std::optional<ExtraPebble>(
        ExtraPebble::start("acchal-" + std::to_string(::getpid()), false));
  }

  static void TearDownTestSuite() {
    if (pebble_ != nullptr && *pebble_) {
      (*pebble_)->stop();
    }
    delete pebble_;
    pebble_ = nullptr;
  }

  void SetUp() override {
    ASSERT_TRUE(*pebble_) << "the extra Pebble did not start";
    const auto& te = testing::TestEnv::get();
    dns_server_ = te.at("CK_DNS_SERVER");
    zone_ = te.at("CK_DNS_ZONE");
    client_ = testing::admin_client();
    ASSERT_TRUE(client_);
    ns_ = testing::unique_name("acchal");
    ASSERT_TRUE(client_->create(
        kNamespaces, {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", ns_}}}}));
    // Pods need the namespace's default ServiceAccount to pass admission; without a
    // kube-controller-manager nobody else makes it.
    (void)client_->create(kServiceAccounts.with_namespace(ns_),
                          {{"apiVersion", "v1"},
                           {"kind", "ServiceAccount"},
                           {"metadata", {{"name", "default"}, {"namespace", ns_}}}});
    create_secret("tsig", {{"secret", te.at("CK_TSIG_SECRET")}});
    create_secret("tsig-wrong",
                  {{"secret", common::base64_encode("not the key at all, 32 bytes!!")}});
    accounts_ = std::make_shared<issuers::AcmeAccounts>();
    start_manager();
    create_issuer();
  }

  void TearDown() override {
    stop_manager();
    (void)client_->remove(kNamespaces.with_name(ns_));
  }

  void start_manager() {
    options_.leader_elect = false;
    options_.healthz_listen_address = "";
    options_.namespace_ = ns_;
    options_.cluster_resource_namespace = ns_;
    options_.controllers = {"issuers", "challenges"};
    options_.dns01_recursive_nameservers = {dns_server_};
    options_.dns01_recursive_nameservers_only = true;
    options_.dns01_check_retry_period = std::chrono::seconds(1);
    options_.acme_http01_solver_nameservers = {dns_server_};
    manager_ = std::make_unique<manager::Manager>(*client_, common::SystemClock::instance(),
                                                  options_, controller::registrations(accounts_));
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

  void create_secret(const std::string& name, const std::map<std::string, std::string>& data) {
    create_test_secret(*client_, ns_, name, data);
  }

  void create_issuer() {
    const auto& pebble = **pebble_;
    const json acme = {
        {"server", pebble.env.at("CK_ACME_DIRECTORY")},
        {"email", "challenges@example.test"},
        {"caBundle",
         common::base64_encode(testing::read_text_file(pebble.env.at("CK_ACME_SERVER_CA_FILE")))},
        {"privateKeySecretRef", {{"name", "account-key"}}},
        {"solvers", json::array({{{"http01", {{"ingress", json::object()}}}}})}};
    auto created = client_->create(kIssuers.with_namespace(ns_),
                                   {{"apiVersion", "cert-manager.io/v1"},
                                    {"kind", "Issuer"},
                                    {"metadata", {{"name", "acme"}, {"namespace", ns_}}},
                                    {"spec", {{"acme", acme}}}});
    ASSERT_TRUE(created) << created.error().to_string();
    const std::string uid = created->value("/metadata/uid"_json_pointer, std::string());
    ASSERT_TRUE(
        testing::eventually([&] { return (acme_ = accounts_->get(uid)) != nullptr; }, kWait))
        << "the issuer's ACME client never became ready";
  }

  json rfc2136_solver(const std::string& secret) const {
    const auto& te = testing::TestEnv::get();
    return {{"dns01",
             {{"rfc2136",
               {{"nameserver", dns_server_},
                {"tsigKeyName", te.at("CK_TSIG_KEY_NAME")},
                {"tsigAlgorithm", "HMACSHA256"},
                {"tsigSecretSecretRef", {{"name", secret}, {"key", "secret"}}}}}}}};
  }

  // Creates the Challenge for `type` ("dns-01"/"http-01") of one authorization, as the orders
  // controller does; returns its name.
  std::string create_challenge(const acme::Authorization& authz, const std::string& type,
                               json solver, const std::string& name) {
    const auto* offered = authz.find_challenge(type);
    EXPECT_NE(offered, nullptr) << type;
    if (offered == nullptr) {
      return "";
    }
    auto key = type == "dns-01" ? acme_->dns01_txt_value(offered->token)
                                : acme_->key_authorization(offered->token);
    EXPECT_TRUE(key);
    const json challenge = {
        {"apiVersion", "acme.cert-manager.io/v1"},
        {"kind", "Challenge"},
        {"metadata", {{"name", name}, {"namespace", ns_}}},
        {"spec",
         {{"url", offered->url},
          {"authorizationURL", authz.url},
          {"dnsName", authz.identifier.value},
          {"wildcard", authz.wildcard},
          {"type", type == "dns-01" ? "DNS-01" : "HTTP-01"},
          {"token", offered->token},
          {"key", *key},
          {"solver", std::move(solver)},
          {"issuerRef", {{"name", "acme"}, {"kind", "Issuer"}, {"group", "cert-manager.io"}}}}}};
    auto created = client_->create(kChallenges.with_namespace(ns_), challenge);
    EXPECT_TRUE(created) << created.error().to_string();
    return name;
  }

  // A new ACME order for one name and its authorization, as the orders controller makes them.
  std::optional<acme::Authorization> single_name_authorization(const std::string& domain) {
    auto order = acme_->new_order({.identifiers = {acme::Identifier::dns(domain)}});
    EXPECT_TRUE(order) << order.error().to_string();
    if (!order) {
      return std::nullopt;
    }
    auto authz = acme_->get_authorization(order->authorizations.at(0));
    EXPECT_TRUE(authz) << authz.error().to_string();
    return authz ? std::optional(std::move(*authz)) : std::nullopt;
  }

  std::optional<api::Challenge> challenge(const std::string& name) {
    auto object = client_->get(kChallenges.with_namespace(ns_).with_name(name));
    if (!object) {
      return std::nullopt;
    }
    auto decoded = api::decode_challenge(*object);
    return decoded ? std::optional(std::move(*decoded)) : std::nullopt;
  }

  api::Challenge wait_challenge(const std::string& name,
                                const std::function<bool(const api::Challenge&)>& pred,
                                const std::string& what,
                                std::chrono::milliseconds timeout = kSolveWait) {
    std::optional<api::Challenge> last;
    const bool reached = testing::eventually(
        [&] {
          last = challenge(name);
          return last && pred(*last);
        },
        timeout);
    EXPECT_TRUE(reached) << name << ": never " << what << "; status: "
                         << (last ? api::encode(*last).value("status", json()).dump() : "gone");
    return last.value_or(api::Challenge{});
  }

  void delete_challenge_and_wait_gone(const std::string& name) {
    ASSERT_TRUE(client_->remove(kChallenges.with_namespace(ns_).with_name(name)));
    EXPECT_TRUE(testing::eventually(
        [&] {
          auto got = client_->get(kChallenges.with_namespace(ns_).with_name(name));
          return !got && got.error().code() == common::ErrorCode::kNotFound;
        },
        kWait))
        << name << ": the finalizer was never released";
  }

  std::vector<std::string> txt(const std::string& fqdn) {
    auto values = dns::query_txt(dns_server_, fqdn, {.recursion_desired = false});
    return values ? *values : std::vector<std::string>{};
  }

  static bool contains(const std::vector<std::string>& list, const std::string& value) {
    return std::find(list.begin(), list.end(), value) != list.end();
  }

  static inline std::optional<ExtraPebble>* pebble_ = nullptr;
  std::string dns_server_;
  std::string zone_;
  std::unique_ptr<kube::Client> client_;
  std::string ns_;
  manager::ManagerOptions options_;
  std::shared_ptr<issuers::AcmeAccounts> accounts_;
  std::shared_ptr<acme::AcmeClient> acme_;
  std::unique_ptr<manager::Manager> manager_;
  std::jthread thread_;
};

TEST_F(AcmeChallengesTest, Dns01WildcardAndApexBecomeValidAndLeaveNoRecord) {
  const std::string domain = ns_ + "." + zone_;
  auto order = acme_->new_order(
      {.identifiers = {acme::Identifier::dns(domain), acme::Identifier::dns("*." + domain)}});
  ASSERT_TRUE(order) << order.error().to_string();
  ASSERT_EQ(order->authorizations.size(), 2U);
  std::vector<std::string> names;
  std::vector<std::string> keys;
  for (std::size_t i = 0; i < order->authorizations.size(); ++i) {
    auto authz = acme_->get_authorization(order->authorizations[i]);
    ASSERT_TRUE(authz) << authz.error().to_string();
    names.push_back(
        create_challenge(*authz, "dns-01", rfc2136_solver("tsig"), "dns-" + std::to_string(i)));
    keys.push_back(*acme_->dns01_txt_value(authz->find_challenge("dns-01")->token));
  }
  // Both share dnsName: the scheduler runs them one after the other, never both at once.
  bool both_processing = false;
  for (const auto& name : names) {
    wait_challenge(
        name,
        [&](const api::Challenge& c) {
          auto a = challenge(names[0]);
          auto b = challenge(names[1]);
          if (a && b && a->status.processing.value_or(false) &&
              b->status.processing.value_or(false)) {
            both_processing = true;
          }
          return c.status.state == "valid" && !c.status.processing.value_or(true) &&
                 !c.status.presented.value_or(true);
        },
        "valid and cleaned up");
  }
  EXPECT_FALSE(both_processing);
  const auto first = challenge(names[0]);
  ASSERT_TRUE(first);
  EXPECT_TRUE(contains(first->metadata.finalizers, "acme.cert-manager.io/finalizer"));
  EXPECT_TRUE(first->status.presented_at.has_value());

  auto ready =
      acme_->poll_order(order->url, std::chrono::steady_clock::now() + std::chrono::seconds(30));
  ASSERT_TRUE(ready) << ready.error().to_string();
  EXPECT_EQ(ready->status, "ready");
  const auto values = txt("_acme-challenge." + domain);
  for (const auto& key : keys) {
    EXPECT_FALSE(contains(values, key)) << "TXT value left behind";
  }
  for (const auto& name : names) {
    delete_challenge_and_wait_gone(name);
  }
}

TEST_F(AcmeChallengesTest, DeletingAPendingDns01ChallengeRemovesItsRecordAndReleases) {
  const std::string domain = ns_ + "-pending." + zone_;
  auto order = acme_->new_order(
      {.identifiers = {acme::Identifier::dns(domain), acme::Identifier::dns("bad-" + domain)}});
  ASSERT_TRUE(order) << order.error().to_string();
  ASSERT_EQ(order->authorizations.size(), 2U);
  auto a = acme_->get_authorization(order->authorizations[0]);
  auto b = acme_->get_authorization(order->authorizations[1]);
  ASSERT_TRUE(a && b);
  if (a->identifier.value != domain) {
    std::swap(a, b);
  }
  // Presented, then waits an hour instead of a self-check: it stays pending with its record.
  json waiting = rfc2136_solver("tsig");
  waiting["waitInsteadOfSelfCheck"] = "1h";
  const auto pending = create_challenge(*a, "dns-01", waiting, "pending");
  // A wrong TSIG secret: present fails with a clear reason and nothing is published.
  const auto refused = create_challenge(*b, "dns-01", rfc2136_solver("tsig-wrong"), "refused");

  const auto presented = wait_challenge(
      pending, [](const api::Challenge& c) { return c.status.presented.value_or(false); },
      "presented");
  const std::string fqdn = "_acme-challenge." + domain;
  EXPECT_TRUE(testing::eventually([&] { return contains(txt(fqdn), presented.spec.key); }, kWait));
  EXPECT_EQ(presented.status.state, "pending");

  const auto failing = wait_challenge(
      refused,
      [](const api::Challenge& c) {
        return c.status.reason.value_or("").starts_with("Error presenting challenge:");
      },
      "reported its present error");
  EXPECT_FALSE(failing.status.presented.value_or(false));

  delete_challenge_and_wait_gone(pending);
  EXPECT_FALSE(contains(txt(fqdn), presented.spec.key)) << "TXT value left behind";
  delete_challenge_and_wait_gone(refused);
}

TEST_F(AcmeChallengesTest, ARestartedControllerResumesTheSameChallenge) {
  const std::string domain = ns_ + "-restart." + zone_;
  const auto authz = single_name_authorization(domain);
  ASSERT_TRUE(authz);
  json solver = rfc2136_solver("tsig");
  solver["waitInsteadOfSelfCheck"] = "4s";
  const auto name = create_challenge(*authz, "dns-01", solver, "restart");
  const auto presented = wait_challenge(
      name, [](const api::Challenge& c) { return c.status.presented.value_or(false); },
      "presented");

  // A new process: its own registry of ACME clients and caches; nothing is carried over but the
  // objects in the apiserver.
  stop_manager();
  accounts_ = std::make_shared<issuers::AcmeAccounts>();
  start_manager();

  const auto done = wait_challenge(
      name,
      [](const api::Challenge& c) {
        return c.status.state == "valid" && !c.status.processing.value_or(true);
      },
      "valid after the restart");
  // Resumed, not started over: presented once, at the same time.
  EXPECT_EQ(done.status.presented_at, presented.status.presented_at);
  EXPECT_FALSE(contains(txt("_acme-challenge." + domain), presented.spec.key));
  delete_challenge_and_wait_gone(name);
}

TEST_F(AcmeChallengesTest, CnameFollowPublishesAtTheTargetAndRemovesIt) {
  const std::string domain = ns_ + "-cname." + zone_;
  const std::string target = "_delegated-" + ns_ + "." + zone_;
  // _acme-challenge.<domain> CNAME <target>, added with nsupdate (an independent client).
  const auto& te = testing::TestEnv::get();
  const std::string script =
      fmt::format("server {} {}\nupdate add _acme-challenge.{}. 60 IN CNAME {}.\nsend\n",
                  dns_server_.substr(0, dns_server_.find(':')),
                  dns_server_.substr(dns_server_.find(':') + 1), domain, target);
  auto updated =
      common::run_process({"nsupdate", "-y",
                           fmt::format("{}:{}:{}", te.at("CK_TSIG_ALGORITHM"),
                                       te.at("CK_TSIG_KEY_NAME"), te.at("CK_TSIG_SECRET"))},
                          {.stdin_data = script});
  ASSERT_TRUE(updated && updated->success()) << (updated ? updated->stderr_data : "");

  const auto authz = single_name_authorization(domain);
  ASSERT_TRUE(authz);
  json solver = rfc2136_solver("tsig");
  solver["dns01"]["cnameStrategy"] = "Follow";
  solver["waitInsteadOfSelfCheck"] = "1h";
  const auto name = create_challenge(*authz, "dns-01", solver, "cname");
  const auto presented = wait_challenge(
      name, [](const api::Challenge& c) { return c.status.presented.value_or(false); },
      "presented");
  EXPECT_TRUE(contains(txt(target), presented.spec.key)) << "not published at the CNAME target";
  delete_challenge_and_wait_gone(name);
  EXPECT_FALSE(contains(txt(target), presented.spec.key)) << "TXT value left behind";
}

TEST_F(AcmeChallengesTest, NamedIngressIsEditedInPlaceAndRestored) {
  const std::string domain = ns_ + "-named." + zone_;
  const json original = {
      {"apiVersion", "networking.k8s.io/v1"},
      {"kind", "Ingress"},
      {"metadata", {{"name", "site"}, {"namespace", ns_}}},
      {"spec",
       {{"rules",
         json::array({{{"host", domain},
                       {"http",
                        {{"paths", json::array({{{"path", "/"},
                                                 {"pathType", "Prefix"},
                                                 {"backend",
                                                  {{"service",
                                                    {{"name", "site"},
                                                     {"port", {{"number", 80}}}}}}}}})}}}}})}}}};
  const auto site = solvers::ingresses_resource().with_namespace(ns_).with_name("site");
  ASSERT_TRUE(client_->create(solvers::ingresses_resource().with_namespace(ns_), original));
  const auto authz = single_name_authorization(domain);
  ASSERT_TRUE(authz);
  const auto name =
      create_challenge(*authz, "http-01", {{"http01", {{"ingress", {{"name", "site"}}}}}}, "named");
  const auto presented = wait_challenge(
      name, [](const api::Challenge& c) { return c.status.presented.value_or(false); },
      "presented");
  auto edited = client_->get(site);
  ASSERT_TRUE(edited);
  const json paths = (*edited)["spec"]["rules"][0]["http"]["paths"];
  ASSERT_EQ(paths.size(), 2U);
  EXPECT_EQ(paths[1]["path"], "/.well-known/acme-challenge/" + presented.spec.token);
  EXPECT_EQ(paths[1]["pathType"], "Exact");
  // No Ingress of our own in this mode.
  auto own = client_->list(solvers::ingresses_resource().with_namespace(ns_),
                           {.label_selector = solvers::solver_label_selector(presented)});
  ASSERT_TRUE(own);
  EXPECT_TRUE(own->value("items", json::array()).empty());

  delete_challenge_and_wait_gone(name);
  auto restored = client_->get(site);
  ASSERT_TRUE(restored);
  EXPECT_EQ((*restored)["spec"]["rules"], original["spec"]["rules"]);
}

TEST_F(AcmeChallengesTest, UnsupportedDns01ProviderIsAClearPresentError) {
  const std::string domain = ns_ + "-cf." + zone_;
  const auto authz = single_name_authorization(domain);
  ASSERT_TRUE(authz);
  const auto name = create_challenge(
      *authz, "dns-01",
      {{"dns01", {{"cloudflare", {{"apiTokenSecretRef", {{"name", "cf"}, {"key", "t"}}}}}}}},
      "cloudflare");
  const auto got = wait_challenge(
      name,
      [](const api::Challenge& c) {
        return c.status.reason.value_or("").find("\"cloudflare\" is not supported") !=
               std::string::npos;
      },
      "named the unsupported provider", kWait);
  EXPECT_FALSE(got.status.presented.value_or(false));
  delete_challenge_and_wait_gone(name);
}

TEST_F(AcmeChallengesTest, Http01SolverResourcesHaveTheReferenceShapesAndAreRemoved) {
  const std::string domain = ns_ + "-web." + zone_;
  const auto authz = single_name_authorization(domain);
  ASSERT_TRUE(authz);
  const json solver = {{"http01",
                        {{"ingress",
                          {{"ingressClassName", "certkeeper-test"},
                           {"podTemplate", {{"metadata", {{"labels", {{"team", "web"}}}}}}}}}}}};
  const auto name = create_challenge(*authz, "http-01", solver, "web");
  const auto presented = wait_challenge(
      name, [](const api::Challenge& c) { return c.status.presented.value_or(false); },
      "presented");
  const std::string selector = solvers::solver_label_selector(presented);
  const auto list = [&](const kube::ResourceRef& resource) {
    auto listed = client_->list(resource.with_namespace(ns_), {.label_selector = selector});
    return listed ? listed->value("items", json::array()) : json::array();
  };
  const json pods = list(solvers::pods_resource());
  const json services = list(solvers::services_resource());
  const json ingresses = list(solvers::ingresses_resource());
  ASSERT_EQ(pods.size(), 1U);
  ASSERT_EQ(services.size(), 1U);
  ASSERT_EQ(ingresses.size(), 1U);

  // The objects as the apiserver stored them are what build_*() make (after defaulting).
  const json& pod = pods[0];
  EXPECT_TRUE(pod["metadata"]["name"].get<std::string>().starts_with("cm-acme-http-solver-"));
  EXPECT_EQ(pod["metadata"]["labels"]["team"], "web");
  EXPECT_EQ(pod["metadata"]["ownerReferences"][0]["uid"], presented.metadata.uid);
  EXPECT_EQ(pod["metadata"]["annotations"]["sidecar.istio.io/inject"], "false");
  EXPECT_EQ(pod["spec"]["restartPolicy"], "OnFailure");
  EXPECT_EQ(pod["spec"]["automountServiceAccountToken"], false);
  EXPECT_EQ(pod["spec"]["enableServiceLinks"], false);
  EXPECT_EQ(pod["spec"]["nodeSelector"]["kubernetes.io/os"], "linux");
  EXPECT_EQ(pod["spec"]["securityContext"]["runAsNonRoot"], true);
  const json& container = pod["spec"]["containers"][0];
  EXPECT_FALSE(container.contains("command"));
  EXPECT_EQ(container["args"],
            (json{"acmesolver", "--listen-port=8089", "--domain=" + domain,
                  "--token=" + presented.spec.token, "--key=" + presented.spec.key}));
  EXPECT_EQ(container["resources"]["requests"]["cpu"], "10m");
  EXPECT_EQ(container["securityContext"]["capabilities"]["drop"], json{"ALL"});

  const json& svc = services[0];
  EXPECT_EQ(svc["spec"]["type"], "NodePort");
  EXPECT_EQ(svc["spec"]["ports"][0]["port"], 8089);
  EXPECT_EQ(svc["spec"]["selector"], json(solvers::solver_labels(presented)));
  EXPECT_EQ(svc["metadata"]["annotations"]["auth.istio.io/8089"], "NONE");

  const json& ing = ingresses[0];
  EXPECT_EQ(ing["spec"]["ingressClassName"], "certkeeper-test");
  const json& rule = ing["spec"]["rules"][0];
  EXPECT_EQ(rule["host"], domain);
  EXPECT_EQ(rule["http"]["paths"][0]["path"],
            "/.well-known/acme-challenge/" + presented.spec.token);
  EXPECT_EQ(rule["http"]["paths"][0]["pathType"], "Exact");
  EXPECT_EQ(rule["http"]["paths"][0]["backend"]["service"]["name"], svc["metadata"]["name"]);

  // Nothing serves the Pod here: the self-check keeps failing with a stable reason.
  wait_challenge(
      name,
      [](const api::Challenge& c) {
        return c.status.reason.value_or("").starts_with(
            "Waiting for HTTP-01 challenge propagation: ");
      },
      "reported the failing self-check", kWait);
  const auto rv1 = challenge(name)->metadata.resource_version;
  std::this_thread::sleep_for(std::chrono::seconds(3));  // three more failing self-checks
  EXPECT_EQ(challenge(name)->metadata.resource_version, rv1) << "status rewritten per retry";

  delete_challenge_and_wait_gone(name);
  EXPECT_TRUE(list(solvers::pods_resource()).empty());
  EXPECT_TRUE(list(solvers::services_resource()).empty());
  EXPECT_TRUE(list(solvers::ingresses_resource()).empty());
}

}  // namespace
}  // namespace certkeeper::acme_issuer_testing
