#pragma once

// The fixture of the ACME Issuer suites (acme_issuer_test.cc, namespaced, and
// acme_clusterissuer_test.cc, cluster-scoped and serial): the issuers controllers run in-process
// by a manager::Manager against the real apiserver (CRDs from crds/) and Pebbles of the suite's
// own (`tools/testenv pebble`, one plain and one requiring EAB), so that the requests counted in
// a Pebble's log are the suite's alone.
#include <poll.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <optional>
#include <stop_token>
#include <thread>

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "controller/issuers/acme_account.h"
#include "controller/manager/manager.h"
#include "controller/registry.h"
#include "lib/acme/client.h"
#include "lib/api/codec.h"
#include "lib/api/conditions.h"
#include "lib/common/clock.h"
#include "lib/common/encoding.h"
#include "lib/common/subprocess.h"
#include "lib/crypto/keys.h"
#include "lib/http/curl_client.h"
#include "tests/support/eventually.h"
#include "tests/support/informer_probe.h"
#include "tests/support/kubectl.h"
#include "tests/support/testenv.h"

namespace certkeeper::acme_issuer_testing {

using nlohmann::json;

inline constexpr auto kWait = std::chrono::seconds(45);

inline const kube::ResourceRef kIssuers{"cert-manager.io", "v1", "issuers", "", "", ""};
inline const kube::ResourceRef kClusterIssuers{
    "cert-manager.io", "v1", "clusterissuers", "", "", ""};
inline const kube::ResourceRef kSecrets{"", "v1", "secrets", "", "", ""};
inline const kube::ResourceRef kNamespaces{"", "v1", "namespaces", "", "", ""};

inline std::string testenv_tool() { return std::string(CK_SOURCE_DIR) + "/tools/testenv"; }

// Creates the Secret `ns`/`name` with `data` (plain values; base64-encoded here).
inline void create_test_secret(kube::Client& client, const std::string& ns, const std::string& name,
                               const std::map<std::string, std::string>& data) {
  json encoded = json::object();
  for (const auto& [key, value] : data) {
    encoded[key] = common::base64_encode(value);
  }
  auto created =
      client.create(kSecrets.with_namespace(ns), {{"apiVersion", "v1"},
                                                  {"kind", "Secret"},
                                                  {"metadata", {{"name", name}, {"namespace", ns}}},
                                                  {"data", encoded}});
  ASSERT_TRUE(created) << created.error().to_string();
}

// One more Pebble of the running environment (tools/testenv pebble NAME), stopped at the end.
struct ExtraPebble {
  std::string name;
  std::map<std::string, std::string> env;

  static std::optional<ExtraPebble> start(const std::string& name, bool eab_required) {
    const auto& te = testing::TestEnv::get();
    std::vector<std::string> argv = {testenv_tool(),          "pebble",         name, "--dir",
                                     te.at("CK_TESTENV_DIR"), "--nonce-reject", "0"};
    if (eab_required) {
      argv.emplace_back("--eab-required");
    }
    auto run = common::run_process(argv, {.timeout = std::chrono::seconds(120)});
    EXPECT_TRUE(run && run->exit_code == 0) << (run ? run->stderr_data : run.error().to_string());
    if (!run || run->exit_code != 0) {
      return std::nullopt;
    }
    std::string path = run->stdout_data;
    while (!path.empty() && (path.back() == '\n' || path.back() == ' ')) {
      path.pop_back();
    }
    path = path.substr(path.rfind('\n') == std::string::npos ? 0 : path.rfind('\n') + 1);
    auto env = testing::parse_env_file(testing::read_text_file(path));
    EXPECT_TRUE(env) << path;
    if (!env) {
      return std::nullopt;
    }
    return ExtraPebble{name, std::move(*env)};
  }

  void stop() const {
    const auto& te = testing::TestEnv::get();
    (void)common::run_process(
        {testenv_tool(), "pebble-stop", name, "--dir", te.at("CK_TESTENV_DIR")},
        {.timeout = std::chrono::seconds(60)});
  }

