#include "controller/manager/options.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace certkeeper::manager {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const std::vector<ControllerInfo> kKnown = {
    {.name = "issuers"},
    {.name = "clusterissuers", .cluster_scoped = true},
    {.name = "certificates-trigger"},
    {.name = "certificaterequests-approver"},
    {.name = "gateway-shim", .enabled_by_default = false},
};

TEST(SelectControllers, StarSelectsTheDefaultsOnly) {
  auto selected = select_controllers({"*"}, kKnown, false);
  ASSERT_TRUE(selected);
  EXPECT_THAT(*selected, ElementsAre("certificaterequests-approver", "certificates-trigger",
                                     "clusterissuers", "issuers"));
}

TEST(SelectControllers, NamesAddAndMinusNamesRemoveInOrder) {
  auto selected =
      select_controllers({"*", "-certificaterequests-approver", "gateway-shim"}, kKnown, false);
  ASSERT_TRUE(selected);
  EXPECT_THAT(*selected,
              ElementsAre("certificates-trigger", "clusterissuers", "gateway-shim", "issuers"));
  // A later entry wins over an earlier one.
  auto readded = select_controllers({"-issuers", "issuers"}, kKnown, false);
  ASSERT_TRUE(readded);
  EXPECT_THAT(*readded, ElementsAre("issuers"));
}

TEST(SelectControllers, SingleNamespaceModeDropsClusterScopedControllers) {
  auto selected = select_controllers({"*"}, kKnown, true);
  ASSERT_TRUE(selected);
  EXPECT_FALSE(selected->contains("clusterissuers"));
  EXPECT_TRUE(selected->contains("issuers"));
}

TEST(SelectControllers, AnUnknownNameIsRefusedNamingTheFlag) {
  auto selected = select_controllers({"*", "-certficates-trigger"}, kKnown, false);
  ASSERT_FALSE(selected);
  EXPECT_EQ(selected.error().code(), common::ErrorCode::kInvalidArgument);
  EXPECT_THAT(selected.error().message(), HasSubstr("--controllers"));
  EXPECT_THAT(selected.error().message(), HasSubstr("certficates-trigger"));
}

TEST(ParseListenAddress, AcceptsHostPortForms) {
  auto v4 = parse_listen_address("0.0.0.0:9402", "--x");
  ASSERT_TRUE(v4);
  EXPECT_EQ(v4->host, "0.0.0.0");
  EXPECT_EQ(v4->port, 9402);
  auto v6 = parse_listen_address("[::1]:0", "--x");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 0);
  auto any = parse_listen_address(":9403", "--x");
  ASSERT_TRUE(any);
  EXPECT_EQ(any->host, "0.0.0.0");
  EXPECT_EQ(any->port, 9403);
}

TEST(ParseListenAddress, RefusesBadFormsNamingTheFlag) {
  for (const char* bad : {"9402", "host:", "host:65536", "host:80x", "::1:80"}) {
    auto parsed = parse_listen_address(bad, "--metrics-listen-address");
    ASSERT_FALSE(parsed) << bad;
    EXPECT_THAT(parsed.error().message(), HasSubstr("--metrics-listen-address")) << bad;
  }
}

TEST(Validate, DefaultsAreValid) { EXPECT_TRUE(validate(ManagerOptions{})); }

TEST(Validate, TheRenewDeadlineMustBeShorterThanTheLease) {
  ManagerOptions options;
  options.renew_deadline = options.lease_duration;
  auto status = validate(options);
  ASSERT_FALSE(status);
  EXPECT_THAT(status.error().message(), HasSubstr("--leader-election-renew-deadline"));
  options.leader_elect = false;  // irrelevant without leader election
  EXPECT_TRUE(validate(options));
}

TEST(Validate, NamesTheFlagAtFault) {
  ManagerOptions workers;
  workers.concurrent_workers = 0;
  EXPECT_THAT(validate(workers).error().message(), HasSubstr("--concurrent-workers"));
  ManagerOptions retry;
  retry.retry_period = retry.renew_deadline;
  EXPECT_THAT(validate(retry).error().message(), HasSubstr("--leader-election-retry-period"));
  ManagerOptions healthz;
  healthz.healthz_listen_address = "nowhere";
  EXPECT_THAT(validate(healthz).error().message(), HasSubstr("--internal-healthz-listen-address"));
  ManagerOptions check_retry;
  check_retry.dns01_check_retry_period = std::chrono::milliseconds(0);
  EXPECT_THAT(validate(check_retry).error().message(), HasSubstr("--dns01-check-retry-period"));
}

TEST(Defaults, ChallengeFlagsAsCertManager) {
  const ManagerOptions o;
  EXPECT_EQ(o.max_concurrent_challenges, 60);
  EXPECT_EQ(o.dns01_check_retry_period, std::chrono::seconds(10));
  EXPECT_FALSE(o.dns01_recursive_nameservers_only);
  EXPECT_EQ(o.acme_http01_solver_resource_request_cpu, "10m");
  EXPECT_EQ(o.acme_http01_solver_resource_request_memory, "64Mi");
  EXPECT_EQ(o.acme_http01_solver_resource_limits_cpu, "100m");
  EXPECT_EQ(o.acme_http01_solver_resource_limits_memory, "64Mi");
  EXPECT_TRUE(o.acme_http01_solver_run_as_non_root);
}

}  // namespace
}  // namespace certkeeper::manager
