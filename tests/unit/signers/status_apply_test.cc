#include "controller/manager/status_apply.h"

#include <gtest/gtest.h>

namespace certkeeper::manager {
namespace {

using nlohmann::json;

TEST(StatusApplyBody, KeepsOnlyIdentityAndOwnedStatus) {
  const json encoded = {
      {"apiVersion", "cert-manager.io/v1"},
      {"kind", "CertificateRequest"},
      {"metadata", {{"name", "r"}, {"namespace", "ns"}, {"uid", "u"}, {"labels", {{"a", "b"}}}}},
      {"spec", {{"request", "csr"}}},
      {"status",
       {{"conditions",
         {{{"type", "Approved"}, {"status", "True"}}, {{"type", "Ready"}, {"status", "False"}}}},
        {"certificate", "pem"},
        {"ca", "ca-pem"}}}};
  const json body =
      status_apply_body(encoded, {.condition_types = {"Ready"}, .fields = {"certificate", "x"}});
  EXPECT_EQ(body, (json{{"apiVersion", "cert-manager.io/v1"},
                        {"kind", "CertificateRequest"},
                        {"metadata", {{"name", "r"}, {"namespace", "ns"}}},
                        {"status",
                         {{"conditions", {{{"type", "Ready"}, {"status", "False"}}}},
                          {"certificate", "pem"}}}}));
}

TEST(StatusApplyBody, ClusterScopedObjectsHaveNoNamespaceAndEmptyStatusIsKept) {
  const json body = status_apply_body({{"apiVersion", "cert-manager.io/v1"},
                                       {"kind", "ClusterIssuer"},
                                       {"metadata", {{"name", "c"}}}},
                                      {.condition_types = {"Ready"}});
  EXPECT_EQ(body["metadata"], (json{{"name", "c"}}));
  EXPECT_EQ(body["status"], json::object());
}

}  // namespace
}  // namespace certkeeper::manager
