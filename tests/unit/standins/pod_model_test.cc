#include "tests/standins/pod_model.h"

#include <chrono>

#include <gtest/gtest.h>

#include "tests/support/standins.h"

namespace certkeeper::standins {
namespace {

using nlohmann::json;

// A Pod in the shape of cert-manager's HTTP-01 solver (reference §3.7), built with modifiers.
json solver_pod() {
  return json::parse(R"({
    "metadata": {"name": "cm-acme-http-solver-abcde", "uid": "6f1c2d3e-aaaa-bbbb-cccc-000000000000"},
    "spec": {"restartPolicy": "OnFailure", "containers": [{
      "name": "acmesolver", "image": "certkeeper:dev",
      "args": ["acmesolver", "--listen-port=8089", "--domain=app.example.test"],
      "ports": [{"name": "http", "containerPort": 8089}],
      "env": [{"name": "A", "value": "1"}, {"name": "B", "valueFrom": {"fieldRef": {}}}]}]}
  })");
}

const ImageTable& images() {
  static const ImageTable table = {{"certkeeper", "/opt/bin/certkeeper"},
                                   {"sleeper", "/bin/sleep"}};
  return table;
}

TEST(StandinsImageRepository, StripsTagDigestButNotRegistryPort) {
  EXPECT_EQ(image_repository("certkeeper:dev"), "certkeeper");
  EXPECT_EQ(image_repository("quay.io/jetstack/cert-manager-acmesolver:v1.21.1"),
            "quay.io/jetstack/cert-manager-acmesolver");
  EXPECT_EQ(image_repository("x@sha256:abcd"), "x");
  EXPECT_EQ(image_repository("registry:5000/x:tag"), "registry:5000/x");
  EXPECT_EQ(image_repository("registry:5000/x"), "registry:5000/x");
}

TEST(StandinsParseImageFlag, RequiresRepoAndBinary) {
  EXPECT_EQ(*parse_image_flag("a=/b"), (std::pair<std::string, std::string>{"a", "/b"}));
  EXPECT_FALSE(parse_image_flag("a"));
  EXPECT_FALSE(parse_image_flag("=b"));
  EXPECT_FALSE(parse_image_flag("a="));
}

TEST(StandinsPlanLaunch, EntrypointFromTheImageThenArgs) {
  auto plan = plan_launch(solver_pod(), images());
  ASSERT_TRUE(plan) << plan.error().message();
  EXPECT_EQ(plan->argv,
            (std::vector<std::string>{"/opt/bin/certkeeper", "acmesolver", "--listen-port=8089",
                                      "--domain=app.example.test"}));
  EXPECT_EQ(plan->port, 8089);
  EXPECT_EQ(plan->restart_policy, "OnFailure");
  EXPECT_EQ(plan->container_name, "acmesolver");
  // Literal values only; valueFrom is not modelled.
  const auto has = [&](const std::string& name) {
    return std::any_of(plan->env.begin(), plan->env.end(),
                       [&](const auto& var) { return var.first == name; });
  };
  EXPECT_TRUE(has("A"));
  EXPECT_FALSE(has("B"));
  EXPECT_TRUE(has("PATH"));
  EXPECT_TRUE(has("HOSTNAME"));
}

TEST(StandinsPlanLaunch, CommandReplacesTheEntrypointAndIsLookedUpToo) {
  auto pod = solver_pod();
  pod["spec"]["containers"][0]["command"] = {"/usr/bin/sleeper", "5"};
  pod["spec"]["containers"][0]["args"] = {"extra"};
  auto plan = plan_launch(pod, images());
  ASSERT_TRUE(plan) << plan.error().message();
  EXPECT_EQ(plan->argv, (std::vector<std::string>{"/bin/sleep", "5", "extra"}));

  pod["spec"]["containers"][0]["command"] = {"/bin/sh", "-c", "true"};
  plan = plan_launch(pod, images());
  ASSERT_FALSE(plan);
  EXPECT_EQ(plan.error().code(), common::ErrorCode::kNotFound);
  EXPECT_NE(plan.error().message().find("/bin/sh"), std::string::npos);
}

TEST(StandinsPlanLaunch, UnknownImageIsNotFoundNamingTheImage) {
  auto pod = solver_pod();
  pod["spec"]["containers"][0]["image"] = "nginx:1.27";
  auto plan = plan_launch(pod, images());
  ASSERT_FALSE(plan);
  EXPECT_EQ(plan.error().code(), common::ErrorCode::kNotFound);
  EXPECT_NE(plan.error().message().find("nginx:1.27"), std::string::npos);
}

TEST(StandinsPlanLaunch, DefaultRestartPolicyIsAlways) {
  auto pod = solver_pod();
  pod["spec"].erase("restartPolicy");
  EXPECT_EQ(plan_launch(pod, images())->restart_policy, "Always");
  EXPECT_FALSE(plan_launch(json::parse(R"({"spec": {"containers": []}})"), images()));
}

TEST(StandinsSubnetAllocator, HandsOutSlash30sLowestFirst) {
  auto subnet = SubnetAllocator::parse("10.250.1.0/24");
  ASSERT_TRUE(subnet);
  auto a = subnet->acquire();
  auto b = subnet->acquire();
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->host_ip, "10.250.1.1");
  EXPECT_EQ(a->pod_ip, "10.250.1.2");
  EXPECT_EQ(b->host_ip, "10.250.1.5");
  EXPECT_EQ(b->pod_ip, "10.250.1.6");
  subnet->release(a->slot);
  EXPECT_EQ(subnet->acquire()->pod_ip, "10.250.1.2");
  EXPECT_TRUE(subnet->contains("10.250.1.200"));
  EXPECT_FALSE(subnet->contains("10.250.2.1"));
}

