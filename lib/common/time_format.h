#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "lib/common/error.h"

namespace certkeeper::common {

// RFC 3339 timestamps as Kubernetes writes them (metav1.Time: "2026-11-28T17:08:27Z", seconds
// precision, UTC) and as ACME servers and credential plugins send them (any offset, optional
// fractional seconds).
std::string format_rfc3339(std::chrono::system_clock::time_point t);

// A UTC calendar time as a system_clock time point. InvalidArgument when a field is out of range
// or the year lies outside what system_clock (nanoseconds since 1970) can hold, 1678–2261: a
// date from the network must never overflow the arithmetic done on it later.
Result<std::chrono::system_clock::time_point> utc_time(int year, int month, int day, int hour,
                                                       int minute, int second);

// Accepts "YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)"; 't' and 'z' in lower case too. Errors name
// what was wrong without echoing long input.
Result<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view text);

}  // namespace certkeeper::common
