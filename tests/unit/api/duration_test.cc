#include "lib/api/duration.h"

#include <chrono>
#include <cstdint>
#include <limits>

#include <gtest/gtest.h>

namespace certkeeper::api {
namespace {

using namespace std::chrono_literals;
using std::chrono::nanoseconds;

nanoseconds parse(std::string_view text) {
  auto d = parse_go_duration(text);
  EXPECT_TRUE(d.has_value()) << text << ": " << (d ? "" : d.error().message());
  return d.value_or(nanoseconds(-1));
}

TEST(GoDuration, ParsesTheFormsCertManagerUsersWrite) {
  EXPECT_EQ(parse("2160h"), 2160h);
  EXPECT_EQ(parse("1h30m"), 90min);
  EXPECT_EQ(parse("59m56s"), 59min + 56s);
  EXPECT_EQ(parse("1.5h"), 90min);
  EXPECT_EQ(parse("0"), 0ns);
  EXPECT_EQ(parse("-5m"), -5min);
  EXPECT_EQ(parse("+5m"), 5min);
  EXPECT_EQ(parse("300ms"), 300ms);
  EXPECT_EQ(parse("1us"), 1us);
  EXPECT_EQ(parse("1\xC2\xB5s"), 1us);
  EXPECT_EQ(parse("1\xCE\xBCs"), 1us);
  EXPECT_EQ(parse("10ns"), 10ns);
  EXPECT_EQ(parse(".5s"), 500ms);
  EXPECT_EQ(parse("1.s"), 1s);
  EXPECT_EQ(parse("1h1m1s1ms1us1ns"), 1h + 1min + 1s + 1ms + 1us + 1ns);
  EXPECT_EQ(parse("0.000000001s"), 1ns);
}

TEST(GoDuration, TheInt64RangeIsExact) {
  EXPECT_EQ(parse("9223372036854775807ns").count(), std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(parse("-9223372036854775808ns").count(), std::numeric_limits<std::int64_t>::min());
  EXPECT_FALSE(parse_go_duration("9223372036854775808ns").has_value());
  EXPECT_FALSE(parse_go_duration("2562048h").has_value());  // > 292 years
  EXPECT_FALSE(parse_go_duration("99999999999999999999h").has_value());
}

TEST(GoDuration, RejectsWhatGoRejects) {
  for (std::string_view bad :
       {"", "h", "1", "1x", "1hh", ".s", "-", "1h 30m", "1.5.5h", "3 h", "1H", "one hour"}) {
    auto d = parse_go_duration(bad);
    EXPECT_FALSE(d.has_value()) << bad;
    if (!d) {
      EXPECT_EQ(d.error().code(), common::ErrorCode::kInvalidArgument);
      EXPECT_NE(d.error().message().find("invalid duration"), std::string::npos);
    }
  }
}

TEST(GoDuration, FormatsLikeGo) {
  EXPECT_EQ(format_go_duration(0ns), "0s");
  EXPECT_EQ(format_go_duration(2160h), "2160h0m0s");
  EXPECT_EQ(format_go_duration(90min), "1h30m0s");
  EXPECT_EQ(format_go_duration(59min + 56s), "59m56s");
  EXPECT_EQ(format_go_duration(1500ms), "1.5s");
  EXPECT_EQ(format_go_duration(500ms), "500ms");
  EXPECT_EQ(format_go_duration(1500us), "1.5ms");
  EXPECT_EQ(format_go_duration(2us), "2\xC2\xB5s");
  EXPECT_EQ(format_go_duration(7ns), "7ns");
  EXPECT_EQ(format_go_duration(-5min), "-5m0s");
  EXPECT_EQ(format_go_duration(1h + 1ns), "1h0m0.000000001s");
  EXPECT_EQ(format_go_duration(nanoseconds(std::numeric_limits<std::int64_t>::min())),
            "-2562047h47m16.854775808s");
}

TEST(GoDuration, FormatThenParseIsTheIdentity) {
  for (nanoseconds d : {nanoseconds(1), nanoseconds(999), nanoseconds(1001), nanoseconds(123456789),
                        nanoseconds(3600000000001), nanoseconds(-86400000000000),
                        nanoseconds(std::numeric_limits<std::int64_t>::max())}) {
    EXPECT_EQ(parse(format_go_duration(d)), d) << format_go_duration(d);
  }
}

}  // namespace
}  // namespace certkeeper::api
