#include "lib/api/duration.h"

#include <cstdint>
#include <limits>

#include <fmt/format.h>

namespace certkeeper::api {
namespace {

using common::ErrorCode;
using common::make_error;

constexpr std::uint64_t kMaxMagnitude = std::uint64_t{1} << 63;  // |min int64|

struct Unit {
  std::string_view name;
  std::uint64_t nanos;
};

// Longest names first is not needed: a unit ends at the next digit or '.' (see below).
constexpr Unit kUnits[] = {
    {"ns", 1},
    {"us", 1'000},
    {"\xC2\xB5s", 1'000},  // U+00B5 MICRO SIGN
    {"\xCE\xBCs", 1'000},  // U+03BC GREEK SMALL LETTER MU
    {"ms", 1'000'000},
    {"s", 1'000'000'000},
    {"m", 60'000'000'000},
    {"h", 3'600'000'000'000},
};

bool is_digit(char c) { return c >= '0' && c <= '9'; }

common::Error invalid(std::string_view text, std::string_view why) {
  return common::Error(ErrorCode::kInvalidArgument,
                       fmt::format("invalid duration \"{}\": {}", text, why));
}

}  // namespace

common::Result<std::chrono::nanoseconds> parse_go_duration(std::string_view text) {
  std::string_view s = text;
  bool negative = false;
  if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  if (s == "0") {
    return std::chrono::nanoseconds(0);
  }
  if (s.empty()) {
    return make_error(invalid(text, "empty"));
  }
  std::uint64_t total = 0;
  while (!s.empty()) {
    // The integer part: at most kMaxMagnitude before the unit is applied.
    std::uint64_t whole = 0;
    bool have_digits = false;
    bool overflow = false;
    while (!s.empty() && is_digit(s.front())) {
      have_digits = true;
      auto digit = static_cast<std::uint64_t>(s.front() - '0');
      if (whole > (kMaxMagnitude - digit) / 10) {
        overflow = true;
      } else {
        whole = whole * 10 + digit;
      }
      s.remove_prefix(1);
    }
    if (overflow) {
      return make_error(invalid(text, "out of range"));
    }
    // The fraction: digits beyond what int64 can scale are dropped, as Go does.
    std::uint64_t frac = 0;
    std::uint64_t scale = 1;
    if (!s.empty() && s.front() == '.') {
      s.remove_prefix(1);
      while (!s.empty() && is_digit(s.front())) {
        have_digits = true;
        if (scale <= std::numeric_limits<std::uint64_t>::max() / 10 / 10) {
          frac = frac * 10 + static_cast<std::uint64_t>(s.front() - '0');
          scale *= 10;
        }
        s.remove_prefix(1);
      }
    }
    if (!have_digits) {
      return make_error(invalid(text, "expected a number"));
    }
    std::size_t unit_len = 0;
    while (unit_len < s.size() && s[unit_len] != '.' && !is_digit(s[unit_len])) {
      ++unit_len;
    }
    if (unit_len == 0) {
      return make_error(invalid(text, "missing unit"));
    }
    std::string_view unit_name = s.substr(0, unit_len);
    s.remove_prefix(unit_len);
    const Unit* unit = nullptr;
    for (const Unit& u : kUnits) {
      if (u.name == unit_name) {
        unit = &u;
      }
    }
    if (unit == nullptr) {
      return make_error(invalid(text, fmt::format("unknown unit \"{}\"", unit_name)));
    }
    if (whole > kMaxMagnitude / unit->nanos) {
      return make_error(invalid(text, "out of range"));
    }
    std::uint64_t value = whole * unit->nanos;
    if (frac > 0) {
      // frac/scale < 1, so frac * nanos / scale < nanos ≤ 3.6e12; computed in long double to
      // avoid the overflow of frac * nanos for long fractions.
      auto part = static_cast<std::uint64_t>(static_cast<long double>(frac) *
                                             static_cast<long double>(unit->nanos) /
                                             static_cast<long double>(scale));
      value += part;
      if (value > kMaxMagnitude) {
        return make_error(invalid(text, "out of range"));
      }
    }
    if (value > kMaxMagnitude - total) {
      return make_error(invalid(text, "out of range"));
    }
    total += value;
  }
  if (negative) {
    if (total == kMaxMagnitude) {
      return std::chrono::nanoseconds(std::numeric_limits<std::int64_t>::min());
    }
    return std::chrono::nanoseconds(-static_cast<std::int64_t>(total));
  }
  if (total == kMaxMagnitude) {
    return make_error(invalid(text, "out of range"));
  }
  return std::chrono::nanoseconds(static_cast<std::int64_t>(total));
}

namespace {

// v / 10^precision with the trailing zeros of the fraction removed, like Go's fmtFrac.
std::string with_fraction(std::uint64_t v, int precision) {
  std::string digits;
  bool printed = false;
  for (int i = 0; i < precision; ++i) {
    std::uint64_t digit = v % 10;
    printed = printed || digit != 0;
    if (printed) {
      digits.insert(digits.begin(), static_cast<char>('0' + digit));
    }
    v /= 10;
  }
  std::string out = std::to_string(v);
  if (printed) {
    out += '.';
    out += digits;
  }
  return out;
}

}  // namespace

std::string format_go_duration(std::chrono::nanoseconds d) {
  std::int64_t n = d.count();
  if (n == 0) {
    return "0s";
  }
  std::uint64_t u =
      n < 0 ? std::uint64_t{0} - static_cast<std::uint64_t>(n) : static_cast<std::uint64_t>(n);
  std::string out;
  if (u < 1'000'000'000) {
    if (u < 1'000) {
      out = std::to_string(u) + "ns";
    } else if (u < 1'000'000) {
      out = with_fraction(u, 3) + "\xC2\xB5s";
    } else {
      out = with_fraction(u, 6) + "ms";
    }
  } else {
    out = with_fraction(u % 60'000'000'000, 9) + "s";
    std::uint64_t minutes = u / 60'000'000'000;
    if (minutes > 0) {
      out = std::to_string(minutes % 60) + "m" + out;
      std::uint64_t hours = minutes / 60;
      if (hours > 0) {
        out = std::to_string(hours) + "h" + out;
      }
    }
  }
  return n < 0 ? "-" + out : out;
}

}  // namespace certkeeper::api
