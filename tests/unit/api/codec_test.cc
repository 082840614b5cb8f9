#include "lib/api/codec.h"

#include <chrono>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "lib/api/conditions.h"
#include "lib/common/encoding.h"
#include "lib/common/time_format.h"

namespace certkeeper::api {
namespace {

using namespace std::chrono_literals;
using json = nlohmann::json;

// Not real key material: the codec only moves bytes.
constexpr std::string_view kCsrPem =
    "-----BEGIN CERTIFICATE REQUEST-----\nMIIBfake\n-----END CERTIFICATE REQUEST-----\n";
constexpr std::string_view kChainPem =
    "-----BEGIN CERTIFICATE-----\nMIIBleaf\n-----END CERTIFICATE-----\n"
    "-----BEGIN CERTIFICATE-----\nMIIBca\n-----END CERTIFICATE-----\n";

json metadata_every_field() {
  return json::parse(R"({
    "name": "web", "generateName": "web-", "namespace": "shop", "uid": "0b1c-77",
    "resourceVersion": "4711", "generation": 3,
    "creationTimestamp": "2026-11-01T08:00:00Z", "deletionTimestamp": "2026-11-28T09:30:00Z",
    "labels": {"app": "shop", "tier": "web"},
    "annotations": {"acme.cert-manager.io/http01-override-ingress-name": "shop"},
    "ownerReferences": [{"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "name": "shop",
                         "uid": "9f-1", "controller": true, "blockOwnerDeletion": true}],
    "finalizers": ["example.com/keep"]})");
}

json certificate_every_field() {
  json j = json::parse(R"({
    "apiVersion": "cert-manager.io/v1", "kind": "Certificate",
    "spec": {
      "subject": {"organizations": ["Shop Ltd"], "countries": ["DE"],
                  "organizationalUnits": ["Web"], "localities": ["Berlin"],
                  "provinces": ["Berlin"], "streetAddresses": ["Main St 1"],
                  "postalCodes": ["10115"], "serialNumber": "42"},
      "literalSubject": "CN=shop.example.com,O=Shop Ltd",
      "commonName": "shop.example.com",
      "duration": "2160h", "renewBefore": "360h", "renewBeforePercentage": 25,
      "renewal": {"policy": "RenewBefore",
                  "windows": [{"cron": "0 2 * * MON-FRI", "timezone": "Europe/Berlin",
                               "windowDuration": "4h"}]},
      "dnsNames": ["shop.example.com", "www.shop.example.com"],
      "ipAddresses": ["192.0.2.10", "2001:db8::10"],
      "uris": ["spiffe://cluster.local/ns/shop/sa/web"],
      "otherNames": [{"oid": "1.3.6.1.4.1.311.20.2.3", "utf8Value": "web@shop.example.com"}],
      "emailAddresses": ["ops@shop.example.com"],
      "secretName": "web-tls",
      "secretTemplate": {"annotations": {"reflector/allowed": "true"}, "labels": {"team": "web"}},
      "keystores": {
        "jks": {"create": true, "alias": "web", "passwordSecretRef": {"name": "jks-pw", "key": "pw"}},
        "pkcs12": {"create": true, "profile": "Modern2023", "password": "changeit"}},
      "issuerRef": {"name": "letsencrypt", "kind": "ClusterIssuer", "group": "cert-manager.io"},
      "isCA": false,
      "usages": ["digital signature", "key encipherment", "server auth"],
      "privateKey": {"rotationPolicy": "Never", "encoding": "PKCS8", "algorithm": "ECDSA", "size": 384},
      "signatureAlgorithm": "ECDSAWithSHA384",
      "encodeUsagesInRequest": false,
      "revisionHistoryLimit": 3,
      "additionalOutputFormats": [{"type": "DER"}, {"type": "CombinedPEM"}],
      "nameConstraints": {"critical": true,
        "permitted": {"dnsDomains": ["shop.example.com"], "ipRanges": ["192.0.2.0/24"],
                      "emailAddresses": ["shop.example.com"], "uriDomains": ["shop.example.com"]},
        "excluded": {"dnsDomains": ["evil.example.com"]}}
    },
    "status": {
      "conditions": [
        {"type": "Ready", "status": "True", "lastTransitionTime": "2026-11-02T10:00:00Z",
         "reason": "Ready", "message": "Certificate is up to date and has not expired",
         "observedGeneration": 3},
        {"type": "Issuing", "status": "False", "lastTransitionTime": "2026-11-02T10:00:00Z",
         "reason": "Failed", "message": "The certificate request has failed to complete and will be retried: boom",
         "observedGeneration": 3}],
      "lastFailureTime": "2026-11-02T09:00:00Z",
      "notBefore": "2026-11-02T09:59:00Z", "notAfter": "2027-01-31T09:59:00Z",
      "renewalTime": "2027-01-01T09:59:00Z", "revision": 7,
      "nextPrivateKeySecretName": "web-x7k2p", "failedIssuanceAttempts": 1,
      "acme": {"ari": {"suggestedWindow": {"start": "2027-01-01T00:00:00Z", "end": "2027-01-03T00:00:00Z"},
                       "explanationURL": "https://acme.example/why", "lastChecked": "2026-11-20T00:00:00Z",
                       "nextCheck": "2026-11-20T06:00:00Z", "lastError": "timeout"}}
    }})");
  j["metadata"] = metadata_every_field();
  return j;
}

