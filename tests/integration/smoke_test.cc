// The integration smoke suite: proves that each component of tools/testenv is real and answers
// as the later suites need. Each test talks to the live process and, where the component keeps
// one, checks that its own log recorded our request.
#include <fstream>
#include <sstream>
#include <string>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "lib/common/subprocess.h"
#include "lib/common/version.h"
#include "lib/http/curl_client.h"
#include "tests/support/eventually.h"
#include "tests/support/kubectl.h"
#include "tests/support/testenv.h"

namespace certkeeper::testing {
namespace {

using std::chrono::seconds;
using ::testing::HasSubstr;

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// An HTTP client with the identity the admin kubeconfig describes: read with yaml-cpp here on
// purpose, so this test also proves the kubeconfig testenv writes is complete and consistent.
struct AdminClient {
  std::string server;
  std::unique_ptr<http::CurlHttpClient> client;
};

AdminClient admin_client_from_kubeconfig() {
  const YAML::Node config = YAML::LoadFile(TestEnv::get().kubeconfig());
  const auto current = config["current-context"].as<std::string>();
  YAML::Node context;
  for (const auto& c : config["contexts"]) {
    if (c["name"].as<std::string>() == current) {
      context = c["context"];
    }
  }
  YAML::Node cluster;
  YAML::Node user;
  for (const auto& c : config["clusters"]) {
    if (c["name"].as<std::string>() == context["cluster"].as<std::string>()) {
      cluster = c["cluster"];
    }
  }
  for (const auto& u : config["users"]) {
    if (u["name"].as<std::string>() == context["user"].as<std::string>()) {
      user = u["user"];
    }
  }
  http::ClientOptions options;
  options.tls.ca_file = cluster["certificate-authority"].as<std::string>();
  options.tls.client_cert_file = user["client-certificate"].as<std::string>();
  options.tls.client_key_file = user["client-key"].as<std::string>();
  return {cluster["server"].as<std::string>(), std::make_unique<http::CurlHttpClient>(options)};
}

http::Response get_ok(http::HttpClient& client, const std::string& url) {
  auto r = client.send({.url = url});
  EXPECT_TRUE(r) << r.error().to_string();
  return r ? *r : http::Response{};
}

TEST(ApiServer, AnswersVersionOverMutualTlsWithTheAdminKubeconfig) {
  AdminClient admin = admin_client_from_kubeconfig();
  const http::Response version = get_ok(*admin.client, admin.server + "/version");
  ASSERT_EQ(version.status, 200) << version.body;
  EXPECT_EQ(nlohmann::json::parse(version.body).at("gitVersion").get<std::string>(),
            CK_EXPECTED_KUBERNETES_VERSION);

  // The client certificate is what authorizes us: listing namespaces works with it and is
  // refused to an anonymous client that trusts the same CA.
  EXPECT_EQ(get_ok(*admin.client, admin.server + "/api/v1/namespaces").status, 200);
  http::ClientOptions anonymous;
  anonymous.tls.ca_file = TestEnv::get().at("CK_KUBE_CA_FILE");
  http::CurlHttpClient anon(anonymous);
  EXPECT_EQ(get_ok(anon, admin.server + "/api/v1/namespaces").status, 403);

  // The apiserver's audit log recorded our request, with our User-Agent and admin identity.
  const std::string audit_path = (TestEnv::get().log_dir() / "kube-apiserver-audit.log").string();
  EXPECT_TRUE(eventually(
      [&] {
        const std::string audit = read_file(audit_path);
        return audit.find(common::user_agent()) != std::string::npos &&
               audit.find("\"requestURI\":\"/api/v1/namespaces\"") != std::string::npos &&
               audit.find("certkeeper-admin") != std::string::npos;
      },
      seconds(10)))
      << "no audit record of our request in " << audit_path;
}

TEST(ApiServer, ServesACrdAppliedWithKubectlAndRoundTripsAnObject) {
  const std::string group = "smoke.certkeeper.test";
  const std::string crd = fmt::format(R"({{
    "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
    "metadata": {{"name": "widgets.{0}"}},
    "spec": {{"group": "{0}", "scope": "Namespaced",
      "names": {{"plural": "widgets", "singular": "widget", "kind": "Widget"}},
      "versions": [{{"name": "v1", "served": true, "storage": true,
        "schema": {{"openAPIV3Schema": {{"type": "object", "properties": {{
          "spec": {{"type": "object", "properties": {{
            "size": {{"type": "integer"}}, "colour": {{"type": "string"}}}}}}}}}}}}}}]}}}})",
                                      group);
  auto applied = kubectl({"apply", "-f", "-"}, crd);
  ASSERT_TRUE(applied) << applied.error().to_string();
  ASSERT_TRUE(applied->success()) << applied->stderr_data;
  auto established =
      kubectl({"wait", "--for=condition=Established", "--timeout=60s", "crd/widgets." + group});
  ASSERT_TRUE(established && established->success()) << established->stderr_data;

  // Create through the REST API with our own HTTP client, read back through kubectl.
  AdminClient admin = admin_client_from_kubeconfig();
  const std::string name = unique_name("widget");
  const nlohmann::json widget = {
      {"apiVersion", group + "/v1"},
      {"kind", "Widget"},
      {"metadata", {{"name", name}, {"namespace", "default"}}},
      {"spec", {{"size", 3}, {"colour", "teal"}}},
  };
  http::Request create{.method = "POST",
                       .url = admin.server + "/apis/" + group + "/v1/namespaces/default/widgets",
                       .body = widget.dump()};
  create.headers.add("Content-Type", "application/json");
  // A CRD becomes servable a moment after it is Established; retry briefly on 404.
  int status = 0;
  ASSERT_TRUE(eventually(
      [&] {
        auto r = admin.client->send(create);
        status = r ? r->status : -1;
        return status == 201;
      },
      seconds(30)))
      << "create returned " << status;

  auto got = kubectl({"get", "widget." + group, name, "-n", "default", "-o", "json"});
  ASSERT_TRUE(got && got->success()) << got->stderr_data;
  const auto object = nlohmann::json::parse(got->stdout_data);
  EXPECT_EQ(object.at("spec"), widget.at("spec"));
  EXPECT_FALSE(object.at("metadata").at("uid").get<std::string>().empty());
}

