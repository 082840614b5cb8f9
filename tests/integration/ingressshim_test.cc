// ingress-shim against the real apiserver: a Manager runs only the ingress-shim controller
// in-process (single-namespace mode, one namespace per test); the test writes Ingresses and
// Certificates as a user would and asserts on the Certificates and Events that result. The
// testenv's kube-controller-manager runs the garbage collector, so deleting an Ingress is seen
// to remove its Certificates.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "controller/ingressshim/ingressshim_controller.h"
#include "controller/manager/manager.h"
#include "lib/api/codec.h"
#include "lib/common/clock.h"
#include "tests/support/eventually.h"
#include "tests/support/informer_probe.h"
#include "tests/support/kubectl.h"
#include "tests/support/testenv.h"

namespace certkeeper {
namespace {

using nlohmann::json;

constexpr auto kWait = std::chrono::milliseconds(30'000);

class IngressShimTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto crds = testing::apply_crds();
    ASSERT_TRUE(crds) << crds.error().to_string();
  }

  void SetUp() override {
    client_ = testing::admin_client();
    ASSERT_NE(client_, nullptr);
    ns_ = testing::unique_name("shim");
    auto created = client_->create(
        {"", "v1", "namespaces", "", "", ""},
        {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", ns_}}}});
    ASSERT_TRUE(created) << created.error().to_string();

    manager::ManagerOptions options;
    options.leader_elect = false;
    options.healthz_listen_address = "";
    options.namespace_ = ns_;
    options.concurrent_workers = 2;
    // Only Ingresses with the auto annotation use these.
    options.default_issuer_name = "default-ca";
    options.default_issuer_kind = "ClusterIssuer";
    options.default_issuer_group = "cert-manager.io";
    options.extra_certificate_annotations = {"example.com/team"};
    std::vector<manager::ControllerRegistration> registrations = {
        {{std::string(ingressshim::kControllerName)}, ingressshim::make_ingressshim_controller}};
    manager_ = std::make_unique<manager::Manager>(*client_, common::SystemClock::instance(),
                                                  options, std::move(registrations));
    manager_thread_ = std::jthread([this](std::stop_token stop) {
      auto status = manager_->run(stop);
      EXPECT_TRUE(status) << status.error().to_string();
    });
  }

  void TearDown() override {
    manager_thread_ = {};
    manager_.reset();
    (void)testing::kubectl({"delete", "namespace", ns_, "--wait=false"});
  }

  [[nodiscard]] kube::ResourceRef ingresses() const {
    return {"networking.k8s.io", "v1", "ingresses", ns_, "", ""};
  }
  [[nodiscard]] kube::ResourceRef certificates() const {
    return {"cert-manager.io", "v1", "certificates", ns_, "", ""};
  }

  // An Ingress with a default backend, `annotations` and one TLS entry per (secretName, hosts).
  json make_ingress(const std::string& name, const json& annotations,
                    const std::vector<std::pair<std::string, std::vector<std::string>>>& tls) {
    json object = {
        {"apiVersion", "networking.k8s.io/v1"},
        {"kind", "Ingress"},
        {"metadata",
         {{"name", name},
          {"namespace", ns_},
          {"annotations", annotations},
          {"labels", {{"app", name}, {"applyset.kubernetes.io/part-of", "set-1"}}}}},
        {"spec",
         {{"defaultBackend", {{"service", {{"name", "web"}, {"port", {{"number", 80}}}}}}},
          {"tls", json::array()}}}};
    for (const auto& [secret, hosts] : tls) {
      object["spec"]["tls"].push_back({{"secretName", secret}, {"hosts", hosts}});
    }
    return object;
  }

  json create_ingress(const json& object) {
    auto created = client_->create(ingresses(), object);
    EXPECT_TRUE(created) << created.error().to_string();
    return created ? *created : json();
  }

  // Applies `edit` to the current Ingress and writes it back (retrying conflicts).
  void edit_ingress(const std::string& name, const std::function<void(json&)>& edit) {
    ASSERT_TRUE(testing::eventually(
        [&] {
          auto current = client_->get(ingresses().with_name(name));
          if (!current) {
            return false;
          }
          edit(*current);
          return client_->update(ingresses().with_name(name), *current).has_value();
        },
        kWait));
  }

  std::optional<json> certificate(const std::string& name) {
    auto got = client_->get(certificates().with_name(name));
    return got ? std::optional(*got) : std::nullopt;
  }

  // The Certificate once `ready` says it is as expected.
  std::optional<api::Certificate> wait_certificate(
      const std::string& name, const std::function<bool(const api::Certificate&)>& ready) {
    std::optional<api::Certificate> out;
    testing::eventually(
        [&] {
          auto object = certificate(name);
          if (!object) {
            return false;
          }
          auto decoded = api::decode_certificate(*object);
          if (decoded && ready(*decoded)) {
            out = std::move(*decoded);
            return true;
          }
          return false;
        },
        kWait);
    return out;
  }

  // Events about the Ingress `name` with `reason`.
  std::vector<json> events(const std::string& name, const std::string& reason) {
    kube::ListOptions options;
    options.field_selector = "involvedObject.kind=Ingress,involvedObject.name=" + name;
    auto list = client_->list({"", "v1", "events", ns_, "", ""}, options);
    std::vector<json> out;
    if (list) {
      for (const auto& event : (*list)["items"]) {
        if (event.value("reason", "") == reason) {
          out.push_back(event);
        }
      }
    }
    return out;
  }

  bool wait_event(const std::string& name, const std::string& reason, const std::string& type) {
    return testing::eventually(
        [&] {
          for (const auto& e : events(name, reason)) {
            if (e.value("type", "") == type) {
              return true;
            }
          }
          return false;
        },
        kWait);
  }

  std::unique_ptr<kube::Client> client_;
  std::string ns_;
  std::unique_ptr<manager::Manager> manager_;
  std::jthread manager_thread_;
};

TEST_F(IngressShimTest, AnnotatedIngressGetsACertificatePerTlsEntry) {
  const json ingress = create_ingress(make_ingress(
      "web", {{"cert-manager.io/issuer", "ca"}, {"example.com/team", "blue"}},
      {{"web-tls", {"www.example.com", "10.0.0.7"}}, {"api-tls", {"api.example.com"}}}));
  const std::string uid = ingress["metadata"].value("uid", "");
  ASSERT_FALSE(uid.empty());

  auto web = wait_certificate("web-tls", [](const auto&) { return true; });
  ASSERT_TRUE(web);
  EXPECT_EQ(web->spec.secret_name, "web-tls");
  EXPECT_EQ(web->spec.dns_names, std::vector<std::string>{"www.example.com"});
  EXPECT_EQ(web->spec.ip_addresses, std::vector<std::string>{"10.0.0.7"});
  EXPECT_EQ(web->spec.issuer_ref.name, "ca");
  EXPECT_EQ(web->spec.issuer_ref.kind, "Issuer");
  EXPECT_EQ(web->spec.issuer_ref.group, "cert-manager.io");
  EXPECT_EQ(web->spec.usages, (std::vector<std::string>{"digital signature", "key encipherment"}));
  ASSERT_EQ(web->metadata.owner_references.size(), 1U);
  const auto& owner = web->metadata.owner_references[0];
  EXPECT_EQ(owner.kind, "Ingress");
  EXPECT_EQ(owner.name, "web");
  EXPECT_EQ(owner.uid, uid);
  EXPECT_EQ(owner.controller, true);
  EXPECT_EQ(web->metadata.labels, (std::map<std::string, std::string>{{"app", "web"}}));
  EXPECT_EQ(web->metadata.annotations.at("example.com/team"), "blue");

  auto api_cert = wait_certificate("api-tls", [](const auto&) { return true; });
  ASSERT_TRUE(api_cert);
  EXPECT_EQ(api_cert->spec.dns_names, std::vector<std::string>{"api.example.com"});
  EXPECT_TRUE(wait_event("web", "CreateCertificate", "Normal"));
  // What the apiserver stored compares equal to what the Ingress asks for: no update follows
  // the create (an update loop would bump the generation).
  std::this_thread::sleep_for(std::chrono::seconds(2));
  auto settled = certificate("web-tls");
  ASSERT_TRUE(settled);
  EXPECT_EQ((*settled)["metadata"].value("generation", 0), 1);
  EXPECT_TRUE(events("web", "UpdateCertificate").empty());
}

TEST_F(IngressShimTest, AnnotationChangeUpdatesTheCertificate) {
  create_ingress(
      make_ingress("web", {{"cert-manager.io/issuer", "ca"}}, {{"web-tls", {"www.example.com"}}}));
  ASSERT_TRUE(wait_certificate("web-tls", [](const auto&) { return true; }));

  edit_ingress("web", [](json& ingress) {
    ingress["metadata"]["annotations"]["cert-manager.io/duration"] = "240h";
    ingress["metadata"]["annotations"]["cert-manager.io/private-key-algorithm"] = "ECDSA";
  });
  auto updated = wait_certificate("web-tls", [](const api::Certificate& c) {
    return c.spec.duration.has_value() && c.spec.private_key.has_value();
  });
  ASSERT_TRUE(updated);
  EXPECT_EQ(updated->spec.duration->value, std::chrono::hours(240));
  EXPECT_EQ(updated->spec.private_key->algorithm, "ECDSA");
  EXPECT_TRUE(wait_event("web", "UpdateCertificate", "Normal"));
}

TEST_F(IngressShimTest, EditedOwnedCertificateIsPutBack) {
  create_ingress(
      make_ingress("web", {{"cert-manager.io/issuer", "ca"}}, {{"web-tls", {"www.example.com"}}}));
  ASSERT_TRUE(wait_certificate("web-tls", [](const auto&) { return true; }));
  ASSERT_TRUE(testing::eventually(
      [&] {
        auto current = certificate("web-tls");
        if (!current) {
          return false;
        }
        (*current)["spec"]["dnsNames"] = {"hijacked.example.com"};
        return client_->update(certificates().with_name("web-tls"), *current).has_value();
      },
      kWait));
  EXPECT_TRUE(wait_certificate("web-tls", [](const api::Certificate& c) {
    return c.spec.dns_names == std::vector<std::string>{"www.example.com"};
  }));
}

TEST_F(IngressShimTest, RemovedTlsEntryDeletesItsCertificate) {
  create_ingress(make_ingress("web", {{"cert-manager.io/issuer", "ca"}},
                              {{"a-tls", {"a.example.com"}}, {"b-tls", {"b.example.com"}}}));
  ASSERT_TRUE(wait_certificate("a-tls", [](const auto&) { return true; }));
  ASSERT_TRUE(wait_certificate("b-tls", [](const auto&) { return true; }));

  edit_ingress("web", [](json& ingress) { ingress["spec"]["tls"].erase(1); });
  EXPECT_TRUE(testing::eventually([&] { return !certificate("b-tls"); }, kWait));
  EXPECT_TRUE(certificate("a-tls").has_value());
  EXPECT_TRUE(wait_event("web", "DeleteCertificate", "Normal"));
}

TEST_F(IngressShimTest, EntryWithHostsEmptiedKeepsItsCertificate) {
  create_ingress(make_ingress("web", {{"cert-manager.io/issuer", "ca"}},
                              {{"a-tls", {"a.example.com"}}, {"b-tls", {"b.example.com"}}}));
  ASSERT_TRUE(wait_certificate("b-tls", [](const auto&) { return true; }));
  const auto before = certificate("b-tls");
  ASSERT_TRUE(before.has_value());

  // The entry still names b-tls but has no hosts: skipped with a warning, its Certificate kept.
  edit_ingress("web", [](json& ingress) { ingress["spec"]["tls"][1]["hosts"] = json::array(); });
  ASSERT_TRUE(wait_event("web", "BadConfig", "Warning"));
  // The sync that warned is the one that would have deleted it; give any delete time to land.
  EXPECT_FALSE(testing::eventually([&] { return !certificate("b-tls"); }, std::chrono::seconds(2)));
  const auto after = certificate("b-tls");
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ((*after)["metadata"]["uid"], (*before)["metadata"]["uid"]);
}

TEST_F(IngressShimTest, CertificateNotOwnedByTheIngressIsLeftAlone) {
  api::Certificate mine;
  mine.metadata.name = "web-tls";
  mine.metadata.namespace_ = ns_;
  mine.spec.secret_name = "web-tls";
  mine.spec.dns_names = {"mine.example.com"};
  mine.spec.issuer_ref.name = "someone-elses";
  auto created = client_->create(certificates(), api::encode(mine));
  ASSERT_TRUE(created) << created.error().to_string();
  const std::string version = (*created)["metadata"].value("resourceVersion", "");

  create_ingress(
      make_ingress("web", {{"cert-manager.io/issuer", "ca"}},
                   {{"web-tls", {"www.example.com"}}, {"other-tls", {"o.example.com"}}}));
  ASSERT_TRUE(wait_certificate("other-tls", [](const auto&) { return true; }));
  EXPECT_TRUE(wait_event("web", "BadConfig", "Warning"));
  auto after = certificate("web-tls");
  ASSERT_TRUE(after);
  EXPECT_EQ((*after)["metadata"].value("resourceVersion", ""), version);
  EXPECT_EQ((*after)["spec"]["dnsNames"], json({"mine.example.com"}));
  EXPECT_FALSE((*after)["metadata"].contains("ownerReferences"));
}

TEST_F(IngressShimTest, BadAnnotationIsAWarningAndNoCertificate) {
  create_ingress(
      make_ingress("web", {{"cert-manager.io/issuer", "ca"}, {"cert-manager.io/duration", "soon"}},
                   {{"web-tls", {"www.example.com"}}}));
  ASSERT_TRUE(wait_event("web", "BadConfig", "Warning"));
  const auto warnings = events("web", "BadConfig");
  ASSERT_FALSE(warnings.empty());
  EXPECT_NE(warnings[0].value("message", "").find("cert-manager.io/duration"), std::string::npos)
      << warnings[0].dump();
  EXPECT_NE(warnings[0].value("message", "").find("\"soon\""), std::string::npos);
  auto list = client_->list(certificates());
  ASSERT_TRUE(list);
  EXPECT_TRUE((*list)["items"].empty());
}

TEST_F(IngressShimTest, TlsAcmeUsesTheDefaultIssuerFlags) {
  create_ingress(make_ingress("web", {{"kubernetes.io/tls-acme", "true"}},
                              {{"web-tls", {"www.example.com"}}}));
  auto cert = wait_certificate("web-tls", [](const auto&) { return true; });
  ASSERT_TRUE(cert);
  EXPECT_EQ(cert->spec.issuer_ref.name, "default-ca");
  EXPECT_EQ(cert->spec.issuer_ref.kind, "ClusterIssuer");
  EXPECT_EQ(cert->spec.issuer_ref.group, "cert-manager.io");
}

TEST_F(IngressShimTest, UnannotatedIngressGetsNothing) {
  create_ingress(make_ingress("plain", json::object(), {{"plain-tls", {"www.example.com"}}}));
  // A second, annotated Ingress made after it: once its Certificate exists, the first was seen.
  create_ingress(make_ingress("marker", {{"cert-manager.io/issuer", "ca"}},
                              {{"marker-tls", {"m.example.com"}}}));
  ASSERT_TRUE(wait_certificate("marker-tls", [](const auto&) { return true; }));
  EXPECT_FALSE(certificate("plain-tls").has_value());
}

TEST_F(IngressShimTest, DeletingTheIngressLeavesItsCertificatesToTheGarbageCollector) {
  create_ingress(
      make_ingress("web", {{"cert-manager.io/issuer", "ca"}}, {{"web-tls", {"www.example.com"}}}));
  ASSERT_TRUE(wait_certificate("web-tls", [](const auto&) { return true; }));
  // Foreground: the Ingress stays (deletionTimestamp set) until the garbage collector has
  // deleted its Certificate, which ingress-shim must not re-create meanwhile.
  kube::DeleteOptions options;
  options.propagation_policy = "Foreground";
  auto removed = client_->remove(ingresses().with_name("web"), options);
  ASSERT_TRUE(removed) << removed.error().to_string();
  EXPECT_TRUE(testing::eventually(
      [&] {
        return !certificate("web-tls") && !client_->get(ingresses().with_name("web")).has_value();
      },
      kWait));
  // Nothing comes back once both are gone.
  std::this_thread::sleep_for(std::chrono::seconds(1));
  EXPECT_FALSE(certificate("web-tls").has_value());
}

}  // namespace
}  // namespace certkeeper
