#include <gtest/gtest.h>

#include "lib/kube/informer.h"

namespace certkeeper::kube {
namespace {

TEST(WatchDecoder, ReassemblesEventsSplitAnywhere) {
  const std::string stream =
      "{\"type\":\"ADDED\",\"object\":{\"metadata\":{\"name\":\"a\",\"resourceVersion\":\"1\"}}}\n"
      "{\"type\":\"BOOKMARK\",\"object\":{\"metadata\":{\"resourceVersion\":\"5\"}}}\r\n"
      "\n"
      "{\"type\":\"DELETED\",\"object\":{\"metadata\":{\"name\":\"a\",\"namespace\":\"x\"}}}\n";
  // Every split point, including one byte at a time, yields the same three events.
  for (std::size_t chunk = 1; chunk <= stream.size(); chunk += 7) {
    WatchDecoder decoder;
    std::vector<WatchDecoder::Event> events;
    for (std::size_t i = 0; i < stream.size(); i += chunk) {
      ASSERT_TRUE(decoder.feed(std::string_view(stream).substr(i, chunk),
                               [&](WatchDecoder::Event e) { events.push_back(std::move(e)); }));
    }
    ASSERT_EQ(events.size(), 3U) << "chunk " << chunk;
    EXPECT_EQ(events[0].type, "ADDED");
    EXPECT_EQ(object_key(events[0].object), "a");
    EXPECT_EQ(events[1].type, "BOOKMARK");
    EXPECT_EQ(events[2].type, "DELETED");
    EXPECT_EQ(object_key(events[2].object), "x/a");
  }
}

TEST(WatchDecoder, MalformedLinesAreErrors) {
  WatchDecoder decoder;
  int n = 0;
  EXPECT_FALSE(decoder.feed("not json\n", [&](WatchDecoder::Event) { ++n; }));
  EXPECT_FALSE(decoder.feed("{\"object\":{}}\n", [&](WatchDecoder::Event) { ++n; }));
  EXPECT_EQ(n, 0);
}

TEST(ObjectKey, NamespacedAndClusterScoped) {
  EXPECT_EQ(object_key({{"metadata", {{"name", "n"}, {"namespace", "ns"}}}}), "ns/n");
  EXPECT_EQ(object_key({{"metadata", {{"name", "n"}}}}), "n");
  EXPECT_EQ(object_key(nlohmann::json::object()), "");
}

}  // namespace
}  // namespace certkeeper::kube