json certificate_request_every_field() {
  json j = json::parse(R"({
    "apiVersion": "cert-manager.io/v1", "kind": "CertificateRequest",
    "spec": {"duration": "1h30m", "issuerRef": {"name": "ca", "kind": "Issuer"},
             "isCA": true, "usages": ["cert sign", "crl sign"], "username": "system:serviceaccount:cert-manager:cert-manager",
             "uid": "a1b2", "groups": ["system:serviceaccounts", "system:authenticated"],
             "extra": {"authentication.kubernetes.io/pod-name": ["cert-manager-6b8c"]}},
    "status": {"conditions": [
        {"type": "Approved", "status": "True", "lastTransitionTime": "2026-11-02T10:00:00Z",
         "reason": "cert-manager.io", "message": "Certificate request has been approved by cert-manager.io"},
        {"type": "Ready", "status": "True", "lastTransitionTime": "2026-11-02T10:00:01Z",
         "reason": "Issued", "message": "Certificate fetched from issuer successfully"}],
      "failureTime": "2026-11-02T09:00:00Z"}})");
  j["metadata"] = metadata_every_field();
  j["spec"]["request"] = common::base64_encode(kCsrPem);
  j["status"]["certificate"] = common::base64_encode(kChainPem);
  j["status"]["ca"] = common::base64_encode(kChainPem.substr(kChainPem.size() / 2));
  return j;
}

json acme_solvers() {
  return json::parse(R"([
    {"selector": {"matchLabels": {"use-http": "true"}, "dnsNames": ["shop.example.com"],
                  "dnsZones": ["example.com"]},
     "http01": {"ingress": {"serviceType": "ClusterIP", "ingressClassName": "nginx",
                            "podTemplate": {"metadata": {"labels": {"a": "b"}},
                                            "spec": {"nodeSelector": {"kubernetes.io/os": "linux"},
                                                     "tolerations": [{"key": "k", "operator": "Exists"}]}},
                            "ingressTemplate": {"metadata": {"annotations": {"x": "y"}}}}},
     "waitInsteadOfSelfCheck": "30s"},
    {"http01": {"ingress": {"class": "traefik"}}},
    {"http01": {"ingress": {"name": "existing-ingress"}}},
    {"http01": {"gatewayHTTPRoute": {"serviceType": "NodePort", "labels": {"gw": "main"},
                                     "parentRefs": [{"name": "main", "namespace": "gw", "kind": "Gateway",
                                                     "sectionName": "http"}],
                                     "podTemplate": {"spec": {"priorityClassName": "high"}}}}},
    {"selector": {}, "dns01": {"cnameStrategy": "Follow", "nameservers": ["10.0.0.53:53"],
       "rfc2136": {"nameserver": "[2001:db8::53]:53", "tsigKeyName": "certkeeper",
                   "tsigAlgorithm": "HMACSHA256", "tsigSecretSecretRef": {"name": "tsig", "key": "secret"},
                   "protocol": "TCP"}}},
    {"dns01": {"webhook": {"groupName": "acme.example.com", "solverName": "mydns",
                           "config": {"apiUrl": "https://dns.example", "ttl": 60, "nested": [1, {"a": null}]}}}},
    {"dns01": {"acmeDNS": {"host": "https://auth.acme-dns.io", "accountSecretRef": {"name": "a", "key": "b"}}}},
    {"dns01": {"akamai": {"serviceConsumerDomain": "x", "clientTokenSecretRef": {"name": "a", "key": "b"},
                          "clientSecretSecretRef": {"name": "a", "key": "c"}, "accessTokenSecretRef": {"name": "a", "key": "d"}}}},
    {"dns01": {"azureDNS": {"subscriptionID": "s", "resourceGroupName": "rg", "hostedZoneName": "example.com",
                            "environment": "AzurePublicCloud", "managedIdentity": {"clientID": "c"}}}},
    {"dns01": {"cloudDNS": {"project": "p", "hostedZoneName": "z"}}},
    {"dns01": {"cloudflare": {"email": "a@b.c", "apiTokenSecretRef": {"name": "cf", "key": "token"}}}},
    {"dns01": {"route53": {"region": "eu-central-1", "hostedZoneID": "Z1", "role": "arn:aws:iam::1:role/x"}}},
    {"dns01": {"digitalocean": {"tokenSecretRef": {"name": "do", "key": "token"}}}}
  ])");
}

