#include "webhook/handlers.h"

#include <mutex>
#include <set>

#include <gtest/gtest.h>

#include "lib/api/codec.h"
#include "lib/common/encoding.h"
#include "lib/crypto/csr.h"
#include "lib/crypto/encoding.h"
#include "lib/crypto/keys.h"

namespace certkeeper::webhook {
namespace {

using nlohmann::json;

// Allows exactly the (user, signer name) pairs it is given; records every question.
class FakeReviewer final : public SubjectAccessReviewer {
 public:
  std::set<std::pair<std::string, std::string>> grants;
  std::vector<AccessQuestion> asked;
  bool fail = false;

  common::Result<bool> allowed(const AccessQuestion& q) override {
    std::lock_guard lock(mu_);
    asked.push_back(q);
    if (fail) {
      return common::make_error(common::ErrorCode::kUnavailable, "apiserver down");
    }
    return q.verb == "approve" && q.group == "cert-manager.io" && q.resource == "signers" &&
           grants.contains({q.user.username, q.name});
  }

 private:
  std::mutex mu_;
};

std::string csr_pem(const crypto::CsrSpec& spec) {
  static const auto key = *crypto::PrivateKey::generate(crypto::KeyAlgorithm::kEcdsa, 256);
  auto der = crypto::create_csr(spec, key);
  EXPECT_TRUE(der) << der.error().message();
  return crypto::pem_encode("CERTIFICATE REQUEST", *der);
}

crypto::CsrSpec server_csr() {
  crypto::CsrSpec spec;
  spec.sans.dns_names = {"web.example.com"};
  spec.key_usages = {crypto::KeyUsage::kDigitalSignature, crypto::KeyUsage::kKeyEncipherment};
  spec.extended_key_usages = {crypto::ExtendedKeyUsage::kServerAuth};
  return spec;
}

api::CertificateRequest request_object(std::string csr) {
  api::CertificateRequest cr;
  cr.metadata.name = "web-1";
  cr.metadata.namespace_ = "shop";
  cr.spec.issuer_ref.name = "ca";
  cr.spec.request = std::move(csr);
  cr.spec.usages = {"digital signature", "key encipherment", "server auth"};
  return cr;
}

AdmissionRequest review(const std::string& kind, const std::string& operation, json object,
                        json old_object = nullptr, const std::string& user = "alice") {
  AdmissionRequest r;
  r.uid = "uid-1";
  r.kind = {kind == "Order" || kind == "Challenge" ? "acme.cert-manager.io" : "cert-manager.io",
            "v1", kind};
  r.ns = "shop";
  r.operation = operation;
  r.user_info.username = user;
  r.user_info.groups = {"system:authenticated"};
  r.object = std::move(object);
  r.old_object = std::move(old_object);
  return r;
}

api::Condition condition(std::string type) {
  api::Condition c;
  c.type = std::move(type);
  c.status = api::ConditionStatus::kTrue;
  c.reason = "ByTest";
  c.message = "set by test";
  return c;
}

class Handlers : public ::testing::Test {
 protected:
  FakeReviewer reviewer;
  AdmissionHandler handler{reviewer};
};

TEST_F(Handlers, InvalidCertificateIsDeniedWithFieldErrors) {
  json cert = {{"apiVersion", "cert-manager.io/v1"},
               {"kind", "Certificate"},
               {"metadata", {{"name", "web"}, {"namespace", "shop"}}},
               {"spec",
                {{"secretName", "web-tls"},
                 {"dnsNames", {"web.example.com"}},
                 {"issuerRef", {{"name", "ca"}}},
                 {"privateKey", {{"algorithm", "RSA"}, {"size", 1000}}}}}};
  auto response = handler.validate(review("Certificate", "CREATE", cert));
  EXPECT_FALSE(response.allowed);
  EXPECT_EQ(response.status_code, 403);
  EXPECT_NE(response.status_message.find("spec.privateKey.size: Invalid value: 1000"),
            std::string::npos)
      << response.status_message;

  cert["spec"]["privateKey"]["size"] = 2048;
  EXPECT_TRUE(handler.validate(review("Certificate", "CREATE", cert)).allowed);
  EXPECT_TRUE(handler.validate(review("Certificate", "UPDATE", cert, cert)).allowed);
}

TEST_F(Handlers, OtherGroupsAndDeletesPass) {
  EXPECT_TRUE(handler.validate(review("Certificate", "DELETE", nullptr)).allowed);
  auto r = review("Certificate", "CREATE", {{"spec", json::object()}});
  r.kind.group = "example.com";
  EXPECT_TRUE(handler.validate(r).allowed);
}

TEST_F(Handlers, CertificateRequestWithUnparseableCsrIsDenied) {
  auto cr = request_object(
      "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n");
  auto response = handler.validate(review("CertificateRequest", "CREATE", api::encode(cr)));
  EXPECT_FALSE(response.allowed);
  EXPECT_NE(response.status_message.find("spec.request: Invalid value: []byte{...}: failed to "
                                         "decode csr"),
            std::string::npos)
      << response.status_message;
}

TEST_F(Handlers, CertificateRequestUsagesMustMatchTheCsr) {
  auto good = request_object(csr_pem(server_csr()));
  EXPECT_TRUE(handler.validate(review("CertificateRequest", "CREATE", api::encode(good))).allowed);

  auto client_auth = good;
  client_auth.spec.usages = {"digital signature", "key encipherment", "client auth"};
  auto response =
      handler.validate(review("CertificateRequest", "CREATE", api::encode(client_auth)));
  EXPECT_FALSE(response.allowed);
  EXPECT_NE(response.status_message.find("spec.usages: Invalid value: []string{\"digital "
                                         "signature\", \"key encipherment\", \"client auth\"}"),
            std::string::npos)
      << response.status_message;

  // No usages at all while the CSR asks for server auth: the defaults do not cover it.
  auto empty = good;
  empty.spec.usages.clear();
  EXPECT_FALSE(
      handler.validate(review("CertificateRequest", "CREATE", api::encode(empty))).allowed);

  // A CSR without usage extensions leaves the usages to the spec.
  auto bare = request_object(csr_pem({.sans = {.dns_names = {"a.example.com"}}}));
  bare.spec.usages = {"client auth"};
  EXPECT_TRUE(handler.validate(review("CertificateRequest", "CREATE", api::encode(bare))).allowed);
}

TEST_F(Handlers, CertificateRequestIsCaMustMatchTheCsr) {
  auto cr = request_object(csr_pem(server_csr()));
  cr.spec.is_ca = true;
  cr.spec.usages = {"digital signature", "key encipherment", "server auth"};
  auto errors = validate_csr_consistency(cr.spec);
  ASSERT_FALSE(errors.empty());
  EXPECT_EQ(errors.front().to_string(),
            "spec.isCA: Invalid value: true: does not match the CSR's basicConstraints cA (false)");
}

TEST_F(Handlers, IdentityMayNotChangeOnUpdate) {
  auto old_cr = request_object(csr_pem(server_csr()));
  old_cr.spec.username = "alice";
  old_cr.spec.groups = {"devs"};
  auto new_cr = old_cr;
  new_cr.spec.username = "mallory";
  new_cr.spec.extra = {{"k", {"v"}}};
  auto errors = validate_identity_unchanged(old_cr.spec, new_cr.spec);
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].to_string(),
            "spec.username: Forbidden: username identity must be that which created the resource");
  EXPECT_EQ(errors[1].field, "spec.extra");
  auto response = handler.validate(
      review("CertificateRequest", "UPDATE", api::encode(new_cr), api::encode(old_cr)));
  EXPECT_FALSE(response.allowed);
  EXPECT_NE(response.status_message.find("spec.username: Forbidden"), std::string::npos);
}

