#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "lib/common/clock.h"
#include "lib/kube/client.h"
#include "lib/kube/rate_limiter.h"

namespace certkeeper::kube {

enum class EventType { kNormal, kWarning };

struct EventRecorderOptions {
  // Spam filter per involved object, as client-go's: a burst, then one event per interval.
  int burst = 25;
  std::chrono::seconds refill_interval{std::chrono::minutes(5)};
  std::size_t max_pending = 1000;  // beyond this, new events are dropped rather than queued
};

// Records core/v1 Events about objects, the way `kubectl describe` shows them, without letting a
// hot loop flood the API server:
//  - identical events (same object, type, reason, message) are aggregated into one Event whose
//    count and lastTimestamp are patched;
//  - each involved object has a token bucket (burst, then one per refill interval); events over
//    it are dropped and counted;
//  - writes happen on a background thread, so event() never blocks a reconciler.
//
// Thread-safe. Destruction flushes what is queued, then stops.
class EventRecorder {
 public:
  EventRecorder(Client& client, std::string component, const common::Clock& clock,
                EventRecorderOptions options = {});
  ~EventRecorder();
  EventRecorder(const EventRecorder&) = delete;
  EventRecorder& operator=(const EventRecorder&) = delete;

  // `object` is the involved object as the API returns it (apiVersion, kind, metadata).
  void event(const nlohmann::json& object, EventType type, std::string reason, std::string message);

  // Blocks until everything queued so far has been written (or failed).
  void flush();

  [[nodiscard]] int created() const { return created_.load(); }
  [[nodiscard]] int patched() const { return patched_.load(); }
  [[nodiscard]] int dropped() const { return dropped_.load(); }

 private:
  struct Pending {
    nlohmann::json involved;
    EventType type;
    std::string reason;
    std::string message;
    std::chrono::system_clock::time_point at;
  };
  struct Series {
    std::string name;
    std::string ns;
    int count = 0;
  };
  void run();
  void write(const Pending& p);

  Client& client_;
  std::string component_;
  const common::Clock& clock_;
  EventRecorderOptions options_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Pending> queue_;
  bool in_flight_ = false;
  bool stopping_ = false;
  std::map<std::string, std::unique_ptr<TokenBucket>> spam_;  // per involved object

  std::map<std::string, Series> series_;  // writer thread only
  std::atomic<int> created_{0};
  std::atomic<int> patched_{0};
  std::atomic<int> dropped_{0};
  std::thread thread_;
};

}  // namespace certkeeper::kube
