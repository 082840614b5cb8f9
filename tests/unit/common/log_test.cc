#include "lib/common/log.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace certkeeper::common {
namespace {

TEST(Log, JsonLineHasKubernetesStyleFields) {
  const auto ts = std::chrono::system_clock::time_point(std::chrono::milliseconds(1700000000123));
  const std::string line = json_log_line(ts, "info", "certificates-trigger", "queued \"web\"\n");
  const auto doc = nlohmann::json::parse(line);
  EXPECT_EQ(doc.at("ts").get<std::string>(), "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(doc.at("level").get<std::string>(), "info");
  EXPECT_EQ(doc.at("logger").get<std::string>(), "certificates-trigger");
  EXPECT_EQ(doc.at("msg").get<std::string>(), "queued \"web\"\n");
  EXPECT_EQ(line.find('\n'), std::string::npos) << "one event, one line";
}

TEST(Log, InvalidUtf8IsReplacedNotThrown) {
  const std::string bad = "bytes \xff\xfe end";
  const std::string line = json_log_line(std::chrono::system_clock::time_point{}, "warn", "t", bad);
  const auto doc = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  EXPECT_FALSE(doc.is_discarded()) << line;
}

TEST(Log, UnknownLevelIsRejectedWithTheValue) {
  auto status = init_logging({"verbose", LogFormat::kText});
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(status.error().message().find("'verbose'"), std::string::npos);
}

TEST(Log, KnownLevelsAreAccepted) {
  for (const char* level : {"trace", "debug", "info", "warn", "error", "off"}) {
    EXPECT_TRUE(init_logging({level, LogFormat::kJson})) << level;
  }
  EXPECT_EQ(logger("x")->name(), "x");
}

}  // namespace
}  // namespace certkeeper::common
