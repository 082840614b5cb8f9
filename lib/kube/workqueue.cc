#include "lib/kube/workqueue.h"

#include <algorithm>

namespace certkeeper::kube {

namespace {
// condition_variable waits are converted to the system clock internally; a wait years ahead
// would overflow, so long waits are cut into day-long pieces (a wake-up a day, not polling).
constexpr auto kMaxWait = std::chrono::hours(24);
}  // namespace

WorkQueue::WorkQueue(const common::Clock& clock, WorkQueueOptions options)
    : clock_(clock),
      options_(options),
      overall_(options.overall_qps, options.overall_burst, clock) {}

WorkQueue::~WorkQueue() { shut_down(); }

void WorkQueue::enqueue_locked(const std::string& key) {
  if (shutting_down_) {
    return;
  }
  // Ready now supersedes any timer for the key.
  if (auto t = timer_of_.find(key); t != timer_of_.end()) {
    auto range = timers_.equal_range(t->second);
    for (auto it = range.first; it != range.second; ++it) {
      if (it->second == key) {
        timers_.erase(it);
        break;
      }
    }
    timer_of_.erase(t);
  }
  if (processing_.contains(key)) {
    dirty_.insert(key);
    return;
  }
  if (queued_.insert(key).second) {
    queue_.push_back(key);
    cv_.notify_one();
  }
}

void WorkQueue::add(const std::string& key) {
  std::lock_guard lock(mu_);
  enqueue_locked(key);
}

void WorkQueue::add_after(const std::string& key, std::chrono::nanoseconds delay) {
  std::lock_guard lock(mu_);
  if (shutting_down_) {
    return;
  }
  if (delay <= std::chrono::nanoseconds(0)) {
    enqueue_locked(key);
    return;
  }
  const auto due = clock_.steady_now() + delay;
  if (auto t = timer_of_.find(key); t != timer_of_.end()) {
    if (t->second <= due) {
      return;  // an earlier wake-up is already scheduled
    }
    auto range = timers_.equal_range(t->second);
    for (auto it = range.first; it != range.second; ++it) {
      if (it->second == key) {
        timers_.erase(it);
        break;
      }
    }
  }
  timers_.emplace(due, key);
  timer_of_[key] = due;
  cv_.notify_all();  // a waiting get() may need an earlier wake-up
}

void WorkQueue::add_rate_limited(const std::string& key) {
  std::chrono::nanoseconds delay{};
  {
    std::lock_guard lock(mu_);
    const int failures = ++failures_[key];
    delay = common::backoff_delay(options_.per_key, failures);
  }
  delay = std::max(delay, overall_.reserve());
  add_after(key, delay);
}

void WorkQueue::forget(const std::string& key) {
  std::lock_guard lock(mu_);
  failures_.erase(key);
}

int WorkQueue::num_requeues(const std::string& key) const {
  std::lock_guard lock(mu_);
  auto it = failures_.find(key);
  return it == failures_.end() ? 0 : it->second;
}

void WorkQueue::promote_due_locked(std::chrono::steady_clock::time_point now) {
  while (!timers_.empty() && timers_.begin()->first <= now) {
    const std::string key = timers_.begin()->second;
    timers_.erase(timers_.begin());
    timer_of_.erase(key);
    if (processing_.contains(key)) {
      dirty_.insert(key);
    } else if (queued_.insert(key).second) {
      queue_.push_back(key);
    }
  }
}

std::optional<std::string> WorkQueue::get() {
  std::unique_lock lock(mu_);
  while (true) {
    if (shutting_down_ && (!drain_ || queue_.empty())) {
      return std::nullopt;
    }
    promote_due_locked(clock_.steady_now());
    if (!queue_.empty()) {
      std::string key = std::move(queue_.front());
      queue_.pop_front();
      queued_.erase(key);
      processing_.insert(key);
      return key;
    }
    if (timers_.empty()) {
      cv_.wait(lock);
    } else {
      const auto wait = std::min<std::chrono::nanoseconds>(
          timers_.begin()->first - clock_.steady_now(), kMaxWait);
      cv_.wait_for(lock, wait);
    }
  }
}

void WorkQueue::done(const std::string& key) {
  std::lock_guard lock(mu_);
  processing_.erase(key);
  if (dirty_.erase(key) > 0 && !shutting_down_ && queued_.insert(key).second) {
    queue_.push_back(key);
    cv_.notify_one();
  }
}

void WorkQueue::shut_down(bool drain) {
  std::lock_guard lock(mu_);
  shutting_down_ = true;
  drain_ = drain;
  cv_.notify_all();
}

bool WorkQueue::shutting_down() const {
  std::lock_guard lock(mu_);
  return shutting_down_;
}

std::size_t WorkQueue::ready_count() const {
  std::lock_guard lock(mu_);
  const auto due_end = timers_.upper_bound(clock_.steady_now());
  return queue_.size() + static_cast<std::size_t>(std::distance(timers_.begin(), due_end));
}

std::size_t WorkQueue::delayed_count() const {
  std::lock_guard lock(mu_);
  const auto due_end = timers_.upper_bound(clock_.steady_now());
  return static_cast<std::size_t>(std::distance(due_end, timers_.end()));
}

std::optional<std::chrono::steady_clock::time_point> WorkQueue::next_due() const {
  std::lock_guard lock(mu_);
  if (timers_.empty()) {
    return std::nullopt;
  }
  return timers_.begin()->first;
}

void WorkQueue::wake() {
  std::lock_guard lock(mu_);
  cv_.notify_all();
}

WorkerPool::WorkerPool(WorkQueue& queue, Reconcile reconcile, int workers)
    : queue_(queue), reconcile_(std::move(reconcile)) {
  threads_.reserve(static_cast<std::size_t>(std::max(workers, 1)));
  for (int i = 0; i < std::max(workers, 1); ++i) {
    threads_.emplace_back([this] { run(); });
  }
}

WorkerPool::~WorkerPool() { stop(); }

void WorkerPool::stop() {
  queue_.shut_down();
  for (auto& t : threads_) {
    if (t.joinable()) {
      t.join();
    }
  }
}

void WorkerPool::run() {
  while (auto key = queue_.get()) {
    const ReconcileResult result = reconcile_(*key);
    switch (result.kind) {
      case ReconcileResult::Kind::kDone:
        queue_.forget(*key);
        break;
      case ReconcileResult::Kind::kRequeueAfter:
        queue_.forget(*key);
        queue_.add_after(*key, result.after);
        break;
      case ReconcileResult::Kind::kRetry:
        queue_.add_rate_limited(*key);
        break;
      case ReconcileResult::Kind::kConflict:
        // A conflict means our read was stale: retry promptly, without growing the backoff.
        queue_.add(*key);
        break;
    }
    queue_.done(*key);
  }
}

}  // namespace certkeeper::kube
