// ACME Issuer account setup (the `issuers` controller, ACME type) run in-process by a
// manager::Manager in single-namespace mode against the real apiserver (CRDs from crds/) and
// Pebbles of its own (`tools/testenv pebble`, one plain and one requiring EAB), so that the
// requests counted in a Pebble's log are this suite's alone. Assertions are on the objects the
// apiserver holds and on what Pebble saw.
#include <poll.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <optional>
#include <sstream>
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

namespace certkeeper {
namespace {

using nlohmann::json;

constexpr auto kWait = std::chrono::seconds(45);

const kube::ResourceRef kIssuers{"cert-manager.io", "v1", "issuers", "", "", ""};
const kube::ResourceRef kSecrets{"", "v1", "secrets", "", "", ""};
const kube::ResourceRef kNamespaces{"", "v1", "namespaces", "", "", ""};

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

// One more Pebble of the running environment (tools/testenv pebble NAME), stopped at the end.
struct ExtraPebble {
  std::string name;
  std::map<std::string, std::string> env;

  static std::optional<ExtraPebble> start(const std::string& name, bool eab_required) {
    const auto& te = testing::TestEnv::get();
    std::vector<std::string> argv = {
        CK_SOURCE_DIR "/tools/testenv", "pebble",         name, "--dir",
        te.at("CK_TESTENV_DIR"),        "--nonce-reject", "0"};
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
    auto env = testing::parse_env_file(read_text(path));
    EXPECT_TRUE(env) << path;
    if (!env) {
      return std::nullopt;
    }
    return ExtraPebble{name, std::move(*env)};
  }