TEST_F(Handlers, ApprovalNeedsTheApprovePermissionOnTheSigner) {
  auto old_cr = request_object(csr_pem(server_csr()));
  auto approved = old_cr;
  approved.status.conditions.push_back(condition("Approved"));
  auto r =
      review("CertificateRequest", "UPDATE", api::encode(approved), api::encode(old_cr), "bob");
  r.sub_resource = "status";

  auto denied = handler.validate(r);
  EXPECT_FALSE(denied.allowed);
  EXPECT_NE(denied.status_message.find("user \"bob\" does not have permissions"), std::string::npos)
      << denied.status_message;
  // Both the wildcard and the issuer's own signer name were asked about.
  ASSERT_EQ(reviewer.asked.size(), 2u);
  EXPECT_EQ(reviewer.asked[0].name, "issuers.cert-manager.io/*");
  EXPECT_EQ(reviewer.asked[1].name, "issuers.cert-manager.io/shop.ca");
  EXPECT_EQ(reviewer.asked[1].user.groups, std::vector<std::string>{"system:authenticated"});

  reviewer.grants.insert({"bob", "issuers.cert-manager.io/shop.ca"});
  EXPECT_TRUE(handler.validate(r).allowed);

  // Denied counts too; a ClusterIssuer's signer has no namespace.
  auto cluster_old = old_cr;
  cluster_old.spec.issuer_ref.kind = "ClusterIssuer";
  auto cluster_denied = cluster_old;
  cluster_denied.status.conditions.push_back(condition("Denied"));
  auto cr2 = review("CertificateRequest", "UPDATE", api::encode(cluster_denied),
                    api::encode(cluster_old), "carol");
  EXPECT_FALSE(handler.validate(cr2).allowed);
  reviewer.grants.insert({"carol", "clusterissuers.cert-manager.io/*"});
  EXPECT_TRUE(handler.validate(cr2).allowed);
}

