#include "lib/api/validation.h"

#include <functional>
#include <string>

#include <gtest/gtest.h>

#include "lib/api/conditions.h"

namespace certkeeper::api {
namespace {

using namespace std::chrono_literals;

// --- fixtures built in code with modifiers ---------------------------------------------------

using CertMod = std::function<void(CertificateSpec&)>;

Certificate certificate(std::initializer_list<CertMod> mods = {}) {
  Certificate c;
  c.metadata.name = "web";
  c.metadata.namespace_ = "shop";
  c.spec.secret_name = "web-tls";
  c.spec.issuer_ref.name = "letsencrypt";
  c.spec.dns_names = {"shop.example.com"};
  for (const auto& m : mods) {
    m(c.spec);
  }
  return c;
}

CertificateRenewalWindow window(std::string cron, std::optional<std::string> tz = std::nullopt) {
  return CertificateRenewalWindow{std::move(cron), std::move(tz), GoDuration::of(1h)};
}

struct Case {
  const char* name;
  CertMod mod;
  // Empty: the spec must be valid. Otherwise the exact error line expected among the errors.
  const char* error;
};

// An empty `error` means the object must be valid; otherwise that exact line must be among the
// errors (other rules may add more).
void expect_outcome(const ValidationResult& result, std::string_view error) {
  if (error.empty()) {
    EXPECT_TRUE(result.ok()) << result.to_string();
    return;
  }
  std::vector<std::string> lines;
  for (const auto& e : result.errors) {
    lines.push_back(e.to_string());
  }
  EXPECT_NE(std::find(lines.begin(), lines.end(), error), lines.end())
      << "got: " << result.to_string();
}

class CertificateRule : public ::testing::TestWithParam<Case> {};

TEST_P(CertificateRule, Holds) {
  const Case& c = GetParam();
  ValidationResult result = validate_certificate(certificate({c.mod}));
  expect_outcome(result, c.error);
}

// Each rule of validation.h's certificate section appears at least once as valid and invalid.
INSTANTIATE_TEST_SUITE_P(
    Validation, CertificateRule,
    ::testing::Values(
        Case{"minimal_ok", [](CertificateSpec&) {}, ""},
        Case{"secret_name_required", [](CertificateSpec& s) { s.secret_name.clear(); },
             "spec.secretName: Required value: must be specified"},
        Case{"secret_name_dns1123", [](CertificateSpec& s) { s.secret_name = "Web_TLS"; },
             "spec.secretName: Invalid value: \"Web_TLS\": a lowercase RFC 1123 subdomain must "
             "consist of lower case alphanumeric characters, '-' or '.', and must start and end "
             "with an alphanumeric character (e.g. 'example.com', regex used for validation is "
             "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"},
        Case{"secret_name_dotted_ok", [](CertificateSpec& s) { s.secret_name = "web.tls-1"; },
             ""},
        Case{"issuer_name_required", [](CertificateSpec& s) { s.issuer_ref.name.clear(); },
             "spec.issuerRef.name: Required value: must be specified"},
        Case{"issuer_kind_unknown",
             [](CertificateSpec& s) { s.issuer_ref.kind = "AWSPCAClusterIssuer"; },
             "spec.issuerRef.kind: Invalid value: \"AWSPCAClusterIssuer\": must be one of Issuer "
             "or ClusterIssuer (did you forget to set spec.issuerRef.group?)"},
        Case{"issuer_kind_external_ok",
             [](CertificateSpec& s) {
               s.issuer_ref.kind = "AWSPCAClusterIssuer";
               s.issuer_ref.group = "awspca.cert-manager.io";
             },
             ""},
        Case{"issuer_group_not_an_api_group",
             [](CertificateSpec& s) {
               s.issuer_ref.kind = "X";
               s.issuer_ref.group = "x/../../api/v1";
             },
             "spec.issuerRef.group: Invalid value: \"x/../../api/v1\": must be an API group: a "
             "lowercase RFC 1123 subdomain (e.g. example.com)"},
        Case{"no_identity",
             [](CertificateSpec& s) { s.dns_names.clear(); },
             "spec: Invalid value: \"\": at least one of commonName (from the commonName field or "
             "from a literalSubject), dnsNames, emailSANs, ipAddresses, otherNames, or uriSANs "
             "must be set"},
        Case{"literal_subject_cn_is_identity_ok",
             [](CertificateSpec& s) {
               s.dns_names.clear();
               s.literal_subject = "CN=shop.example.com,O=Shop\\, Ltd+OU=Web,C=DE";
             },
             ""},
        Case{"literal_subject_excludes_common_name",
             [](CertificateSpec& s) {
               s.literal_subject = "CN=a";
               s.common_name = "a";
             },
             "spec.commonName: Invalid value: \"a\": When providing a `LiteralSubject` no "
             "`commonName` may be provided."},
        Case{"literal_subject_excludes_subject",
             [](CertificateSpec& s) {
               s.literal_subject = "CN=a";
               s.subject = X509Subject{.organizations = {"Shop"}};
             },
             "spec.subject: Invalid value: {...}: When providing a `LiteralSubject` no `Subject` "
             "properties may be provided."},
        Case{"literal_subject_unknown_key",
             [](CertificateSpec& s) { s.literal_subject = "CN=a,FOO=bar"; },
             "spec.literalSubject: Invalid value: \"CN=a,FOO=bar\": Literal subject contains "
             "unrecognized key with value [bar]"},
        Case{"literal_subject_oid_ok",
             [](CertificateSpec& s) { s.literal_subject = "CN=a,2.5.4.97=VATDE-123"; }, ""},
        Case{"common_name_too_long",
             [](CertificateSpec& s) { s.common_name = std::string(65, 'a'); },
             "spec.commonName: Too long: may not be more than 64 bytes"},
        Case{"common_name_64_ok", [](CertificateSpec& s) { s.common_name = std::string(64, 'a'); },
             ""},
        Case{"ip_invalid", [](CertificateSpec& s) { s.ip_addresses = {"192.0.2.1", "300.1.1.1"}; },
             "spec.ipAddresses[1]: Invalid value: \"300.1.1.1\": invalid IP address"},
        Case{"ip_v6_ok", [](CertificateSpec& s) { s.ip_addresses = {"2001:db8::1", "::1"}; }, ""},
        Case{"email_with_name",
             [](CertificateSpec& s) { s.email_addresses = {"Ops <ops@example.com>"}; },
             "spec.emailAddresses[0]: Invalid value: \"Ops <ops@example.com>\": invalid email "
             "address: make sure the supplied value only contains the email address itself"},
        Case{"email_ok", [](CertificateSpec& s) { s.email_addresses = {"ops+tls@example.com"}; },
             ""},
        Case{"other_name_bad_oid",
             [](CertificateSpec& s) { s.other_names = {{"1.x.3", "v"}}; },
             "spec.otherNames[0].oid: Invalid value: \"1.x.3\": invalid oid syntax"},
        Case{"other_name_empty_value",
             [](CertificateSpec& s) { s.other_names = {{"1.3.6.1.4.1.311.20.2.3", ""}}; },
             "spec.otherNames[0].utf8Value: Required value: must be set to a valid non-empty UTF8 "
             "string"},
        Case{"other_name_ok",
             [](CertificateSpec& s) { s.other_names = {{"1.3.6.1.4.1.311.20.2.3", "a@b"}}; }, ""},
        Case{"rsa_size_small",
             [](CertificateSpec& s) { s.private_key = CertificatePrivateKey{.size = 2047}; },
             "spec.privateKey.size: Invalid value: 2047: must be between 2048 and 8192 for rsa "
             "keyAlgorithm"},
        Case{"rsa_size_large",
             [](CertificateSpec& s) { s.private_key = CertificatePrivateKey{.size = 8193}; },
             "spec.privateKey.size: Invalid value: 8193: must be between 2048 and 8192 for rsa "
             "keyAlgorithm"},
        Case{"rsa_size_2048_ok",
             [](CertificateSpec& s) { s.private_key = CertificatePrivateKey{.size = 2048}; }, ""},
        Case{"rsa_size_ok",
             [](CertificateSpec& s) {
               s.private_key = CertificatePrivateKey{.algorithm = "RSA", .size = 8192};
             },
             ""},
        Case{"ecdsa_size",
             [](CertificateSpec& s) {
               s.private_key = CertificatePrivateKey{.algorithm = "ECDSA", .size = 2048};
             },
             "spec.privateKey.size: Unsupported value: 2048: supported values: \"256\", \"384\", "
             "\"521\""},
        Case{"ecdsa_521_ok",
             [](CertificateSpec& s) {
               s.private_key = CertificatePrivateKey{.algorithm = "ECDSA", .size = 521};
             },
             ""},
        Case{"algorithm_unknown",
             [](CertificateSpec& s) { s.private_key = CertificatePrivateKey{.algorithm = "DSA"}; },
             "spec.privateKey.algorithm: Invalid value: \"DSA\": must be either empty or one of "
             "rsa, ecdsa or ed25519"},
        Case{"encoding_unknown",
             [](CertificateSpec& s) { s.private_key = CertificatePrivateKey{.encoding = "DER"}; },
             "spec.privateKey.encoding: Unsupported value: \"DER\": supported values: \"PKCS1\", "
             "\"PKCS8\""},
        Case{"rotation_policy_unknown",
             [](CertificateSpec& s) {
               s.private_key = CertificatePrivateKey{.rotation_policy = "Sometimes"};
             },
             "spec.privateKey.rotationPolicy: Unsupported value: \"Sometimes\": supported values: "
             "\"Never\", \"Always\""},
        Case{"signature_algorithm_mismatch",
             [](CertificateSpec& s) { s.signature_algorithm = "ECDSAWithSHA256"; },
             "spec.signatureAlgorithm: Invalid value: \"ECDSAWithSHA256\": for key algorithm RSA "
             "the allowed signature algorithms are [SHA256WithRSA SHA384WithRSA SHA512WithRSA]"},
        Case{"signature_algorithm_ok",
             [](CertificateSpec& s) {
               s.private_key = CertificatePrivateKey{.algorithm = "Ed25519"};
               s.signature_algorithm = "PureEd25519";
             },
             ""},
        Case{"duration_too_short",
             [](CertificateSpec& s) { s.duration = GoDuration::of(30min); },
             "spec.duration: Invalid value: 30m0s: certificate duration must be greater than "
             "1h0m0s"},
        Case{"duration_1h_ok", [](CertificateSpec& s) { s.duration = GoDuration::of(1h); }, ""},
        Case{"renew_before_too_short",
             [](CertificateSpec& s) { s.renew_before = GoDuration::of(1min); },
             "spec.renewBefore: Invalid value: 1m0s: certificate renewBefore must be greater than "
             "5m0s"},
        Case{"renew_before_not_below_duration",
             [](CertificateSpec& s) {
               s.duration = GoDuration::of(2h);
               s.renew_before = GoDuration::of(2h);
             },
             "spec.renewBefore: Invalid value: 2h0m0s: certificate duration 2h0m0s must be "
             "greater than renewBefore 2h0m0s"},
        Case{"renew_before_default_duration_ok",
             [](CertificateSpec& s) { s.renew_before = GoDuration::of(720h); }, ""},
        Case{"renew_before_and_percentage",
             [](CertificateSpec& s) {
               s.renew_before = GoDuration::of(1h);
               s.renew_before_percentage = 10;
             },
             "spec.renewBeforePercentage: Invalid value: 10: renewBefore and "
             "renewBeforePercentage are mutually exclusive and cannot both be set"},
        Case{"percentage_ok", [](CertificateSpec& s) { s.renew_before_percentage = 30; }, ""},
        Case{"percentage_leaves_too_little",
             [](CertificateSpec& s) {
               s.duration = GoDuration::of(1h);
               s.renew_before_percentage = 95;
             },
             "spec.renewBeforePercentage: Invalid value: 95: certificate renewBeforePercentage "
             "must result in a renewBefore greater than 5m0s"},
        Case{"percentage_zero",
             [](CertificateSpec& s) { s.renew_before_percentage = 0; },
             "spec.renewBeforePercentage: Invalid value: 0: certificate renewBeforePercentage "
             "must result in a renewBefore less than duration"},
        Case{"usage_unknown", [](CertificateSpec& s) { s.usages = {"server auth", "serverAuth"}; },
             "spec.usages[1]: Invalid value: \"serverAuth\": unknown keyusage"},
        Case{"usages_ok",
             [](CertificateSpec& s) { s.usages = {"server auth", "client auth", "s/mime"}; }, ""},
        Case{"revision_history_limit_zero",
             [](CertificateSpec& s) { s.revision_history_limit = 0; },
             "spec.revisionHistoryLimit: Invalid value: 0: must not be less than 1"},
        Case{"revision_history_limit_ok", [](CertificateSpec& s) { s.revision_history_limit = 1; },
             ""},
        Case{"secret_template_cert_manager_annotation",
             [](CertificateSpec& s) {
               s.secret_template =
                   CertificateSecretTemplate{.annotations = {{"cert-manager.io/issuer-name", "x"}}};
             },
             "spec.secretTemplate.annotations: Invalid value: \"cert-manager.io/issuer-name\": "
             "cert-manager.io/* annotations are not allowed"},
        Case{"secret_template_ok",
             [](CertificateSpec& s) {
               s.secret_template = CertificateSecretTemplate{
                   .annotations = {{"cert-manager.io/allow-direct-injection", "true"},
                                   {"reflector.v1.k8s.emberstack.com/reflection-allowed", "true"}}};
             },
             ""},
        Case{"name_constraints_need_ca",
             [](CertificateSpec& s) {
               s.name_constraints =
                   NameConstraints{.permitted = NameConstraintItem{.dns_domains = {"example.com"}}};
             },
             "spec.nameConstraints: Invalid value: {...}: isCa should be true when "
             "nameConstraints is set"},
        Case{"name_constraints_need_a_list",
             [](CertificateSpec& s) {
               s.is_ca = true;
               s.name_constraints = NameConstraints{.critical = true};
             },
             "spec.nameConstraints: Invalid value: {...}: either permitted or excluded must be "
             "set"},
        Case{"name_constraints_bad_cidr",
             [](CertificateSpec& s) {
               s.is_ca = true;
               s.name_constraints =
                   NameConstraints{.excluded = NameConstraintItem{.ip_ranges = {"10.0.0.0/33"}}};
             },
             "spec.nameConstraints.excluded.ipRanges[0]: Invalid value: \"10.0.0.0/33\": must be "
             "a valid CIDR, e.g. 10.0.0.0/8 or fd00::/8"},
        Case{"name_constraints_ok",
             [](CertificateSpec& s) {
               s.is_ca = true;
               s.name_constraints = NameConstraints{
                   .permitted = NameConstraintItem{.ip_ranges = {"10.0.0.0/8", "fd00::/8"}}};
             },
             ""},
        Case{"output_format_duplicate",
             [](CertificateSpec& s) { s.additional_output_formats = {{"DER"}, {"DER"}}; },
             "spec.additionalOutputFormats[type]: Duplicate value: \"DER\""},
        Case{"output_format_unknown",
             [](CertificateSpec& s) { s.additional_output_formats = {{"PEM"}}; },
             "spec.additionalOutputFormats[type]: Unsupported value: \"PEM\": supported values: "
             "\"DER\", \"CombinedPEM\""},
        Case{"output_formats_ok",
             [](CertificateSpec& s) { s.additional_output_formats = {{"DER"}, {"CombinedPEM"}}; },
             ""},
        Case{"jks_both_passwords",
             [](CertificateSpec& s) {
               s.keystores = CertificateKeystores{
                   .jks = JksKeystore{.password_secret_ref = SecretKeySelector{"pw", "k"},
                                      .password = "x"}};
             },
             "spec.keystores.jks: Forbidden: exactly one of passwordSecretRef and password must "
             "be provided for JKS keystores; cannot set both"},
        Case{"pkcs12_no_password",
             [](CertificateSpec& s) {
               s.keystores = CertificateKeystores{.pkcs12 = Pkcs12Keystore{.create = true}};
             },
             "spec.keystores.pkcs12: Forbidden: must set exactly one of passwordSecretRef and "
             "password must for PKCS#12 keystores"},
        Case{"jks_empty_literal_password",
             [](CertificateSpec& s) {
               s.keystores = CertificateKeystores{.jks = JksKeystore{.password = ""}};
             },
             "spec.keystores.jks.password: Forbidden: literal password cannot be empty if set on "
             "JKS keystores"},
        Case{"pkcs12_unknown_profile",
             [](CertificateSpec& s) {
               s.keystores = CertificateKeystores{
                   .pkcs12 = Pkcs12Keystore{.profile = "Modern2030", .password = "x"}};
             },
             "spec.keystores.pkcs12.profile: Unsupported value: \"Modern2030\": supported values: "
             "\"LegacyRC2\", \"LegacyDES\", \"Modern2023\", \"Modern2026\""},
        Case{"keystores_ok",
             [](CertificateSpec& s) {
               s.keystores = CertificateKeystores{
                   .jks = JksKeystore{.create = true, .password = "changeit"},
                   .pkcs12 = Pkcs12Keystore{.create = true,
                                            .profile = "Modern2023",
                                            .password_secret_ref = SecretKeySelector{"pw", "k"}}};
             },
             ""},
        Case{"renewal_disabled_with_windows",
             [](CertificateSpec& s) {
               s.renewal = CertificateRenewal{"Disabled", {window("0 2 * * *")}};
             },
             "spec.renewal.windows: Forbidden: windows cannot be set when `renewal.policy` is set "
             "to Disabled"},
        Case{"renewal_disabled_ok",
             [](CertificateSpec& s) { s.renewal = CertificateRenewal{"Disabled", {}}; }, ""},
        Case{"renewal_unknown_policy",
             [](CertificateSpec& s) { s.renewal = CertificateRenewal{"Sometimes", {}}; },
             "spec.renewal.policy: Unsupported value: \"unsupported field Sometimes\": supported "
             "values: \"Disabled\", \"RenewBefore\""},
        Case{"renewal_window_needs_duration",
             [](CertificateSpec& s) {
               s.renewal = CertificateRenewal{"RenewBefore", {{"0 2 * * *", std::nullopt, {}}}};
             },
             "spec.renewal.windows[0].windowDuration: Required value: windowDuration must be "
             "specified and should be greater than 0"},
        Case{"renewal_window_bad_timezone",
             [](CertificateSpec& s) {
               s.renewal = CertificateRenewal{"RenewBefore", {window("0 2 * * *", "Mars/Base 1")}};
             },
             "spec.renewal.windows[0].timezone: Invalid value: \"Mars/Base 1\": invalid value for "
             "timezone. timezone must be IANA compliant"},
        Case{"renewal_window_bad_cron",
             [](CertificateSpec& s) {
               s.renewal = CertificateRenewal{"RenewBefore", {window("0 25 * * *")}};
             },
             "spec.renewal.windows[0].cron: Invalid value: \"0 25 * * *\": invalid cron syntax: "
             "hour field value \"25\" out of range [0, 23]. cron needs to follow: cron.Minute | "
             "cron.Hour | cron.Dom | cron.Month | cron.Dow"},
        Case{"renewal_windows_ok",
             [](CertificateSpec& s) {
               s.renewal = CertificateRenewal{
                   "RenewBefore",
                   {window("*/15 1-5 * JAN-MAR mon,wed,FRI", "America/Argentina/Buenos_Aires"),
                    window("@daily", "UTC")}};
             },
             ""}),
    [](const auto& test_info) { return std::string(test_info.param.name); });

TEST(Validation, AllViolationsAreReportedTogether) {
  ValidationResult r = validate_certificate(certificate({[](CertificateSpec& s) {
    s.secret_name.clear();
    s.issuer_ref.name.clear();
    s.usages = {"bogus"};
  }}));
  EXPECT_EQ(r.errors.size(), 3u) << r.to_string();
  EXPECT_EQ(r.to_string(),
            "spec.secretName: Required value: must be specified, spec.issuerRef.name: Required "
            "value: must be specified, spec.usages[0]: Invalid value: \"bogus\": unknown keyusage");
}

TEST(Validation, CronExpressions) {
  for (const char* ok : {"* * * * *", "0 0 1 1 0", "59 23 31 12 6", "0-30/5 */2 1,15 * SUN",
                         "0 0 * * 1-5", "@hourly", "0 0 ? * *"}) {
    EXPECT_FALSE(cron_error(ok).has_value()) << ok << ": " << cron_error(ok).value_or("");
  }
  for (const char* bad :
       {"", "* * * *", "* * * * * *", "60 * * * *", "* * 0 * *", "* * * 13 *", "* * * * 7",
        "5-1 * * * *", "*/0 * * * *", "a * * * *", "@reboot", "1,,2 * * * *"}) {
    EXPECT_TRUE(cron_error(bad).has_value()) << bad;
  }
}

TEST(Validation, AddressHelpers) {
  EXPECT_TRUE(is_ip_address("192.0.2.1"));
  EXPECT_TRUE(is_ip_address("::ffff:192.0.2.1"));
  EXPECT_FALSE(is_ip_address("192.0.2"));
  EXPECT_FALSE(is_ip_address("010.0.0.1"));
  EXPECT_FALSE(is_ip_address("example.com"));
  EXPECT_TRUE(is_cidr("0.0.0.0/0"));
  EXPECT_TRUE(is_cidr("2001:db8::/128"));
  EXPECT_FALSE(is_cidr("2001:db8::/129"));
  EXPECT_FALSE(is_cidr("10.0.0.0"));
  EXPECT_FALSE(is_cidr("10.0.0.0/08"));
  EXPECT_TRUE(is_bare_email_address("a.b-c@example.co.uk"));
  EXPECT_FALSE(is_bare_email_address("a@"));
  EXPECT_FALSE(is_bare_email_address("a..b@example.com"));
  EXPECT_FALSE(is_bare_email_address("a b@example.com"));
  EXPECT_TRUE(is_dns1123_subdomain("a-b.c"));
  EXPECT_FALSE(is_dns1123_subdomain("-a"));
  EXPECT_FALSE(is_dns1123_subdomain("a..b"));
  EXPECT_FALSE(is_dns1123_subdomain(std::string(254, 'a')));
}

// --- Issuer ------------------------------------------------------------------------------------

using IssuerMod = std::function<void(IssuerSpec&)>;

AcmeChallengeSolver http01_solver() {
  AcmeChallengeSolver s;
  s.http01 = AcmeHttp01{.ingress = AcmeHttp01Ingress{.ingress_class_name = "nginx"}};
  return s;
}

Issuer acme_issuer(std::initializer_list<IssuerMod> mods = {}) {
  Issuer i;
  i.metadata.name = "le";
  AcmeIssuer acme;
  acme.server = "https://acme.example/directory";
  acme.private_key_secret_ref.name = "le-account";
  acme.solvers = {http01_solver()};
  i.spec.acme = acme;
  for (const auto& m : mods) {
    m(i.spec);
  }
  return i;
}

AcmeDns01 rfc2136(std::string nameserver) {
  return AcmeDns01{.rfc2136 = AcmeDns01Rfc2136{.nameserver = std::move(nameserver)}};
}

struct IssuerCase {
  const char* name;
  IssuerMod mod;
  const char* error;
};

class IssuerRule : public ::testing::TestWithParam<IssuerCase> {};

TEST_P(IssuerRule, Holds) {
  const IssuerCase& c = GetParam();
  Issuer issuer = acme_issuer({c.mod});
  ValidationResult result = validate_issuer(issuer);
  ClusterIssuer cluster{issuer.metadata, issuer.spec, issuer.status};
  EXPECT_EQ(validate_cluster_issuer(cluster).to_string(), result.to_string());
  expect_outcome(result, c.error);
}

INSTANTIATE_TEST_SUITE_P(
    Validation, IssuerRule,
    ::testing::Values(
        IssuerCase{"acme_ok", [](IssuerSpec&) {}, ""},
        IssuerCase{"no_type", [](IssuerSpec& s) { s.acme.reset(); },
                   "spec: Required value: at least one issuer must be configured"},
        IssuerCase{"two_types", [](IssuerSpec& s) { s.self_signed = SelfSignedIssuer{}; },
                   "spec.selfSigned: Forbidden: may not specify more than one issuer type"},
        IssuerCase{"self_signed_ok",
                   [](IssuerSpec& s) {
                     s.acme.reset();
                     s.self_signed = SelfSignedIssuer{};
                   },
                   ""},
        IssuerCase{"acme_server_required", [](IssuerSpec& s) { s.acme->server.clear(); },
                   "spec.acme.server: Required value: acme server URL is a required field"},
        IssuerCase{"acme_key_required",
                   [](IssuerSpec& s) { s.acme->private_key_secret_ref.name.clear(); },
                   "spec.acme.privateKeySecretRef.name: Required value: private key secret name "
                   "is a required field"},
        IssuerCase{"ca_bundle_and_skip_verify",
                   [](IssuerSpec& s) {
                     s.acme->ca_bundle =
                         "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
                     s.acme->skip_tls_verify = true;
                   },
                   "spec.acme.skipTLSVerify: Invalid value: true: caBundle and skipTLSVerify are "
                   "mutually exclusive and cannot both be set"},
        IssuerCase{"ca_bundle_not_pem", [](IssuerSpec& s) { s.acme->ca_bundle = "hello"; },
                   "spec.acme.caBundle: Invalid value: \"\": cert bundle didn't contain any valid "
                   "certificates"},
        IssuerCase{"ca_bundle_ok",
                   [](IssuerSpec& s) {
                     s.acme->ca_bundle =
                         "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
                     s.acme->skip_tls_verify = false;
                   },
                   ""},
        IssuerCase{"eab_key_id_required",
                   [](IssuerSpec& s) {
                     s.acme->external_account_binding =
                         AcmeExternalAccountBinding{.key_secret_ref = {"eab", "hmac"}};
                   },
                   "spec.acme.externalAccountBinding.keyID: Required value: the keyID field is "
                   "required when using externalAccountBinding"},
        IssuerCase{"eab_secret_key_required",
                   [](IssuerSpec& s) {
                     s.acme->external_account_binding =
                         AcmeExternalAccountBinding{.key_id = "kid", .key_secret_ref = {"eab", ""}};
                   },
                   "spec.acme.externalAccountBinding.keySecretRef.key: Required value: secret key "
                   "is required"},
        IssuerCase{"eab_ok",
                   [](IssuerSpec& s) {
                     s.acme->external_account_binding = AcmeExternalAccountBinding{
                         .key_id = "kid", .key_secret_ref = {"eab", "hmac"}};
                   },
                   ""},
        IssuerCase{"preferred_chain_too_long",
                   [](IssuerSpec& s) { s.acme->preferred_chain = std::string(65, 'x'); },
                   "spec.acme.preferredChain: Too long: may not be more than 64 bytes"},
        IssuerCase{"solver_without_type",
                   [](IssuerSpec& s) { s.acme->solvers = {AcmeChallengeSolver{}}; },
                   "spec.acme.solvers[0]: Required value: no solver type configured"},
        IssuerCase{"solver_two_types",
                   [](IssuerSpec& s) { s.acme->solvers[0].dns01 = rfc2136("10.0.0.53"); },
                   "spec.acme.solvers[0]: Forbidden: may not specify more than one solver type in "
                   "a single solver"},
        IssuerCase{"http01_without_type",
                   [](IssuerSpec& s) { s.acme->solvers[0].http01 = AcmeHttp01{}; },
                   "spec.acme.solvers[0].http01: Required value: no HTTP01 solver type "
                   "configured"},
        IssuerCase{"http01_both_types",
                   [](IssuerSpec& s) {
                     s.acme->solvers[0].http01->gateway_http_route = AcmeHttp01GatewayHttpRoute{};
                   },
                   "spec.acme.solvers[0].http01: Required value: only 1 HTTP01 solver type may "
                   "be configured"},
        IssuerCase{"ingress_two_selectors",
                   [](IssuerSpec& s) { s.acme->solvers[0].http01->ingress->class_ = "nginx"; },
                   "spec.acme.solvers[0].http01.ingress: Forbidden: only one of "
                   "'ingressClassName', 'name' or 'class' should be specified"},
        IssuerCase{"ingress_class_name_invalid",
                   [](IssuerSpec& s) {
                     s.acme->solvers[0].http01->ingress->ingress_class_name =
                         "azure/application-gateway";
                   },
                   "spec.acme.solvers[0].http01.ingress.ingressClassName: Invalid value: "
                   "\"azure/application-gateway\": must be a valid IngressClass name: a lowercase "
                   "RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
                   "'.', and must start and end with an alphanumeric character (e.g. "
                   "'example.com', regex used for validation is "
                   "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"},
        IssuerCase{"class_may_be_free_text",
                   [](IssuerSpec& s) {
                     s.acme->solvers[0].http01->ingress =
                         AcmeHttp01Ingress{.class_ = "azure/application-gateway"};
                   },
                   ""},
        IssuerCase{"service_type_invalid",
                   [](IssuerSpec& s) {
                     s.acme->solvers[0].http01->ingress->service_type = "LoadBalancer";
                   },
                   "spec.acme.solvers[0].http01.ingress.serviceType: Invalid value: "
                   "\"LoadBalancer\": must be empty, \"ClusterIP\" or \"NodePort\""},
        IssuerCase{"gateway_parent_ref_without_kind",
                   [](IssuerSpec& s) {
                     s.acme->solvers[0].http01 =
                         AcmeHttp01{.gateway_http_route = AcmeHttp01GatewayHttpRoute{
                                        .parent_refs = {{{"name", "main"}}}}};
                   },
                   "spec.acme.solvers[0].http01.gateway.parentRefs[0].kind: Required value: kind "
                   "is required when name is specified"},
        IssuerCase{"gateway_ok",
                   [](IssuerSpec& s) {
                     s.acme->solvers[0].http01 =
                         AcmeHttp01{.gateway_http_route = AcmeHttp01GatewayHttpRoute{
                                        .service_type = "ClusterIP",
                                        .parent_refs = {{{"name", "main"}, {"kind", "Gateway"}}}}};
                   },
                   ""},
        IssuerCase{"wait_negative",
                   [](IssuerSpec& s) {
                     s.acme->solvers[0].wait_instead_of_self_check = GoDuration::of(-1min);
                   },
                   "spec.acme.solvers[0].waitInsteadOfSelfCheck: Invalid value: -1m0s: "
                   "waitInsteadOfSelfCheck must not be negative"},
        IssuerCase{"wait_zero_ok",
                   [](IssuerSpec& s) {
                     s.acme->solvers[0].wait_instead_of_self_check = GoDuration::of(0s);
                   },
                   ""},
        IssuerCase{"dns01_no_provider",
                   [](IssuerSpec& s) { s.acme->solvers = {{.dns01 = AcmeDns01{}}}; },
                   "spec.acme.solvers[0].dns01: Required value: no DNS01 provider configured"},
        IssuerCase{"dns01_two_providers",
                   [](IssuerSpec& s) {
                     AcmeDns01 d = rfc2136("10.0.0.53");
                     d.cloudflare = nlohmann::json::object();
                     s.acme->solvers = {{.dns01 = d}};
                   },
                   "spec.acme.solvers[0].dns01.rfc2136: Forbidden: may not specify more than one "
                   "provider type"},
        IssuerCase{"dns01_cname_strategy",
                   [](IssuerSpec& s) {
                     AcmeDns01 d = rfc2136("10.0.0.53");
                     d.cname_strategy = "Always";
                     s.acme->solvers = {{.dns01 = d}};
                   },
                   "spec.acme.solvers[0].dns01.cnameStrategy: Invalid value: \"Always\": must be "
                   "one of \"None\" or \"Follow\""},
        IssuerCase{"rfc2136_nameserver_required",
                   [](IssuerSpec& s) { s.acme->solvers = {{.dns01 = rfc2136("")}}; },
                   "spec.acme.solvers[0].dns01.rfc2136.nameserver: Required value"},
        IssuerCase{"rfc2136_nameserver_unbracketed_v6",
                   [](IssuerSpec& s) { s.acme->solvers = {{.dns01 = rfc2136("2001:db8::53")}}; },
                   "spec.acme.solvers[0].dns01.rfc2136.nameserver: Invalid value: "
                   "\"2001:db8::53\": nameserver must be set in the form host:port where host is "
                   "an IPv4 address, an enclosed IPv6 address or a hostname and port is an "
                   "optional port number."},
        IssuerCase{"rfc2136_tsig_algorithm",
                   [](IssuerSpec& s) {
                     AcmeDns01 d = rfc2136("ns.example.com:53");
                     d.rfc2136->tsig_algorithm = "HMACSHA384";
                     s.acme->solvers = {{.dns01 = d}};
                   },
                   "spec.acme.solvers[0].dns01.rfc2136.tsigAlgorithm: Unsupported value: \"\": "
                   "supported values: \"HMACMD5\", \"HMACSHA1\", \"HMACSHA256\", \"HMACSHA512\""},
        IssuerCase{"rfc2136_key_name_needs_secret",
                   [](IssuerSpec& s) {
                     AcmeDns01 d = rfc2136("[2001:db8::53]:5353");
                     d.rfc2136->tsig_key_name = "certkeeper";
                     s.acme->solvers = {{.dns01 = d}};
                   },
                   "spec.acme.solvers[0].dns01.rfc2136.tsigSecretSecretRef.name: Required value: "
                   "secret name is required"},
        IssuerCase{"rfc2136_secret_needs_key_name",
                   [](IssuerSpec& s) {
                     AcmeDns01 d = rfc2136("192.0.2.53");
                     d.rfc2136->tsig_secret_secret_ref = SecretKeySelector{"tsig", "secret"};
                     s.acme->solvers = {{.dns01 = d}};
                   },
                   "spec.acme.solvers[0].dns01.rfc2136.tsigKeyName: Required value"},
        IssuerCase{"rfc2136_ok",
                   [](IssuerSpec& s) {
                     AcmeDns01 d = rfc2136("ns1.example.test:53");
                     d.cname_strategy = "Follow";
                     d.rfc2136->tsig_key_name = "certkeeper";
                     d.rfc2136->tsig_algorithm = "hmacsha256";
                     d.rfc2136->tsig_secret_secret_ref = SecretKeySelector{"tsig", "secret"};
                     s.acme->solvers = {{.dns01 = d}};
                   },
                   ""},
        IssuerCase{"webhook_solver_name_required",
                   [](IssuerSpec& s) {
                     s.acme->solvers = {
                         {.dns01 = AcmeDns01{.webhook = AcmeDns01Webhook{.group_name = "x.io"}}}};
                   },
                   "spec.acme.solvers[0].dns01.webhook.solverName: Required value: solver name "
                   "must be specified"},
        IssuerCase{"ca_secret_required",
                   [](IssuerSpec& s) {
                     s.acme.reset();
                     s.ca = CaIssuer{};
                   },
                   "spec.ca.secretName: Required value"},
        IssuerCase{"ca_empty_ocsp_url",
                   [](IssuerSpec& s) {
                     s.acme.reset();
                     s.ca = CaIssuer{.secret_name = "root", .ocsp_servers = {""}};
                   },
                   "spec.ca.ocspServer[0]: Invalid value: \"\": must be a valid URL, e.g., "
                   "http://ocsp.int-x3.letsencrypt.org"},
        IssuerCase{"ca_ok",
                   [](IssuerSpec& s) {
                     s.acme.reset();
                     s.ca = CaIssuer{.secret_name = "root",
                                     .ocsp_servers = {"http://ocsp.example"},
                                     .issuing_certificate_urls = {"http://ca.example/r.crt"}};
                   },
                   ""},
        IssuerCase{"vault_needs_server_and_path",
                   [](IssuerSpec& s) {
                     s.acme.reset();
                     s.vault = nlohmann::json{{"path", "pki/../sign"}};
                   },
                   "spec.vault.path: Invalid value: \"pki/../sign\": must not contain '..' path "
                   "segments"},
        IssuerCase{
            "vault_ok",
            [](IssuerSpec& s) {
              s.acme.reset();
              s.vault = nlohmann::json{{"server", "https://vault:8200"}, {"path", "pki/sign/shop"}};
            },
            ""},
        IssuerCase{"venafi_one_backend",
                   [](IssuerSpec& s) {
                     s.acme.reset();
                     s.venafi = nlohmann::json{{"zone", "z"},
                                               {"tpp", nlohmann::json::object()},
                                               {"cloud", nlohmann::json::object()}};
                   },
                   "spec.venafi: Forbidden: please supply one of: tpp, cloud, ngts"},
        IssuerCase{"venafi_ok",
                   [](IssuerSpec& s) {
                     s.acme.reset();
                     s.venafi = nlohmann::json{{"zone", "z"}, {"cloud", nlohmann::json::object()}};
                   },
                   ""}),
    [](const auto& test_info) { return std::string(test_info.param.name); });

TEST(Validation, DeprecatedEabKeyAlgorithmIsAWarningNotAnError) {
  ValidationResult r = validate_issuer(acme_issuer({[](IssuerSpec& s) {
    s.acme->external_account_binding = AcmeExternalAccountBinding{
        .key_id = "kid", .key_secret_ref = {"eab", "hmac"}, .key_algorithm = "HS512"};
  }}));
  EXPECT_TRUE(r.ok()) << r.to_string();
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("keyAlgorithm field is deprecated"), std::string::npos);
  EXPECT_TRUE(validate_issuer(acme_issuer()).warnings.empty());
}

// --- CertificateRequest ------------------------------------------------------------------------

CertificateRequest request() {
  CertificateRequest cr;
  cr.metadata.name = "web-1";
  cr.metadata.annotations = {{"cert-manager.io/certificate-revision", "1"}};
  cr.spec.issuer_ref.name = "ca";
  cr.spec.request =
      "-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n";
  cr.spec.usages = {"digital signature"};
  return cr;
}

Condition condition(std::string_view type, ConditionStatus status) {
  return Condition{.type = std::string(type), .status = status, .reason = "r", .message = "m"};
}

TEST(Validation, CertificateRequestSpec) {
  EXPECT_TRUE(validate_certificate_request(request()).ok());

  CertificateRequest cr = request();
  cr.spec.request.clear();
  cr.spec.issuer_ref.name.clear();
  cr.spec.usages = {"nope"};
  EXPECT_EQ(validate_certificate_request(cr).to_string(),
            "spec.issuerRef.name: Required value: must be specified, spec.request: Required "
            "value: must be specified, spec.usages[0]: Invalid value: \"nope\": unknown keyusage");

  cr = request();
  cr.spec.request = "garbage";
  EXPECT_EQ(validate_certificate_request(cr).to_string(),
            "spec.request: Invalid value: []byte{...}: failed to decode csr: error decoding "
            "certificate request PEM block");
}

TEST(Validation, CertificateRequestApprovalConditions) {
  CertificateRequest cr = request();
  cr.status.conditions = {condition(kConditionApproved, ConditionStatus::kTrue)};
  EXPECT_TRUE(validate_certificate_request(cr).ok());

  cr.status.conditions = {condition(kConditionApproved, ConditionStatus::kFalse)};
  EXPECT_EQ(validate_certificate_request(cr).to_string(),
            "status.conditions: Invalid value: \"False\": \"Approved\" condition may only be set "
            "to True");

  cr.status.conditions = {condition(kConditionApproved, ConditionStatus::kTrue),
                          condition(kConditionDenied, ConditionStatus::kTrue)};
  EXPECT_EQ(validate_certificate_request(cr).to_string(),
            "status.conditions: Forbidden: both \"Approved\" and \"Denied\" conditions present");

  cr.status.conditions = {condition(kConditionDenied, ConditionStatus::kTrue),
                          condition(kConditionDenied, ConditionStatus::kTrue)};
  EXPECT_EQ(validate_certificate_request(cr).to_string(),
            "status.conditions: Forbidden: multiple \"Denied\" conditions present");
}

TEST(Validation, CertificateRequestUpdate) {
  CertificateRequest before = request();
  before.status.conditions = {condition(kConditionApproved, ConditionStatus::kTrue)};

  // Status progress and foreign annotations may change.
  CertificateRequest after = before;
  after.metadata.annotations["example.com/note"] = "x";
  set_condition(after.status.conditions, kConditionReady, ConditionStatus::kTrue, kReasonIssued,
                kMessageCertificateFetched, std::nullopt, std::chrono::system_clock::now());
  EXPECT_TRUE(validate_certificate_request_update(before, after).ok());

  after = before;
  after.spec.usages.push_back("server auth");
  EXPECT_EQ(validate_certificate_request_update(before, after).to_string(),
            "spec: Forbidden: cannot change spec after creation");

  after = before;
  after.metadata.annotations["cert-manager.io/certificate-revision"] = "2";
  EXPECT_EQ(validate_certificate_request_update(before, after).to_string(),
            "metadata.annotations[cert-manager.io/certificate-revision]: Forbidden: cannot change "
            "cert-manager annotation after creation");

  after = before;
  after.status.conditions[0].message = "changed my mind";
  EXPECT_EQ(validate_certificate_request_update(before, after).to_string(),
            "status.conditions: Forbidden: 'Approved' condition may not be modified once set");
  after.status.conditions.clear();
  EXPECT_FALSE(validate_certificate_request_update(before, after).ok());
}

// --- Order and Challenge -----------------------------------------------------------------------

Order order() {
  Order o;
  o.metadata.name = "web-1-123";
  o.spec.request = "csr";
  o.spec.issuer_ref.name = "le";
  o.spec.dns_names = {"shop.example.com"};
  return o;
}

TEST(Validation, OrderFieldsAreImmutableOnceSet) {
  Order before = order();
  EXPECT_TRUE(validate_order(before).ok());
  Order after = before;
  after.status.url = "https://acme.example/order/1";
  after.status.authorizations = {
      AcmeAuthorization{.url = "https://acme.example/authz/1",
                        .identifier = "shop.example.com",
                        .challenges = {{"https://acme.example/chall/1", "tok", "http-01"}}}};
  EXPECT_TRUE(validate_order_update(before, after).ok());  // set from empty: allowed

  before = after;
  after.status.state = "ready";
  after.status.certificate = "pem";
  EXPECT_TRUE(validate_order_update(before, after).ok());

  after = before;
  after.spec.request = "other csr";
  after.status.url = "https://acme.example/order/2";
  after.status.authorizations[0].wildcard = true;  // from absent: allowed
  after.status.authorizations[0].challenges[0].token = "tok2";
  EXPECT_EQ(validate_order_update(before, after).to_string(),
            "spec.request: Forbidden: field is immutable once set, status.url: Forbidden: field "
            "is immutable once set, status.authorizations[0].challenges[0].token: Forbidden: "
            "field is immutable once set");

  after = before;
  after.status.authorizations.clear();
  EXPECT_EQ(validate_order_update(before, after).to_string(),
            "status.authorizations: Forbidden: field is immutable once set");
}

TEST(Validation, ChallengeSpecIsImmutable) {
  Challenge before;
  before.spec.dns_name = "shop.example.com";
  before.spec.type = "HTTP-01";
  before.spec.solver = http01_solver();
  EXPECT_TRUE(validate_challenge(before).ok());
  Challenge after = before;
  after.status.processing = true;
  after.status.state = "pending";
  EXPECT_TRUE(validate_challenge_update(before, after).ok());
  after.spec.solver.http01->ingress->ingress_class_name = "traefik";
  EXPECT_EQ(validate_challenge_update(before, after).to_string(),
            "spec: Forbidden: challenge spec is immutable after creation");
}

}  // namespace
}  // namespace certkeeper::api