json issuer_every_field(std::string_view kind) {
  json j = json::parse(R"({
    "apiVersion": "cert-manager.io/v1",
    "spec": {"acme": {
      "email": "ops@shop.example.com", "server": "https://acme-v02.api.letsencrypt.org/directory",
      "preferredChain": "ISRG Root X1", "skipTLSVerify": false,
      "externalAccountBinding": {"keyID": "kid-1", "keySecretRef": {"name": "eab", "key": "hmac"},
                                 "keyAlgorithm": "HS256"},
      "privateKeySecretRef": {"name": "le-account", "key": "tls.key"},
      "disableAccountKeyGeneration": true, "enableDurationFeature": false,
      "profile": "shortlived", "renewalInformationSource": "ARI"}},
    "status": {"conditions": [{"type": "Ready", "status": "True", "lastTransitionTime": "2026-11-01T08:00:10Z",
                               "reason": "ACMEAccountRegistered", "message": "The ACME account was registered with the ACME server",
                               "observedGeneration": 1}],
               "acme": {"uri": "https://acme.example/acct/1", "lastRegisteredEmail": "ops@shop.example.com",
                        "lastPrivateKeyHash": "abc="}}})");
  j["kind"] = kind;
  j["metadata"] = metadata_every_field();
  j["spec"]["acme"]["solvers"] = acme_solvers();
  j["spec"]["acme"]["caBundle"] = common::base64_encode(kChainPem);
  return j;
}

json order_every_field() {
  json j = json::parse(R"({
    "apiVersion": "acme.cert-manager.io/v1", "kind": "Order",
    "spec": {"issuerRef": {"name": "letsencrypt", "kind": "ClusterIssuer", "group": "cert-manager.io"},
             "commonName": "shop.example.com", "dnsNames": ["shop.example.com", "*.shop.example.com"],
             "ipAddresses": ["192.0.2.10"], "duration": "2160h", "profile": "tlsserver",
             "replaces": "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE"},
    "status": {"url": "https://acme.example/order/1", "finalizeURL": "https://acme.example/order/1/finalize",
               "authorizations": [{"url": "https://acme.example/authz/1", "identifier": "shop.example.com",
                                   "wildcard": true, "initialState": "pending",
                                   "challenges": [{"url": "https://acme.example/chall/1", "token": "tok1", "type": "dns-01"},
                                                  {"url": "https://acme.example/chall/2", "token": "tok2", "type": "http-01"}]}],
               "state": "valid", "reason": "", "failureTime": "2026-11-02T09:00:00Z"}})");
  j["metadata"] = metadata_every_field();
  j["spec"]["request"] = common::base64_encode(kCsrPem);
  j["status"]["certificate"] = common::base64_encode(kChainPem);
  return j;
}

json challenge_every_field() {
  json j = json::parse(R"({
    "apiVersion": "acme.cert-manager.io/v1", "kind": "Challenge",
    "spec": {"url": "https://acme.example/chall/1", "authorizationURL": "https://acme.example/authz/1",
             "dnsName": "shop.example.com", "wildcard": true, "type": "DNS-01", "token": "tok1",
             "key": "Hk8q7DpIrGx0yMKeFUUt1oX_ZdF6lXkIW0pNHZeY3qE",
             "issuerRef": {"name": "letsencrypt", "kind": "ClusterIssuer", "group": "cert-manager.io"}},
    "status": {"processing": true, "presented": true, "presentedAt": "2026-11-02T09:01:00Z",
               "reason": "Waiting for DNS-01 challenge propagation", "state": "pending"}})");
  j["metadata"] = metadata_every_field();
  j["metadata"]["finalizers"] = {"acme.cert-manager.io/finalizer"};
  j["spec"]["solver"] = acme_solvers()[4];
  return j;
}

