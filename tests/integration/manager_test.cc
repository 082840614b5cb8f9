// The controller runtime against the real apiserver: a Manager runs a small controller (it
// stamps ConfigMaps of its namespace) only while it holds the Lease, reports readiness on
// /readyz, hands over to a second Manager when stopped, and releases the Lease when a
// controller's setup fails.
#include "controller/manager/manager.h"

#include <atomic>
#include <memory>
#include <stop_token>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lib/common/clock.h"
#include "lib/http/curl_client.h"
#include "tests/support/eventually.h"
#include "tests/support/informer_probe.h"
#include "tests/support/kubectl.h"
#include "tests/support/testenv.h"

namespace certkeeper::manager {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::eventually;

const kube::ResourceRef kConfigMaps{"", "v1", "configmaps"};
const kube::ResourceRef kLeases{"coordination.k8s.io", "v1", "leases"};

// Stamps each ConfigMap of one namespace with the identity of the manager that reconciled it.
class StampController final : public QueueController {
 public:
  StampController(const common::Clock& clock, std::string stamp, std::atomic<int>& reconciles)
      : QueueController("stamp", clock, 2), stamp_(std::move(stamp)), reconciles_(reconciles) {}

  common::Status setup(ControllerContext& context) override {
    client_ = &context.client;
    informer_ = &context.informers.informer(
        {.resource = kConfigMaps.with_namespace(context.options.namespace_)});
    auto enqueue = [this](const kube::ObjectPtr& o) { queue().add(kube::object_key(*o)); };
    informer_->add_handlers(
        {.on_add = enqueue,
         .on_update = [enqueue](const kube::ObjectPtr&, const kube::ObjectPtr& o) { enqueue(o); }});
    return common::ok();
  }

 protected:
  kube::ReconcileResult reconcile(const std::string& key) override {
    ++reconciles_;
    auto object = informer_->get(key);
    if (!object) {
      return kube::ReconcileResult::done();
    }
    const auto& meta = (*object)["metadata"];
    if (meta.contains("annotations") && meta["annotations"].value("stamped-by", "") == stamp_) {
      return kube::ReconcileResult::done();
    }
    auto patched = client_->patch(
        kConfigMaps.with_namespace(meta["namespace"]).with_name(meta["name"]),
        kube::PatchType::kMerge, {{"metadata", {{"annotations", {{"stamped-by", stamp_}}}}}});
    return patched ? kube::ReconcileResult::done() : kube::ReconcileResult::retry();
  }

