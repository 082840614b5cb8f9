#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/api/certificate.h"
#include "lib/api/issuer.h"
#include "lib/api/meta.h"

// Defaults applied at use, never written into an object (cert-manager-api.md §0, §11.4: GitOps
// tools would see a diff). Each function reads the spec and returns the value the controllers
// act on. Pure functions: no clock, no I/O, thread-safe.
namespace certkeeper::api {

inline constexpr std::chrono::hours kDefaultCertificateDuration{90 * 24};  // 2160h
inline constexpr std::chrono::hours kMinimumCertificateDuration{1};
inline constexpr std::chrono::minutes kMinimumRenewBefore{5};
inline constexpr std::int32_t kDefaultRevisionHistoryLimit = 1;
inline constexpr std::int64_t kDefaultRsaKeySize = 2048;
inline constexpr std::int64_t kDefaultEcdsaKeySize = 256;
inline constexpr std::string_view kDefaultJksAlias = "certificate";
inline constexpr std::string_view kDefaultAcmePrivateKeySecretKey = "tls.key";
inline constexpr std::string_view kDefaultTsigAlgorithm = "HMACMD5";
inline constexpr std::string_view kDefaultRenewalTimezone = "UTC";
// Failed issuance backoff bounds (§3.4): 1h · 2^(attempts−1), at most 32h.
inline constexpr std::chrono::hours kDefaultMinimumIssuanceBackoff{1};
inline constexpr std::chrono::hours kDefaultMaximumIssuanceBackoff{32};

// spec.duration, else 90 days.
std::chrono::nanoseconds effective_duration(const CertificateSpec& spec);
std::chrono::nanoseconds effective_duration(const CertificateRequestSpec& spec);

// issuerRef kind ("Issuer") and group ("cert-manager.io") when empty.
std::string effective_issuer_kind(const IssuerReference& ref);
std::string effective_issuer_group(const IssuerReference& ref);

// privateKey.algorithm, else RSA.
std::string effective_private_key_algorithm(const CertificateSpec& spec);
// privateKey.size when set (> 0), else 2048 for RSA and 256 for ECDSA; 0 for Ed25519, which has
// no size (and for an unknown algorithm, which validation rejects).
std::int64_t effective_private_key_size(const CertificateSpec& spec);
// privateKey.encoding, else PKCS1; Ed25519 keys are always PKCS8 (§1.2).
std::string effective_private_key_encoding(const CertificateSpec& spec);
// privateKey.rotationPolicy, else Always (the default since cert-manager v1.18).
std::string effective_rotation_policy(const CertificateSpec& spec);
// spec.revisionHistoryLimit, else 1 (since v1.18).
std::int32_t effective_revision_history_limit(const CertificateSpec& spec);
// spec.encodeUsagesInRequest, else true.
bool effective_encode_usages_in_request(const CertificateSpec& spec);
// The usages for the CSR and the certificate: spec.usages, else "digital signature" and
// "key encipherment"; "cert sign" is added for a CA when missing (§1.2 isCA).
std::vector<std::string> effective_usages(const std::vector<std::string>& usages, bool is_ca);
std::vector<std::string> effective_usages(const CertificateSpec& spec);
// keystores.jks.alias, else "certificate"; keystores.pkcs12.profile, else LegacyRC2.
std::string effective_jks_alias(const JksKeystore& jks);
std::string effective_pkcs12_profile(const Pkcs12Keystore& pkcs12);

// ACME issuer: privateKeySecretRef.key, else "tls.key".
std::string effective_account_key_secret_key(const AcmeIssuer& acme);
// HTTP-01 ingress / gateway serviceType, else NodePort.
std::string effective_service_type(const std::optional<std::string>& service_type);
// DNS-01 cnameStrategy, else None; RFC 2136 tsigAlgorithm, else HMACMD5.
std::string effective_cname_strategy(const AcmeDns01& dns01);
std::string effective_tsig_algorithm(const AcmeDns01Rfc2136& rfc2136);

// How long before expiry to renew a certificate whose actual lifetime is `lifetime`
// (cert-manager-api.md §1.4 step 2, pkg/util/pki/renewaltime.go): renewBefore if
// 0 < renewBefore < lifetime; else lifetime·pct/100 if 0 < pct < 100; else lifetime/3. The
// percentage is applied in integer nanoseconds like cert-manager, without its int64 overflow for
// lifetimes over ~2.9 years.
std::chrono::nanoseconds renew_before_for(std::chrono::nanoseconds lifetime,
                                          std::optional<std::chrono::nanoseconds> renew_before,
                                          std::optional<std::int32_t> renew_before_percentage);

// When to renew (§1.4 step 2): notAfter − renew_before_for(notAfter − notBefore, …), truncated
// to whole seconds as status.renewalTime stores it. Renewal windows and ARI (steps 1 and 3) are
// applied by the readiness controller on top of this.
Time renewal_time(Time not_before, Time not_after,
                  std::optional<std::chrono::nanoseconds> renew_before,
                  std::optional<std::int32_t> renew_before_percentage);
// The same for a Certificate's spec.renewBefore / spec.renewBeforePercentage.
Time renewal_time(Time not_before, Time not_after, const CertificateSpec& spec);

// Delay before retrying after `failed_attempts` failed issuances (§3.4):
// minimum · 2^(attempts−1), capped at maximum; zero for no failures.
std::chrono::nanoseconds issuance_backoff(
    std::int32_t failed_attempts, std::chrono::nanoseconds minimum = kDefaultMinimumIssuanceBackoff,
    std::chrono::nanoseconds maximum = kDefaultMaximumIssuanceBackoff);

}  // namespace certkeeper::api