template <typename Decode>
void expect_round_trip(const json& manifest, Decode decode) {
  auto decoded = decode(manifest);
  ASSERT_TRUE(decoded.has_value()) << decoded.error().message();
  json encoded = encode(*decoded);
  EXPECT_EQ(encoded, manifest) << "diff: " << json::diff(manifest, encoded).dump(2);
  auto again = decode(encoded);
  ASSERT_TRUE(again.has_value()) << again.error().message();
  EXPECT_EQ(*again, *decoded);
}

TEST(Codec, CertificateWithEveryFieldRoundTrips) {
  expect_round_trip(certificate_every_field(), decode_certificate);
}
TEST(Codec, CertificateRequestWithEveryFieldRoundTrips) {
  expect_round_trip(certificate_request_every_field(), decode_certificate_request);
}
TEST(Codec, IssuerWithEveryFieldRoundTrips) {
  expect_round_trip(issuer_every_field("Issuer"), decode_issuer);
}
TEST(Codec, ClusterIssuerWithEveryFieldRoundTrips) {
  expect_round_trip(issuer_every_field("ClusterIssuer"), decode_cluster_issuer);
}
TEST(Codec, OrderWithEveryFieldRoundTrips) { expect_round_trip(order_every_field(), decode_order); }
TEST(Codec, ChallengeWithEveryFieldRoundTrips) {
  expect_round_trip(challenge_every_field(), decode_challenge);
}

TEST(Codec, OtherIssuerTypesRoundTripAsWritten) {
  json ca = json::parse(R"({"apiVersion": "cert-manager.io/v1", "kind": "Issuer",
    "metadata": {"name": "ca", "namespace": "shop"},
    "spec": {"ca": {"secretName": "root", "crlDistributionPoints": ["http://crl.example/root.crl"],
                    "ocspServers": ["http://ocsp.example"], "issuingCertificateURLs": ["http://ca.example/root.crt"]}}})");
  json self_signed = json::parse(R"({"apiVersion": "cert-manager.io/v1", "kind": "ClusterIssuer",
    "metadata": {"name": "selfsigned"}, "spec": {"selfSigned": {}}})");
  json vault = json::parse(R"({"apiVersion": "cert-manager.io/v1", "kind": "Issuer",
    "metadata": {"name": "vault", "namespace": "shop"},
    "spec": {"vault": {"server": "https://vault.example:8200", "path": "pki/sign/shop",
             "auth": {"kubernetes": {"role": "shop", "mountPath": "/v1/auth/kubernetes",
                                     "serviceAccountRef": {"name": "vault-issuer", "audiences": ["vault"]}}}}}})");
  json venafi = json::parse(R"({"apiVersion": "cert-manager.io/v1", "kind": "Issuer",
    "metadata": {"name": "venafi", "namespace": "shop"},
    "spec": {"venafi": {"zone": "DevOps\\Shop", "cloud": {"apiTokenSecretRef": {"name": "vc", "key": "apikey"}}}}})");
  expect_round_trip(ca, decode_issuer);
  expect_round_trip(self_signed, decode_cluster_issuer);
  expect_round_trip(vault, decode_issuer);
  expect_round_trip(venafi, decode_issuer);
}

