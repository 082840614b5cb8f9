#include "lib/kube/workqueue.h"

#include <atomic>
#include <future>
#include <set>

#include <gtest/gtest.h>

#include "tests/support/fake_clock.h"

namespace certkeeper::kube {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::seconds;

// Takes a key that must already be ready (never blocks the test on a bug).
std::string take(WorkQueue& q) {
  EXPECT_GT(q.ready_count(), 0U);
  auto key = q.get();
  EXPECT_TRUE(key.has_value());
  return key.value_or("");
}

TEST(WorkQueue, HandsOutKeysInOrderAndDeduplicates) {
  testing::FakeClock clock;
  WorkQueue q(clock);
  q.add("a");
  q.add("b");
  q.add("a");
  EXPECT_EQ(q.ready_count(), 2U);
  EXPECT_EQ(take(q), "a");
  EXPECT_EQ(take(q), "b");
  EXPECT_EQ(q.ready_count(), 0U);
}

TEST(WorkQueue, AKeyAddedWhileProcessingComesBackAfterDoneOnce) {
  testing::FakeClock clock;
  WorkQueue q(clock);
  q.add("a");
  const std::string key = take(q);
  q.add("a");  // a change arrived while a worker held the key
  q.add("a");
  EXPECT_EQ(q.ready_count(), 0U) << "never handed to a second worker while processing";
  q.done(key);
  EXPECT_EQ(q.ready_count(), 1U);
  EXPECT_EQ(take(q), "a");
  q.done("a");
  EXPECT_EQ(q.ready_count(), 0U);
}

TEST(WorkQueue, DelayedKeysWaitForTheirTimeAndEarliestScheduleWins) {
  testing::FakeClock clock;
  WorkQueue q(clock);
  q.add_after("renew", hours(24 * 365 * 2));  // a renewal two years ahead
  q.add_after("soon", seconds(10));
  q.add_after("soon", seconds(30));  // later than the existing schedule: ignored
  q.add_after("later", seconds(20));
  q.add_after("later", seconds(5));  // earlier: replaces
  EXPECT_EQ(q.delayed_count(), 3U);
  EXPECT_EQ(q.next_due(), clock.steady_now() + seconds(5));
  EXPECT_EQ(q.ready_count(), 0U);

  auto waiting = std::async(std::launch::async, [&] { return q.get(); });
  EXPECT_EQ(waiting.wait_for(milliseconds(50)), std::future_status::timeout);
  clock.advance(seconds(5));
  q.wake();
  ASSERT_EQ(waiting.wait_for(seconds(5)), std::future_status::ready);
  EXPECT_EQ(waiting.get(), "later");
  q.done("later");

  clock.advance(seconds(5));
  q.wake();
  EXPECT_EQ(q.get(), "soon");
  q.done("soon");
  EXPECT_EQ(q.delayed_count(), 1U);
  clock.advance(hours(24 * 365 * 2));
  EXPECT_EQ(q.get(), "renew");
}

TEST(WorkQueue, AddNowSupersedesATimer) {
  testing::FakeClock clock;
  WorkQueue q(clock);
  q.add_after("a", hours(1));
  q.add("a");
  EXPECT_EQ(q.delayed_count(), 0U);
  EXPECT_EQ(take(q), "a");
}

TEST(WorkQueue, RateLimitedAddsBackOffPerKeyUntilForgotten) {
  testing::FakeClock clock;
  WorkQueueOptions options;
  options.per_key = {milliseconds(100), seconds(1)};
  options.overall_qps = 0;  // isolate the per-key policy
  WorkQueue q(clock, options);
  const auto start = clock.steady_now();
  q.add_rate_limited("a");
  EXPECT_EQ(q.next_due(), start + milliseconds(100));
  EXPECT_EQ(q.num_requeues("a"), 1);
  clock.advance(milliseconds(100));
  EXPECT_EQ(q.get(), "a");
  q.done("a");
  q.add_rate_limited("a");
  EXPECT_EQ(q.next_due(), clock.steady_now() + milliseconds(200));
  for (int i = 0; i < 10; ++i) {
    q.add_rate_limited("b");
  }
  EXPECT_LE(*q.next_due(), clock.steady_now() + seconds(1)) << "capped at max";
  q.forget("a");
  EXPECT_EQ(q.num_requeues("a"), 0);
}

TEST(WorkQueue, GlobalBucketSpreadsAStormOfFailures) {
  testing::FakeClock clock;
  WorkQueueOptions options;
  options.per_key = {milliseconds(1), milliseconds(1)};
  options.overall_qps = 10;
  options.overall_burst = 2;
  WorkQueue q(clock, options);
  for (int i = 0; i < 12; ++i) {
    q.add_rate_limited("k" + std::to_string(i));
  }
  // Two go at once (the burst); the other ten are spread over the next second at 10/s.
  clock.advance(milliseconds(1));
  EXPECT_EQ(q.ready_count(), 2U);
  clock.advance(milliseconds(500));
  EXPECT_EQ(q.ready_count(), 7U);
  clock.advance(milliseconds(500));
  EXPECT_EQ(q.ready_count(), 12U);
  EXPECT_EQ(q.delayed_count(), 0U);
}

TEST(WorkQueue, ShutDownWakesWaitersAndDrainHandsOutWhatIsQueued) {
  testing::FakeClock clock;
  WorkQueue q(clock);
  auto waiting = std::async(std::launch::async, [&] { return q.get(); });
  EXPECT_EQ(waiting.wait_for(milliseconds(50)), std::future_status::timeout);
  q.shut_down();
  ASSERT_EQ(waiting.wait_for(seconds(5)), std::future_status::ready);
  EXPECT_FALSE(waiting.get().has_value());
  q.add("ignored");
  EXPECT_EQ(q.ready_count(), 0U);

  WorkQueue d(clock);
  d.add("x");
  d.add("y");
  d.shut_down(/*drain=*/true);
  EXPECT_EQ(d.get(), "x");
  EXPECT_EQ(d.get(), "y");
  EXPECT_FALSE(d.get().has_value());
}

TEST(WorkerPool, ProcessesEveryKeyNeverConcurrentlyAndFinishesInFlightWork) {
  const common::Clock& clock = common::SystemClock::instance();
  WorkQueue q(clock);
  std::mutex mu;
  std::set<std::string> in_flight;
  std::map<std::string, int> seen;
  std::atomic<bool> overlap{false};
  std::atomic<int> calls{0};
  WorkerPool pool(
      q,
      [&](const std::string& key) {
        {
          std::lock_guard lock(mu);
          if (!in_flight.insert(key).second) {
            overlap = true;
          }
          ++seen[key];
        }
        std::this_thread::sleep_for(milliseconds(1));
        {
          std::lock_guard lock(mu);
          in_flight.erase(key);
        }
        // The first visit of each key asks to come back (a conflict); later ones are done.
        return calls.fetch_add(1) < 50 ? ReconcileResult::conflict() : ReconcileResult::done();
      },
      4);
  for (int round = 0; round < 20; ++round) {
    for (int k = 0; k < 25; ++k) {
      q.add("key-" + std::to_string(k));
    }
  }
  // Wait until the queue is idle, then stop: stop() must return (in-flight work finishes).
  for (int i = 0; i < 2000 && (q.ready_count() > 0 || calls.load() < 25); ++i) {
    std::this_thread::sleep_for(milliseconds(2));
  }
  std::this_thread::sleep_for(milliseconds(50));
  pool.stop();
  EXPECT_FALSE(overlap.load()) << "a key was handed to two workers at once";
  std::lock_guard lock(mu);
  EXPECT_EQ(seen.size(), 25U);
  EXPECT_TRUE(in_flight.empty()) << "stop() returned while work was in flight";
}

}  // namespace
}  // namespace certkeeper::kube
