#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "lib/common/backoff.h"
#include "lib/common/clock.h"
#include "lib/kube/rate_limiter.h"

namespace certkeeper::kube {

struct WorkQueueOptions {
  // Per-key exponential backoff for add_rate_limited(): base · 2^(n−1), capped.
  common::BackoffPolicy per_key{std::chrono::milliseconds(5), std::chrono::minutes(16)};
  // A global bucket over all rate-limited adds, so a storm of failures cannot flood a server.
  double overall_qps = 10.0;
  int overall_burst = 100;
};

// A de-duplicating work queue of keys ("namespace/name"), as controllers use it:
//  - a key is queued at most once; a key added while a worker holds it is queued again when the
//    worker calls done(), so no change is lost and no key is processed by two workers at once;
//  - add_after() schedules a key on a timer heap (one timed wait for the earliest entry, so a
//    renewal years ahead costs nothing until it is due); an earlier schedule replaces a later one;
//  - add_rate_limited() retries with per-key exponential backoff plus a global token bucket;
//    forget() resets a key's backoff after a success;
//  - shut_down() wakes every get(); with drain, get() keeps handing out queued keys first.
//
// Thread-safe. Time comes from the injected Clock; with a FakeClock, call wake() after
// advancing it so that waiting get() calls re-check the timer heap.
class WorkQueue {
 public:
  explicit WorkQueue(const common::Clock& clock, WorkQueueOptions options = {});
  ~WorkQueue();
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  void add(const std::string& key);
  void add_after(const std::string& key, std::chrono::nanoseconds delay);
  void add_rate_limited(const std::string& key);
  void forget(const std::string& key);
  [[nodiscard]] int num_requeues(const std::string& key) const;

  // Blocks until a key is ready; nullopt once the queue is shut down (and drained, if asked).
  std::optional<std::string> get();
  // Marks a key handed out by get() as finished.
  void done(const std::string& key);

  // Stops the queue. Without drain, get() returns nullopt at once; with drain, queued keys
  // (not delayed ones) are still handed out first.
  void shut_down(bool drain = false);
  [[nodiscard]] bool shutting_down() const;

  // Keys ready now (queued, or on the timer heap and due) / keys whose time has not come.
  [[nodiscard]] std::size_t ready_count() const;
  [[nodiscard]] std::size_t delayed_count() const;
  // The earliest time a delayed key becomes ready, if any (for tests and metrics).
  [[nodiscard]] std::optional<std::chrono::steady_clock::time_point> next_due() const;

  // Re-evaluates the timer heap for waiting get() calls (after a FakeClock moved).
  void wake();

 private:
  void enqueue_locked(const std::string& key);
  void promote_due_locked(std::chrono::steady_clock::time_point now);

  const common::Clock& clock_;
  WorkQueueOptions options_;
  TokenBucket overall_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;
  std::unordered_set<std::string> queued_;      // in queue_
  std::unordered_set<std::string> processing_;  // handed out, not yet done()
  std::unordered_set<std::string> dirty_;       // added while processing
  std::multimap<std::chrono::steady_clock::time_point, std::string> timers_;
  std::unordered_map<std::string, std::chrono::steady_clock::time_point> timer_of_;
  std::unordered_map<std::string, int> failures_;
  bool shutting_down_ = false;
  bool drain_ = false;
};

// What one reconcile asks of the queue.
struct ReconcileResult {
  enum class Kind {
    kDone,          // forget the key's backoff
    kRequeueAfter,  // waiting is not an error: come back after `after`
    kRetry,         // a transient failure: back off and retry (per-key exponential)
    kConflict,      // a 409 on write: retry soon without counting it as a failure
  };
  Kind kind = Kind::kDone;
  std::chrono::nanoseconds after{0};

  static ReconcileResult done() { return {}; }
  static ReconcileResult requeue_after(std::chrono::nanoseconds d) {
    return {Kind::kRequeueAfter, d};
  }
  static ReconcileResult retry() { return {Kind::kRetry, {}}; }
  static ReconcileResult conflict() { return {Kind::kConflict, {}}; }
};

// N threads taking keys from a WorkQueue and applying a reconcile function. stop() shuts the
// queue down and joins the threads after each finishes the key it holds (in-flight work is
// completed, nothing new starts).
//
// Thread-safe. The reconcile function must be thread-safe for distinct keys; the queue never
// hands one key to two workers at once.
class WorkerPool {
 public:
  using Reconcile = std::function<ReconcileResult(const std::string& key)>;

  WorkerPool(WorkQueue& queue, Reconcile reconcile, int workers);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  void stop();

 private:
  void run();

  WorkQueue& queue_;
  Reconcile reconcile_;
  std::vector<std::thread> threads_;
};

}  // namespace certkeeper::kube
