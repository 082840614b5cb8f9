#include "lib/metrics/process_collector.h"

#include <unistd.h>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string_view>

#include <fmt/format.h>

#include "lib/metrics/registry.h"

namespace certkeeper::metrics {
namespace {

using common::ErrorCode;
using common::make_error;

common::Result<std::string> read_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return make_error(ErrorCode::kUnavailable, fmt::format("cannot read {}", path));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

template <typename T>
bool parse_number(std::string_view text, T& out) {
  const auto* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc() && ptr == end;
}

std::vector<std::string_view> fields(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\n' || text[i] == '\t')) {
      ++i;
    }
    const std::size_t start = i;
    while (i < text.size() && text[i] != ' ' && text[i] != '\n' && text[i] != '\t') {
      ++i;
    }
    if (i > start) {
      out.push_back(text.substr(start, i - start));
    }
  }
  return out;
}

// proc(5) /proc/pid/stat: "pid (comm) state ppid ...". comm may hold spaces and parentheses, so
// the fields are counted from the last ')'. Field n (1-based) is fields[n - 3] after it.
common::Status parse_stat(std::string_view text, long ticks, long page_size, double boot_time,
                          ProcessStats& out) {
  const auto paren = text.rfind(')');
  if (paren == std::string_view::npos) {
    return make_error(ErrorCode::kInvalidArgument, "stat: no ')' after the command name");
  }
  const auto f = fields(text.substr(paren + 1));
  constexpr std::size_t kUtime = 14 - 3;
  constexpr std::size_t kStime = 15 - 3;
  constexpr std::size_t kStartTime = 22 - 3;
  constexpr std::size_t kVsize = 23 - 3;
  constexpr std::size_t kRss = 24 - 3;
  std::uint64_t utime = 0;
  std::uint64_t stime = 0;
  std::uint64_t start = 0;
  std::uint64_t vsize = 0;
  std::int64_t rss = 0;
  if (f.size() <= kRss || !parse_number(f[kUtime], utime) || !parse_number(f[kStime], stime) ||
      !parse_number(f[kStartTime], start) || !parse_number(f[kVsize], vsize) ||
      !parse_number(f[kRss], rss)) {
    return make_error(ErrorCode::kInvalidArgument, "stat: unexpected fields");
  }
  const auto t = static_cast<double>(ticks);
  out.cpu_seconds = static_cast<double>(utime + stime) / t;
  out.start_time_seconds = boot_time + static_cast<double>(start) / t;
  out.virtual_bytes = static_cast<double>(vsize);
  out.resident_bytes = static_cast<double>(rss) * static_cast<double>(page_size);
  return common::ok();
}

common::Result<double> parse_boot_time(std::string_view text) {
  std::istringstream lines{std::string(text)};
  std::string line;
  while (std::getline(lines, line)) {
    if (line.starts_with("btime ")) {
      std::uint64_t btime = 0;
      if (parse_number(std::string_view(line).substr(6), btime)) {
        return static_cast<double>(btime);
      }
    }
  }
  return make_error(ErrorCode::kInvalidArgument, "stat: no btime line");
}

// "Max open files            1024                 524288               files": the soft limit.
common::Result<double> parse_max_fds(std::string_view text) {
  constexpr std::string_view kName = "Max open files";
  const auto at = text.find(kName);
  if (at == std::string_view::npos) {
    return make_error(ErrorCode::kInvalidArgument, "limits: no 'Max open files' line");
  }
  const auto f = fields(text.substr(at + kName.size(), text.find('\n', at) - at - kName.size()));
  if (f.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "limits: 'Max open files' has no value");
  }
  if (f[0] == "unlimited") {
    return static_cast<double>(std::numeric_limits<std::uint64_t>::max());
  }
  std::uint64_t soft = 0;
  if (!parse_number(f[0], soft)) {
    return make_error(ErrorCode::kInvalidArgument, "limits: 'Max open files' is not a number");
  }
  return static_cast<double>(soft);
}

}  // namespace

common::Result<ProcessStats> read_process_stats(const ProcfsOptions& options) {
  const std::string dir = options.root + "/" + options.pid;
  const long ticks = options.clock_ticks > 0 ? options.clock_ticks : ::sysconf(_SC_CLK_TCK);
  const long page = options.page_size > 0 ? options.page_size : ::sysconf(_SC_PAGESIZE);
  auto system_stat = read_file(options.root + "/stat");
  if (!system_stat) {
    return tl::unexpected(system_stat.error());
  }
  auto boot = parse_boot_time(*system_stat);
  if (!boot) {
    return tl::unexpected(boot.error());
  }
  auto stat = read_file(dir + "/stat");
  if (!stat) {
    return tl::unexpected(stat.error());
  }
  ProcessStats out;
  if (auto status = parse_stat(*stat, ticks, page, *boot, out); !status) {
    return tl::unexpected(status.error());
  }
  auto limits = read_file(dir + "/limits");
  if (!limits) {
    return tl::unexpected(limits.error());
  }
  auto max_fds = parse_max_fds(*limits);
  if (!max_fds) {
    return tl::unexpected(max_fds.error());
  }
  out.max_fds = *max_fds;
  std::error_code ec;
  std::filesystem::directory_iterator fds(dir + "/fd", ec);
  if (ec) {
    return make_error(ErrorCode::kUnavailable, fmt::format("cannot list {}/fd", dir));
  }
  double open = 0;
  for (const auto& entry : fds) {
    (void)entry;
    ++open;
  }
  // The iterator's own descriptor is one of them while it is open; Go's collector counts the
  // same way (it also lists /proc/self/fd), so the figures compare.
  out.open_fds = open;
  return out;
}

ProcessCollector::ProcessCollector(ProcfsOptions options) : options_(std::move(options)) {}

std::vector<prometheus::MetricFamily> ProcessCollector::Collect() const {
  auto stats = read_process_stats(options_);
  if (!stats) {
    return {};
  }
  using prometheus::MetricType;
  const std::pair<const char*, const char*> names[] = {
      {"process_cpu_seconds_total", "Total user and system CPU time spent in seconds."},
      {"process_resident_memory_bytes", "Resident memory size in bytes."},
      {"process_virtual_memory_bytes", "Virtual memory size in bytes."},
      {"process_start_time_seconds", "Start time of the process since unix epoch in seconds."},
      {"process_open_fds", "Number of open file descriptors."},
      {"process_max_fds", "Maximum number of open file descriptors."},
  };
  const double values[] = {stats->cpu_seconds,        stats->resident_bytes, stats->virtual_bytes,
                           stats->start_time_seconds, stats->open_fds,       stats->max_fds};
  std::vector<prometheus::MetricFamily> out;
  for (std::size_t i = 0; i < std::size(values); ++i) {
    auto family = make_family(names[i].first, names[i].second,
                              i == 0 ? MetricType::Counter : MetricType::Gauge);
    add_sample(family, {}, values[i]);
    out.push_back(std::move(family));
  }
  return out;
}

}  // namespace certkeeper::metrics
