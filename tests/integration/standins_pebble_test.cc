// The stand-ins (tests/standins/README.md) do what they are for: Pebble validates an HTTP-01
// challenge through them. The test plays the challenges controller: it orders a certificate from
// a Pebble of its own that validates on port 80, points the name at the ingress router with an A
// record in BIND9, creates the solver Pod, Service and Ingress in the shapes of cert-manager's
// (reference §3.7) and accepts the challenge. Pebble resolves the name through BIND9, connects
// to the router on port 80, which routes by the Ingress to the Pod that ck-pod-runner runs in its
// own network namespace. Started through testing::Standins (tests/support/standins.h). Root only.
#include <unistd.h>

#include <filesystem>
#include <map>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "lib/acme/client.h"
#include "lib/common/clock.h"
#include "lib/common/subprocess.h"
#include "lib/crypto/keys.h"
#include "lib/http/curl_client.h"
#include "tests/support/eventually.h"
#include "tests/support/kubectl.h"
#include "tests/support/standins.h"
#include "tests/support/testenv.h"

namespace certkeeper::standins {
namespace {

using nlohmann::json;
using testing::TestEnv;

const std::string& env(const char* key) { return TestEnv::get().at(key); }

// A Pebble of this test's own that dials port 80 for HTTP-01 (the testenv's validates on
// pebble-challtestsrv's port); stopped on destruction.
class Port80Pebble {
 public:
  Port80Pebble() : name_(testing::unique_name("standins")) {
    auto result = run({"pebble", name_, "--http01-port", "80"});
    if (!result || !result->success()) {
      error_ = result ? result->stderr_data : result.error().to_string();
      return;
    }
    std::string env_file = result->stdout_data;
    env_file.erase(env_file.find_last_not_of('\n') + 1);
    auto values = testing::parse_env_file(testing::read_text_file(env_file));
    if (!values) {
      error_ = values.error().to_string();
      return;
    }
    values_ = std::move(*values);
  }
  ~Port80Pebble() { (void)run({"pebble-stop", name_}); }
  Port80Pebble(const Port80Pebble&) = delete;
  Port80Pebble& operator=(const Port80Pebble&) = delete;

  [[nodiscard]] const std::string& error() const { return error_; }
  [[nodiscard]] std::string at(const std::string& key) const {
    const auto it = values_.find(key);
    return it == values_.end() ? std::string() : it->second;
  }

 private:
  common::Result<common::ProcessResult> run(std::vector<std::string> args) const {
    // The testenv directory (its logs are DIR/logs), so that this Pebble is stopped with it.
    const auto dir = TestEnv::get().log_dir().parent_path();
    args.insert(args.begin(), std::string(CK_SOURCE_DIR) + "/tools/testenv");
    args.insert(args.end(), {"--dir", dir.string()});
    return common::run_process(args, {.timeout = std::chrono::seconds(120)});
  }

