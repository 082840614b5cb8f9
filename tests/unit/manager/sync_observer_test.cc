// QueueController tells its SyncObserver about every reconcile: retries count as errors, while
// done, requeue-after (waiting) and conflicts do not, as cert-manager's controller_sync_* count.
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "controller/manager/controller.h"
#include "tests/support/fake_clock.h"

namespace certkeeper::manager {
namespace {

class RecordingObserver final : public SyncObserver {
 public:
  void on_sync(std::string_view controller, bool error) override {
    const std::lock_guard lock(mu_);
    calls_[std::string(controller)] += 1;
    errors_[std::string(controller)] += error ? 1 : 0;
    changed_.notify_all();
  }
  // Waits (bounded, as a safety net) until `n` reconciles have been reported.
  bool wait_for_calls(const std::string& controller, int n) {
    std::unique_lock lock(mu_);
    return changed_.wait_for(lock, std::chrono::seconds(10),
                             [&] { return calls_[controller] >= n; });
  }
  int errors(const std::string& controller) {
    const std::lock_guard lock(mu_);
    return errors_[controller];
  }
  int calls(const std::string& controller) {
    const std::lock_guard lock(mu_);
    return calls_[controller];
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  std::map<std::string, int> calls_;
  std::map<std::string, int> errors_;
};

// Each key names the result its reconcile returns.
class ScriptedController final : public QueueController {
 public:
  explicit ScriptedController(const common::Clock& clock) : QueueController("scripted", clock, 2) {}
  common::Status setup(ControllerContext& /*context*/) override { return common::ok(); }

 protected:
  kube::ReconcileResult reconcile(const std::string& key) override {
    if (key == "retry") {
      return kube::ReconcileResult::retry();
    }
    if (key == "conflict") {
      return kube::ReconcileResult::conflict();
    }
    if (key == "wait") {
      return kube::ReconcileResult::requeue_after(std::chrono::hours(1));
    }
    return kube::ReconcileResult::done();
  }
};

TEST(QueueControllerSyncs, EveryReconcileIsCountedAndOnlyRetriesAreErrors) {
  // The clock never moves: a retried key waits for its backoff and a conflict's key is requeued
  // at once, so wait for the counts rather than for the queue to drain.
  testing::FakeClock clock;
  ScriptedController controller(clock);
  auto observer = std::make_shared<RecordingObserver>();
  controller.set_sync_observer(observer);
  std::stop_source stop;
  std::jthread runner([&] { controller.run(stop.get_token()); });
  for (const char* key : {"ok", "retry", "wait"}) {
    controller.queue().add(key);
  }
  ASSERT_TRUE(observer->wait_for_calls("scripted", 3));
  EXPECT_EQ(observer->errors("scripted"), 1);

  controller.queue().add("conflict");  // requeued again and again, never an error
  ASSERT_TRUE(observer->wait_for_calls("scripted", 6));
  stop.request_stop();
  runner.join();
  EXPECT_EQ(observer->errors("scripted"), 1);
  EXPECT_GE(observer->calls("scripted"), 6);
}

}  // namespace
}  // namespace certkeeper::manager