TEST(ControllerManager, DeletesANamespaceAndCollectsGarbage) {
  const std::string ns = unique_name("smoke-ns");
  auto created = kubectl({"create", "namespace", ns});
  ASSERT_TRUE(created && created->success()) << created->stderr_data;

  // Garbage collector: a dependent ConfigMap goes away after its owner is deleted.
  ASSERT_TRUE(kubectl({"-n", ns, "create", "configmap", "owner"})->success());
  auto owner_uid =
      kubectl({"-n", ns, "get", "configmap", "owner", "-o", "jsonpath={.metadata.uid}"});
  ASSERT_TRUE(owner_uid && owner_uid->success());
  const nlohmann::json dependent = {
      {"apiVersion", "v1"},
      {"kind", "ConfigMap"},
      {"metadata",
       {{"name", "dependent"},
        {"namespace", ns},
        {"ownerReferences",
         {{{"apiVersion", "v1"},
           {"kind", "ConfigMap"},
           {"name", "owner"},
           {"uid", owner_uid->stdout_data}}}}}},
  };
  ASSERT_TRUE(kubectl({"create", "-f", "-"}, dependent.dump())->success());
  ASSERT_TRUE(kubectl({"-n", ns, "delete", "configmap", "owner", "--wait=false"})->success());
  EXPECT_TRUE(eventually(
      [&] {
        auto r = kubectl(
            {"-n", ns, "get", "configmap", "dependent", "--ignore-not-found", "-o", "name"});
        return r && r->success() && r->stdout_data.empty();
      },
      seconds(90), std::chrono::milliseconds(500)))
      << "the garbage collector did not delete the dependent ConfigMap";

  // Namespace controller: deletion finishes instead of staying Terminating.
  ASSERT_TRUE(kubectl({"-n", ns, "create", "configmap", "content"})->success());
  ASSERT_TRUE(kubectl({"delete", "namespace", ns, "--wait=false"})->success());
  EXPECT_TRUE(eventually(
      [&] {
        auto r = kubectl({"get", "namespace", ns, "--ignore-not-found", "-o", "name"});
        return r && r->success() && r->stdout_data.empty();
      },
      seconds(90), std::chrono::milliseconds(500)))
      << "namespace " << ns << " was not deleted";
}