  std::string name_;
  std::string error_;
  std::map<std::string, std::string> values_;
};

// Adds (or deletes) an A record in the testenv's BIND9 zone with a TSIG-signed nsupdate.
common::Status nsupdate_a(const std::string& action, const std::string& name,
                          const std::string& address) {
  const std::string& server = env("CK_DNS_SERVER");
  const std::string script = "server " + server.substr(0, server.rfind(':')) + " " +
                             server.substr(server.rfind(':') + 1) + "\nzone " + env("CK_DNS_ZONE") +
                             "\nupdate " + action + " " + name + ". 60 A " + address + "\nsend\n";
  auto result = common::run_process({"nsupdate", "-k", env("CK_TSIG_KEY_FILE")},
                                    {.stdin_data = script, .timeout = std::chrono::seconds(20)});
  if (!result) {
    return common::make_error(result.error());
  }
  if (!result->success()) {
    return common::make_error(common::ErrorCode::kInternal, "nsupdate: " + result->stderr_data);
  }
  return common::ok();
}

json labels(const std::string& token) {
  return {{"acme.cert-manager.io/http01-solver", "true"},
          {"acme.cert-manager.io/http-token",
           std::to_string(std::hash<std::string>{}(token) % 1000000000)}};
}

// The solver objects in cert-manager's shapes (reference §3.7), built in code.
json solver_pod(const std::string& domain, const std::string& token, const std::string& key) {
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata", {{"generateName", "cm-acme-http-solver-"}, {"labels", labels(token)}}},
          {"spec",
           {{"restartPolicy", "OnFailure"},
            {"automountServiceAccountToken", false},
            {"enableServiceLinks", false},
            {"nodeSelector", {{"kubernetes.io/os", "linux"}}},
            {"containers",
             json::array({{{"name", "acmesolver"},
                           {"image", "certkeeper:dev"},
                           {"args",
                            {"acmesolver", "--listen-port=8089", "--domain=" + domain,
                             "--token=" + token, "--key=" + key}},
                           {"ports", json::array({{{"name", "http"}, {"containerPort", 8089}}})},
                           {"resources",
                            {{"requests", {{"cpu", "10m"}, {"memory", "64Mi"}}},
                             {"limits", {{"cpu", "100m"}, {"memory", "64Mi"}}}}}}})}}}};
}

json solver_service(const std::string& name, const std::string& token) {
  return {
      {"apiVersion", "v1"},
      {"kind", "Service"},
      {"metadata", {{"name", name}, {"labels", labels(token)}}},
      {"spec",
       {{"type", "NodePort"},
        {"selector", labels(token)},
        {"ports",
         json::array(
             {{{"name", "http"}, {"port", 8089}, {"targetPort", 8089}, {"protocol", "TCP"}}})}}}};
}

json solver_ingress(const std::string& service, const std::string& domain,
                    const std::string& token) {
  return {
      {"apiVersion", "networking.k8s.io/v1"},
      {"kind", "Ingress"},
      {"metadata",
       {{"generateName", "cm-acme-http-solver-"},
        {"labels", labels(token)},
        {"annotations",
         {{"nginx.ingress.kubernetes.io/whitelist-source-range", "0.0.0.0/0,::/0"}}}}},
      {"spec",
       {{"ingressClassName", "standin"},
        {"rules",
         json::array({{{"host", domain},
                       {"http",
                        {{"paths", json::array({{{"path", "/.well-known/acme-challenge/" + token},
                                                 {"pathType", "Exact"},
                                                 {"backend",
                                                  {{"service",
                                                    {{"name", service},
                                                     {"port", {{"number", 8089}}}}}}}}})}}}}})}}}};
}

common::Status create_object(const std::string& ns, const json& object) {
  auto result = testing::kubectl({"-n", ns, "create", "-f", "-"}, object.dump());
  if (!result) {
    return common::make_error(result.error());
  }
  if (!result->success()) {
    return common::make_error(common::ErrorCode::kInternal, result->stderr_data);
  }
  return common::ok();
}

bool solver_ready(const std::string& ns) {
  auto result =
      testing::kubectl({"-n", ns, "get", "pods", "-o",
                        R"(jsonpath={.items[0].status.conditions[?(@.type=="Ready")].status})"});
  return result && result->success() && result->stdout_data == "True";
}

TEST(StandinsWithPebble, Http01IsValidatedThroughTheRouterAndThePodRunner) {
  if (::geteuid() != 0) {
    GTEST_SKIP() << "network namespaces and port 80 need root";
  }
  Port80Pebble pebble;
  ASSERT_TRUE(pebble.error().empty()) << pebble.error();

  const std::string ns = testing::unique_name("standins-pebble");
  ASSERT_TRUE(testing::kubectl({"create", "namespace", ns}));
  const auto scratch = std::filesystem::temp_directory_path() / testing::unique_name("standins");
  const std::string router = "127.0.77." + std::to_string(10 + ::getpid() % 200);
  testing::Standins standins({.ns = ns,
                              .router_address = router,
                              .certkeeper = CK_CERTKEEPER_BIN,
                              .dir = scratch,
                              .kubeconfig = env("KUBECONFIG"),
                              .pod_runner = CK_POD_RUNNER,
                              .ingress_router = CK_INGRESS_ROUTER});
  ASSERT_TRUE(standins.ok()) << standins.error();

  const std::string domain = testing::unique_name("app") + "." + env("CK_DNS_ZONE");
  ASSERT_TRUE(nsupdate_a("add", domain, router));

  http::ClientOptions options;
  options.tls.ca_file = pebble.at("CK_ACME_SERVER_CA_FILE");
  http::CurlHttpClient http(options);
  acme::AcmeClient client(http, common::SystemClock::instance(),
                          *crypto::PrivateKey::generate(crypto::KeyAlgorithm::kEcdsa),
                          {.directory_url = pebble.at("CK_ACME_DIRECTORY")});
  auto account = client.register_account({.terms_of_service_agreed = true});
  ASSERT_TRUE(account) << account.error().to_string();
  auto order = client.new_order({.identifiers = {acme::Identifier::dns(domain)}});
  ASSERT_TRUE(order) << order.error().to_string();
  ASSERT_EQ(order->authorizations.size(), 1U);
  auto authz = client.get_authorization(order->authorizations[0]);
  ASSERT_TRUE(authz) << authz.error().to_string();
  const acme::Challenge* challenge = authz->find_challenge("http-01");
  ASSERT_NE(challenge, nullptr);
  auto key = client.key_authorization(challenge->token);
  ASSERT_TRUE(key);

  ASSERT_TRUE(create_object(ns, solver_pod(domain, challenge->token, *key)));
  ASSERT_TRUE(create_object(ns, solver_service("cm-acme-http-solver-svc", challenge->token)));
  ASSERT_TRUE(
      create_object(ns, solver_ingress("cm-acme-http-solver-svc", domain, challenge->token)));
  ASSERT_TRUE(testing::eventually([&] { return solver_ready(ns); }, std::chrono::seconds(30)))
      << "the solver Pod did not become Ready; see " << scratch / "pod-runner.log";

  ASSERT_TRUE(client.respond_challenge(challenge->url));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  auto final_authz = client.poll_authorization(authz->url, deadline);
  ASSERT_TRUE(final_authz) << final_authz.error().to_string();
  EXPECT_EQ(final_authz->status, "valid");

  // Pebble's request went through the router to the Pod: the router logged it with a 200.
  const std::string log = testing::read_text_file(scratch / "ingress-router.log");
  EXPECT_NE(log.find("GET /.well-known/acme-challenge/" + challenge->token + " host=" + domain),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("status=200"), std::string::npos) << log;

  (void)nsupdate_a("delete", domain, router);
  standins.stop();
  (void)testing::kubectl({"delete", "namespace", ns, "--wait=false"});
  std::error_code ec;
  std::filesystem::remove_all(scratch, ec);
}

}  // namespace
}  // namespace certkeeper::standins
