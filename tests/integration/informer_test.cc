// Informers against the real apiserver. The shared-environment cases are here; the ones that
// restart the apiserver or compact etcd are in informer_disruption_test.cc (run serially).
#include "lib/kube/informer.h"

#include <atomic>
#include <mutex>
#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lib/common/clock.h"
#include "tests/support/eventually.h"
#include "tests/support/informer_probe.h"
#include "tests/support/kubectl.h"
#include "tests/support/testenv.h"

namespace certkeeper::kube {
namespace {

using nlohmann::json;
using std::chrono::seconds;
using testing::eventually;
using testing::InformerProbe;

TEST(Informer, ListsThenWatchesAddsUpdatesAndDeletesWithALabelSelector) {
  auto client = testing::admin_client();
  const std::string label = testing::unique_name("inf");
  const ResourceRef cms{"", "v1", "configmaps", "default"};
  const auto cm = [&](const std::string& name, const std::string& value, bool labelled) {
    json o = {{"apiVersion", "v1"},
              {"kind", "ConfigMap"},
              {"metadata", {{"name", name}}},
              {"data", {{"v", value}}}};
    if (labelled) {
      o["metadata"]["labels"] = {{"certkeeper-test", label}};
    }
    return o;
  };
  ASSERT_TRUE(client->create(cms, cm(label + "-before", "1", true)));
  ASSERT_TRUE(client->create(cms, cm(label + "-unlabelled", "1", false)));

  Informer informer(*client, {.resource = cms, .label_selector = "certkeeper-test=" + label},
                    common::SystemClock::instance());
  InformerProbe probe(informer);
  informer.start();
  ASSERT_TRUE(informer.wait_for_sync(std::chrono::seconds(30)));
  EXPECT_EQ(informer.size(), 1U) << "the selector keeps the unlabelled object out";
  ASSERT_NE(informer.get("default/" + label + "-before"), nullptr);
  EXPECT_EQ((*informer.get("default/" + label + "-before"))["kind"], "ConfigMap");
  EXPECT_FALSE(
      (*informer.get("default/" + label + "-before"))["metadata"].contains("managedFields"))
      << "managedFields are dropped from the cache by default";

  ASSERT_TRUE(client->create(cms, cm(label + "-after", "1", true)));
  ASSERT_TRUE(
      client->patch(cms.with_name(label + "-after"), PatchType::kMerge, {{"data", {{"v", "2"}}}}));
  ASSERT_TRUE(client->remove(cms.with_name(label + "-before")));
  ASSERT_TRUE(
      eventually([&] { return probe.deletes() == 1 && probe.updates() == 1; }, seconds(20)));
  EXPECT_EQ(probe.adds(), 2);
  EXPECT_EQ(informer.size(), 1U);
  EXPECT_EQ((*informer.get("default/" + label + "-after"))["data"]["v"], "2");
  EXPECT_EQ(informer.by_index("namespace", "default").size(), 1U);
  EXPECT_TRUE(informer.by_index("namespace", "kube-system").empty());
  informer.stop();
}

TEST(Informer, CustomIndexAndTransform) {
  auto client = testing::admin_client();
  const std::string label = testing::unique_name("idx");
  const ResourceRef cms{"", "v1", "configmaps", "default"};
  for (const char* team : {"red", "blue", "red"}) {
    ASSERT_TRUE(client->create(cms, {{"apiVersion", "v1"},
                                     {"kind", "ConfigMap"},
                                     {"metadata",
                                      {{"generateName", label + "-"},
                                       {"labels", {{"certkeeper-test", label}, {"team", team}}}}},
                                     {"data", {{"big", std::string(1000, 'x')}}}}));
  }
  Informer informer(*client,
                    {.resource = cms,
                     .label_selector = "certkeeper-test=" + label,
                     .transform =
                         [](json o) {
                           o.erase("data");  // keep only what a controller would read
                           return o;
                         }},
                    common::SystemClock::instance());
  informer.add_index("team", [](const json& o) {
    return std::vector<std::string>{o["metadata"]["labels"].value("team", "")};
  });
  informer.start();
  ASSERT_TRUE(informer.wait_for_sync(seconds(30)));
  EXPECT_EQ(informer.by_index("team", "red").size(), 2U);
  EXPECT_EQ(informer.by_index("team", "blue").size(), 1U);
  for (const auto& o : informer.list()) {
    EXPECT_FALSE(o->contains("data"));
  }
}

TEST(Informer, MetadataOnlyOverSecretsCachesNoSecretData) {
  auto client = testing::admin_client();
  const std::string label = testing::unique_name("meta");
  const ResourceRef secrets{"", "v1", "secrets", "default"};
  ASSERT_TRUE(client->create(
      secrets, {{"apiVersion", "v1"},
                {"kind", "Secret"},
                {"metadata", {{"name", label}, {"labels", {{"certkeeper-test", label}}}}},
                {"stringData", {{"tls.key", "very secret"}}}}));
  Informer informer(
      *client,
      {.resource = secrets, .label_selector = "certkeeper-test=" + label, .metadata_only = true},
      common::SystemClock::instance());
  InformerProbe probe(informer);
  informer.start();
  ASSERT_TRUE(informer.wait_for_sync(seconds(30)));
  auto cached = informer.get("default/" + label);
  ASSERT_NE(cached, nullptr);
  EXPECT_EQ((*cached)["kind"], "PartialObjectMetadata");
  EXPECT_FALSE(cached->contains("data"));
  EXPECT_EQ(cached->dump().find("very secret"), std::string::npos);
  // Watch events are metadata-only too.
  ASSERT_TRUE(client->patch(secrets.with_name(label), PatchType::kMerge,
                            {{"metadata", {{"annotations", {{"touched", "yes"}}}}}}));
  ASSERT_TRUE(eventually([&] { return probe.updates() == 1; }, seconds(20)));
  auto updated = informer.get("default/" + label);
  EXPECT_EQ((*updated)["metadata"]["annotations"]["touched"], "yes");
  EXPECT_FALSE(updated->contains("data"));
}

TEST(Informer, ResyncRedeliversCachedObjects) {
  auto client = testing::admin_client();
  const std::string name = testing::unique_name("resync");
  const ResourceRef cms{"", "v1", "configmaps", "default"};
  ASSERT_TRUE(client->create(
      cms, {{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", {{"name", name}}}}));
  Informer informer(
      *client, {.resource = cms, .field_selector = "metadata.name=" + name, .resync = seconds(1)},
      common::SystemClock::instance());
  InformerProbe probe(informer);
  informer.start();
  ASSERT_TRUE(informer.wait_for_sync(seconds(30)));
  EXPECT_TRUE(eventually([&] { return probe.updates() >= 2; }, seconds(20))) << "no resync updates";
}

}  // namespace
}  // namespace certkeeper::kube