 private:
  std::string stamp_;
  std::atomic<int>& reconciles_;
  kube::Client* client_ = nullptr;
  kube::Informer* informer_ = nullptr;
};

class FailingSetup final : public Controller {
 public:
  [[nodiscard]] std::string_view name() const override { return "broken"; }
  common::Status setup(ControllerContext&) override {
    return common::make_error(common::ErrorCode::kFailedPrecondition, "cannot start");
  }
  void run(std::stop_token) override {}
};

class ManagerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    client_ = testing::admin_client();
    ASSERT_NE(client_, nullptr);
    ns_ = testing::unique_name("mgr");
    ASSERT_TRUE(client_->create(
        {"", "v1", "namespaces"},
        {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", ns_}}}}));
  }
  void TearDown() override {
    if (client_) {
      (void)client_->remove(kube::ResourceRef{"", "v1", "namespaces"}.with_name(ns_));
    }
  }

  ManagerOptions options(bool leader_elect) const {
    ManagerOptions o;
    o.namespace_ = ns_;
    o.leader_elect = leader_elect;
    o.leader_election_namespace = ns_;
    o.leader_election_id = "certkeeper-test";
    o.lease_duration = milliseconds(3000);
    o.renew_deadline = milliseconds(2000);
    o.retry_period = milliseconds(250);
    o.healthz_listen_address = "127.0.0.1:0";
    o.metrics_listen_address = "";
    return o;
  }

  std::vector<ControllerRegistration> stamp(const std::string& id, std::atomic<int>& count) {
    return {{{.name = "stamp"}, [id, &count](const common::Clock& clock, const ManagerOptions&) {
               return std::make_unique<StampController>(clock, id, count);
             }}};
  }

  void create_config_map(const std::string& name) {
    ASSERT_TRUE(client_->create(kConfigMaps.with_namespace(ns_), {{"apiVersion", "v1"},
                                                                  {"kind", "ConfigMap"},
                                                                  {"metadata", {{"name", name}}},
                                                                  {"data", {{"k", "v"}}}}));
  }

  std::string stamp_of(const std::string& name) {
    auto cm = client_->get(kConfigMaps.with_namespace(ns_).with_name(name));
    if (!cm) {
      return "";
    }
    return (*cm)["metadata"].value("annotations", json::object()).value("stamped-by", "");
  }

  std::string lease_holder() {
    auto lease = client_->get(kLeases.with_namespace(ns_).with_name("certkeeper-test"));
    if (!lease) {
      return "<none>";
    }
    return (*lease)["spec"].value("holderIdentity", "");
  }

  static int get_status(std::uint16_t port, const std::string& path) {
    http::CurlHttpClient http;
    http::Request request;
    request.url = "http://127.0.0.1:" + std::to_string(port) + path;
    request.timeout = seconds(5);
    auto response = http.send(request);
    return response ? response->status : -1;
  }

  std::unique_ptr<kube::Client> client_;
  std::string ns_;
};

TEST_F(ManagerTest, RunsControllersAndReportsReadinessWithoutLeaderElection) {
  create_config_map("before");
  std::atomic<int> reconciles{0};
  Manager manager(*client_, common::SystemClock::instance(), options(false),
                  stamp("a", reconciles));
  ASSERT_TRUE(manager.start_health_server());
  const auto port = manager.healthz_port();
  EXPECT_EQ(get_status(port, "/readyz"), 503) << "not ready before the caches sync";
  EXPECT_EQ(get_status(port, "/healthz"), 200);

  std::stop_source stop;
  common::Status result = common::ok();
  std::jthread runner([&] { result = manager.run(stop.get_token()); });
  ASSERT_TRUE(eventually([&] { return get_status(port, "/readyz") == 200; }, seconds(30)));
  EXPECT_TRUE(eventually([&] { return stamp_of("before") == "a"; }, seconds(20)));
  create_config_map("after");
  EXPECT_TRUE(eventually([&] { return stamp_of("after") == "a"; }, seconds(20)));

  stop.request_stop();
  runner.join();
  EXPECT_TRUE(result) << result.error().message();
  EXPECT_EQ(get_status(port, "/readyz"), 503) << "not ready once stopped";
}

TEST_F(ManagerTest, OnlyTheLeaderRunsControllersAndAStoppedLeaderHandsOver) {
  std::atomic<int> count_a{0};
  std::atomic<int> count_b{0};
  Manager a(*client_, common::SystemClock::instance(), options(true), stamp("a", count_a));
  Manager b(*client_, common::SystemClock::instance(), options(true), stamp("b", count_b));
  ASSERT_TRUE(a.start_health_server());
  ASSERT_TRUE(b.start_health_server());

  std::stop_source stop_a;
  std::jthread run_a([&] { (void)a.run(stop_a.get_token()); });
  ASSERT_TRUE(
      eventually([&] { return get_status(a.healthz_port(), "/readyz") == 200; }, seconds(30)));
  std::stop_source stop_b;
  common::Status result_b = common::ok();
  std::jthread run_b([&] { result_b = b.run(stop_b.get_token()); });

  create_config_map("one");
  ASSERT_TRUE(eventually([&] { return stamp_of("one") == "a"; }, seconds(20)));
  // b waits for the Lease: it is alive but not ready, and reconciles nothing.
  std::this_thread::sleep_for(seconds(2));
  EXPECT_EQ(get_status(b.healthz_port(), "/readyz"), 503);
  EXPECT_EQ(get_status(b.healthz_port(), "/healthz"), 200);
  EXPECT_EQ(count_b.load(), 0);

  // A clean stop releases the Lease, so b takes over well before the lease duration would pass
  // and stamps what changes next.
  stop_a.request_stop();
  run_a.join();
  ASSERT_TRUE(
      eventually([&] { return get_status(b.healthz_port(), "/readyz") == 200; }, seconds(20)));
  create_config_map("two");
  EXPECT_TRUE(eventually([&] { return stamp_of("two") == "b"; }, seconds(20)));
  EXPECT_EQ(stamp_of("one"), "b") << "b's first sync reconciles everything";
  stop_b.request_stop();
  run_b.join();
  EXPECT_TRUE(result_b);
  EXPECT_EQ(lease_holder(), "") << "the last leader released the Lease";
}

TEST_F(ManagerTest, AFailingSetupEndsTheTermAndReleasesTheLease) {
  std::vector<ControllerRegistration> broken = {
      {{.name = "broken"}, [](const common::Clock&, const ManagerOptions&) {
         return std::make_unique<FailingSetup>();
       }}};
  Manager manager(*client_, common::SystemClock::instance(), options(true), std::move(broken));
  ASSERT_TRUE(manager.start_health_server());
  std::stop_source never;
  auto status = manager.run(never.get_token());
  ASSERT_FALSE(status);
  EXPECT_THAT(status.error().message(), ::testing::HasSubstr("broken"));
  EXPECT_THAT(status.error().message(), ::testing::HasSubstr("cannot start"));
  EXPECT_EQ(get_status(manager.healthz_port(), "/healthz"), 500);
  EXPECT_EQ(lease_holder(), "");
}

TEST_F(ManagerTest, AnUnknownControllerIsReportedByRun) {
  auto o = options(false);
  o.controllers = {"*", "nope"};
  std::atomic<int> count{0};
  Manager manager(*client_, common::SystemClock::instance(), o, stamp("a", count));
  std::stop_source never;
  auto status = manager.run(never.get_token());
  ASSERT_FALSE(status);
  EXPECT_THAT(status.error().message(), ::testing::HasSubstr("nope"));
}

}  // namespace
}  // namespace certkeeper::manager