TEST(StandinsSubnetAllocator, RunsOutAndRefusesBadInput) {
  auto subnet = SubnetAllocator::parse("10.0.0.0/29");
  ASSERT_TRUE(subnet);
  EXPECT_TRUE(subnet->acquire());
  EXPECT_TRUE(subnet->acquire());
  EXPECT_FALSE(subnet->acquire());
  EXPECT_FALSE(SubnetAllocator::parse("10.0.0.0"));
  EXPECT_FALSE(SubnetAllocator::parse("10.0.0.0/31"));
  EXPECT_FALSE(SubnetAllocator::parse("fd00::/64"));
}

TEST(StandinsRestartsAfterExit, FollowsTheRestartPolicy) {
  EXPECT_TRUE(restarts_after_exit("Always", 0));
  EXPECT_TRUE(restarts_after_exit("Always", 1));
  EXPECT_FALSE(restarts_after_exit("OnFailure", 0));
  EXPECT_TRUE(restarts_after_exit("OnFailure", 2));
  EXPECT_FALSE(restarts_after_exit("Never", 1));
}

TEST(StandinsRestartBackoff, DoublesAndCaps) {
  EXPECT_EQ(restart_backoff(0), std::chrono::seconds(1));
  EXPECT_EQ(restart_backoff(1), std::chrono::seconds(2));
  EXPECT_EQ(restart_backoff(10), std::chrono::seconds(20));
}

ContainerRun running() {
  ContainerRun run;
  run.pod_started = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));
  run.container_started = run.pod_started + std::chrono::seconds(1);
  run.host_ip = "10.250.1.1";
  run.pod_ip = "10.250.1.2";
  return run;
}

const json* find_condition(const json& status, const std::string& type) {
  for (const auto& c : status["conditions"]) {
    if (c["type"] == type) {
      return &c;
    }
  }
  return nullptr;
}