  // Requests Pebble's ACME server logged so far (one line per request it handled).
  [[nodiscard]] std::size_t requests() const {
    std::ifstream in(env.at("CK_PEBBLE_LOG_FILE"));
    std::size_t count = 0;
    for (std::string line; std::getline(in, line);) {
      if (line.find(" -> calling handler()") != std::string::npos) {
        ++count;
      }
    }
    return count;
  }
};

// A TCP listener that accepts and at once closes every connection: an ACME server that never
// answers. Counts the connections, i.e. the attempts.
class ClosingListener {
 public:
  ClosingListener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    EXPECT_EQ(::listen(fd_, 16), 0);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::jthread([this](const std::stop_token& stop) {
      while (!stop.stop_requested()) {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, 100) > 0) {
          const int c = ::accept(fd_, nullptr, nullptr);
          if (c >= 0) {
            ++accepted_;
            ::close(c);
          }
        }
      }
    });
  }
  ~ClosingListener() {
    thread_.request_stop();
    thread_.join();
    ::close(fd_);
  }
  ClosingListener(const ClosingListener&) = delete;
  ClosingListener& operator=(const ClosingListener&) = delete;

  [[nodiscard]] int port() const { return port_; }
  [[nodiscard]] int accepted() const { return accepted_.load(); }

 private:
  int fd_ = -1;
  int port_ = 0;
  std::atomic<int> accepted_{0};
  std::jthread thread_;
};

class AcmeIssuerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto crds = testing::apply_crds();
    ASSERT_TRUE(crds) << crds.error().to_string();
    const std::string suffix = std::to_string(::getpid());
    plain_ = new std::optional<ExtraPebble>(ExtraPebble::start("aciss-" + suffix, false));
    eab_ = new std::optional<ExtraPebble>(ExtraPebble::start("aciss-eab-" + suffix, true));
  }

  static void TearDownTestSuite() {
    for (auto* pebble : {plain_, eab_}) {
      if (pebble != nullptr && *pebble) {
        (*pebble)->stop();
      }
      delete pebble;
    }
    plain_ = eab_ = nullptr;
  }

  void SetUp() override {
    ASSERT_TRUE(*plain_ && *eab_) << "the extra Pebbles did not start";
    client_ = testing::admin_client();
    ASSERT_TRUE(client_);
    ns_ = testing::unique_name("aciss");
    ASSERT_TRUE(client_->create(
        kNamespaces, {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", ns_}}}}));
    start_manager();
  }

  void TearDown() override {
    if (thread_.joinable()) {
      thread_.request_stop();
      thread_.join();
    }
    manager_.reset();
    if (cluster_) {
      for (const auto& name : created_) {
        (void)client_->remove(ref(name));
      }
    }
    (void)client_->remove(kNamespaces.with_name(ns_));
  }

  // Namespaced (default): the issuers controller only, watching only this test's namespace.
  // Cluster: the clusterissuers controller, with this test's namespace as the cluster resource
  // namespace (it sees every ClusterIssuer: such suites run serially).
  void start_manager() {
    manager::ManagerOptions options;
    options.leader_elect = false;
    options.healthz_listen_address = "";
    options.namespace_ = cluster_ ? "" : ns_;
    options.cluster_resource_namespace = ns_;
    options.controllers = {cluster_ ? "clusterissuers" : "issuers"};
    manager_ = std::make_unique<manager::Manager>(*client_, common::SystemClock::instance(),
                                                  options, controller::registrations());
    thread_ = std::jthread([this](std::stop_token stop) {
      auto status = manager_->run(stop);
      EXPECT_TRUE(status) << status.error().to_string();
    });
  }

  static json acme_spec(const ExtraPebble& pebble, const std::string& key_secret) {
    return {{"server", pebble.env.at("CK_ACME_DIRECTORY")},
            {"email", "first@example.test"},
            {"caBundle", common::base64_encode(
                             testing::read_text_file(pebble.env.at("CK_ACME_SERVER_CA_FILE")))},
            {"privateKeySecretRef", {{"name", key_secret}}},
            {"solvers", json::array({{{"http01", {{"ingress", json::object()}}}}})}};
  }

  // The issuer `name` of this test: an Issuer in its namespace, or a ClusterIssuer named after
  // the namespace (unique) in cluster mode.
  kube::ResourceRef ref(const std::string& name) const {
    return cluster_ ? kClusterIssuers.with_name(ns_ + "-" + name)
                    : kIssuers.with_namespace(ns_).with_name(name);
  }

  void create_issuer(const std::string& name, const json& acme) {
    json metadata = {{"name", name}, {"namespace", ns_}};
    if (cluster_) {
      metadata = {{"name", ns_ + "-" + name}};
      created_.push_back(name);
    }
    auto created = client_->create(cluster_ ? kClusterIssuers : kIssuers.with_namespace(ns_),
                                   {{"apiVersion", "cert-manager.io/v1"},
                                    {"kind", cluster_ ? "ClusterIssuer" : "Issuer"},
                                    {"metadata", metadata},
                                    {"spec", {{"acme", acme}}}});
    ASSERT_TRUE(created) << created.error().to_string();
  }

  void patch_issuer(const std::string& name, const json& patch) {
    auto patched = client_->patch(ref(name), kube::PatchType::kMerge, patch);
    ASSERT_TRUE(patched) << patched.error().to_string();
  }

  void create_secret(const std::string& name, const std::map<std::string, std::string>& data) {
    create_test_secret(*client_, ns_, name, data);
  }

  std::optional<api::Issuer> issuer(const std::string& name) {
    auto object = client_->get(ref(name));
    if (!object) {
      return std::nullopt;
    }
    if (cluster_) {
      auto decoded = api::decode_cluster_issuer(*object);
      return decoded ? std::optional(api::Issuer{decoded->metadata, decoded->spec, decoded->status})
                     : std::nullopt;
    }
    auto decoded = api::decode_issuer(*object);
    return decoded ? std::optional(std::move(*decoded)) : std::nullopt;
  }

  // Waits until `pred` holds for the issuer and returns it as it was then.
  api::Issuer wait_issuer(const std::string& name,
                          const std::function<bool(const api::Issuer&)>& pred,
                          const std::string& what) {
    std::optional<api::Issuer> last;
    const bool reached = testing::eventually(
        [&] {
          last = issuer(name);
          return last && pred(*last);
        },
        kWait);
    EXPECT_TRUE(reached) << name << ": never " << what << "; status: "
                         << (last ? api::encode(*last).value("status", json()).dump() : "none");
    return last.value_or(api::Issuer{});
  }

  api::Condition wait_ready(const std::string& name, api::ConditionStatus status,
                            std::string_view reason) {
    const auto got = wait_issuer(
        name,
        [&](const api::Issuer& i) {
          return api::has_condition(i.status.conditions, api::kConditionReady, status) &&
                 api::find_condition(i.status.conditions, api::kConditionReady)->reason == reason;
        },
        "Ready=" + std::string(api::to_string(status)) + "/" + std::string(reason));
    const auto* c = api::find_condition(got.status.conditions, api::kConditionReady);
    return c != nullptr ? *c : api::Condition{};
  }

  // Bumps the issuer's generation with a change no registration depends on (one more solver)
  // and a label, and waits until Ready has observed it; returns the issuer then.
  api::Issuer touch(const std::string& name, json acme) {
    acme["solvers"].push_back(
        {{"dns01", {{"webhook", {{"groupName", "g"}, {"solverName", "s"}}}}}});
    patch_issuer(name,
                 {{"metadata", {{"labels", {{"touched", "yes"}}}}}, {"spec", {{"acme", acme}}}});
    return wait_issuer(
        name,
        [](const api::Issuer& i) {
          const auto* c = api::find_condition(i.status.conditions, api::kConditionReady);
          return c != nullptr && c->observed_generation == i.metadata.generation &&
                 i.metadata.generation > 1;
        },
        "Ready observed the new generation");
  }

  std::optional<std::map<std::string, std::string>> secret_data(const std::string& name) {
    auto object = client_->get(kSecrets.with_namespace(ns_).with_name(name));
    if (!object) {
      return std::nullopt;
    }
    std::map<std::string, std::string> out;
    const json data = object->value("data", json::object());
    for (const auto& [k, v] : data.items()) {
      out[k] = *common::base64_decode(v.get<std::string>());
    }
    return out;
  }

  bool cluster_ = false;  // set by a cluster-scoped suite's constructor
  std::vector<std::string> created_;
  static inline std::optional<ExtraPebble>* plain_ = nullptr;
  static inline std::optional<ExtraPebble>* eab_ = nullptr;
  std::unique_ptr<kube::Client> client_;
  std::string ns_;
  std::unique_ptr<manager::Manager> manager_;
  std::jthread thread_;
};

// The account's contact as the CA holds it, asked with the account key.
inline std::vector<std::string> contact_at_ca(const ExtraPebble& pebble,
                                              const crypto::PrivateKey& key) {
  http::CurlHttpClient http({.tls = {.ca_file = pebble.env.at("CK_ACME_SERVER_CA_FILE")}});
  acme::AcmeClient client(http, common::SystemClock::instance(), key,
                          {.directory_url = pebble.env.at("CK_ACME_DIRECTORY")});
  auto account = client.find_account();
  EXPECT_TRUE(account) << account.error().to_string();
  return account ? account->contact : std::vector<std::string>{};
}

}  // namespace certkeeper::acme_issuer_testing
