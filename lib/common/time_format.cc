#include "lib/common/time_format.h"

#include <charconv>

#include <fmt/chrono.h>
#include <fmt/format.h>

namespace certkeeper::common {
namespace {

// Reads exactly `digits` decimal digits at `pos`.
bool read_int(std::string_view s, std::size_t pos, std::size_t digits, int& out) {
  if (pos + digits > s.size()) {
    return false;
  }
  const char* first = s.data() + pos;
  const char* last = first + digits;
  auto [ptr, ec] = std::from_chars(first, last, out);
  return ec == std::errc() && ptr == last;
}

}  // namespace

std::string format_rfc3339(std::chrono::system_clock::time_point t) {
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}Z", std::chrono::floor<std::chrono::seconds>(t));
}

Result<std::chrono::system_clock::time_point> utc_time(int year, int month, int day, int hour,
                                                       int minute, int second) {
  constexpr int kMinYear = 1678;
  constexpr int kMaxYear = 2261;
  if (year < kMinYear || year > kMaxYear) {
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("year {} is outside {}–{}", year, kMinYear, kMaxYear));
  }
  if (month < 1 || month > 12 || day < 1 || day > 31) {
    return make_error(ErrorCode::kInvalidArgument, "date field out of range");
  }
  const std::chrono::year_month_day ymd{std::chrono::year(year),
                                        std::chrono::month(static_cast<unsigned>(month)),
                                        std::chrono::day(static_cast<unsigned>(day))};
  if (!ymd.ok() || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 ||
      second > 60) {
    return make_error(ErrorCode::kInvalidArgument, "date or time field out of range");
  }
  const auto t = std::chrono::sys_days(ymd) + std::chrono::hours(hour) +
                 std::chrono::minutes(minute) + std::chrono::seconds(second);
  return std::chrono::time_point_cast<std::chrono::system_clock::duration>(t);
}

Result<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view text) {
  const auto bad = [&](std::string_view what) {
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("invalid RFC 3339 time '{}': {}", text.substr(0, 40), what));
  };
  int year = 0;
  int month = 0;
  int day = 0;
  int hour = 0;
  int minute = 0;
  int second = 0;
  if (!read_int(text, 0, 4, year) || text.size() < 20 || text[4] != '-' ||
      !read_int(text, 5, 2, month) || text[7] != '-' || !read_int(text, 8, 2, day) ||
      (text[10] != 'T' && text[10] != 't') || !read_int(text, 11, 2, hour) || text[13] != ':' ||
      !read_int(text, 14, 2, minute) || text[16] != ':' || !read_int(text, 17, 2, second)) {
    return bad("expected YYYY-MM-DDTHH:MM:SS");
  }
  auto base = utc_time(year, month, day, hour, minute, second);
  if (!base) {
    return bad(base.error().message());
  }
  std::size_t pos = 19;
  std::chrono::nanoseconds frac{0};
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    std::int64_t scale = 100000000;
    const std::size_t start = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      frac += std::chrono::nanoseconds((text[pos] - '0') * scale);
      scale /= 10;
      ++pos;
    }
    if (pos == start) {
      return bad("empty fractional seconds");
    }
  }
  std::chrono::minutes offset{0};
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    int oh = 0;
    int om = 0;
    if (!read_int(text, pos + 1, 2, oh) || pos + 3 >= text.size() || text[pos + 3] != ':' ||
        !read_int(text, pos + 4, 2, om)) {
      return bad("bad UTC offset");
    }
    offset = std::chrono::hours(oh) + std::chrono::minutes(om);
    if (text[pos] == '-') {
      offset = -offset;
    }
    pos += 6;
  } else {
    return bad("missing time zone (Z or ±HH:MM)");
  }
  if (pos != text.size()) {
    return bad("trailing characters");
  }
  return *base - offset + std::chrono::duration_cast<std::chrono::system_clock::duration>(frac);
}

}  // namespace certkeeper::common
