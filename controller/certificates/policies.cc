#include "controller/certificates/policies.h"

#include <algorithm>
#include <array>
#include <ctime>

#include <fmt/format.h>

#include "controller/certificates/ari.h"
#include "controller/certificates/pki.h"
#include "lib/api/conditions.h"
#include "lib/api/defaults.h"
#include "lib/api/well_known.h"

namespace certkeeper::certificates {
namespace {

using Result = std::optional<PolicyResult>;

// strftime of a UTC time (times before 1970 or past 2262 do not occur in certificates we parse).
std::string utc_format(api::Time t, const char* format) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  std::array<char, 64> buffer{};
  const auto n = std::strftime(buffer.data(), buffer.size(), format, &tm);
  return {buffer.data(), n};
}

template <typename T>
std::vector<T> sorted(std::vector<T> v) {
  std::sort(v.begin(), v.end());
  return v;
}

std::string annotation(const api::ObjectMeta& meta, std::string_view key) {
  auto it = meta.annotations.find(std::string(key));
  return it == meta.annotations.end() ? std::string() : it->second;
}

// The issued certificate against the spec, when there is no current request to compare with
// (all requests deleted): names and isCA; usages are left to the request comparison because
// issuers may add or drop them.
std::vector<std::string> certificate_mismatches(const api::CertificateSpec& spec,
                                                const crypto::Certificate& leaf) {
  std::vector<std::string> out;
  const bool literal = spec.literal_subject.has_value() && !spec.literal_subject->empty();
  if (!literal && spec.common_name.value_or("") != leaf.common_name()) {
    out.emplace_back("spec.commonName");
  }
  const auto& sans = leaf.sans();
  if (sorted(spec.dns_names) != sorted(sans.dns_names)) {
    out.emplace_back("spec.dnsNames");
  }
  if (sorted(spec.ip_addresses) != sorted(sans.ip_addresses)) {
    out.emplace_back("spec.ipAddresses");
  }
  if (sorted(spec.uris) != sorted(sans.uris)) {
    out.emplace_back("spec.uris");
  }
  if (sorted(spec.email_addresses) != sorted(sans.email_addresses)) {
    out.emplace_back("spec.emailAddresses");
  }
  if (spec.is_ca.value_or(false) != leaf.is_ca()) {
    out.emplace_back("spec.isCA");
  }
  return out;
}

// Every step both chains share; on success, the parsed leaf for the last step.
Result shared_chain(const PolicyInput& input, std::optional<crypto::Certificate>& leaf_out) {
  const auto& certificate = *input.certificate;
  const auto& spec = certificate.spec;
  if (input.secret == nullptr) {
    return PolicyResult{std::string(api::kReasonDoesNotExist),
                        "Issuing certificate as Secret does not exist"};
  }
  const auto& secret = *input.secret;
  const auto key_pem = secret.get(api::kSecretTlsKey);
  const auto cert_pem = secret.get(api::kSecretTlsCrt);
  if (!key_pem.has_value() || key_pem->empty()) {
    return PolicyResult{std::string(api::kReasonMissingData),
                        "Issuing certificate as Secret does not contain a private key"};
  }
  if (!cert_pem.has_value() || cert_pem->empty()) {
    return PolicyResult{std::string(api::kReasonMissingData),
                        "Issuing certificate as Secret does not contain a certificate"};
  }
  auto key = crypto::PrivateKey::from_pem(*key_pem);
  if (!key) {
    return PolicyResult{std::string(api::kReasonInvalidKeyPair),
                        "Issuing certificate as Secret contains invalid private key data: " +
                            key.error().message()};
  }
  auto leaf = crypto::Certificate::from_pem(*cert_pem);
  if (!leaf) {
    return PolicyResult{
        std::string(api::kReasonInvalidCertificate),
        "Issuing certificate as Secret contains an invalid certificate: " + leaf.error().message()};
  }
  if (!leaf->matches(*key)) {
    return PolicyResult{
        std::string(api::kReasonInvalidKeyPair),
        "Issuing certificate as Secret contains a private key that does not match the certificate"};
  }

  const auto& meta = secret.metadata;
  const auto& ref = spec.issuer_ref;
  api::IssuerReference annotated{annotation(meta, api::kAnnotationIssuerName),
                                 annotation(meta, api::kAnnotationIssuerKind),
                                 annotation(meta, api::kAnnotationIssuerGroup)};
  if (annotated.name != ref.name ||
      api::effective_issuer_kind(annotated) != api::effective_issuer_kind(ref) ||
      api::effective_issuer_group(annotated) != api::effective_issuer_group(ref)) {
    return PolicyResult{std::string(api::kReasonIncorrectIssuer),
                        fmt::format("Issuing certificate as Secret was previously issued by "
                                    "\"{}.{}/{}\"",
                                    api::effective_issuer_kind(annotated),
                                    api::effective_issuer_group(annotated), annotated.name)};
  }
  const auto named = meta.annotations.find(std::string(api::kAnnotationCertificateName));
  if (named != meta.annotations.end() && named->second != certificate.metadata.name) {
    return PolicyResult{std::string(api::kReasonIncorrectCertificate),
                        fmt::format("Secret was issued for \"{}\". If this message is not "
                                    "transient, you might have two conflicting Certificates "
                                    "pointing to the same secret.",
                                    named->second)};
  }
  if (auto fields = private_key_mismatches(spec, key->public_key()); !fields.empty()) {
    return PolicyResult{std::string(api::kReasonSecretMismatch),
                        "Existing private key in Secret does not match requirements on "
                        "Certificate resource, mismatching fields: " +
                            field_list(fields)};
  }
  if (input.current_request != nullptr) {
    auto request_key = request_public_key(*input.current_request);
    if (request_key && !key->matches(*request_key)) {
      return PolicyResult{std::string(api::kReasonSecretMismatch),
                          "Secret contains a private key that does not match the current "
                          "CertificateRequest"};
    }
    if (auto fields = request_mismatches(certificate, *input.current_request); !fields.empty()) {
      return PolicyResult{
          std::string(api::kReasonRequestChanged),
          "Fields on existing CertificateRequest resource not up to date: " + field_list(fields)};
    }
  } else if (auto fields = certificate_mismatches(spec, *leaf); !fields.empty()) {
    return PolicyResult{
        std::string(api::kReasonSecretMismatch),
        "Issuing certificate as Existing issued Secret is not up to date for spec: " +
            field_list(fields)};
  }
  leaf_out = *leaf;
  return std::nullopt;
}

}  // namespace