  void stop() const {
    const auto& te = testing::TestEnv::get();
    (void)common::run_process(
        {CK_SOURCE_DIR "/tools/testenv", "pebble-stop", name, "--dir", te.at("CK_TESTENV_DIR")},
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
    thread_ = std::jthread([this](std::stop_token stop) {
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
    auto applied = testing::kubectl(
        {"apply", "--server-side", "--force-conflicts", "-f", CK_SOURCE_DIR "/crds/"});
    ASSERT_TRUE(applied && applied->exit_code == 0)
        << (applied ? applied->stderr_data : applied.error().to_string());
    auto established = testing::kubectl(
        {"wait", "--for=condition=Established", "--timeout=60s", "-f", CK_SOURCE_DIR "/crds/"});
    ASSERT_TRUE(established && established->exit_code == 0);
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
    (void)client_->remove(kNamespaces.with_name(ns_));
  }

  // The issuers controller only, watching only this test's namespace.
  void start_manager() {
    manager::ManagerOptions options;
    options.leader_elect = false;
    options.healthz_listen_address = "";
    options.namespace_ = ns_;
    options.cluster_resource_namespace = ns_;
    options.controllers = {"issuers"};
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
            {"caBundle", common::base64_encode(read_text(pebble.env.at("CK_ACME_SERVER_CA_FILE")))},
            {"privateKeySecretRef", {{"name", key_secret}}},
            {"solvers", json::array({{{"http01", {{"ingress", json::object()}}}}})}};
  }

  void create_issuer(const std::string& name, const json& acme) {
    auto created = client_->create(kIssuers.with_namespace(ns_),
                                   {{"apiVersion", "cert-manager.io/v1"},
                                    {"kind", "Issuer"},
                                    {"metadata", {{"name", name}, {"namespace", ns_}}},
                                    {"spec", {{"acme", acme}}}});
    ASSERT_TRUE(created) << created.error().to_string();
  }

  void patch_issuer(const std::string& name, const json& patch) {
    auto patched = client_->patch(kIssuers.with_namespace(ns_).with_name(name),
                                  kube::PatchType::kMerge, patch);
    ASSERT_TRUE(patched) << patched.error().to_string();
  }

  void create_secret(const std::string& name, const std::map<std::string, std::string>& data) {
    json encoded = json::object();
    for (const auto& [key, value] : data) {
      encoded[key] = common::base64_encode(value);
    }
    auto created = client_->create(kSecrets.with_namespace(ns_),
                                   {{"apiVersion", "v1"},
                                    {"kind", "Secret"},
                                    {"metadata", {{"name", name}, {"namespace", ns_}}},
                                    {"data", encoded}});
    ASSERT_TRUE(created) << created.error().to_string();
  }

  std::optional<api::Issuer> issuer(const std::string& name) {
    auto object = client_->get(kIssuers.with_namespace(ns_).with_name(name));
    if (!object) {
      return std::nullopt;
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

  static inline std::optional<ExtraPebble>* plain_ = nullptr;
  static inline std::optional<ExtraPebble>* eab_ = nullptr;
  std::unique_ptr<kube::Client> client_;
  std::string ns_;
  std::unique_ptr<manager::Manager> manager_;
  std::jthread thread_;
};

// The account's contact as the CA holds it, asked with the account key.
std::vector<std::string> contact_at_ca(const ExtraPebble& pebble, const crypto::PrivateKey& key) {
  http::CurlHttpClient http({.tls = {.ca_file = pebble.env.at("CK_ACME_SERVER_CA_FILE")}});
  acme::AcmeClient client(http, common::SystemClock::instance(), key,
                          {.directory_url = pebble.env.at("CK_ACME_DIRECTORY")});
  auto account = client.find_account();
  EXPECT_TRUE(account) << account.error().to_string();
  return account ? account->contact : std::vector<std::string>{};
}

TEST_F(AcmeIssuerTest, RegistersWithAGeneratedKeyThenAsksTheCaOnlyWhenSomethingChanged) {
  const auto& pebble = **plain_;
  create_issuer("le", acme_spec(pebble, "le-account"));
  const auto ready = wait_ready("le", api::ConditionStatus::kTrue, "ACMEAccountRegistered");
  EXPECT_EQ(ready.message, "The ACME account was registered with the ACME server");
  auto registered = *issuer("le");
  ASSERT_TRUE(registered.status.acme);
  const std::string uri = registered.status.acme->uri.value_or("");
  EXPECT_EQ(issuers::url_host(uri), issuers::url_host(pebble.env.at("CK_ACME_DIRECTORY")));
  EXPECT_EQ(registered.status.acme->last_registered_email, "first@example.test");

  // The generated key: RSA-2048 in tls.key, the one status.acme's hash names.
  auto data = secret_data("le-account");
  ASSERT_TRUE(data && data->contains("tls.key"));
  auto key = crypto::PrivateKey::from_pem(data->at("tls.key"));
  ASSERT_TRUE(key);
  EXPECT_EQ(key->algorithm(), crypto::KeyAlgorithm::kRsa);
  EXPECT_EQ(key->size(), 2048);
  EXPECT_EQ(registered.status.acme->last_private_key_hash, *issuers::account_key_hash(*key));
  EXPECT_EQ(contact_at_ca(pebble, *key), std::vector<std::string>{"mailto:first@example.test"});

  // A label and a new generation (another solver) are reconciled without a request to the CA.
  const auto before = pebble.requests();
  ASSERT_GT(before, 0U);
  auto spec = acme_spec(pebble, "le-account");
  const auto touched = touch("le", spec);
  EXPECT_EQ(touched.status.acme, registered.status.acme);
  EXPECT_EQ(pebble.requests(), before);

  // An email change updates the contact of the same account.
  spec["email"] = "second@example.test";
  patch_issuer("le", {{"spec", {{"acme", spec}}}});
  const auto updated = wait_issuer(
      "le",
      [](const api::Issuer& i) {
        return i.status.acme && i.status.acme->last_registered_email == "second@example.test";
      },
      "registered the new email");
  EXPECT_EQ(updated.status.acme->uri, uri);
  EXPECT_TRUE(api::has_condition(updated.status.conditions, api::kConditionReady,
                                 api::ConditionStatus::kTrue));
  EXPECT_EQ(contact_at_ca(pebble, *key), std::vector<std::string>{"mailto:second@example.test"});
  EXPECT_EQ(*secret_data("le-account"), *data);  // the key was not replaced
}

TEST_F(AcmeIssuerTest, EabRequiredServerRefusesWithoutBindingAndAcceptsWithIt) {
  const auto& pebble = **eab_;
  create_issuer("eab", acme_spec(pebble, "eab-account"));
  const auto refused = wait_ready("eab", api::ConditionStatus::kFalse, "ErrRegisterACMEAccount");
  EXPECT_TRUE(refused.message.starts_with("Failed to register ACME account: ")) << refused.message;
  EXPECT_NE(refused.message.find("external account binding"), std::string::npos) << refused.message;
  EXPECT_FALSE(issuer("eab")->status.acme.has_value());

  // The HMAC key in standard base64 with padding (Pebble hands it out as base64url).
  auto mac = common::base64url_decode(pebble.env.at("CK_PEBBLE_EAB_HMAC"));
  ASSERT_TRUE(mac);
  create_secret("eab-hmac", {{"secret", common::base64_encode(*mac) + "\n"}});
  auto spec = acme_spec(pebble, "eab-account");
  spec["externalAccountBinding"] = {{"keyID", pebble.env.at("CK_PEBBLE_EAB_KID")},
                                    {"keySecretRef", {{"name", "eab-hmac"}, {"key", "secret"}}}};
  patch_issuer("eab", {{"spec", {{"acme", spec}}}});
  wait_ready("eab", api::ConditionStatus::kTrue, "ACMEAccountRegistered");
  const auto done = *issuer("eab");
  ASSERT_TRUE(done.status.acme);
  EXPECT_EQ(issuers::url_host(done.status.acme->uri.value_or("")),
            issuers::url_host(pebble.env.at("CK_ACME_DIRECTORY")));
}

TEST_F(AcmeIssuerTest, ACaRefusalIsNotRetriedUntilTheInputsChange) {
  const auto& pebble = **plain_;
  auto spec = acme_spec(pebble, "bad-account");
  spec["email"] = "not-an-address";
  create_issuer("bad", spec);
  const auto refused = wait_ready("bad", api::ConditionStatus::kFalse, "ErrRegisterACMEAccount");
  EXPECT_TRUE(refused.message.starts_with("Failed to register ACME account: ")) << refused.message;
  EXPECT_NE(refused.message.find("contact"), std::string::npos) << refused.message;

  // Same inputs, new generation: no request to the CA, the condition stays.
  const auto before = pebble.requests();
  const auto observed = touch("bad", spec);
  const auto* still = api::find_condition(observed.status.conditions, api::kConditionReady);
  ASSERT_NE(still, nullptr);
  EXPECT_EQ(still->reason, "ErrRegisterACMEAccount");
  EXPECT_EQ(still->message, refused.message);
  EXPECT_EQ(pebble.requests(), before);

  // A corrected email is tried at once.
  spec["email"] = "fixed@example.test";
  patch_issuer("bad", {{"spec", {{"acme", spec}}}});
  wait_ready("bad", api::ConditionStatus::kTrue, "ACMEAccountRegistered");
}

TEST_F(AcmeIssuerTest, DisabledKeyGenerationWaitsForTheSecretAndAcceptsAnEcdsaKey) {
  const auto& pebble = **plain_;
  auto spec = acme_spec(pebble, "given-account");
  spec["disableAccountKeyGeneration"] = true;
  create_issuer("given", spec);
  const auto missing = wait_ready("given", api::ConditionStatus::kFalse, "ErrVerifyACMEAccount");
  EXPECT_EQ(missing.message, std::string(issuers::kMessageKeyGenerationDisabled) +
                                 "secret \"given-account\" not found");
  EXPECT_FALSE(secret_data("given-account").has_value());

  // The Secret appearing re-queues the issuer.
  auto key = crypto::PrivateKey::generate(crypto::KeyAlgorithm::kEcdsa);
  ASSERT_TRUE(key);
  create_secret("given-account", {{"tls.key", *key->to_pem(crypto::KeyEncoding::kPkcs1)}});
  wait_ready("given", api::ConditionStatus::kTrue, "ACMEAccountRegistered");
  EXPECT_EQ(issuer("given")->status.acme->last_private_key_hash, *issuers::account_key_hash(*key));
  EXPECT_EQ(contact_at_ca(pebble, *key), std::vector<std::string>{"mailto:first@example.test"});
}

TEST_F(AcmeIssuerTest, AnUnreachableServerIsNotReadyAndRetriedWithBackoff) {
  ClosingListener dead;
  auto spec = acme_spec(**plain_, "dead-account");
  spec["server"] = "https://127.0.0.1:" + std::to_string(dead.port()) + "/dir";
  create_issuer("dead", spec);
  const auto failed = wait_ready("dead", api::ConditionStatus::kFalse, "ErrRegisterACMEAccount");
  EXPECT_TRUE(failed.message.starts_with("Failed to register ACME account: ")) << failed.message;
  // Retried with backoff (1 s doubling), not abandoned as a user error and not a hot loop. The
  // creation, the generated key's Secret and the status write cause at most three attempts;
  // three more can only come from retries.
  const int after_failure = dead.accepted();
  EXPECT_GE(after_failure, 1);
  EXPECT_TRUE(testing::eventually([&] { return dead.accepted() >= after_failure + 3; }, 2 * kWait))
      << dead.accepted() << " attempts";
  EXPECT_LT(dead.accepted(), after_failure + 10);
}

}  // namespace
}  // namespace certkeeper
