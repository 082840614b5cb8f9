// ingress-shim's pure rules (controller/ingressshim/shim.h, cert-manager-api.md §4), one by one:
// the trigger, the Certificate per TLS entry, every annotation and every error.
#include "controller/ingressshim/shim.h"

#include <functional>
#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lib/api/codec.h"

namespace certkeeper::ingressshim {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// --- fixtures built in code ---------------------------------------------------------------------

using Modifier = std::function<void(json&)>;

json ingress(std::initializer_list<Modifier> modifiers) {
  json object = {{"apiVersion", "networking.k8s.io/v1"},
                 {"kind", "Ingress"},
                 {"metadata", {{"name", "web"}, {"namespace", "apps"}, {"uid", "uid-web"}}},
                 {"spec", json::object()}};
  for (const auto& modify : modifiers) {
    modify(object);
  }
  return object;
}

Modifier annotation(std::string key, std::string value) {
  return [key = std::move(key), value = std::move(value)](json& o) {
    o["metadata"]["annotations"][key] = value;
  };
}

Modifier label(std::string key, std::string value) {
  return [key = std::move(key), value = std::move(value)](json& o) {
    o["metadata"]["labels"][key] = value;
  };
}

Modifier tls(std::vector<std::string> hosts, std::string secret) {
  return [hosts = std::move(hosts), secret = std::move(secret)](json& o) {
    json entry = json::object();
    if (!hosts.empty()) {
      entry["hosts"] = hosts;
    }
    if (!secret.empty()) {
      entry["secretName"] = secret;
    }
    o["spec"]["tls"].push_back(entry);
  };
}

const Modifier kIssuer = annotation("cert-manager.io/issuer", "ca");
const Modifier kTls = tls({"www.example.com"}, "web-tls");

// The single Certificate of an Ingress that must be valid.
api::Certificate only_certificate(const json& object, const ShimOptions& options = {}) {
  auto desired = desired_certificates(object, options);
  EXPECT_TRUE(desired) << desired.error().message();
  if (!desired || desired->certificates.size() != 1) {
    ADD_FAILURE() << "expected one Certificate";
    return {};
  }
  return desired->certificates.front();
}

// The BadConfig message of an Ingress that must be refused.
std::string bad_config(const json& object, const ShimOptions& options = {}) {
  auto desired = desired_certificates(object, options);
  if (desired) {
    ADD_FAILURE() << "expected BadConfig, got " << desired->certificates.size() << " Certificates";
    return {};
  }
  EXPECT_EQ(desired.error().reason(), "BadConfig");
  return desired.error().message();
}

// --- the trigger ---------------------------------------------------------------------------------

TEST(ShouldSync, IssuerOrClusterIssuerAnnotation) {
  EXPECT_TRUE(should_sync(ingress({kIssuer}), {}));
  EXPECT_TRUE(should_sync(ingress({annotation("cert-manager.io/cluster-issuer", "le")}), {}));
  EXPECT_FALSE(should_sync(ingress({}), {}));
  EXPECT_FALSE(should_sync(ingress({annotation("cert-manager.io/duration", "2h")}), {}));
}

TEST(ShouldSync, AutoAnnotationParsesAsGoBool) {
  for (const char* yes : {"true", "1", "t", "T", "TRUE", "True"}) {
    EXPECT_TRUE(should_sync(ingress({annotation("kubernetes.io/tls-acme", yes)}), {})) << yes;
  }
  for (const char* no : {"false", "0", "yes", "", "on"}) {
    EXPECT_FALSE(should_sync(ingress({annotation("kubernetes.io/tls-acme", no)}), {})) << no;
  }
}

TEST(ShouldSync, AutoAnnotationsComeFromTheFlag) {
  ShimOptions options;
  options.auto_certificate_annotations = {"example.com/want-tls"};
  EXPECT_TRUE(should_sync(ingress({annotation("example.com/want-tls", "true")}), options));
  EXPECT_FALSE(should_sync(ingress({annotation("kubernetes.io/tls-acme", "true")}), options));
}

// --- Certificates per TLS entry
// --------------------------------------------------------------------

TEST(DesiredCertificates, OnePerTlsEntryNamedAfterTheSecret) {
  auto desired = desired_certificates(
      ingress({kIssuer, tls({"a.example.com"}, "a-tls"), tls({"b.example.com"}, "b-tls")}), {});
  ASSERT_TRUE(desired) << desired.error().message();
  ASSERT_EQ(desired->certificates.size(), 2U);
  EXPECT_EQ(desired->certificates[0].metadata.name, "a-tls");
  EXPECT_EQ(desired->certificates[0].metadata.namespace_, "apps");
  EXPECT_EQ(desired->certificates[0].spec.secret_name, "a-tls");
  EXPECT_THAT(desired->certificates[0].spec.dns_names, ElementsAre("a.example.com"));
  EXPECT_EQ(desired->certificates[1].metadata.name, "b-tls");
  EXPECT_THAT(desired->certificates[1].spec.dns_names, ElementsAre("b.example.com"));
  EXPECT_THAT(desired->warnings, IsEmpty());
}

TEST(DesiredCertificates, NoTlsEntriesNoCertificates) {
  auto desired = desired_certificates(ingress({kIssuer}), {});
  ASSERT_TRUE(desired);
  EXPECT_THAT(desired->certificates, IsEmpty());
}

TEST(DesiredCertificates, HostsSplitIntoDnsNamesAndIpAddresses) {
  const auto cert =
      only_certificate(ingress({kIssuer, tls({"www.example.com", "10.0.0.1", "::1"}, "t")}));
  EXPECT_THAT(cert.spec.dns_names, ElementsAre("www.example.com"));
  EXPECT_THAT(cert.spec.ip_addresses, ElementsAre("10.0.0.1", "::1"));
}

TEST(DesiredCertificates, ControllerOwnerReferenceToTheIngress) {
  const auto cert = only_certificate(ingress({kIssuer, kTls}));
  ASSERT_EQ(cert.metadata.owner_references.size(), 1U);
  const auto& owner = cert.metadata.owner_references[0];
  EXPECT_EQ(owner.api_version, "networking.k8s.io/v1");
  EXPECT_EQ(owner.kind, "Ingress");
  EXPECT_EQ(owner.name, "web");
  EXPECT_EQ(owner.uid, "uid-web");
  EXPECT_EQ(owner.controller, true);
  EXPECT_EQ(owner.block_owner_deletion, true);
  EXPECT_TRUE(is_controlled_by(cert, "uid-web"));
  EXPECT_FALSE(is_controlled_by(cert, "uid-other"));
}

TEST(DesiredCertificates, LabelsCopiedWithoutTheApplySetLabel) {
  const auto cert = only_certificate(ingress(
      {kIssuer, kTls, label("app", "web"), label("applyset.kubernetes.io/part-of", "set-1")}));
  EXPECT_EQ(cert.metadata.labels, (std::map<std::string, std::string>{{"app", "web"}}));
}

TEST(DesiredCertificates, DefaultUsagesWrittenOut) {
  const auto cert = only_certificate(ingress({kIssuer, kTls}));
  EXPECT_THAT(cert.spec.usages, ElementsAre("digital signature", "key encipherment"));
  EXPECT_FALSE(cert.spec.duration);
  EXPECT_FALSE(cert.spec.private_key);
  EXPECT_FALSE(cert.spec.subject);
  EXPECT_THAT(cert.metadata.annotations, IsEmpty());
}

TEST(DesiredCertificates, EntryWithoutHostsOrSecretSkippedWithWarning) {
  auto desired = desired_certificates(
      ingress({kIssuer, tls({}, "no-hosts"), tls({"x.example.com"}, ""), kTls}), {});
  ASSERT_TRUE(desired) << desired.error().message();
  ASSERT_EQ(desired->certificates.size(), 1U);
  EXPECT_EQ(desired->certificates[0].metadata.name, "web-tls");
  ASSERT_EQ(desired->warnings.size(), 2U);
  EXPECT_THAT(desired->warnings[0], HasSubstr("TLS entry 0 has no hosts"));
  EXPECT_THAT(desired->warnings[1], HasSubstr("TLS entry 1 has no secretName"));
  // The skipped entry's Secret still counts as referenced (its owned Certificate is kept).
  EXPECT_EQ(desired->referenced_secrets, (std::set<std::string>{"no-hosts", "web-tls"}));
}

TEST(DesiredCertificates, DuplicateSecretNamesRejectTheWholeIngress) {
  const auto message = bad_config(
      ingress({kIssuer, tls({"a.example.com"}, "same"), tls({"b.example.com"}, "same"), kTls}));
  EXPECT_THAT(message, HasSubstr("secretName \"same\""));
}

// --- issuer annotations ------------------------------------------------------------------------

TEST(Issuer, IssuerAnnotation) {
  const auto cert = only_certificate(ingress({kIssuer, kTls}));
  EXPECT_EQ(cert.spec.issuer_ref.name, "ca");
  EXPECT_EQ(cert.spec.issuer_ref.kind, "Issuer");
  EXPECT_EQ(cert.spec.issuer_ref.group, "cert-manager.io");
}

TEST(Issuer, ClusterIssuerAnnotation) {
  const auto cert =
      only_certificate(ingress({annotation("cert-manager.io/cluster-issuer", "le"), kTls}));
  EXPECT_EQ(cert.spec.issuer_ref.name, "le");
  EXPECT_EQ(cert.spec.issuer_ref.kind, "ClusterIssuer");
  EXPECT_EQ(cert.spec.issuer_ref.group, "cert-manager.io");
}

TEST(Issuer, KindAndGroupOverrideForExternalIssuers) {
  const auto cert = only_certificate(
      ingress({annotation("cert-manager.io/issuer", "vault"),
               annotation("cert-manager.io/issuer-kind", "VaultIssuer"),
               annotation("cert-manager.io/issuer-group", "vault.example.com"), kTls}));
  EXPECT_EQ(cert.spec.issuer_ref.name, "vault");
  EXPECT_EQ(cert.spec.issuer_ref.kind, "VaultIssuer");
  EXPECT_EQ(cert.spec.issuer_ref.group, "vault.example.com");
}

TEST(Issuer, ClusterIssuerCombinedWithOthersIsAnError) {
  const auto cluster = annotation("cert-manager.io/cluster-issuer", "le");
  EXPECT_THAT(bad_config(ingress({cluster, kIssuer, kTls})),
              HasSubstr("\"cert-manager.io/issuer\" and \"cert-manager.io/cluster-issuer\""));
  EXPECT_THAT(bad_config(ingress({cluster, annotation("cert-manager.io/issuer-kind", "X"), kTls})),
              HasSubstr("\"cert-manager.io/issuer-kind\""));
  EXPECT_THAT(
      bad_config(ingress({cluster, annotation("cert-manager.io/issuer-group", "x.io"), kTls})),
      HasSubstr("\"cert-manager.io/issuer-group\""));
}

TEST(Issuer, TlsAcmeUsesTheDefaultIssuerFlags) {
  ShimOptions options;
  options.default_issuer_name = "letsencrypt";
  options.default_issuer_kind = "ClusterIssuer";
  options.default_issuer_group = "cert-manager.io";
  const auto cert =
      only_certificate(ingress({annotation("kubernetes.io/tls-acme", "true"), kTls}), options);
  EXPECT_EQ(cert.spec.issuer_ref.name, "letsencrypt");
  EXPECT_EQ(cert.spec.issuer_ref.kind, "ClusterIssuer");
  EXPECT_EQ(cert.spec.issuer_ref.group, "cert-manager.io");
}

TEST(Issuer, TlsAcmeWithoutDefaultIssuerIsAnError) {
  EXPECT_THAT(bad_config(ingress({annotation("kubernetes.io/tls-acme", "true"), kTls})),
              HasSubstr("no issuer name"));
  EXPECT_THAT(bad_config(ingress({annotation("cert-manager.io/issuer", ""), kTls})),
              HasSubstr("no issuer name"));
}

// --- SAN annotations ----------------------------------------------------------------------------

TEST(Sans, CommonName) {
  const auto cert = only_certificate(
      ingress({kIssuer, kTls, annotation("cert-manager.io/common-name", "www.example.com")}));
  EXPECT_EQ(cert.spec.common_name, "www.example.com");
}

TEST(Sans, CommonNameLongerThan64IsAnError) {
  const std::string long_name(65, 'a');
  EXPECT_THAT(
      bad_config(ingress({kIssuer, kTls, annotation("cert-manager.io/common-name", long_name)})),
      HasSubstr("annotation \"cert-manager.io/common-name\": invalid value \"" + long_name + "\""));
  const auto cert = only_certificate(
      ingress({kIssuer, kTls, annotation("cert-manager.io/common-name", std::string(64, 'a'))}));
  EXPECT_EQ(cert.spec.common_name->size(), 64U);
}

TEST(Sans, AltNamesAndIpSansAppendedToTheHosts) {
  const auto cert = only_certificate(
      ingress({kIssuer, tls({"www.example.com", "10.0.0.1"}, "t"),
               annotation("cert-manager.io/alt-names", "a.example.com, b.example.com"),
               annotation("cert-manager.io/ip-sans", "192.0.2.1,2001:db8::1")}));
  EXPECT_THAT(cert.spec.dns_names,
              ElementsAre("www.example.com", "a.example.com", "b.example.com"));
  EXPECT_THAT(cert.spec.ip_addresses, ElementsAre("10.0.0.1", "192.0.2.1", "2001:db8::1"));
}

TEST(Sans, IpSansMustBeAddresses) {
  EXPECT_THAT(bad_config(ingress(
                  {kIssuer, kTls, annotation("cert-manager.io/ip-sans", "192.0.2.1,not-an-ip")})),
              HasSubstr("annotation \"cert-manager.io/ip-sans\": invalid value "
                        "\"192.0.2.1,not-an-ip\": \"not-an-ip\" is not an IP address"));
}

TEST(Sans, EmailSansBareAddressesOnly) {
  const auto cert = only_certificate(ingress(
      {kIssuer, kTls, annotation("cert-manager.io/email-sans", "a@example.com,b@example.com")}));
  EXPECT_THAT(cert.spec.email_addresses, ElementsAre("a@example.com", "b@example.com"));
  EXPECT_THAT(
      bad_config(ingress(
          {kIssuer, kTls, annotation("cert-manager.io/email-sans", "Ann <a@example.com>")})),
      HasSubstr("annotation \"cert-manager.io/email-sans\""));
  EXPECT_THAT(
      bad_config(ingress({kIssuer, kTls, annotation("cert-manager.io/email-sans", "nobody")})),
      HasSubstr("\"nobody\" is not a bare email address"));
}

// --- subject annotations
// --------------------------------------------------------------------------

TEST(Subject, EveryListAnnotationIsCsv) {
  const auto cert = only_certificate(ingress(
      {kIssuer, kTls, annotation("cert-manager.io/subject-organizations", "Acme,\"Acme, Inc.\""),
       annotation("cert-manager.io/subject-organizationalunits", "Web,Ops"),
       annotation("cert-manager.io/subject-countries", "NL"),
       annotation("cert-manager.io/subject-provinces", "Noord-Holland"),
       annotation("cert-manager.io/subject-localities", "Amsterdam"),
       annotation("cert-manager.io/subject-postalcodes", "1011 AB"),
       annotation("cert-manager.io/subject-streetaddresses",
                  "\"10 Downing Street, Westminster\",Manchester"),
       annotation("cert-manager.io/subject-serialnumber", "1234,5")}));
  ASSERT_TRUE(cert.spec.subject);
  const auto& s = *cert.spec.subject;
  EXPECT_THAT(s.organizations, ElementsAre("Acme", "Acme, Inc."));
  EXPECT_THAT(s.organizational_units, ElementsAre("Web", "Ops"));
  EXPECT_THAT(s.countries, ElementsAre("NL"));
  EXPECT_THAT(s.provinces, ElementsAre("Noord-Holland"));
  EXPECT_THAT(s.localities, ElementsAre("Amsterdam"));
  EXPECT_THAT(s.postal_codes, ElementsAre("1011 AB"));
  EXPECT_THAT(s.street_addresses, ElementsAre("10 Downing Street, Westminster", "Manchester"));
  EXPECT_EQ(s.serial_number, "1234,5");  // not a list: taken as it is
}

TEST(Subject, BrokenCsvIsAnError) {
  EXPECT_THAT(
      bad_config(ingress({kIssuer, kTls, annotation("cert-manager.io/subject-countries", "\"NL")})),
      HasSubstr("annotation \"cert-manager.io/subject-countries\": invalid value"));
  EXPECT_THAT(bad_config(ingress(
                  {kIssuer, kTls, annotation("cert-manager.io/subject-localities", "a\nb")})),
              HasSubstr("more than one record"));
}

TEST(SplitCsv, GoEncodingCsvRecord) {
  EXPECT_EQ(*split_csv("a,b,c"), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(*split_csv("\"a,b\",c"), (std::vector<std::string>{"a,b", "c"}));
  EXPECT_EQ(*split_csv("\"say \"\"hi\"\"\""), (std::vector<std::string>{"say \"hi\""}));
  EXPECT_EQ(*split_csv("a,,b"), (std::vector<std::string>{"a", "", "b"}));
  EXPECT_EQ(*split_csv("a,b\n"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(*split_csv("\"line\nbreak\""), (std::vector<std::string>{"line\nbreak"}));
  EXPECT_FALSE(split_csv(""));
  EXPECT_FALSE(split_csv("a\nb"));
  EXPECT_FALSE(split_csv("\"open"));
  EXPECT_FALSE(split_csv("a\"b"));
  EXPECT_FALSE(split_csv("\"a\"b"));
}

// --- lifetime, usages, history
// ---------------------------------------------------------------------

TEST(Lifetime, DurationAndRenewBefore) {
  const auto cert =
      only_certificate(ingress({kIssuer, kTls, annotation("cert-manager.io/duration", "2160h"),
                                annotation("cert-manager.io/renew-before", "360h")}));
  ASSERT_TRUE(cert.spec.duration && cert.spec.renew_before);
  EXPECT_EQ(cert.spec.duration->value, std::chrono::hours(2160));
  EXPECT_EQ(cert.spec.duration->text, "2160h");
  EXPECT_EQ(cert.spec.renew_before->value, std::chrono::hours(360));
}

TEST(Lifetime, DurationErrors) {
  EXPECT_THAT(bad_config(ingress({kIssuer, kTls, annotation("cert-manager.io/duration", "soon")})),
              HasSubstr("annotation \"cert-manager.io/duration\": invalid value \"soon\""));
  EXPECT_THAT(bad_config(ingress({kIssuer, kTls, annotation("cert-manager.io/duration", "59m")})),
              HasSubstr("must be at least 1h0m0s"));
  EXPECT_THAT(
      bad_config(ingress({kIssuer, kTls, annotation("cert-manager.io/renew-before", "4m")})),
      HasSubstr("annotation \"cert-manager.io/renew-before\": invalid value \"4m\": must be at "
                "least 5m0s"));
  EXPECT_THAT(bad_config(ingress({kIssuer, kTls, annotation("cert-manager.io/renew-before", "x")})),
              HasSubstr("\"cert-manager.io/renew-before\""));
}

TEST(Lifetime, RenewBeforeNotShorterThanDurationFailsValidation) {
  // Both annotations are fine on their own; the combination is not (webhook rule).
  EXPECT_THAT(bad_config(ingress({kIssuer, kTls, annotation("cert-manager.io/duration", "2h"),
                                  annotation("cert-manager.io/renew-before", "3h")})),
              HasSubstr("Certificate \"web-tls\" would be invalid: spec.renewBefore"));
}

TEST(Lifetime, RenewBeforePercentage) {
  const auto cert = only_certificate(
      ingress({kIssuer, kTls, annotation("cert-manager.io/renew-before-percentage", "25")}));
  EXPECT_EQ(cert.spec.renew_before_percentage, 25);
  for (const char* bad : {"0", "100", "-3", "half", "25%"}) {
    EXPECT_THAT(bad_config(ingress(
                    {kIssuer, kTls, annotation("cert-manager.io/renew-before-percentage", bad)})),
                HasSubstr("\"cert-manager.io/renew-before-percentage\""))
        << bad;
  }
  EXPECT_THAT(bad_config(ingress({kIssuer, kTls, annotation("cert-manager.io/renew-before", "1h"),
                                  annotation("cert-manager.io/renew-before-percentage", "30")})),
              HasSubstr("would be invalid"));
}

TEST(Usages, CommaListOfKnownUsages) {
  const auto cert = only_certificate(ingress(
      {kIssuer, kTls,
       annotation("cert-manager.io/usages", "digital signature, server auth,client auth")}));
  EXPECT_THAT(cert.spec.usages, ElementsAre("digital signature", "server auth", "client auth"));
  EXPECT_THAT(bad_config(ingress(
                  {kIssuer, kTls, annotation("cert-manager.io/usages", "server auth,teleport")})),
              HasSubstr("annotation \"cert-manager.io/usages\": invalid value \"server "
                        "auth,teleport\": unknown usage \"teleport\""));
}

TEST(RevisionHistoryLimit, AtLeastOne) {
  const auto cert = only_certificate(
      ingress({kIssuer, kTls, annotation("cert-manager.io/revision-history-limit", "3")}));
  EXPECT_EQ(cert.spec.revision_history_limit, 3);
  for (const char* bad : {"0", "-1", "many", "1.5"}) {
    EXPECT_THAT(bad_config(ingress(
                    {kIssuer, kTls, annotation("cert-manager.io/revision-history-limit", bad)})),
                HasSubstr("\"cert-manager.io/revision-history-limit\""))
        << bad;
  }
}

// --- private key
// ---------------------------------------------------------------------------------------

TEST(PrivateKey, EveryAnnotation) {
  const auto cert = only_certificate(
      ingress({kIssuer, kTls, annotation("cert-manager.io/private-key-algorithm", "ECDSA"),
               annotation("cert-manager.io/private-key-encoding", "PKCS8"),
               annotation("cert-manager.io/private-key-size", "384"),
               annotation("cert-manager.io/private-key-rotation-policy", "Never")}));
  ASSERT_TRUE(cert.spec.private_key);
  EXPECT_EQ(cert.spec.private_key->algorithm, "ECDSA");
  EXPECT_EQ(cert.spec.private_key->encoding, "PKCS8");
  EXPECT_EQ(cert.spec.private_key->size, 384);
  EXPECT_EQ(cert.spec.private_key->rotation_policy, "Never");
}

TEST(PrivateKey, BadValues) {
  EXPECT_THAT(bad_config(ingress(
                  {kIssuer, kTls, annotation("cert-manager.io/private-key-algorithm", "DSA")})),
              HasSubstr("\"cert-manager.io/private-key-algorithm\": invalid value \"DSA\": must "
                        "be one of RSA, ECDSA, Ed25519"));
  EXPECT_THAT(bad_config(ingress(
                  {kIssuer, kTls, annotation("cert-manager.io/private-key-encoding", "DER")})),
              HasSubstr("\"cert-manager.io/private-key-encoding\""));
  EXPECT_THAT(
      bad_config(ingress(
          {kIssuer, kTls, annotation("cert-manager.io/private-key-rotation-policy", "Sometimes")})),
      HasSubstr("\"cert-manager.io/private-key-rotation-policy\""));
  EXPECT_THAT(
      bad_config(ingress({kIssuer, kTls, annotation("cert-manager.io/private-key-size", "big")})),
      HasSubstr("\"cert-manager.io/private-key-size\": invalid value \"big\""));
  // A size the algorithm does not allow fails the webhook's rule.
  EXPECT_THAT(
      bad_config(ingress({kIssuer, kTls, annotation("cert-manager.io/private-key-size", "1024")})),
      HasSubstr("spec.privateKey.size"));
}

// --- secret template
// ------------------------------------------------------------------------------

TEST(SecretTemplate, StrictJson) {
  const auto cert = only_certificate(
      ingress({kIssuer, kTls,
               annotation("cert-manager.io/secret-template",
                          R"({"annotations":{"team":"web"},"labels":{"env":"prod"}})")}));
  ASSERT_TRUE(cert.spec.secret_template);
  EXPECT_EQ(cert.spec.secret_template->annotations.at("team"), "web");
  EXPECT_EQ(cert.spec.secret_template->labels.at("env"), "prod");
  for (const char* bad : {R"({"annotations":{"team":"web"},"extra":{}})", R"({"labels":[]})",
                          R"({"labels":{"n":1}})", "not json", "[]"}) {
    EXPECT_THAT(
        bad_config(ingress({kIssuer, kTls, annotation("cert-manager.io/secret-template", bad)})),
        HasSubstr("annotation \"cert-manager.io/secret-template\""))
        << bad;
  }
  // cert-manager.io/ annotations may not be templated (webhook rule).
  EXPECT_THAT(bad_config(ingress({kIssuer, kTls,
                                  annotation("cert-manager.io/secret-template",
                                             R"({"annotations":{"cert-manager.io/x":"y"}})")})),
              HasSubstr("spec.secretTemplate"));
}

// --- HTTP-01 annotations and extra annotations
// -------------------------------------------------------

TEST(Http01, EditInPlace) {
  const auto cert = only_certificate(
      ingress({kIssuer, kTls, annotation("acme.cert-manager.io/http01-edit-in-place", "true")}));
  EXPECT_EQ(cert.metadata.annotations,
            (std::map<std::string, std::string>{
                {"acme.cert-manager.io/http01-override-ingress-name", "web"},
                {"cert-manager.io/issue-temporary-certificate", "true"}}));
  const auto off = only_certificate(
      ingress({kIssuer, kTls, annotation("acme.cert-manager.io/http01-edit-in-place", "false")}));
  EXPECT_THAT(off.metadata.annotations, IsEmpty());
}

TEST(Http01, IngressClassAndClassName) {
  const auto by_class = only_certificate(
      ingress({kIssuer, kTls, annotation("acme.cert-manager.io/http01-ingress-class", "nginx")}));
  EXPECT_EQ(by_class.metadata.annotations,
            (std::map<std::string, std::string>{
                {"acme.cert-manager.io/http01-override-ingress-class", "nginx"}}));
  const auto by_name = only_certificate(ingress(
      {kIssuer, kTls, annotation("acme.cert-manager.io/http01-ingress-ingressclassname", "ic")}));
  EXPECT_EQ(by_name.metadata.annotations,
            (std::map<std::string, std::string>{
                {"acme.cert-manager.io/http01-override-ingress-ingressclassname", "ic"}}));
}

TEST(Http01, TwoOverridesAreAnError) {
  EXPECT_THAT(bad_config(ingress(
                  {kIssuer, kTls, annotation("acme.cert-manager.io/http01-edit-in-place", "true"),
                   annotation("acme.cert-manager.io/http01-ingress-class", "nginx")})),
              HasSubstr("may not be combined"));
}

TEST(ExtraAnnotations, CopiedFromTheIngressByKey) {
  ShimOptions options;
  options.extra_certificate_annotations = {"example.com/owner", "example.com/absent"};
  const auto cert =
      only_certificate(ingress({kIssuer, kTls, annotation("example.com/owner", "team-a"),
                                annotation("example.com/other", "not copied")}),
                       options);
  EXPECT_EQ(cert.metadata.annotations,
            (std::map<std::string, std::string>{{"example.com/owner", "team-a"}}));
}

// --- ownership and updates -----------------------------------------------------------------------

TEST(Updates, NeedsUpdateOnSpecLabelsOrManagedAnnotations) {
  ShimOptions options;
  const auto desired = only_certificate(ingress({kIssuer, kTls, label("app", "web")}));
  auto existing = desired;
  existing.metadata.resource_version = "7";
  existing.metadata.annotations["someone.else/note"] = "kept";  // not managed
  EXPECT_FALSE(needs_update(existing, desired, options));

  auto spec_changed = existing;
  spec_changed.spec.dns_names.push_back("extra.example.com");
  EXPECT_TRUE(needs_update(spec_changed, desired, options));

  auto labels_changed = existing;
  labels_changed.metadata.labels["app"] = "other";
  EXPECT_TRUE(needs_update(labels_changed, desired, options));

  auto stale_override = existing;
  stale_override.metadata.annotations["acme.cert-manager.io/http01-override-ingress-class"] = "x";
  EXPECT_TRUE(needs_update(stale_override, desired, options));
}

TEST(Updates, UpdateBodyReplacesSpecAndLabelsKeepsForeignAnnotations) {
  ShimOptions options;
  options.extra_certificate_annotations = {"example.com/owner"};
  const auto desired = only_certificate(
      ingress({kIssuer, tls({"new.example.com"}, "web-tls"), label("app", "web")}), options);
  json cached = api::encode(desired);
  cached["metadata"]["resourceVersion"] = "42";
  cached["metadata"]["labels"] = {{"old", "label"}};
  cached["metadata"]["annotations"] = {{"someone.else/note", "kept"},
                                       {"example.com/owner", "stale"},
                                       {"cert-manager.io/issue-temporary-certificate", "true"}};
  cached["spec"]["dnsNames"] = {"old.example.com"};

  const json body = update_body(cached, desired, options);
  EXPECT_EQ(body["metadata"]["resourceVersion"], "42");
  EXPECT_EQ(body["metadata"]["labels"], json({{"app", "web"}}));
  EXPECT_EQ(body["metadata"]["annotations"], json({{"someone.else/note", "kept"}}));
  EXPECT_EQ(body["spec"]["dnsNames"], json({"new.example.com"}));
  auto round_trip = api::decode_certificate(body);
  ASSERT_TRUE(round_trip);
  EXPECT_FALSE(needs_update(*round_trip, desired, options));
}

}  // namespace
}  // namespace certkeeper::ingressshim