std::optional<crypto::Certificate> secret_leaf(const SecretView& secret) {
  auto pem = secret.get(api::kSecretTlsCrt);
  if (!pem.has_value()) {
    return std::nullopt;
  }
  auto leaf = crypto::Certificate::from_pem(*pem);
  if (!leaf) {
    return std::nullopt;
  }
  return *leaf;
}

std::optional<api::Time> renewal_time_for(const api::Certificate& certificate,
                                          const crypto::Certificate& leaf) {
  const auto& renewal = certificate.spec.renewal;
  if (renewal.has_value() && renewal->policy == api::kRenewalPolicyDisabled) {
    return std::nullopt;
  }
  return api::renewal_time(leaf.not_before(), leaf.not_after(), certificate.spec);
}

std::optional<PolicyResult> trigger_policy(const PolicyInput& input) {
  std::optional<crypto::Certificate> leaf;
  if (auto hit = shared_chain(input, leaf)) {
    return hit;
  }
  auto renewal = scheduled_renewal_time(*input.certificate, *leaf);
  if (renewal.has_value() && input.now >= *renewal) {
    return PolicyResult{
        std::string(api::kReasonRenewing),
        "Renewing certificate as renewal was scheduled at " + go_time_string(*renewal)};
  }
  return std::nullopt;
}

std::optional<PolicyResult> readiness_policy(const PolicyInput& input) {
  std::optional<crypto::Certificate> leaf;
  if (auto hit = shared_chain(input, leaf)) {
    return hit;
  }
  if (input.now >= leaf->not_after()) {
    return PolicyResult{
        std::string(api::kReasonExpired),
        "Certificate expired on " + utc_format(leaf->not_after(), "%a, %d %b %Y %H:%M:%S UTC")};
  }
  return std::nullopt;
}

bool certificate_owns_secret(const api::Certificate& certificate,
                             const std::vector<api::Certificate>& namespace_certificates,
                             const SecretView* secret) {
  std::vector<const api::Certificate*> contenders{&certificate};
  for (const auto& other : namespace_certificates) {
    if (other.metadata.name != certificate.metadata.name &&
        other.spec.secret_name == certificate.spec.secret_name) {
      contenders.push_back(&other);
    }
  }
  if (contenders.size() == 1) {
    return true;
  }
  if (secret != nullptr) {
    const auto named = annotation(secret->metadata, api::kAnnotationCertificateName);
    for (const auto* c : contenders) {
      if (!named.empty() && c->metadata.name == named) {
        return c == &certificate;
      }
    }
  }
  const auto older = [](const api::Certificate* a, const api::Certificate* b) {
    const auto ta = a->metadata.creation_timestamp.value_or(api::Time::max());
    const auto tb = b->metadata.creation_timestamp.value_or(api::Time::max());
    if (ta != tb) {
      return ta < tb;
    }
    return a->metadata.name < b->metadata.name;
  };
  return *std::min_element(contenders.begin(), contenders.end(), older) == &certificate;
}

std::optional<std::chrono::nanoseconds> backoff_remaining(const api::Certificate& certificate,
                                                          api::Time now) {
  const auto& status = certificate.status;
  const auto attempts = status.failed_issuance_attempts.value_or(0);
  if (attempts <= 0 || !status.last_failure_time.has_value()) {
    return std::nullopt;
  }
  const auto* issuing = api::find_condition(status.conditions, api::kConditionIssuing);
  if (issuing != nullptr && issuing->observed_generation.has_value() &&
      certificate.metadata.generation.has_value() &&
      *issuing->observed_generation < *certificate.metadata.generation) {
    return std::nullopt;
  }
  const auto end = *status.last_failure_time + api::issuance_backoff(attempts);
  if (now >= end) {
    return std::nullopt;
  }
  return std::chrono::duration_cast<std::chrono::nanoseconds>(end - now);
}

std::string go_time_string(api::Time t) { return utc_format(t, "%Y-%m-%d %H:%M:%S +0000 UTC"); }

}  // namespace certkeeper::certificates
