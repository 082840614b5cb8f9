#include "lib/api/defaults.h"

#include <algorithm>

#include "lib/api/well_known.h"

namespace certkeeper::api {
namespace {

template <typename T>
std::string or_default(const std::optional<std::string>& value, T fallback) {
  return value.has_value() && !value->empty() ? *value : std::string(fallback);
}

const std::optional<std::string>& key_field(const CertificateSpec& spec,
                                            std::optional<std::string> CertificatePrivateKey::*m) {
  static const std::optional<std::string> kNone;
  return spec.private_key.has_value() ? (*spec.private_key).*m : kNone;
}

}  // namespace

std::chrono::nanoseconds effective_duration(const CertificateSpec& spec) {
  return spec.duration.has_value() ? spec.duration->value : kDefaultCertificateDuration;
}

std::chrono::nanoseconds effective_duration(const CertificateRequestSpec& spec) {
  return spec.duration.has_value() ? spec.duration->value : kDefaultCertificateDuration;
}

std::string effective_issuer_kind(const IssuerReference& ref) {
  return ref.kind.empty() ? std::string(kKindIssuer) : ref.kind;
}

std::string effective_issuer_group(const IssuerReference& ref) {
  return ref.group.empty() ? std::string(kGroup) : ref.group;
}

std::string effective_private_key_algorithm(const CertificateSpec& spec) {
  return or_default(key_field(spec, &CertificatePrivateKey::algorithm), kKeyAlgorithmRsa);
}

std::int64_t effective_private_key_size(const CertificateSpec& spec) {
  std::string algorithm = effective_private_key_algorithm(spec);
  if (algorithm == kKeyAlgorithmEd25519) {
    return 0;
  }
  if (spec.private_key.has_value() && spec.private_key->size.value_or(0) > 0) {
    return *spec.private_key->size;
  }
  if (algorithm == kKeyAlgorithmRsa) {
    return kDefaultRsaKeySize;
  }
  if (algorithm == kKeyAlgorithmEcdsa) {
    return kDefaultEcdsaKeySize;
  }
  return 0;
}

std::string effective_private_key_encoding(const CertificateSpec& spec) {
  if (effective_private_key_algorithm(spec) == kKeyAlgorithmEd25519) {
    return std::string(kKeyEncodingPkcs8);
  }
  return or_default(key_field(spec, &CertificatePrivateKey::encoding), kKeyEncodingPkcs1);
}

std::string effective_rotation_policy(const CertificateSpec& spec) {
  return or_default(key_field(spec, &CertificatePrivateKey::rotation_policy),
                    kRotationPolicyAlways);
}

std::int32_t effective_revision_history_limit(const CertificateSpec& spec) {
  return spec.revision_history_limit.value_or(kDefaultRevisionHistoryLimit);
}

bool effective_encode_usages_in_request(const CertificateSpec& spec) {
  return spec.encode_usages_in_request.value_or(true);
}

std::vector<std::string> effective_usages(const std::vector<std::string>& usages, bool is_ca) {
  std::vector<std::string> out = usages;
  if (out.empty()) {
    out = {"digital signature", "key encipherment"};
  }
  if (is_ca && std::find(out.begin(), out.end(), "cert sign") == out.end()) {
    out.emplace_back("cert sign");
  }
  return out;
}

std::vector<std::string> effective_usages(const CertificateSpec& spec) {
  return effective_usages(spec.usages, spec.is_ca.value_or(false));
}

std::string effective_jks_alias(const JksKeystore& jks) {
  return or_default(jks.alias, kDefaultJksAlias);
}

std::string effective_pkcs12_profile(const Pkcs12Keystore& pkcs12) {
  return or_default(pkcs12.profile, kPkcs12LegacyRc2);
}

std::string effective_account_key_secret_key(const AcmeIssuer& acme) {
  return acme.private_key_secret_ref.key.empty() ? std::string(kDefaultAcmePrivateKeySecretKey)
                                                 : acme.private_key_secret_ref.key;
}

std::string effective_service_type(const std::optional<std::string>& service_type) {
  return or_default(service_type, kServiceTypeNodePort);
}

std::string effective_cname_strategy(const AcmeDns01& dns01) {
  return or_default(dns01.cname_strategy, kCnameStrategyNone);
}

std::string effective_tsig_algorithm(const AcmeDns01Rfc2136& rfc2136) {
  return or_default(rfc2136.tsig_algorithm, kDefaultTsigAlgorithm);
}

std::chrono::nanoseconds renew_before_for(std::chrono::nanoseconds lifetime,
                                          std::optional<std::chrono::nanoseconds> renew_before,
                                          std::optional<std::int32_t> renew_before_percentage) {
  using std::chrono::nanoseconds;
  if (renew_before.has_value() && *renew_before > nanoseconds(0) && *renew_before < lifetime) {
    return *renew_before;
  }
  if (renew_before_percentage.has_value() && *renew_before_percentage > 0 &&
      *renew_before_percentage < 100) {
    // lifetime·pct/100 without forming lifetime·pct, which overflows for long lifetimes.
    std::int64_t n = lifetime.count();
    std::int64_t pct = *renew_before_percentage;
    return nanoseconds(n / 100 * pct + n % 100 * pct / 100);
  }
  return lifetime / 3;
}

Time renewal_time(Time not_before, Time not_after,
                  std::optional<std::chrono::nanoseconds> renew_before,
                  std::optional<std::int32_t> renew_before_percentage) {
  auto lifetime = std::chrono::duration_cast<std::chrono::nanoseconds>(not_after - not_before);
  auto before = renew_before_for(lifetime, renew_before, renew_before_percentage);
  return std::chrono::floor<std::chrono::seconds>(
      not_after - std::chrono::duration_cast<Time::duration>(before));
}

Time renewal_time(Time not_before, Time not_after, const CertificateSpec& spec) {
  std::optional<std::chrono::nanoseconds> renew_before;
  if (spec.renew_before.has_value()) {
    renew_before = spec.renew_before->value;
  }
  return renewal_time(not_before, not_after, renew_before, spec.renew_before_percentage);
}

std::chrono::nanoseconds issuance_backoff(std::int32_t failed_attempts,
                                          std::chrono::nanoseconds minimum,
                                          std::chrono::nanoseconds maximum) {
  if (failed_attempts <= 0) {
    return std::chrono::nanoseconds(0);
  }
  std::chrono::nanoseconds delay = minimum;
  for (std::int32_t i = 1; i < failed_attempts && delay < maximum; ++i) {
    delay *= 2;
  }
  return std::min(delay, maximum);
}

}  // namespace certkeeper::api
