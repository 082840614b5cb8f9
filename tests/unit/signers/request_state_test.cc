#include "controller/certificaterequests/request_state.h"

#include <gtest/gtest.h>

#include "lib/api/conditions.h"

namespace certkeeper::certificaterequests {
namespace {

using api::ConditionStatus;

api::CertificateRequest with(std::string_view type, ConditionStatus status,
                             std::string_view reason = "Reason") {
  api::CertificateRequest cr;
  cr.spec.issuer_ref.name = "issuer";
  api::set_condition(cr.status.conditions, type, status, reason, "", std::nullopt, {});
  return cr;
}

TEST(RequestState, BuiltinGroupIsCertManagerOrEmpty) {
  api::IssuerReference ref{"a", "", ""};
  EXPECT_TRUE(is_builtin_issuer_group(ref));
  ref.group = "cert-manager.io";
  EXPECT_TRUE(is_builtin_issuer_group(ref));
  ref.group = "example.com";
  EXPECT_FALSE(is_builtin_issuer_group(ref));
}

TEST(RequestState, FinalStates) {
  EXPECT_FALSE(is_final(api::CertificateRequest{}));
  EXPECT_TRUE(is_final(with("Ready", ConditionStatus::kTrue, "Issued")));
  EXPECT_TRUE(is_final(with("Ready", ConditionStatus::kFalse, "Failed")));
  EXPECT_TRUE(is_final(with("Ready", ConditionStatus::kFalse, "Denied")));
  EXPECT_TRUE(is_final(with("InvalidRequest", ConditionStatus::kTrue)));
  EXPECT_FALSE(is_final(with("Ready", ConditionStatus::kFalse, "Pending")));
  EXPECT_FALSE(is_final(with("InvalidRequest", ConditionStatus::kFalse)));
  api::CertificateRequest signed_already;
  signed_already.status.certificate = "-----BEGIN CERTIFICATE-----";
  EXPECT_TRUE(is_final(signed_already));
}

TEST(RequestState, ApproverSkipsDecidedFinalAndForeignRequests) {
  api::CertificateRequest fresh;
  EXPECT_TRUE(should_approve(fresh));
  EXPECT_FALSE(should_approve(with("Approved", ConditionStatus::kTrue)));
  EXPECT_FALSE(should_approve(with("Denied", ConditionStatus::kTrue)));
  EXPECT_FALSE(should_approve(with("Ready", ConditionStatus::kFalse, "Failed")));
  EXPECT_TRUE(should_approve(with("Ready", ConditionStatus::kFalse, "Pending")));
  fresh.spec.issuer_ref.group = "example.com";
  EXPECT_FALSE(should_approve(fresh));
}

}  // namespace
}  // namespace certkeeper::certificaterequests
