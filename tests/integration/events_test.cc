// The events recorder against the real apiserver: a hot loop of identical events becomes one
// Event with a count, bounded by the per-object spam filter.
#include "lib/kube/events.h"

#include <gtest/gtest.h>

#include "lib/common/clock.h"
#include "tests/support/informer_probe.h"
#include "tests/support/kubectl.h"
#include "tests/support/testenv.h"

namespace certkeeper::kube {
namespace {

using nlohmann::json;

std::vector<json> events_about(Client& client, const std::string& name) {
  auto list = client.list({"", "v1", "events", "default"},
                          {.field_selector = "involvedObject.name=" + name});
  EXPECT_TRUE(list) << list.error().to_string();
  return list ? (*list)["items"].get<std::vector<json>>() : std::vector<json>{};
}

TEST(EventRecorder, AggregatesAHotLoopIntoOneCountedEventAndDropsTheFlood) {
  auto client = testing::admin_client();
  const std::string name = testing::unique_name("evented");
  auto cm =
      client->create({"", "v1", "configmaps", "default"},
                     {{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", {{"name", name}}}});
  ASSERT_TRUE(cm) << cm.error().to_string();
  EventRecorder recorder(*client, "certkeeper-test", common::SystemClock::instance());
  for (int i = 0; i < 100; ++i) {
    recorder.event(*cm, EventType::kWarning, "Failed", "the same failure every time");
  }
  recorder.flush();
  EXPECT_EQ(recorder.created(), 1);
  EXPECT_EQ(recorder.patched(), 24);
  EXPECT_EQ(recorder.dropped(), 75);

  const auto events = events_about(*client, name);
  ASSERT_EQ(events.size(), 1U);
  const json& e = events[0];
  EXPECT_EQ(e["count"], 25);
  EXPECT_EQ(e["type"], "Warning");
  EXPECT_EQ(e["reason"], "Failed");
  EXPECT_EQ(e["involvedObject"]["kind"], "ConfigMap");
  EXPECT_EQ(e["involvedObject"]["uid"], (*cm)["metadata"]["uid"]);
  EXPECT_EQ(e["source"]["component"], "certkeeper-test");
}

TEST(EventRecorder, DifferentReasonsAreSeparateEvents) {
  auto client = testing::admin_client();
  const std::string name = testing::unique_name("evented");
  auto cm =
      client->create({"", "v1", "configmaps", "default"},
                     {{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", {{"name", name}}}});
  ASSERT_TRUE(cm);
  EventRecorder recorder(*client, "certkeeper-test", common::SystemClock::instance());
  recorder.event(*cm, EventType::kNormal, "Issuing", "issuing a new certificate");
  recorder.event(*cm, EventType::kNormal, "Issued", "certificate issued");
  recorder.event(*cm, EventType::kNormal, "Issuing", "issuing a new certificate");
  recorder.flush();
  const auto events = events_about(*client, name);
  ASSERT_EQ(events.size(), 2U);
  int total = 0;
  for (const auto& e : events) {
    total += e["count"].get<int>();
    EXPECT_EQ(e["type"], "Normal");
  }
  EXPECT_EQ(total, 3);
}

}  // namespace
}  // namespace certkeeper::kube
