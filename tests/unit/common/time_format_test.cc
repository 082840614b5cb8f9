#include "lib/common/time_format.h"

#include <gtest/gtest.h>

namespace certkeeper::common {
namespace {

using std::chrono::seconds;
using std::chrono::system_clock;

system_clock::time_point at(std::int64_t unix_seconds) {
  return system_clock::time_point(seconds(unix_seconds));
}

TEST(Rfc3339, FormatsKubernetesStyle) {
  EXPECT_EQ(format_rfc3339(at(1700000000)), "2023-11-14T22:13:20Z");
  EXPECT_EQ(format_rfc3339(at(1700000000) + std::chrono::milliseconds(999)),
            "2023-11-14T22:13:20Z");
}

TEST(Rfc3339, ParsesUtcOffsetsAndFractions) {
  EXPECT_EQ(parse_rfc3339("2023-11-14T22:13:20Z").value(), at(1700000000));
  EXPECT_EQ(parse_rfc3339("2023-11-14t22:13:20z").value(), at(1700000000));
  EXPECT_EQ(parse_rfc3339("2023-11-15T00:13:20+02:00").value(), at(1700000000));
  EXPECT_EQ(parse_rfc3339("2023-11-14T20:13:20-02:00").value(), at(1700000000));
  EXPECT_EQ(parse_rfc3339("2023-11-14T22:13:20.250Z").value(),
            at(1700000000) + std::chrono::milliseconds(250));
}

TEST(Rfc3339, RoundTrips) {
  const auto t = at(4102444800);  // 2100-01-01
  EXPECT_EQ(parse_rfc3339(format_rfc3339(t)).value(), t);
}

TEST(Rfc3339, RejectsMalformed) {
  for (const char* bad :
       {"", "2023-11-14", "2023-11-14T22:13:20", "2023-13-14T22:13:20Z", "2023-02-30T00:00:00Z",
        "2023-11-14T24:00:00Z", "2023-11-14T22:13:20.Z", "2023-11-14T22:13:20+0200",
        "2023-11-14T22:13:20Zjunk", "Tue, 14 Nov 2023 22:13:20 GMT"}) {
    auto r = parse_rfc3339(bad);
    EXPECT_FALSE(r) << bad;
    if (!r) {
      EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
    }
  }
}

}  // namespace
}  // namespace certkeeper::common

namespace certkeeper::common {
namespace {

// Found by acme_json_fuzz: dates beyond system_clock's range overflowed in conversion.
TEST(Rfc3339, YearsOutsideTheClockRangeAreErrorsNotOverflow) {
  EXPECT_FALSE(parse_rfc3339("5913-01-01T00:00:00Z"));
  EXPECT_FALSE(parse_rfc3339("1000-01-01T00:00:00Z"));
  EXPECT_TRUE(parse_rfc3339("2261-12-31T23:59:59Z"));
  EXPECT_TRUE(parse_rfc3339("1678-01-01T00:00:00Z"));
  EXPECT_FALSE(utc_time(2262, 1, 1, 0, 0, 0));
  EXPECT_FALSE(utc_time(2024, 2, 30, 0, 0, 0));
}

}  // namespace
}  // namespace certkeeper::common