TEST(StandinsPodStatus, RunningNotReadyThenReady) {
  auto plan = *plan_launch(solver_pod(), images());
  auto run = running();
  auto status = pod_status(plan, run);
  EXPECT_EQ(status["phase"], "Running");
  EXPECT_EQ(status["podIP"], "10.250.1.2");
  EXPECT_EQ(status["podIPs"][0]["ip"], "10.250.1.2");
  EXPECT_EQ(status["hostIP"], "10.250.1.1");
  EXPECT_EQ(status["startTime"], "2027-01-15T08:00:00Z");
  EXPECT_EQ((*find_condition(status, "PodScheduled"))["status"], "True");
  EXPECT_EQ((*find_condition(status, "Initialized"))["status"], "True");
  EXPECT_EQ((*find_condition(status, "Ready"))["status"], "False");
  EXPECT_EQ((*find_condition(status, "ContainersReady"))["status"], "False");
  EXPECT_EQ(status["containerStatuses"][0]["state"]["running"]["startedAt"],
            "2027-01-15T08:00:01Z");
  EXPECT_EQ(status["containerStatuses"][0]["started"], true);
  EXPECT_EQ(status["containerStatuses"][0]["ready"], false);

  run.ready = true;
  status = pod_status(plan, run);
  EXPECT_EQ((*find_condition(status, "Ready"))["status"], "True");
  EXPECT_EQ((*find_condition(status, "ContainersReady"))["status"], "True");
  EXPECT_EQ(status["containerStatuses"][0]["ready"], true);
  // The same state renders the same status, so the runner writes it once.
  EXPECT_EQ(status, pod_status(plan, run));
}

TEST(StandinsPodStatus, BackOffAndTermination) {
  auto plan = *plan_launch(solver_pod(), images());
  auto run = running();
  run.state = ContainerRun::State::kBackOff;
  run.exit_code = 3;
  run.restart_count = 2;
  run.finished = run.container_started + std::chrono::seconds(5);
  auto status = pod_status(plan, run);
  EXPECT_EQ(status["phase"], "Running");
  EXPECT_EQ(status["containerStatuses"][0]["state"]["waiting"]["reason"], "CrashLoopBackOff");
  EXPECT_EQ(status["containerStatuses"][0]["lastState"]["terminated"]["exitCode"], 3);
  EXPECT_EQ(status["containerStatuses"][0]["restartCount"], 2);

  run.state = ContainerRun::State::kTerminated;
  status = pod_status(plan, run);
  EXPECT_EQ(status["phase"], "Failed");
  EXPECT_EQ(status["containerStatuses"][0]["state"]["terminated"]["exitCode"], 3);
  EXPECT_EQ((*find_condition(status, "Ready"))["reason"], "PodFailed");

  run.exit_code = 0;
  EXPECT_EQ(pod_status(plan, run)["phase"], "Succeeded");
}

TEST(StandinsUnrunnablePodStatus, PendingWithTheMessage) {
  const auto status = unrunnable_pod_status(solver_pod(), "cannot run image x",
                                            std::chrono::system_clock::time_point());
  EXPECT_EQ(status["phase"], "Pending");
  EXPECT_EQ(status["message"], "cannot run image x");
  EXPECT_EQ(status["containerStatuses"][0]["state"]["waiting"]["message"], "cannot run image x");
  EXPECT_EQ((*find_condition(status, "Ready"))["message"], "cannot run image x");
}

TEST(StandinsShortUid, FirstEightHexDigits) {
  EXPECT_EQ(short_uid("6f1c2d3e-aaaa-bbbb"), "6f1c2d3e");
  EXPECT_EQ(short_uid("6f1c-2d3e-aaaa"), "6f1c2d3e");
}

// The gtest wrapper reports a failed start through ok()/error() instead of throwing, so a suite
// can ASSERT on it with the script's output.
TEST(StandinsWrapper, AFailedStartIsReported) {
  testing::Standins standins({.ns = "x",
                              .certkeeper = "/nonexistent/certkeeper",
                              .dir = "/nonexistent/standins",
                              .script = "/nonexistent/standins.sh"});
  EXPECT_FALSE(standins.ok());
  EXPECT_FALSE(standins.error().empty());
}

}  // namespace
}  // namespace certkeeper::standins
