#include "lib/metrics/registry.h"

#include <algorithm>
#include <mutex>
#include <sstream>

#include <prometheus/text_serializer.h>

namespace certkeeper::metrics {

Registry::Registry() : families_(std::make_shared<prometheus::Registry>()) {}

void Registry::add(std::shared_ptr<const prometheus::Collectable> collector) {
  if (!collector) {
    return;
  }
  const std::unique_lock lock(mu_);
  collectors_.push_back(std::move(collector));
}

void Registry::remove(const prometheus::Collectable* collector) {
  const std::unique_lock lock(mu_);
  std::erase_if(collectors_, [collector](const auto& c) { return c.get() == collector; });
}

std::vector<prometheus::MetricFamily> Registry::collect() const {
  auto out = families_->Collect();
  // Held across the collection so that remove() waits for scrapes still using a collector.
  const std::shared_lock lock(mu_);
  for (const auto& collector : collectors_) {
    auto more = collector->Collect();
    out.insert(out.end(), std::make_move_iterator(more.begin()),
               std::make_move_iterator(more.end()));
  }
  return out;
}

std::string Registry::scrape() const { return to_text(collect()); }

std::string to_text(const std::vector<prometheus::MetricFamily>& families) {
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, families);
  return out.str();
}

prometheus::MetricFamily make_family(std::string name, std::string help,
                                     prometheus::MetricType type) {
  prometheus::MetricFamily family;
  family.name = std::move(name);
  family.help = std::move(help);
  family.type = type;
  return family;
}

void add_sample(prometheus::MetricFamily& family, const LabelPairs& labels, double value) {
  prometheus::ClientMetric metric;
  metric.label.reserve(labels.size());
  for (const auto& [name, label_value] : labels) {
    metric.label.push_back({name, label_value});
  }
  switch (family.type) {
    case prometheus::MetricType::Counter:
      metric.counter.value = value;
      break;
    case prometheus::MetricType::Gauge:
      metric.gauge.value = value;
      break;
    default:
      metric.untyped.value = value;
      break;
  }
  family.metric.push_back(std::move(metric));
}

}  // namespace certkeeper::metrics
