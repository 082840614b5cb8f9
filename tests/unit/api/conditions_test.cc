#include "lib/api/conditions.h"

#include <chrono>

#include <gtest/gtest.h>

#include "lib/common/time_format.h"

namespace certkeeper::api {
namespace {

using namespace std::chrono_literals;

const Time kT0 = common::utc_time(2026, 11, 28, 10, 0, 0).value();

TEST(Conditions, StatusStrings) {
  EXPECT_EQ(to_string(ConditionStatus::kTrue), "True");
  EXPECT_EQ(to_string(ConditionStatus::kFalse), "False");
  EXPECT_EQ(to_string(ConditionStatus::kUnknown), "Unknown");
  EXPECT_EQ(parse_condition_status("False"), ConditionStatus::kFalse);
  EXPECT_FALSE(parse_condition_status("true").has_value());
}

TEST(Conditions, SettingANewConditionAppendsItWithTheTruncatedTime) {
  std::vector<Condition> conditions;
  EXPECT_TRUE(set_condition(conditions, kConditionIssuing, ConditionStatus::kTrue,
                            kReasonDoesNotExist, "Issuing certificate as Secret does not exist", 2,
                            kT0 + 750ms));
  ASSERT_EQ(conditions.size(), 1u);
  EXPECT_EQ(conditions[0].type, "Issuing");
  EXPECT_EQ(conditions[0].last_transition_time, kT0);
  EXPECT_EQ(conditions[0].observed_generation, 2);
  EXPECT_EQ(conditions[0].reason, "DoesNotExist");
}

TEST(Conditions, TransitionTimeMovesOnlyWhenTheStatusChanges) {
  std::vector<Condition> conditions;
  set_condition(conditions, kConditionReady, ConditionStatus::kFalse, kReasonDoesNotExist, "a", 1,
                kT0);
  // Same status, new reason/message/generation: updated in place, time kept.
  EXPECT_TRUE(set_condition(conditions, kConditionReady, ConditionStatus::kFalse, kReasonRenewing,
                            "b", 2, kT0 + 1h));
  EXPECT_EQ(conditions[0].last_transition_time, kT0);
  EXPECT_EQ(conditions[0].reason, "Renewing");
  EXPECT_EQ(conditions[0].message, "b");
  EXPECT_EQ(conditions[0].observed_generation, 2);
  // Status changes: time moves.
  EXPECT_TRUE(set_condition(conditions, kConditionReady, ConditionStatus::kTrue, kReasonReady,
                            kMessageCertificateReady, 2, kT0 + 2h));
  EXPECT_EQ(conditions[0].last_transition_time, kT0 + 2h);
  EXPECT_EQ(conditions[0].message, "Certificate is up to date and has not expired");
  // Nothing differs: no change reported, so the caller skips the status write.
  EXPECT_FALSE(set_condition(conditions, kConditionReady, ConditionStatus::kTrue, kReasonReady,
                             kMessageCertificateReady, 2, kT0 + 3h));
  EXPECT_EQ(conditions[0].last_transition_time, kT0 + 2h);
  EXPECT_EQ(conditions.size(), 1u);
}

TEST(Conditions, OtherTypesAreLeftAlone) {
  std::vector<Condition> conditions;
  set_condition(conditions, kConditionApproved, ConditionStatus::kTrue,
                kReasonApprovedByCertManager, kMessageApprovedByCertManager, std::nullopt, kT0);
  set_condition(conditions, kConditionReady, ConditionStatus::kFalse, kReasonPending, "waiting",
                std::nullopt, kT0 + 1s);
  ASSERT_EQ(conditions.size(), 2u);
  EXPECT_FALSE(conditions[0].observed_generation.has_value());
  EXPECT_TRUE(has_condition(conditions, kConditionApproved, ConditionStatus::kTrue));
  EXPECT_FALSE(has_condition(conditions, kConditionReady, ConditionStatus::kTrue));
  EXPECT_FALSE(has_condition(conditions, kConditionDenied, ConditionStatus::kTrue));
  ASSERT_NE(find_condition(conditions, kConditionReady), nullptr);
  EXPECT_EQ(find_condition(conditions, kConditionReady)->reason, "Pending");
  EXPECT_EQ(find_condition(conditions, kConditionInvalidRequest), nullptr);

  EXPECT_TRUE(remove_condition(conditions, kConditionReady));
  EXPECT_FALSE(remove_condition(conditions, kConditionReady));
  ASSERT_EQ(conditions.size(), 1u);
  EXPECT_EQ(conditions[0].type, "Approved");
}

}  // namespace
}  // namespace certkeeper::api
