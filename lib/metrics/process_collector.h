#pragma once

#include <string>
#include <vector>

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include "lib/common/error.h"

namespace certkeeper::metrics {

// What Prometheus's standard process collector reports, read from procfs (proc(5)).
struct ProcessStats {
  double cpu_seconds = 0;         // user + system time
  double resident_bytes = 0;      // RSS
  double virtual_bytes = 0;       // VSZ
  double start_time_seconds = 0;  // since the Unix epoch
  double open_fds = 0;
  double max_fds = 0;  // the soft RLIMIT_NOFILE; a very large number when unlimited
};

struct ProcfsOptions {
  std::string root = "/proc";  // tests point this at a directory of their own
  std::string pid = "self";
  long clock_ticks = 0;  // 0: sysconf(_SC_CLK_TCK)
  long page_size = 0;    // 0: sysconf(_SC_PAGESIZE)
};

// Reads <root>/<pid>/stat, <root>/<pid>/limits, <root>/<pid>/fd and <root>/stat (btime).
// kUnavailable naming the file that could not be read, kInvalidArgument when one does not parse.
common::Result<ProcessStats> read_process_stats(const ProcfsOptions& options = {});

// The process_* families (process_cpu_seconds_total, process_resident_memory_bytes,
// process_virtual_memory_bytes, process_start_time_seconds, process_open_fds, process_max_fds)
// computed at each scrape; nothing when procfs cannot be read. Stateless, thread-safe.
class ProcessCollector final : public prometheus::Collectable {
 public:
  explicit ProcessCollector(ProcfsOptions options = {});
  [[nodiscard]] std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  ProcfsOptions options_;
};

}  // namespace certkeeper::metrics
