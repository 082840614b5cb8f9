#include "webhook/admission.h"

#include <gtest/gtest.h>

namespace certkeeper::webhook {
namespace {

using nlohmann::json;

AdmissionRequest sample_request() {
  AdmissionRequest r;
  r.uid = "705ab4f5-6393-11e8-b7cc-42010a800002";
  r.kind = {"cert-manager.io", "v1", "CertificateRequest"};
  r.resource = {"cert-manager.io", "v1", "certificaterequests"};
  r.sub_resource = "status";
  r.name = "web-1";
  r.ns = "shop";
  r.operation = "UPDATE";
  r.user_info = {"alice", "u-1", {"devs", "system:authenticated"}, {{"scopes", {"a", "b"}}}};
  r.object = {{"spec", {{"request", "x"}}}};
  r.old_object = {{"spec", {{"request", "y"}}}};
  r.dry_run = true;
  return r;
}

TEST(AdmissionCodec, RequestRoundTrips) {
  const auto request = sample_request();
  auto decoded = decode_review(encode_review(request));
  ASSERT_TRUE(decoded) << decoded.error().message();
  EXPECT_EQ(*decoded, request);
}

TEST(AdmissionCodec, DecodesWhatTheApiServerSends) {
  // The shape of a real review (fields we do not use, like requestKind and options, ignored).
  auto review = json::parse(R"({
    "apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
    "request": {"uid": "abc", "kind": {"group": "cert-manager.io", "version": "v1",
      "kind": "Certificate"}, "resource": {"group": "cert-manager.io", "version": "v1",
      "resource": "certificates"}, "requestKind": {"group": "cert-manager.io", "version": "v1",
      "kind": "Certificate"}, "name": "web", "namespace": "shop", "operation": "CREATE",
      "userInfo": {"username": "kubernetes-admin", "groups": ["system:masters"]},
      "object": {"kind": "Certificate"}, "oldObject": null, "dryRun": false,
      "options": {"kind": "CreateOptions"}}})");
  auto decoded = decode_review(review);
  ASSERT_TRUE(decoded) << decoded.error().message();
  EXPECT_EQ(decoded->uid, "abc");
  EXPECT_EQ(decoded->kind.kind, "Certificate");
  EXPECT_EQ(decoded->operation, "CREATE");
  EXPECT_EQ(decoded->user_info.username, "kubernetes-admin");
  EXPECT_EQ(decoded->user_info.groups, std::vector<std::string>{"system:masters"});
  EXPECT_TRUE(decoded->old_object.is_null());
  EXPECT_EQ(decoded->object["kind"], "Certificate");
}

TEST(AdmissionCodec, RejectsWhatIsNotAReview) {
  EXPECT_FALSE(decode_review(json::array()));
  EXPECT_FALSE(decode_review({{"apiVersion", "admission.k8s.io/v1beta1"},
                              {"kind", "AdmissionReview"},
                              {"request", {{"uid", "x"}}}}));
  EXPECT_FALSE(decode_review({{"apiVersion", "admission.k8s.io/v1"}, {"kind", "AdmissionReview"}}));
  auto no_uid = decode_review({{"apiVersion", "admission.k8s.io/v1"},
                               {"kind", "AdmissionReview"},
                               {"request", json::object()}});
  ASSERT_FALSE(no_uid);
  EXPECT_NE(no_uid.error().message().find("request.uid"), std::string::npos);
  auto bad_type = decode_review({{"apiVersion", "admission.k8s.io/v1"},
                                 {"kind", "AdmissionReview"},
                                 {"request", {{"uid", "x"}, {"operation", 3}}}});
  ASSERT_FALSE(bad_type);
  EXPECT_NE(bad_type.error().message().find("request.operation"), std::string::npos);
}

TEST(AdmissionCodec, DenialCarriesStatusAndWarnings) {
  auto response = deny("abc", "spec.secretName: Required value: must be specified", {"careful"});
  json review = encode_review_response(response);
  EXPECT_EQ(review["apiVersion"], "admission.k8s.io/v1");
  EXPECT_EQ(review["kind"], "AdmissionReview");
  EXPECT_EQ(review["response"]["uid"], "abc");
  EXPECT_EQ(review["response"]["allowed"], false);
  EXPECT_EQ(review["response"]["status"]["code"], 403);
  EXPECT_EQ(review["response"]["status"]["message"],
            "spec.secretName: Required value: must be specified");
  EXPECT_EQ(review["response"]["warnings"], json::array({"careful"}));
  EXPECT_FALSE(review["response"].contains("patch"));
  auto back = decode_review_response(review);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, response);
}

TEST(AdmissionCodec, PatchIsBase64JsonPatch) {
  auto response = allow("abc");
  response.patch = json::array({{{"op", "add"}, {"path", "/spec/username"}, {"value", "bob"}}});
  json review = encode_review_response(response);
  EXPECT_EQ(review["response"]["patchType"], "JSONPatch");
  // base64 of the JSON text, checked independently of our decoder.
  EXPECT_EQ(review["response"]["patch"],
            "W3sib3AiOiJhZGQiLCJwYXRoIjoiL3NwZWMvdXNlcm5hbWUiLCJ2YWx1ZSI6ImJvYiJ9XQ==");
  EXPECT_FALSE(review["response"].contains("status"));
  auto back = decode_review_response(review);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, response);
}

}  // namespace
}  // namespace certkeeper::webhook
