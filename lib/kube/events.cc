#include "lib/kube/events.h"

#include <fmt/format.h>

#include "lib/common/log.h"
#include "lib/common/time_format.h"
#include "lib/common/version.h"

namespace certkeeper::kube {
namespace {

using nlohmann::json;

json reference_to(const json& object) {
  const json& md = object.value("metadata", json::object());
  json ref = {{"apiVersion", object.value("apiVersion", "")},
              {"kind", object.value("kind", "")},
              {"name", md.value("name", "")}};
  for (const char* key : {"namespace", "uid", "resourceVersion"}) {
    if (md.contains(key) && md[key].is_string()) {
      ref[key] = md[key];
    }
  }
  return ref;
}

std::string object_id(const json& ref) {
  return fmt::format("{}/{}/{}/{}", ref.value("kind", ""), ref.value("namespace", ""),
                     ref.value("name", ""), ref.value("uid", ""));
}

}  // namespace

EventRecorder::EventRecorder(Client& client, std::string component, const common::Clock& clock,
                             EventRecorderOptions options)
    : client_(client), component_(std::move(component)), clock_(clock), options_(options) {
  thread_ = std::thread([this] { run(); });
}

EventRecorder::~EventRecorder() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void EventRecorder::event(const json& object, EventType type, std::string reason,
                          std::string message) {
  json involved = reference_to(object);
  const std::string id = object_id(involved);
  std::lock_guard lock(mu_);
  auto& bucket = spam_[id];
  if (!bucket) {
    const double qps = 1.0 / static_cast<double>(options_.refill_interval.count());
    bucket = std::make_unique<TokenBucket>(qps, options_.burst, clock_);
  }
  if (queue_.size() >= options_.max_pending || !bucket->try_take()) {
    ++dropped_;
    return;
  }
  queue_.push_back(
      {std::move(involved), type, std::move(reason), std::move(message), clock_.now()});
  cv_.notify_all();
}

void EventRecorder::flush() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [this] { return queue_.empty() && !in_flight_; });
}

void EventRecorder::run() {
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) {
      return;  // stopping, and everything queued has been written
    }
    Pending p = std::move(queue_.front());
    queue_.pop_front();
    in_flight_ = true;
    lock.unlock();
    write(p);
    lock.lock();
    in_flight_ = false;
    cv_.notify_all();
  }
}

void EventRecorder::write(const Pending& p) {
  const std::string type = p.type == EventType::kWarning ? "Warning" : "Normal";
  const std::string key =
      fmt::format("{}|{}|{}|{}", object_id(p.involved), type, p.reason, p.message);
  const std::string ts = common::format_rfc3339(p.at);
  // Events of cluster-scoped objects live in "default", as client-go puts them.
  const std::string ns = p.involved.value("namespace", "default");
  const ResourceRef events{"", "v1", "events", ns};

  if (auto it = series_.find(key); it != series_.end()) {
    const int count = it->second.count + 1;
    auto patched = client_.patch(events.with_name(it->second.name), PatchType::kMerge,
                                 {{"count", count}, {"lastTimestamp", ts}});
    if (patched) {
      it->second.count = count;
      ++patched_;
      return;
    }
    series_.erase(it);  // gone (events expire after an hour): start a new series
  }
  const auto nanos =
      std::chrono::duration_cast<std::chrono::nanoseconds>(p.at.time_since_epoch()).count();
  const std::string name = fmt::format("{}.{:x}", p.involved.value("name", "object"), nanos);
  json event = {
      {"apiVersion", "v1"},
      {"kind", "Event"},
      {"metadata", {{"name", name}, {"namespace", ns}}},
      {"involvedObject", p.involved},
      {"reason", p.reason},
      {"message", p.message},
      {"type", type},
      {"source", {{"component", component_}}},
      {"reportingComponent", component_},
      {"reportingInstance", component_},
      {"firstTimestamp", ts},
      {"lastTimestamp", ts},
      {"count", 1},
  };
  auto created = client_.create(events, event);
  if (!created) {
    common::logger("events")->warn("could not record event {} on {}: {}", p.reason,
                                   p.involved.value("name", ""), created.error().message());
    return;
  }
  series_[key] = Series{name, ns, 1};
  ++created_;
}

}  // namespace certkeeper::kube