TEST_F(Handlers, ApprovalCheckOnlyWhenTheConditionIsAdded) {
  auto cr = request_object(csr_pem(server_csr()));
  cr.status.conditions.push_back(condition("Approved"));
  auto ready = cr;
  ready.status.conditions.push_back(condition("Ready"));
  EXPECT_TRUE(
      handler.validate(review("CertificateRequest", "UPDATE", api::encode(ready), api::encode(cr)))
          .allowed);
  EXPECT_TRUE(reviewer.asked.empty());
}

TEST_F(Handlers, ApprovalCheckFailureIsAnErrorNotAnApproval) {
  auto old_cr = request_object(csr_pem(server_csr()));
  auto approved = old_cr;
  approved.status.conditions.push_back(condition("Approved"));
  reviewer.fail = true;
  auto response = handler.validate(
      review("CertificateRequest", "UPDATE", api::encode(approved), api::encode(old_cr)));
  EXPECT_FALSE(response.allowed);
  EXPECT_EQ(response.status_code, 500);
}

// Knows one external kind; counts lookups.
class FakeResolver final : public IssuerKindResolver {
 public:
  int lookups = 0;
  common::Result<std::optional<IssuerKind>> resolve(const std::string& group,
                                                    const std::string& kind) override {
    ++lookups;
    if (group == "awspca.cert-manager.io" && kind == "AWSPCAClusterIssuer") {
      return std::optional<IssuerKind>(IssuerKind{"awspcaclusterissuers", false});
    }
    return std::optional<IssuerKind>();
  }
};

TEST(SignerNames, BuiltInAndExternalKinds) {
  EXPECT_EQ(
      signer_names(*builtin_issuer_kind("cert-manager.io", "Issuer"), "cert-manager.io", "ca",
                   "shop"),
      (std::vector<std::string>{"issuers.cert-manager.io/*", "issuers.cert-manager.io/shop.ca"}));
  EXPECT_EQ(signer_names(*builtin_issuer_kind("cert-manager.io", "ClusterIssuer"),
                         "cert-manager.io", "ca", "shop"),
            (std::vector<std::string>{"clusterissuers.cert-manager.io/*",
                                      "clusterissuers.cert-manager.io/ca"}));
  EXPECT_FALSE(builtin_issuer_kind("example.com", "Issuer"));
  EXPECT_EQ(signer_names({"vaultissuers", true}, "example.com", "v", "shop").back(),
            "vaultissuers.example.com/shop.v");
}

