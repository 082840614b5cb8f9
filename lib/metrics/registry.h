#pragma once

#include <initializer_list>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>
#include <prometheus/registry.h>

namespace certkeeper::metrics {

// The Content-Type of the text exposition format (version 0.0.4), what Prometheus asks for.
inline constexpr std::string_view kTextContentType = "text/plain; version=0.0.4; charset=utf-8";

// One process's metrics: the families that code updates as things happen (counters, summaries,
// gauges built with prometheus::BuildCounter() ... .Register(registry.families())) and the
// collectors that compute their samples at scrape time from the state they read (caches,
// /proc, the clock), so that nothing has to be deleted when the state it describes goes away.
//
// Owns the families; holds collectors by shared_ptr until remove()d. Thread-safe: families are
// updated and collectors added or removed while scrapes run. Lifecycle: make one per process,
// share it by shared_ptr with whatever updates or serves it.
class Registry {
 public:
  Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Where families are registered (prometheus-cpp's builders take it).
  prometheus::Registry& families() { return *families_; }

  // Adds a scrape-time collector; its families follow the registry's own in collect().
  void add(std::shared_ptr<const prometheus::Collectable> collector);
  // Removes a collector added before (no-op if it is not there). Returns once no scrape is using
  // it, so a collector may borrow state (an informer cache) that is destroyed right afterwards.
  void remove(const prometheus::Collectable* collector);

  // Every family, the registry's first, then each collector's in the order they were added.
  [[nodiscard]] std::vector<prometheus::MetricFamily> collect() const;
  // collect() in the text exposition format.
  [[nodiscard]] std::string scrape() const;

 private:
  std::shared_ptr<prometheus::Registry> families_;
  // Shared by scrapes for their whole collection, exclusive for add() and remove().
  mutable std::shared_mutex mu_;
  std::vector<std::shared_ptr<const prometheus::Collectable>> collectors_;
};

// Families in the text exposition format (prometheus-cpp's TextSerializer).
std::string to_text(const std::vector<prometheus::MetricFamily>& families);

// Builders for collectors that make their samples at scrape time.
using LabelPairs = std::vector<std::pair<std::string, std::string>>;
prometheus::MetricFamily make_family(std::string name, std::string help,
                                     prometheus::MetricType type);
// Appends one sample with these labels (in this order) to a gauge, counter or untyped family.
void add_sample(prometheus::MetricFamily& family, const LabelPairs& labels, double value);

}  // namespace certkeeper::metrics
