#include "webhook/kube_seams.h"

#include <gtest/gtest.h>

#include "lib/common/encoding.h"

namespace certkeeper::webhook {
namespace {

using nlohmann::json;

TEST(CaInjection, SetsEveryWebhooksCaBundleOnce) {
  json configuration = {
      {"metadata", {{"name", "certkeeper-webhook"}}},
      {"webhooks",
       {{{"name", "a.certkeeper.io"}, {"clientConfig", {{"url", "https://127.0.0.1:1/validate"}}}},
        {{"name", "b.certkeeper.io"},
         {"clientConfig", {{"service", {{"name", "wh"}}}, {"caBundle", "b2xk"}}}}}}};
  ASSERT_TRUE(set_ca_bundle(configuration, "PEM"));
  const std::string expected = common::base64_encode("PEM");
  EXPECT_EQ(configuration["webhooks"][0]["clientConfig"]["caBundle"], expected);
  EXPECT_EQ(configuration["webhooks"][1]["clientConfig"]["caBundle"], expected);
  EXPECT_EQ(configuration["webhooks"][0]["clientConfig"]["url"], "https://127.0.0.1:1/validate");
  EXPECT_FALSE(set_ca_bundle(configuration, "PEM")) << "nothing to write the second time";
  json empty = json::object();
  EXPECT_FALSE(set_ca_bundle(empty, "PEM"));
}

TEST(SubjectAccessReview, AsksForTheRequestersFullIdentity) {
  AccessQuestion q{.user = {"bob", "u-2", {"devs"}, {{"scopes", {"x"}}}},
                   .verb = "approve",
                   .group = "cert-manager.io",
                   .resource = "signers",
                   .name = "issuers.cert-manager.io/shop.ca"};
  EXPECT_EQ(subject_access_review(q), json::parse(R"({
    "apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview",
    "spec": {"user": "bob", "uid": "u-2", "groups": ["devs"], "extra": {"scopes": ["x"]},
      "resourceAttributes": {"verb": "approve", "group": "cert-manager.io",
        "resource": "signers", "name": "issuers.cert-manager.io/shop.ca"}}})"));
}

}  // namespace
}  // namespace certkeeper::webhook