TEST_F(Handlers, UnknownIssuerKindCannotBeApproved) {
  auto old_cr = request_object(csr_pem(server_csr()));
  old_cr.spec.issuer_ref.group = "example.com";
  old_cr.spec.issuer_ref.kind = "VaultIssuer";
  auto approved = old_cr;
  approved.status.conditions.push_back(condition("Approved"));
  const auto r = review("CertificateRequest", "UPDATE", api::encode(approved), api::encode(old_cr));
  // Without a resolver, and with one that does not know the kind.
  FakeResolver resolver;
  for (IssuerKindResolver* with :
       {static_cast<IssuerKindResolver*>(nullptr), static_cast<IssuerKindResolver*>(&resolver)}) {
    AdmissionHandler h(reviewer, with);
    auto response = h.validate(r);
    EXPECT_FALSE(response.allowed);
    EXPECT_NE(response.status_message.find("referenced signer resource does not exist"),
              std::string::npos);
  }
  EXPECT_EQ(resolver.lookups, 1);
}

TEST_F(Handlers, ExternalIssuerKindIsApprovedThroughItsDiscoveredPlural) {
  FakeResolver resolver;
  AdmissionHandler h(reviewer, &resolver);
  auto old_cr = request_object(csr_pem(server_csr()));
  old_cr.spec.issuer_ref.group = "awspca.cert-manager.io";
  old_cr.spec.issuer_ref.kind = "AWSPCAClusterIssuer";
  old_cr.spec.issuer_ref.name = "pca";
  auto approved = old_cr;
  approved.status.conditions.push_back(condition("Approved"));
  const auto r =
      review("CertificateRequest", "UPDATE", api::encode(approved), api::encode(old_cr), "dan");
  EXPECT_FALSE(h.validate(r).allowed);
  reviewer.grants.insert({"dan", "awspcaclusterissuers.awspca.cert-manager.io/pca"});
  EXPECT_TRUE(h.validate(r).allowed);
  EXPECT_EQ(resolver.lookups, 2);
}

TEST_F(Handlers, IssuerCaBundleMustParse) {
  // PEM armour around bytes that are no certificate: lib/api's check (is there a PEM
  // certificate block?) passes, only parsing it finds the fault.
  constexpr const char* kBrokenPem =
      "-----BEGIN CERTIFICATE-----\nMIIBAAAA\n-----END CERTIFICATE-----\n";
  api::IssuerSpec spec;
  spec.acme.emplace();
  spec.acme->ca_bundle = kBrokenPem;
  auto errors = validate_issuer_ca_bundle(spec);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].field, "spec.acme.caBundle");
  spec.acme->ca_bundle = "no PEM at all";
  EXPECT_TRUE(validate_issuer_ca_bundle(spec).empty()) << "lib/api reports that one";

  json issuer = {{"apiVersion", "cert-manager.io/v1"},
                 {"kind", "Issuer"},
                 {"metadata", {{"name", "acme"}, {"namespace", "shop"}}},
                 {"spec",
                  {{"acme",
                    {{"server", "https://acme.example/dir"},
                     {"privateKeySecretRef", {{"name", "acct"}}},
                     {"caBundle", common::base64_encode(kBrokenPem)},
                     {"solvers", json::array({{{"http01", {{"ingress", json::object()}}}}})}}}}}};
  auto response = handler.validate(review("Issuer", "CREATE", issuer));
  EXPECT_FALSE(response.allowed);
  EXPECT_NE(response.status_message.find("spec.acme.caBundle: Invalid value"), std::string::npos)
      << response.status_message;
  issuer["spec"]["acme"].erase("caBundle");
  EXPECT_TRUE(handler.validate(review("Issuer", "CREATE", issuer)).allowed);
  issuer["kind"] = "ClusterIssuer";
  issuer["spec"] = {{"ca", json::object()}};
  auto cluster = handler.validate(review("ClusterIssuer", "CREATE", issuer));
  EXPECT_FALSE(cluster.allowed);
  EXPECT_NE(cluster.status_message.find("spec.ca.secretName: Required value"), std::string::npos)
      << cluster.status_message;
}

