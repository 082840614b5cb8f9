// lib/kube against the real kube-apiserver: kubeconfig variants, in-cluster config, every REST
// verb and patch type, typed errors, pagination, discovery and the client-side rate limiter.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lib/common/clock.h"
#include "lib/common/encoding.h"
#include "lib/kube/client.h"
#include "tests/support/kubectl.h"
#include "tests/support/testenv.h"

namespace certkeeper::kube {
namespace {

using common::ErrorCode;
using nlohmann::json;
using ::testing::HasSubstr;
using testing::TestEnv;
namespace fs = std::filesystem;

const common::Clock& clock() { return common::SystemClock::instance(); }

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A scratch directory removed at the end of the test.
struct TempDir {
  fs::path path;
  TempDir() {
    std::string templ = (fs::temp_directory_path() / "ck-kube.XXXXXX").string();
    path = ::mkdtemp(templ.data());
  }
  ~TempDir() { fs::remove_all(path); }
  [[nodiscard]] std::string write(const std::string& name, const std::string& content) const {
    std::ofstream(path / name) << content;
    return (path / name).string();
  }
};

std::unique_ptr<Client> admin() {
  auto config = load_kubeconfig({.path = TestEnv::get().kubeconfig()}, clock());
  EXPECT_TRUE(config) << config.error().to_string();
  return Client::create(std::move(*config), clock());
}

const ResourceRef kConfigMaps{"", "v1", "configmaps", "default"};

json configmap(const std::string& name, const json& data) {
  return {{"apiVersion", "v1"},
          {"kind", "ConfigMap"},
          {"metadata", {{"name", name}, {"namespace", "default"}}},
          {"data", data}};
}

// A ServiceAccount bound to cluster-admin, and a token for it from the TokenRequest API.
std::string service_account_token(Client& client, const std::string& name) {
  const ResourceRef sas{"", "v1", "serviceaccounts", "default"};
  (void)client.create(
      sas, {{"apiVersion", "v1"}, {"kind", "ServiceAccount"}, {"metadata", {{"name", name}}}});
  const ResourceRef bindings{"rbac.authorization.k8s.io", "v1", "clusterrolebindings"};
  (void)client.create(
      bindings,
      {{"apiVersion", "rbac.authorization.k8s.io/v1"},
       {"kind", "ClusterRoleBinding"},
       {"metadata", {{"name", name}}},
       {"roleRef",
        {{"apiGroup", "rbac.authorization.k8s.io"},
         {"kind", "ClusterRole"},
         {"name", "cluster-admin"}}},
       {"subjects", {{{"kind", "ServiceAccount"}, {"name", name}, {"namespace", "default"}}}}});
  auto token = client.create(sas.with_name(name).with_subresource("token"),
                             {{"apiVersion", "authentication.k8s.io/v1"},
                              {"kind", "TokenRequest"},
                              {"spec", {{"expirationSeconds", 3600}}}});
  EXPECT_TRUE(token) << token.error().to_string();
  return token ? (*token)["status"]["token"].get<std::string>() : "";
}

std::string token_kubeconfig(const std::string& user_yaml) {
  const TestEnv& env = TestEnv::get();
  return "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: " +
         env.apiserver_url() + "\n    certificate-authority: " + env.at("CK_KUBE_CA_FILE") +
         "\nusers:\n- name: u\n  user:\n" + user_yaml +
         "contexts:\n- name: x\n  context: {cluster: c, user: u, namespace: kube-public}\n"
         "current-context: x\n";
}

// --- configuration ------------------------------------------------------------------------------

TEST(Kubeconfig, FilePathsFromTheTestenvKubeconfigWork) {
  auto client = admin();
  auto ns = client->get({"", "v1", "namespaces", "", "default"});
  ASSERT_TRUE(ns) << ns.error().to_string();
  EXPECT_EQ((*ns)["metadata"]["name"], "default");
}

TEST(Kubeconfig, InlineDataFieldsWork) {
  const TestEnv& env = TestEnv::get();
  TempDir dir;
  const std::string file = dir.write(
      "config",
      "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: " +
          env.apiserver_url() + "/\n    certificate-authority-data: " +
          common::base64_encode(read_file(env.at("CK_KUBE_CA_FILE"))) +
          "\nusers:\n- name: u\n  user:\n    client-certificate-data: " +
          common::base64_encode(read_file(env.at("CK_KUBE_ADMIN_CERT_FILE"))) +
          "\n    client-key-data: " +
          common::base64_encode(read_file(env.at("CK_KUBE_ADMIN_KEY_FILE"))) +
          "\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\ncurrent-context: x\n");
  auto config = load_kubeconfig({.path = file}, clock());
  ASSERT_TRUE(config) << config.error().to_string();
  EXPECT_EQ(config->server, env.apiserver_url()) << "trailing slash trimmed";
  auto client = Client::create(std::move(*config), clock());
  EXPECT_TRUE(client->get({"", "v1", "namespaces", "", "default"}));
}

TEST(Kubeconfig, SeveralPathsMergeWithTheFirstDefinitionWinning) {
  const TestEnv& env = TestEnv::get();
  TempDir dir;
  // File 1: the context, a user, and a decoy cluster "c" pointing nowhere that must NOT win...
  // no: file 1 defines the real cluster; file 2 redefines "c" badly and adds the context.
  const std::string first = dir.write(
      "one", "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: " +
                 env.apiserver_url() + "\n    certificate-authority: " + env.at("CK_KUBE_CA_FILE") +
                 "\nusers:\n- name: u\n  user:\n    client-certificate: " +
                 env.at("CK_KUBE_ADMIN_CERT_FILE") +
                 "\n    client-key: " + env.at("CK_KUBE_ADMIN_KEY_FILE") + "\n");
  const std::string second =
      dir.write("two",
                "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: "
                "https://127.0.0.1:1\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\n"
                "current-context: x\n");
  ::setenv("KUBECONFIG", (first + ":" + (dir.path / "missing").string() + ":" + second).c_str(), 1);
  auto config = load_kubeconfig({}, clock());
  ::unsetenv("KUBECONFIG");
  ASSERT_TRUE(config) << config.error().to_string();
  EXPECT_EQ(config->server, env.apiserver_url());
  EXPECT_TRUE(
      Client::create(std::move(*config), clock())->get({"", "v1", "namespaces", "", "default"}));
}

TEST(Kubeconfig, RelativePathsResolveAgainstTheKubeconfigFile) {
  const TestEnv& env = TestEnv::get();
  TempDir dir;
  fs::create_directory(dir.path / "pki");
  fs::copy_file(env.at("CK_KUBE_ADMIN_KEY_FILE"), dir.path / "pki" / "admin.key");
  const std::string file = dir.write(
      "config", "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: " +
                    env.apiserver_url() +
                    "\n    certificate-authority: " + env.at("CK_KUBE_CA_FILE") +
                    "\nusers:\n- name: u\n  user:\n"
                    "    client-certificate: " +
                    env.at("CK_KUBE_ADMIN_CERT_FILE") +
                    "\n    client-key: pki/admin.key\ncontexts:\n- name: x\n"
                    "  context: {cluster: c, user: u}\ncurrent-context: x\n");
  auto config = load_kubeconfig({.path = file}, clock());
  ASSERT_TRUE(config) << config.error().to_string();
  EXPECT_TRUE(
      Client::create(std::move(*config), clock())->get({"", "v1", "namespaces", "", "default"}));
}

TEST(Kubeconfig, ErrorsNameTheFileAndField) {
  TempDir dir;
  const std::string file = dir.write(
      "config",
      "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: https://x\n"
      "users:\n- name: admin\n  user:\n    client-certificate: a.crt\n    client-key: nope.key\n"
      "contexts:\n- name: x\n  context: {cluster: c, user: admin}\ncurrent-context: x\n");
  auto config = load_kubeconfig({.path = file}, clock());
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(config.error().message(), HasSubstr(file));
  EXPECT_THAT(config.error().message(), HasSubstr("users[admin].client-certificate"));

  auto missing_context = load_kubeconfig({.path = file, .context = "other"}, clock());
  ASSERT_FALSE(missing_context);
  EXPECT_THAT(missing_context.error().message(), HasSubstr("context 'other' not found"));

  const std::string not_yaml = dir.write("bad", "clusters: [unclosed");
  auto bad = load_kubeconfig({.path = not_yaml}, clock());
  ASSERT_FALSE(bad);
  EXPECT_THAT(bad.error().message(), HasSubstr("not valid YAML"));

  auto absent = load_kubeconfig({.path = (dir.path / "absent").string()}, clock());
  ASSERT_FALSE(absent);
  EXPECT_THAT(absent.error().message(), HasSubstr("cannot read"));
}

TEST(Kubeconfig, BearerTokenTokenFileAndExecPluginAuthenticate) {
  auto client = admin();
  const std::string token = service_account_token(*client, testing::unique_name("ck-sa"));
  ASSERT_FALSE(token.empty());
  TempDir dir;

  const auto works = [&](const std::string& user_yaml) {
    auto config =
        load_kubeconfig({.path = dir.write("config", token_kubeconfig(user_yaml))}, clock());
    if (!config) {
      return ::testing::AssertionFailure() << config.error().to_string();
    }
    EXPECT_EQ(config->default_namespace, "kube-public");
    auto c = Client::create(std::move(*config), clock());
    auto r = c->list({"", "v1", "configmaps", "kube-public"});
    if (!r) {
      return ::testing::AssertionFailure() << r.error().to_string();
    }
    return ::testing::AssertionSuccess();
  };
  EXPECT_TRUE(works("    token: " + token + "\n"));
  const std::string token_file = dir.write("token", token + "\n");
  EXPECT_TRUE(works("    tokenFile: " + token_file + "\n"));
  const std::string plugin = dir.write(
      "plugin.sh",
      "#!/bin/sh\n[ -n \"$KUBERNETES_EXEC_INFO\" ] || exit 3\n"
      "printf '{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\","
      "\"status\":{\"token\":\"%s\",\"expirationTimestamp\":\"2099-01-01T00:00:00Z\"}}' "
      "\"$TOKEN\"\n");
  fs::permissions(plugin, fs::perms::owner_all);
  EXPECT_TRUE(works(
      "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: " + plugin +
      "\n      env:\n      - name: TOKEN\n        value: " + token + "\n"));

  // A failing plugin is reported with the kubeconfig field and the plugin's stderr.
  const std::string failing = dir.write("fail.sh", "#!/bin/sh\necho 'login expired' >&2\nexit 1\n");
  fs::permissions(failing, fs::perms::owner_all);
  auto config = load_kubeconfig(
      {.path =
           dir.write("config", token_kubeconfig("    exec:\n      command: " + failing + "\n"))},
      clock());
  ASSERT_TRUE(config);
  auto r =
      Client::create(std::move(*config), clock())->list({"", "v1", "configmaps", "kube-public"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kUnauthenticated);
  EXPECT_THAT(r.error().message(), HasSubstr("users[u].exec"));
  EXPECT_THAT(r.error().message(), HasSubstr("login expired"));
}

TEST(InClusterConfig, ReadsTheServiceAccountMountAndEnvironment) {
  auto client = admin();
  const std::string token = service_account_token(*client, testing::unique_name("ck-incluster"));
  TempDir sa;
  (void)sa.write("token", token);
  (void)sa.write("ca.crt", read_file(TestEnv::get().at("CK_KUBE_CA_FILE")));
  (void)sa.write("namespace", "kube-public\n");
  const std::string url = TestEnv::get().apiserver_url();  // https://127.0.0.1:PORT
  const std::string port = url.substr(url.rfind(':') + 1);
  ::setenv("KUBERNETES_SERVICE_HOST", "127.0.0.1", 1);
  ::setenv("KUBERNETES_SERVICE_PORT", port.c_str(), 1);
  auto config = in_cluster_config(clock(), sa.path.string());
  ::unsetenv("KUBERNETES_SERVICE_HOST");
  ::unsetenv("KUBERNETES_SERVICE_PORT");
  ASSERT_TRUE(config) << config.error().to_string();
  EXPECT_EQ(config->default_namespace, "kube-public");
  EXPECT_TRUE(
      Client::create(std::move(*config), clock())->list({"", "v1", "configmaps", "kube-public"}));

  auto outside = in_cluster_config(clock(), sa.path.string());
  ASSERT_FALSE(outside);
  EXPECT_THAT(outside.error().message(), HasSubstr("KUBERNETES_SERVICE_HOST"));
}

// --- REST ---------------------------------------------------------------------------------------

TEST(Rest, CreateGetUpdateWithOptimisticConcurrency) {
  auto client = admin();
  const std::string name = testing::unique_name("cm");
  auto created = client->create(kConfigMaps, configmap(name, {{"a", "1"}}));
  ASSERT_TRUE(created) << created.error().to_string();
  auto again = client->create(kConfigMaps, configmap(name, {{"a", "1"}}));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code(), ErrorCode::kAlreadyExists);

  json object = *created;
  object["data"]["a"] = "2";
  auto updated = client->update(kConfigMaps.with_name(name), object);
  ASSERT_TRUE(updated) << updated.error().to_string();
  EXPECT_EQ((*updated)["data"]["a"], "2");
  // `object` still carries the old resourceVersion: a second update is a conflict.
  object["data"]["a"] = "3";
  auto stale = client->update(kConfigMaps.with_name(name), object);
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code(), ErrorCode::kConflict);
  EXPECT_EQ(stale.error().http_status(), 409);
  EXPECT_EQ((*client->get(kConfigMaps.with_name(name)))["data"]["a"], "2");
}

TEST(Rest, TypedErrorsForMissingAndInvalidObjects) {
  auto client = admin();
  auto missing = client->get(kConfigMaps.with_name("certkeeper-does-not-exist"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(missing.error().reason(), "NotFound");
  auto invalid = client->create(kConfigMaps, configmap("Not_A_Valid_Name", json::object()));
  ASSERT_FALSE(invalid);
  EXPECT_EQ(invalid.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(invalid.error().http_status(), 422);
  EXPECT_THAT(invalid.error().message(), HasSubstr("metadata.name"));
}

TEST(Rest, MergeAndJsonPatch) {
  auto client = admin();
  const std::string name = testing::unique_name("cm");
  ASSERT_TRUE(client->create(kConfigMaps, configmap(name, {{"a", "1"}, {"b", "2"}})));
  auto merged = client->patch(kConfigMaps.with_name(name), PatchType::kMerge,
                              {{"data", {{"a", nullptr}, {"c", "3"}}}});
  ASSERT_TRUE(merged) << merged.error().to_string();
  EXPECT_EQ((*merged)["data"], json({{"b", "2"}, {"c", "3"}}));
  auto patched =
      client->patch(kConfigMaps.with_name(name), PatchType::kJson,
                    json::array({{{"op", "replace"}, {"path", "/data/b"}, {"value", "9"}},
                                 {{"op", "test"}, {"path", "/data/c"}, {"value", "3"}}}));
  ASSERT_TRUE(patched) << patched.error().to_string();
  EXPECT_EQ((*patched)["data"]["b"], "9");
  auto failed_test =
      client->patch(kConfigMaps.with_name(name), PatchType::kJson,
                    json::array({{{"op", "test"}, {"path", "/data/c"}, {"value", "x"}}}));
  EXPECT_FALSE(failed_test);
}

TEST(Rest, ServerSideApplyKeepsAnotherManagersKeys) {
  auto client = admin();
  const std::string name = testing::unique_name("cm");
  const auto ref = kConfigMaps.with_name(name);
  ASSERT_TRUE(
      client->apply(ref, configmap(name, {{"mine", "1"}}), {.field_manager = "certkeeper"}));
  ASSERT_TRUE(
      client->apply(ref, configmap(name, {{"theirs", "1"}}), {.field_manager = "someone-else"}));
  // Re-applying our intent without their key must not remove it.
  auto ours = client->apply(ref, configmap(name, {{"mine", "2"}}), {.field_manager = "certkeeper"});
  ASSERT_TRUE(ours) << ours.error().to_string();
  EXPECT_EQ((*ours)["data"], json({{"mine", "2"}, {"theirs", "1"}}));
  // Taking their field is a conflict unless forced.
  auto conflict = client->apply(ref, configmap(name, {{"mine", "2"}, {"theirs", "x"}}),
                                {.field_manager = "certkeeper"});
  ASSERT_FALSE(conflict);
  EXPECT_EQ(conflict.error().code(), ErrorCode::kConflict);
  auto forced = client->apply(ref, configmap(name, {{"mine", "2"}, {"theirs", "x"}}),
                              {.field_manager = "certkeeper", .force = true});
  ASSERT_TRUE(forced) << forced.error().to_string();
  EXPECT_EQ((*forced)["data"]["theirs"], "x");
  EXPECT_FALSE(client->apply(ref, configmap(name, {}), {}));  // no field manager
}

TEST(Rest, DryRunPersistsNothing) {
  auto client = admin();
  const std::string name = testing::unique_name("cm");
  auto dry = client->create(kConfigMaps, configmap(name, {{"a", "1"}}), {.dry_run = true});
  ASSERT_TRUE(dry) << dry.error().to_string();
  EXPECT_EQ((*dry)["metadata"]["name"], name);
  auto got = client->get(kConfigMaps.with_name(name));
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code(), ErrorCode::kNotFound);
}

TEST(Rest, DeleteHonoursPreconditions) {
  auto client = admin();
  const std::string name = testing::unique_name("cm");
  ASSERT_TRUE(client->create(kConfigMaps, configmap(name, {})));
  auto wrong = client->remove(kConfigMaps.with_name(name), {.precondition_uid = "not-the-uid"});
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code(), ErrorCode::kConflict);
  const std::string uid = (*client->get(kConfigMaps.with_name(name)))["metadata"]["uid"];
  ASSERT_TRUE(client->remove(kConfigMaps.with_name(name),
                             {.precondition_uid = uid, .propagation_policy = "Background"}));
  EXPECT_EQ(client->get(kConfigMaps.with_name(name)).error().code(), ErrorCode::kNotFound);
}

TEST(Rest, ListPaginatesWithLimitAndContinue) {
  auto client = admin();
  const std::string label = testing::unique_name("page");
  for (int i = 0; i < 7; ++i) {
    json cm = configmap(label + "-" + std::to_string(i), {});
    cm["metadata"]["labels"] = {{"certkeeper-test", label}};
    ASSERT_TRUE(client->create(kConfigMaps, cm));
  }
  const ListOptions options{.label_selector = "certkeeper-test=" + label, .limit = 3};
  auto first = client->list(kConfigMaps, options);
  ASSERT_TRUE(first) << first.error().to_string();
  EXPECT_EQ((*first)["items"].size(), 3U);
  EXPECT_FALSE((*first)["metadata"].value("continue", "").empty());
  auto all = client->list_all(kConfigMaps, options);
  ASSERT_TRUE(all) << all.error().to_string();
  EXPECT_EQ((*all)["items"].size(), 7U);
  EXPECT_FALSE((*all)["metadata"].contains("continue"));
  auto none = client->list(kConfigMaps, {.label_selector = "certkeeper-test=nothing-" + label});
  ASSERT_TRUE(none);
  EXPECT_TRUE((*none)["items"].empty());
}

TEST(Rest, DiscoveryFindsPluralAndScope) {
  auto client = admin();
  auto secrets = client->discover("", "v1", "Secret");
  ASSERT_TRUE(secrets) << secrets.error().to_string();
  EXPECT_EQ(secrets->resource, "secrets");
  EXPECT_TRUE(secrets->namespaced);
  auto crb = client->discover("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding");
  ASSERT_TRUE(crb);
  EXPECT_EQ(crb->resource, "clusterrolebindings");
  EXPECT_FALSE(crb->namespaced);
  auto nothing = client->discover("", "v1", "Certificate");
  ASSERT_FALSE(nothing);
  EXPECT_EQ(nothing.error().code(), ErrorCode::kNotFound);
}

TEST(Rest, CustomResourcesWithAStatusSubresource) {
  auto client = admin();
  const std::string group = "rest.certkeeper.test";
  const ResourceRef crds{"apiextensions.k8s.io", "v1", "customresourcedefinitions"};
  const json crd = {
      {"apiVersion", "apiextensions.k8s.io/v1"},
      {"kind", "CustomResourceDefinition"},
      {"metadata", {{"name", "gadgets." + group}}},
      {"spec",
       {{"group", group},
        {"scope", "Namespaced"},
        {"names", {{"plural", "gadgets"}, {"singular", "gadget"}, {"kind", "Gadget"}}},
        {"versions",
         {{{"name", "v1"},
           {"served", true},
           {"storage", true},
           {"subresources", {{"status", json::object()}}},
           {"schema",
            {{"openAPIV3Schema",
              {{"type", "object"},
               {"properties",
                {{"spec", {{"type", "object"}, {"x-kubernetes-preserve-unknown-fields", true}}},
                 {"status",
                  {{"type", "object"}, {"x-kubernetes-preserve-unknown-fields", true}}}}}}}}}}}}}}};
  auto applied = client->apply(crds.with_name("gadgets." + group), crd,
                               {.field_manager = "certkeeper-test", .force = true});
  ASSERT_TRUE(applied) << applied.error().to_string();
  const ResourceRef gadgets{group, "v1", "gadgets", "default"};
  const std::string name = testing::unique_name("gadget");
  const json gadget = {{"apiVersion", group + "/v1"},
                       {"kind", "Gadget"},
                       {"metadata", {{"name", name}}},
                       {"spec", {{"size", 1}}},
                       {"status", {{"phase", "ignored-on-create"}}}};
  // The CRD is servable a moment after it is created.
  common::Result<json> created = common::make_error(common::ErrorCode::kNotFound, "not yet");
  for (int i = 0; i < 100 && !created; ++i) {
    created = client->create(gadgets, gadget);
    if (!created) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  ASSERT_TRUE(created) << created.error().to_string();
  EXPECT_FALSE(created->contains("status")) << "status is not writable through the main resource";

  // Status goes through /status and leaves the spec alone; spec writes leave status alone.
  json with_status = *created;
  with_status["status"] = {{"phase", "Ready"}};
  with_status["spec"]["size"] = 99;
  auto status = client->update(gadgets.with_name(name).with_subresource("status"), with_status);
  ASSERT_TRUE(status) << status.error().to_string();
  EXPECT_EQ((*status)["status"]["phase"], "Ready");
  EXPECT_EQ((*status)["spec"]["size"], 1);
  auto spec = client->patch(gadgets.with_name(name), PatchType::kMerge,
                            {{"spec", {{"size", 2}}}, {"status", {{"phase", "Nope"}}}});
  ASSERT_TRUE(spec) << spec.error().to_string();
  EXPECT_EQ((*spec)["spec"]["size"], 2);
  EXPECT_EQ((*spec)["status"]["phase"], "Ready");
  auto status_patch = client->patch(gadgets.with_name(name).with_subresource("status"),
                                    PatchType::kMerge, {{"status", {{"phase", "Done"}}}});
  ASSERT_TRUE(status_patch) << status_patch.error().to_string();
  EXPECT_EQ((*status_patch)["status"]["phase"], "Done");
  auto listed = client->list(gadgets);
  ASSERT_TRUE(listed);
  EXPECT_GE((*listed)["items"].size(), 1U);
  ASSERT_TRUE(client->remove(gadgets.with_name(name)));
  EXPECT_EQ(client->get(gadgets.with_name(name)).error().code(), ErrorCode::kNotFound);
}

TEST(Rest, ClientSideRateLimitBoundsTheRequestRate) {
  auto config = load_kubeconfig({.path = TestEnv::get().kubeconfig()}, clock());
  ASSERT_TRUE(config);
  config->qps = 10;
  config->burst = 1;
  auto client = Client::create(std::move(*config), clock());
  // 11 requests at 10/s after a burst of 1 cannot finish in under a second, however fast the
  // server is: a lower bound only, so this cannot flake on a slow machine.
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 11; ++i) {
    ASSERT_TRUE(client->get({"", "v1", "namespaces", "", "default"}));
  }
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(990));
}

}  // namespace
}  // namespace certkeeper::kube