TEST(Pebble, DirectoryListsRenewalInfoAndProfiles) {
  const TestEnv& env = TestEnv::get();
  http::ClientOptions options;
  options.tls.ca_file = env.at("CK_ACME_SERVER_CA_FILE");
  http::CurlHttpClient client(options);

  const http::Response dir = get_ok(client, env.acme_directory());
  ASSERT_EQ(dir.status, 200) << dir.body;
  const auto directory = nlohmann::json::parse(dir.body);
  for (const char* key :
       {"newNonce", "newAccount", "newOrder", "revokeCert", "keyChange", "renewalInfo"}) {
    EXPECT_TRUE(directory.contains(key)) << key << " missing from " << dir.body;
  }
  const auto& profiles = directory.at("meta").at("profiles");
  EXPECT_TRUE(profiles.contains("default"));
  EXPECT_TRUE(profiles.contains("shortlived"));

  // A fresh nonce, as every ACME exchange starts with.
  auto nonce = client.send({.method = "HEAD", .url = directory.at("newNonce")});
  ASSERT_TRUE(nonce) << nonce.error().to_string();
  EXPECT_TRUE(nonce->headers.get("replay-nonce").has_value());
}

TEST(Pebble, ServesItsIssuingRootWhichTestenvSaved) {
  const TestEnv& env = TestEnv::get();
  http::ClientOptions options;
  options.tls.ca_file = env.at("CK_ACME_SERVER_CA_FILE");
  http::CurlHttpClient client(options);
  const http::Response root = get_ok(client, env.at("CK_PEBBLE_MGMT_URL") + "/roots/0");
  ASSERT_EQ(root.status, 200);
  EXPECT_THAT(root.body, HasSubstr("-----BEGIN CERTIFICATE-----"));
  EXPECT_EQ(root.body, read_file(env.at("CK_PEBBLE_ROOT_FILE")));
  // It parses as an X.509 CA certificate.
  auto parsed = common::run_process({"openssl", "x509", "-noout", "-ext", "basicConstraints", "-in",
                                     env.at("CK_PEBBLE_ROOT_FILE")});
  ASSERT_TRUE(parsed && parsed->success()) << parsed->stderr_data;
  EXPECT_THAT(parsed->stdout_data, HasSubstr("CA:TRUE"));
}

TEST(Bind9, AnswersATxtRecordAddedWithATsigSignedUpdate) {
  const TestEnv& env = TestEnv::get();
  const std::string server = env.at("CK_DNS_SERVER");
  const std::string host = server.substr(0, server.find(':'));
  const std::string port = server.substr(server.find(':') + 1);
  const std::string name =
      fmt::format("_acme-challenge.{}.{}", unique_name("smoke"), env.at("CK_DNS_ZONE"));
  const std::string value = "smoke-" + unique_name("txt");

  const std::string update =
      fmt::format("server {} {}\nzone {}\nupdate add {} 5 TXT \"{}\"\nsend\n", host, port,
                  env.at("CK_DNS_ZONE"), name, value);
  // Unsigned updates are refused...
  auto unsigned_update = common::run_process({"nsupdate"}, {.stdin_data = update});
  ASSERT_TRUE(unsigned_update);
  EXPECT_FALSE(unsigned_update->success());
  EXPECT_THAT(unsigned_update->stdout_data + unsigned_update->stderr_data, HasSubstr("REFUSED"));
  // ...and a TSIG-signed one is applied and answered at once.
  auto signed_update =
      common::run_process({"nsupdate", "-k", env.at("CK_TSIG_KEY_FILE")}, {.stdin_data = update});
  ASSERT_TRUE(signed_update);
  ASSERT_TRUE(signed_update->success()) << signed_update->stderr_data;

  auto answer = common::run_process({"dig", "+short", "@" + host, "-p", port, "TXT", name});
  ASSERT_TRUE(answer && answer->success());
  EXPECT_EQ(answer->stdout_data, "\"" + value + "\"\n");

  // BIND9 logged the query (querylog is on in the testenv's named.conf).
  EXPECT_THAT(read_file((env.log_dir() / "named.log").string()), HasSubstr(name));
}

}  // namespace
}  // namespace certkeeper::testing