TEST_F(Handlers, WarningsAreReturnedWithAnAdmission) {
  json issuer = {{"apiVersion", "cert-manager.io/v1"},
                 {"kind", "Issuer"},
                 {"metadata", {{"name", "acme"}, {"namespace", "shop"}}},
                 {"spec",
                  {{"acme",
                    {{"server", "https://acme.example/dir"},
                     {"privateKeySecretRef", {{"name", "acct"}}},
                     {"externalAccountBinding",
                      {{"keyID", "kid"},
                       {"keySecretRef", {{"name", "eab"}, {"key", "hmac"}}},
                       {"keyAlgorithm", "HS512"}}},
                     {"solvers", json::array({{{"http01", {{"ingress", json::object()}}}}})}}}}}};
  auto response = handler.validate(review("Issuer", "CREATE", issuer));
  EXPECT_TRUE(response.allowed) << response.status_message;
  ASSERT_EQ(response.warnings.size(), 1u);
  EXPECT_NE(response.warnings[0].find("keyAlgorithm field is deprecated"), std::string::npos);
}

TEST_F(Handlers, OrderUpdatesUseTheUpdateRules) {
  json order = {{"apiVersion", "acme.cert-manager.io/v1"},
                {"kind", "Order"},
                {"metadata", {{"name", "o"}, {"namespace", "shop"}}},
                {"spec",
                 {{"request", common::base64_encode("csr")},
                  {"issuerRef", {{"name", "acme"}}},
                  {"dnsNames", {"a.example.com"}}}},
                {"status", {{"url", "https://acme.example/order/1"}}}};
  EXPECT_TRUE(handler.validate(review("Order", "CREATE", order)).allowed);
  json moved = order;
  moved["status"]["url"] = "https://acme.example/order/2";
  auto response = handler.validate(review("Order", "UPDATE", moved, order));
  EXPECT_FALSE(response.allowed) << "status.url is immutable once set";
}

TEST_F(Handlers, MutateSetsIdentityFromTheRequester) {
  json object = {{"spec", {{"request", "x"}, {"username", "forged"}, {"groups", {"admins"}}}}};
  auto r = review("CertificateRequest", "CREATE", object, nullptr, "alice");
  r.user_info.uid = "u-1";
  r.user_info.groups = {};
  auto response = handler.mutate(r);
  EXPECT_TRUE(response.allowed);
  ASSERT_TRUE(response.patch);
  EXPECT_EQ(*response.patch, json::parse(R"([
    {"op": "add", "path": "/spec/username", "value": "alice"},
    {"op": "add", "path": "/spec/uid", "value": "u-1"},
    {"op": "remove", "path": "/spec/groups"}])"));

  r.user_info.groups = {"devs"};
  r.user_info.extra = {{"scopes", {"read"}}};
  r.object = json::object();
  EXPECT_EQ(*handler.mutate(r).patch, json::parse(R"([
    {"op": "add", "path": "/spec", "value": {}},
    {"op": "add", "path": "/spec/username", "value": "alice"},
    {"op": "add", "path": "/spec/uid", "value": "u-1"},
    {"op": "add", "path": "/spec/groups", "value": ["devs"]},
    {"op": "add", "path": "/spec/extra", "value": {"scopes": ["read"]}}])"));
}

TEST_F(Handlers, MutateLeavesOtherObjectsAlone) {
  EXPECT_FALSE(handler.mutate(review("Certificate", "CREATE", json::object())).patch);
  EXPECT_FALSE(handler.mutate(review("CertificateRequest", "UPDATE", json::object())).patch);
}

}  // namespace
}  // namespace certkeeper::webhook