TEST(Codec, DecodedValuesAreTyped) {
  auto cert = decode_certificate(certificate_every_field());
  ASSERT_TRUE(cert.has_value()) << cert.error().message();
  EXPECT_EQ(cert->metadata.namespace_, "shop");
  EXPECT_EQ(cert->metadata.generation, 3);
  EXPECT_EQ(cert->spec.duration->value, 2160h);
  EXPECT_EQ(cert->spec.duration->text, "2160h");
  EXPECT_EQ(cert->spec.renewal->windows.at(0).window_duration->value, 4h);
  EXPECT_EQ(cert->spec.private_key->size, 384);
  EXPECT_EQ(cert->spec.is_ca, false);  // written as false: present, not absent
  EXPECT_EQ(cert->status.conditions.at(0).status, ConditionStatus::kTrue);
  EXPECT_EQ(cert->status.conditions.at(0).observed_generation, 3);
  EXPECT_EQ(cert->status.not_after, common::parse_rfc3339("2027-01-31T09:59:00Z").value());

  auto cr = decode_certificate_request(certificate_request_every_field());
  ASSERT_TRUE(cr.has_value()) << cr.error().message();
  EXPECT_EQ(cr->spec.request, kCsrPem);  // base64 undone
  EXPECT_EQ(cr->status.certificate, kChainPem);
  EXPECT_EQ(cr->spec.extra.at("authentication.kubernetes.io/pod-name").at(0), "cert-manager-6b8c");

  auto issuer = decode_issuer(issuer_every_field("Issuer"));
  ASSERT_TRUE(issuer.has_value()) << issuer.error().message();
  const AcmeIssuer& acme = *issuer->spec.acme;
  EXPECT_EQ(acme.ca_bundle, kChainPem);
  EXPECT_EQ(acme.solvers.at(0).wait_instead_of_self_check->value, 30s);
  EXPECT_EQ(acme.solvers.at(1).http01->ingress->class_, "traefik");
  EXPECT_EQ(acme.solvers.at(4).dns01->rfc2136->tsig_secret_secret_ref->key, "secret");
  EXPECT_TRUE(acme.solvers.at(4).selector.has_value());  // "selector: {}" stays present
  EXPECT_EQ(acme.solvers.at(5).dns01->webhook->config->at("ttl"), 60);
  EXPECT_EQ(acme.solvers.at(3).http01->gateway_http_route->parent_refs.at(0).at("sectionName"),
            "http");
}

TEST(Codec, AMinimalCertificateGetsNoDefaultsWritten) {
  json minimal = json::parse(R"({"apiVersion": "cert-manager.io/v1", "kind": "Certificate",
    "metadata": {"name": "web", "namespace": "shop"},
    "spec": {"secretName": "web-tls", "dnsNames": ["shop.example.com"], "issuerRef": {"name": "le"}}})");
  auto cert = decode_certificate(minimal);
  ASSERT_TRUE(cert.has_value());
  EXPECT_FALSE(cert->spec.duration.has_value());
  EXPECT_FALSE(cert->spec.private_key.has_value());
  EXPECT_EQ(encode(*cert), minimal);
}

TEST(Codec, EncodingACertificateBuiltInCodeWritesCanonicalValues) {
  Certificate cert;
  cert.metadata.name = "web";
  cert.spec.secret_name = "web-tls";
  cert.spec.issuer_ref.name = "le";
  cert.spec.duration = GoDuration::of(90min);
  cert.status.not_before = common::utc_time(2026, 11, 2, 9, 59, 0).value();
  json j = encode(cert);
  EXPECT_EQ(j["spec"]["duration"], "1h30m0s");
  EXPECT_EQ(j["status"]["notBefore"], "2026-11-02T09:59:00Z");
  EXPECT_FALSE(j["spec"].contains("isCA"));
  EXPECT_FALSE(j["spec"].contains("dnsNames"));
}

TEST(Codec, UnknownFieldsAreIgnored) {
  json j = certificate_every_field();
  j["spec"]["someFutureField"] = {{"x", 1}};
  j["status"]["somethingNew"] = true;
  j["metadata"]["managedFields"] = json::array({{{"manager", "kubectl"}}});
  auto cert = decode_certificate(j);
  ASSERT_TRUE(cert.has_value()) << cert.error().message();
  EXPECT_EQ(encode(*cert), certificate_every_field());
}

TEST(Codec, NullIsTreatedAsAbsent) {
  json j = json::parse(R"({"metadata": {"name": "w", "labels": null},
    "spec": {"secretName": "s", "commonName": null, "issuerRef": {"name": "i"}}, "status": null})");
  auto cert = decode_certificate(j);
  ASSERT_TRUE(cert.has_value()) << cert.error().message();
  EXPECT_FALSE(cert->spec.common_name.has_value());
}

struct BadInput {
  const char* name;
  const char* pointer;  // JSON pointer to the member to replace
  json value;
  const char* expected;  // substring of the error message
};

class CodecBadInput : public ::testing::TestWithParam<BadInput> {};

