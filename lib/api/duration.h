#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "lib/common/error.h"

// Go time.Duration text, as metav1.Duration fields (spec.duration, spec.renewBefore, …) carry it.
namespace certkeeper::api {

// Go's time.ParseDuration: an optional sign, then one or more decimal numbers, each with an
// optional fraction and a unit: "ns", "us" (or "µs"/"μs"), "ms", "s", "m", "h". "0" alone is
// allowed. Examples: "2160h", "1h30m", "59m56s", "1.5h", "-5m". Out of int64 nanoseconds →
// InvalidArgument; messages quote the input (durations are never secret).
common::Result<std::chrono::nanoseconds> parse_go_duration(std::string_view text);

// Go's Duration.String(): "2160h0m0s", "1h30m0s", "1.5s", "500ms", "0s".
std::string format_go_duration(std::chrono::nanoseconds d);

}  // namespace certkeeper::api
