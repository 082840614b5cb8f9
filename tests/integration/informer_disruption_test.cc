// Informers when the world misbehaves: the apiserver restarts under a watch, and etcd compacts
// away the resourceVersion a watch resumes from (410 Gone → relist). These restart shared
// components, so ctest runs this binary serially.
#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lib/common/clock.h"
#include "lib/common/subprocess.h"
#include "lib/kube/informer.h"
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
using testing::TestEnv;

json labelled(const std::string& kind, const std::string& name, const std::string& label) {
  json o = {{"apiVersion", "v1"},
            {"kind", kind},
            {"metadata", {{"name", name}, {"labels", {{"certkeeper-test", label}}}}}};
  if (kind == "PodTemplate") {
    o["template"] = {{"spec", {{"containers", {{{"name", "c"}, {"image", "busybox"}}}}}}};
  }
  return o;
}

std::set<std::string> keys(const Informer& informer) {
  std::set<std::string> out;
  for (const auto& o : informer.list()) {
    out.insert(object_key(*o));
  }
  return out;
}

TEST(InformerDisruption, SeesEveryChangeAcrossAnApiserverRestart) {
  auto client = testing::admin_client();
  const std::string label = testing::unique_name("restart");
  const ResourceRef cms{"", "v1", "configmaps", "default"};
  ASSERT_TRUE(client->create(cms, labelled("ConfigMap", label + "-a", label)));
  Informer informer(*client, {.resource = cms, .label_selector = "certkeeper-test=" + label},
                    common::SystemClock::instance());
  InformerProbe probe(informer);
  informer.start();
  ASSERT_TRUE(informer.wait_for_sync(seconds(30)));

  ASSERT_TRUE(TestEnv::get().restart("kube-apiserver"));

  ASSERT_TRUE(client->create(cms, labelled("ConfigMap", label + "-b", label)));
  ASSERT_TRUE(client->patch(cms.with_name(label + "-a"), PatchType::kMerge,
                            {{"data", {{"after", "restart"}}}}));
  ASSERT_TRUE(client->create(cms, labelled("ConfigMap", label + "-c", label)));
  ASSERT_TRUE(client->remove(cms.with_name(label + "-c")));
  const std::set<std::string> want = {"default/" + label + "-a", "default/" + label + "-b"};
  EXPECT_TRUE(eventually(
      [&] {
        auto a = informer.get("default/" + label + "-a");
        return keys(informer) == want && a && a->contains("data") && probe.deletes() == 1;
      },
      seconds(60)))
      << "the informer missed changes made after the restart";
  for (const auto& [key, n] : probe.adds_by_key()) {
    EXPECT_EQ(n, 1) << key << " was added more than once";
  }
  EXPECT_EQ(probe.adds(), 3);
}

TEST(InformerDisruption, RelistsAfterCompactionWithoutLosingOrDuplicatingEvents) {
  const TestEnv& env = TestEnv::get();
  auto client = testing::admin_client();
  const std::string label = testing::unique_name("gone");
  // PodTemplates bypass the apiserver's watch cache in testenv, so a compacted
  // resourceVersion reaches etcd and comes back as 410 Gone.
  const ResourceRef pts{"", "v1", "podtemplates", "default"};
  ASSERT_TRUE(client->create(pts, labelled("PodTemplate", label + "-1", label)));
  Informer informer(*client,
                    {.resource = pts,
                     .label_selector = "certkeeper-test=" + label,
                     .watch_timeout = seconds(1),
                     .bookmarks = false},
                    common::SystemClock::instance());
  InformerProbe probe(informer);
  informer.start();
  ASSERT_TRUE(informer.wait_for_sync(seconds(30)));
  ASSERT_EQ(informer.lists(), 1);

  // Move etcd's revision past the informer's resourceVersion with writes it does not watch,
  // then compact: its next watch (every second) resumes from a compacted revision.
  const ResourceRef cms{"", "v1", "configmaps", "default"};
  json last;
  for (int i = 0; i < 3; ++i) {
    auto cm =
        client->create(cms, labelled("ConfigMap", label + "-bump-" + std::to_string(i), label));
    ASSERT_TRUE(cm);
    last = *cm;
  }
  const std::string revision = last["metadata"]["resourceVersion"];
  auto compact = common::run_process(
      {env.at("CK_ETCDCTL"), "--endpoints", env.at("CK_ETCD_URL"), "compact", revision});
  ASSERT_TRUE(compact && compact->success()) << compact->stderr_data;

  EXPECT_TRUE(eventually([&] { return informer.lists() >= 2; }, seconds(30)))
      << "no relist after the compaction";
  // Changes after the relist still arrive, once each.
  ASSERT_TRUE(client->create(pts, labelled("PodTemplate", label + "-2", label)));
  ASSERT_TRUE(client->remove(pts.with_name(label + "-1")));
  EXPECT_TRUE(
      eventually([&] { return keys(informer) == std::set<std::string>{"default/" + label + "-2"}; },
                 seconds(30)));
  EXPECT_EQ(probe.adds_by_key()["default/" + label + "-1"], 1) << "duplicated by the relist";
  EXPECT_EQ(probe.adds_by_key()["default/" + label + "-2"], 1);
  EXPECT_EQ(probe.deletes(), 1);
}

}  // namespace
}  // namespace certkeeper::kube