TEST_P(CodecBadInput, NamesTheField) {
  const BadInput& bad = GetParam();
  json j = certificate_every_field();
  j[json::json_pointer(bad.pointer)] = bad.value;
  auto cert = decode_certificate(j);
  ASSERT_FALSE(cert.has_value());
  EXPECT_EQ(cert.error().code(), common::ErrorCode::kInvalidArgument);
  EXPECT_NE(cert.error().message().find(bad.expected), std::string::npos) << cert.error().message();
}

INSTANTIATE_TEST_SUITE_P(
    Certificate, CodecBadInput,
    ::testing::Values(
        BadInput{"dns_name_number", "/spec/dnsNames/1", 7,
                 "Certificate: spec.dnsNames[1]: expected a string, got number"},
        BadInput{"dns_names_string", "/spec/dnsNames", "a.example",
                 "spec.dnsNames: expected an array, got string"},
        BadInput{"duration_text", "/spec/duration", "90 days", "spec.duration: invalid duration"},
        BadInput{"size_float", "/spec/privateKey/size", 2048.5,
                 "spec.privateKey.size: expected a 64-bit integer"},
        BadInput{"pct_range", "/spec/renewBeforePercentage", 4294967296LL,
                 "spec.renewBeforePercentage: 4294967296 is out of range"},
        BadInput{"is_ca_string", "/spec/isCA", "true", "spec.isCA: expected a boolean, got string"},
        BadInput{"issuer_ref_array", "/spec/issuerRef", json::array(),
                 "spec.issuerRef: expected an object, got array"},
        BadInput{"label_value", "/metadata/labels/app", 1,
                 "metadata.labels[app]: expected a string"},
        BadInput{"time", "/status/notAfter", "yesterday", "status.notAfter:"},
        BadInput{"condition_status", "/status/conditions/1/status", "Maybe",
                 "status.conditions[1].status: expected \"True\", \"False\" or \"Unknown\""},
        BadInput{"window", "/spec/renewal/windows/0/windowDuration", "4 hours",
                 "spec.renewal.windows[0].windowDuration: invalid duration"},
        BadInput{"kind", "/kind", "Issuer", "kind: expected \"Certificate\""},
        BadInput{"api_version", "/apiVersion", "cert-manager.io/v1alpha2",
                 "apiVersion: expected \"cert-manager.io/v1\""}),
    [](const auto& test_info) { return std::string(test_info.param.name); });

TEST(Codec, BadBase64NamesTheField) {
  json j = certificate_request_every_field();
  j["spec"]["request"] = "not base64!";
  auto cr = decode_certificate_request(j);
  ASSERT_FALSE(cr.has_value());
  EXPECT_NE(cr.error().message().find("spec.request: expected base64-encoded bytes"),
            std::string::npos)
      << cr.error().message();

  json issuer = issuer_every_field("Issuer");
  issuer["spec"]["acme"]["solvers"][4]["dns01"]["rfc2136"]["tsigSecretSecretRef"] = "tsig";
  auto decoded = decode_issuer(issuer);
  ASSERT_FALSE(decoded.has_value());
  EXPECT_NE(decoded.error().message().find(
                "spec.acme.solvers[4].dns01.rfc2136.tsigSecretSecretRef: expected an object"),
            std::string::npos)
      << decoded.error().message();
}

TEST(Codec, NonObjectsAreRejected) {
  EXPECT_FALSE(decode_certificate(json::array()).has_value());
  EXPECT_FALSE(decode_order(json("x")).has_value());
  auto solver = decode_solver(json::parse(R"({"http01": []})"));
  ASSERT_FALSE(solver.has_value());
  EXPECT_NE(solver.error().message().find("solver: http01: expected an object"), std::string::npos)
      << solver.error().message();
}

TEST(Codec, SolverAndMetadataStandAlone) {
  json solver = acme_solvers()[0];
  auto decoded = decode_solver(solver);
  ASSERT_TRUE(decoded.has_value()) << decoded.error().message();
  EXPECT_EQ(encode(*decoded), solver);
  auto meta = decode_object_meta(metadata_every_field());
  ASSERT_TRUE(meta.has_value()) << meta.error().message();
  EXPECT_EQ(encode(*meta), metadata_every_field());
}

TEST(Codec, ParseJsonReportsWhereTheTextBreaks) {
  EXPECT_TRUE(parse_json(R"({"a": 1})").has_value());
  auto bad = parse_json(R"({"a": )");
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message().find("invalid JSON at byte"), std::string::npos);
}

}  // namespace
}  // namespace certkeeper::api
