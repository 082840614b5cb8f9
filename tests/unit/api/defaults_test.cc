#include "lib/api/defaults.h"

#include <chrono>

#include <gtest/gtest.h>

#include "lib/common/time_format.h"

namespace certkeeper::api {
namespace {

using namespace std::chrono_literals;
using std::chrono::nanoseconds;

Time at(int y, int mo, int d, int h = 0, int mi = 0, int s = 0) {
  return common::utc_time(y, mo, d, h, mi, s).value();
}

TEST(Defaults, AnEmptySpecGetsCertManagersDefaults) {
  const CertificateSpec spec;
  EXPECT_EQ(effective_duration(spec), 2160h);
  EXPECT_EQ(effective_private_key_algorithm(spec), "RSA");
  EXPECT_EQ(effective_private_key_size(spec), 2048);
  EXPECT_EQ(effective_private_key_encoding(spec), "PKCS1");
  EXPECT_EQ(effective_rotation_policy(spec), "Always");
  EXPECT_EQ(effective_revision_history_limit(spec), 1);
  EXPECT_TRUE(effective_encode_usages_in_request(spec));
  EXPECT_EQ(effective_usages(spec),
            (std::vector<std::string>{"digital signature", "key encipherment"}));
  EXPECT_EQ(effective_issuer_kind(spec.issuer_ref), "Issuer");
  EXPECT_EQ(effective_issuer_group(spec.issuer_ref), "cert-manager.io");
  EXPECT_EQ(effective_duration(CertificateRequestSpec{}), 2160h);
}

TEST(Defaults, SetValuesWinAndTheSpecIsNotChanged) {
  CertificateSpec spec;
  spec.duration = GoDuration::of(24h);
  spec.private_key = CertificatePrivateKey{
      .rotation_policy = "Never", .encoding = "PKCS8", .algorithm = "ECDSA", .size = 384};
  spec.revision_history_limit = 5;
  spec.encode_usages_in_request = false;
  spec.usages = {"server auth"};
  spec.issuer_ref = {.name = "x", .kind = "ClusterIssuer", .group = "example.com"};
  const CertificateSpec before = spec;
  EXPECT_EQ(effective_duration(spec), 24h);
  EXPECT_EQ(effective_private_key_algorithm(spec), "ECDSA");
  EXPECT_EQ(effective_private_key_size(spec), 384);
  EXPECT_EQ(effective_private_key_encoding(spec), "PKCS8");
  EXPECT_EQ(effective_rotation_policy(spec), "Never");
  EXPECT_EQ(effective_revision_history_limit(spec), 5);
  EXPECT_FALSE(effective_encode_usages_in_request(spec));
  EXPECT_EQ(effective_usages(spec), (std::vector<std::string>{"server auth"}));
  EXPECT_EQ(effective_issuer_kind(spec.issuer_ref), "ClusterIssuer");
  EXPECT_EQ(effective_issuer_group(spec.issuer_ref), "example.com");
  EXPECT_EQ(spec, before);
}

TEST(Defaults, KeySizeAndEncodingDependOnTheAlgorithm) {
  CertificateSpec spec;
  spec.private_key = CertificatePrivateKey{.algorithm = "ECDSA"};
  EXPECT_EQ(effective_private_key_size(spec), 256);
  spec.private_key =
      CertificatePrivateKey{.encoding = "PKCS1", .algorithm = "Ed25519", .size = 4096};
  EXPECT_EQ(effective_private_key_size(spec), 0);
  EXPECT_EQ(effective_private_key_encoding(spec), "PKCS8");  // Ed25519 is always PKCS#8
  spec.private_key = CertificatePrivateKey{.algorithm = "RSA", .size = 4096};
  EXPECT_EQ(effective_private_key_size(spec), 4096);
  spec.private_key = CertificatePrivateKey{.algorithm = "", .size = 0};
  EXPECT_EQ(effective_private_key_size(spec), 2048);
}

TEST(Defaults, CaCertificatesGetCertSign) {
  EXPECT_EQ(effective_usages({}, true),
            (std::vector<std::string>{"digital signature", "key encipherment", "cert sign"}));
  EXPECT_EQ(effective_usages({"cert sign", "crl sign"}, true),
            (std::vector<std::string>{"cert sign", "crl sign"}));
}

TEST(Defaults, IssuerAndKeystoreDefaults) {
  EXPECT_EQ(effective_jks_alias(JksKeystore{}), "certificate");
  EXPECT_EQ(effective_jks_alias(JksKeystore{.alias = "web"}), "web");
  EXPECT_EQ(effective_pkcs12_profile(Pkcs12Keystore{}), "LegacyRC2");
  EXPECT_EQ(effective_pkcs12_profile(Pkcs12Keystore{.profile = "Modern2023"}), "Modern2023");
  AcmeIssuer acme;
  EXPECT_EQ(effective_account_key_secret_key(acme), "tls.key");
  acme.private_key_secret_ref.key = "key.pem";
  EXPECT_EQ(effective_account_key_secret_key(acme), "key.pem");
  EXPECT_EQ(effective_service_type(std::nullopt), "NodePort");
  EXPECT_EQ(effective_service_type("ClusterIP"), "ClusterIP");
  EXPECT_EQ(effective_cname_strategy(AcmeDns01{}), "None");
  EXPECT_EQ(effective_tsig_algorithm(AcmeDns01Rfc2136{}), "HMACMD5");
  EXPECT_EQ(effective_tsig_algorithm(AcmeDns01Rfc2136{.tsig_algorithm = "HMACSHA256"}),
            "HMACSHA256");
}

TEST(RenewalTime, DefaultsToTwoThirdsOfTheActualLifetime) {
  // 90 days issued: renew 30 days before expiry, whatever spec.duration says.
  Time nb = at(2026, 11, 1);
  Time na = nb + 2160h;
  EXPECT_EQ(renewal_time(nb, na, std::nullopt, std::nullopt), na - 720h);
  CertificateSpec spec;
  spec.duration = GoDuration::of(24h);  // the issuer ignored it; the certificate decides
  EXPECT_EQ(renewal_time(nb, na, spec), na - 720h);
}

TEST(RenewalTime, RenewBeforeIsUsedOnlyWhenBelowTheLifetime) {
  Time nb = at(2026, 11, 1);
  Time na = nb + 24h;
  EXPECT_EQ(renewal_time(nb, na, nanoseconds(2h), std::nullopt), na - 2h);
  // Equal to or longer than the lifetime: ignored, 1/3 instead.
  EXPECT_EQ(renewal_time(nb, na, nanoseconds(24h), std::nullopt), na - 8h);
  EXPECT_EQ(renewal_time(nb, na, nanoseconds(48h), std::nullopt), na - 8h);
  // Zero or negative: ignored.
  EXPECT_EQ(renewal_time(nb, na, nanoseconds(0), std::nullopt), na - 8h);
  EXPECT_EQ(renewal_time(nb, na, nanoseconds(-1h), std::nullopt), na - 8h);
  // renewBefore wins over the percentage when both are set and usable.
  EXPECT_EQ(renewal_time(nb, na, nanoseconds(2h), 50), na - 2h);
  // An unusable renewBefore falls through to the percentage.
  EXPECT_EQ(renewal_time(nb, na, nanoseconds(48h), 50), na - 12h);
}

TEST(RenewalTime, PercentageOfTheLifetime) {
  Time nb = at(2026, 11, 1);
  Time na = nb + 100h;
  EXPECT_EQ(renewal_time(nb, na, std::nullopt, 25), na - 25h);
  EXPECT_EQ(renewal_time(nb, na, std::nullopt, 1), na - 1h);
  EXPECT_EQ(renewal_time(nb, na, std::nullopt, 99), na - 99h);
  // Outside (0, 100): ignored.
  EXPECT_EQ(renewal_time(nb, na, std::nullopt, 0), na - 120000s);  // 100h / 3
  EXPECT_EQ(renewal_time(nb, na, std::nullopt, 100), renewal_time(nb, na, std::nullopt, 0));
  EXPECT_EQ(renewal_time(nb, na, std::nullopt, -5), renewal_time(nb, na, std::nullopt, 0));
}

TEST(RenewalTime, IsTruncatedToWholeSeconds) {
  // 10s lifetime: 1/3 = 3.333…s; 10s − 3.333s = 6.666s after notBefore → 6s.
  Time nb = at(2026, 11, 1, 12, 0, 0);
  Time na = nb + 10s;
  EXPECT_EQ(renewal_time(nb, na, std::nullopt, std::nullopt), nb + 6s);
  Time t = renewal_time(nb + 500ms, na + 500ms, std::nullopt, std::nullopt);
  EXPECT_EQ(t, nb + 7s);  // 7.166s → 7s
  EXPECT_EQ(t.time_since_epoch() % std::chrono::seconds(1), Time::duration(0));
}

TEST(RenewalTime, LongLifetimesDoNotOverflow) {
  // 20 years: lifetime·99 would overflow int64 nanoseconds.
  Time nb = at(2026, 1, 1);
  Time na = at(2046, 1, 1);
  auto lifetime = std::chrono::duration_cast<nanoseconds>(na - nb);
  EXPECT_EQ(renew_before_for(lifetime, std::nullopt, 99), lifetime / 100 * 99);
  EXPECT_LT(renewal_time(nb, na, std::nullopt, 99), na);
  EXPECT_GT(renewal_time(nb, na, std::nullopt, 99), nb);
}

TEST(RenewalTime, AnAlreadyExpiredOrInvertedCertificateStillGetsATime) {
  Time nb = at(2026, 11, 1);
  EXPECT_EQ(renewal_time(nb, nb, std::nullopt, std::nullopt), nb);
  // notAfter before notBefore: lifetime −3h, 1/3 = −1h, renewal one hour after notAfter.
  EXPECT_EQ(renewal_time(nb, nb - 3h, std::nullopt, std::nullopt), nb - 2h);
}

TEST(IssuanceBackoff, DoublesFromOneHourUpToThirtyTwo) {
  EXPECT_EQ(issuance_backoff(0), nanoseconds(0));
  EXPECT_EQ(issuance_backoff(1), 1h);
  EXPECT_EQ(issuance_backoff(2), 2h);
  EXPECT_EQ(issuance_backoff(6), 32h);
  EXPECT_EQ(issuance_backoff(7), 32h);
  EXPECT_EQ(issuance_backoff(1000), 32h);
  EXPECT_EQ(issuance_backoff(3, 10min, 1h), 40min);
  EXPECT_EQ(issuance_backoff(4, 10min, 1h), 1h);
}

}  // namespace
}  // namespace certkeeper::api
