#include "controller/certificates/pki.h"

#include <algorithm>
#include <charconv>
#include <map>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "lib/api/conditions.h"
#include "lib/api/defaults.h"
#include "lib/api/well_known.h"
#include "lib/crypto/encoding.h"
#include "lib/pki/usages.h"

namespace certkeeper::certificates {
namespace {

template <typename T>
std::vector<T> sorted_unique(std::vector<T> values) {
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  return values;
}

// The parts of a CSR compared for "does the request still fit the spec", in a canonical order.
crypto::CsrSpec canonical(crypto::CsrSpec spec) {
  spec.literal_subject.clear();
  spec.sans.dns_names = sorted_unique(spec.sans.dns_names);
  spec.sans.ip_addresses = sorted_unique(spec.sans.ip_addresses);
  spec.sans.uris = sorted_unique(spec.sans.uris);
  spec.sans.email_addresses = sorted_unique(spec.sans.email_addresses);
  spec.key_usages = sorted_unique(spec.key_usages);
  spec.extended_key_usages = sorted_unique(spec.extended_key_usages);
  return spec;
}

// Annotations a Certificate's own annotations are not copied under (cert-manager's default
// copiedAnnotationPrefixes: everything but these).
bool copied_annotation(std::string_view key) {
  for (std::string_view prefix : {"kubectl.kubernetes.io/", "fluxcd.io/", "argocd.argoproj.io/"}) {
    if (key.starts_with(prefix)) {
      return false;
    }
  }
  return true;
}

// The subject string a literalSubject turns into once encoded: built through a CSR for a
// throwaway key, so that spacing and attribute spelling do not count as a difference.
std::optional<std::string> encoded_literal_subject(const crypto::CsrSpec& spec) {
  static const auto key = crypto::PrivateKey::generate(crypto::KeyAlgorithm::kEcdsa, 256);
  if (!key) {
    return std::nullopt;
  }
  auto der = crypto::create_csr(spec, *key);
  if (!der) {
    return std::nullopt;
  }
  auto parsed = crypto::parse_csr(*der);
  if (!parsed) {
    return std::nullopt;
  }
  return parsed->subject;
}

}  // namespace

common::Result<X509Usages> x509_usages(const std::vector<std::string>& usages) {
  auto parsed = pki::parse_usages(usages);
  if (!parsed) {
    return common::make_error(common::ErrorCode::kInvalidArgument,
                              "spec.usages: " + parsed.error().message());
  }
  return X509Usages{std::move(parsed->key_usages),
                    sorted_unique(std::move(parsed->extended_key_usages))};
}

common::Result<crypto::KeyAlgorithm> key_algorithm_for(const api::CertificateSpec& spec) {
  const auto algorithm = api::effective_private_key_algorithm(spec);
  if (algorithm == api::kKeyAlgorithmRsa) {
    return crypto::KeyAlgorithm::kRsa;
  }
  if (algorithm == api::kKeyAlgorithmEcdsa) {
    return crypto::KeyAlgorithm::kEcdsa;
  }
  if (algorithm == api::kKeyAlgorithmEd25519) {
    return crypto::KeyAlgorithm::kEd25519;
  }
  return common::make_error(common::ErrorCode::kInvalidArgument,
                            fmt::format("spec.privateKey.algorithm: unknown \"{}\"", algorithm));
}

std::vector<std::string> private_key_mismatches(const api::CertificateSpec& spec,
                                                const crypto::PublicKey& key) {
  auto algorithm = key_algorithm_for(spec);
  if (!algorithm || *algorithm != key.algorithm()) {
    return {"spec.privateKey.algorithm"};
  }
  if (*algorithm != crypto::KeyAlgorithm::kEd25519 &&
      api::effective_private_key_size(spec) != key.size()) {
    return {"spec.privateKey.size"};
  }
  return {};
}

common::Result<crypto::CsrSpec> csr_spec_for(const api::CertificateSpec& spec) {
  crypto::CsrSpec out;
  if (spec.literal_subject.has_value() && !spec.literal_subject->empty()) {
    out.literal_subject = *spec.literal_subject;
  } else {
    out.subject.common_name = spec.common_name.value_or("");
    if (spec.subject.has_value()) {
      const auto& s = *spec.subject;
      out.subject.organizations = s.organizations;
      out.subject.countries = s.countries;
      out.subject.organizational_units = s.organizational_units;
      out.subject.localities = s.localities;
      out.subject.provinces = s.provinces;
      out.subject.street_addresses = s.street_addresses;
      out.subject.postal_codes = s.postal_codes;
      out.subject.serial_number = s.serial_number.value_or("");
    }
  }
  out.sans.dns_names = spec.dns_names;
  out.sans.ip_addresses = spec.ip_addresses;
  out.sans.uris = spec.uris;
  out.sans.email_addresses = spec.email_addresses;
  out.is_ca = spec.is_ca.value_or(false);
  if (api::effective_encode_usages_in_request(spec)) {
    auto usages = x509_usages(api::effective_usages(spec));
    if (!usages) {
      return tl::unexpected(usages.error());
    }
    out.key_usages = usages->key_usages;
    out.extended_key_usages = usages->extended_key_usages;
  }
  return out;
}

std::string request_name(std::string_view certificate_name, std::int32_t revision) {
  return fmt::format("{}-{}", certificate_name, revision);
}

std::optional<std::int32_t> request_revision(const api::CertificateRequest& request) {
  auto it = request.metadata.annotations.find(std::string(api::kAnnotationCertificateRevision));
  if (it == request.metadata.annotations.end()) {
    return std::nullopt;
  }
  std::int32_t value = 0;
  const auto& text = it->second;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 1) {
    return std::nullopt;
  }
  return value;
}

common::Result<api::CertificateRequest> build_request(const api::Certificate& certificate,
                                                      std::int32_t revision,
                                                      const std::string& key_secret_name,
                                                      const crypto::PrivateKey& key) {
  auto csr_spec = csr_spec_for(certificate.spec);
  if (!csr_spec) {
    return tl::unexpected(csr_spec.error());
  }
  auto der = crypto::create_csr(*csr_spec, key);
  if (!der) {
    return tl::unexpected(der.error().wrap("building the CSR"));
  }
  api::CertificateRequest request;
  auto& meta = request.metadata;
  meta.name = request_name(certificate.metadata.name, revision);
  meta.namespace_ = certificate.metadata.namespace_;
  for (const auto& [k, v] : certificate.metadata.annotations) {
    if (copied_annotation(k)) {
      meta.annotations[k] = v;
    }
  }
  meta.labels = certificate.metadata.labels;
  meta.annotations[std::string(api::kAnnotationCertificateName)] = certificate.metadata.name;
  meta.annotations[std::string(api::kAnnotationCertificateRevision)] = std::to_string(revision);
  meta.annotations[std::string(api::kAnnotationPrivateKeySecretName)] = key_secret_name;
  meta.owner_references.push_back(api::OwnerReference{
      .api_version = std::string(api::kApiVersion),
      .kind = std::string(api::kKindCertificate),
      .name = certificate.metadata.name,
      .uid = certificate.metadata.uid,
      .controller = true,
      .block_owner_deletion = true,
  });
  auto& spec = request.spec;
  spec.request = crypto::pem_encode("CERTIFICATE REQUEST", *der);
  spec.issuer_ref = certificate.spec.issuer_ref;
  spec.duration = certificate.spec.duration;
  if (certificate.spec.is_ca.value_or(false)) {
    spec.is_ca = true;
  }
  spec.usages = api::effective_usages(certificate.spec);
  return request;
}

common::Result<crypto::PublicKey> request_public_key(const api::CertificateRequest& request) {
  auto parsed = crypto::parse_csr(request.spec.request);
  if (!parsed) {
    return tl::unexpected(parsed.error());
  }
  return parsed->public_key;
}

std::vector<std::string> request_mismatches(const api::Certificate& certificate,
                                            const api::CertificateRequest& request) {
  const auto& spec = certificate.spec;
  std::vector<std::string> out;
  auto parsed = crypto::parse_csr(request.spec.request);
  auto desired = csr_spec_for(spec);
  if (!parsed || !desired) {
    return {"spec.request"};
  }
  const auto want = canonical(*desired);
  const auto have = canonical(parsed->spec);
  if (!desired->literal_subject.empty()) {
    if (encoded_literal_subject(*desired) != parsed->subject) {
      out.emplace_back("spec.literalSubject");
    }
  } else {
    if (want.subject.common_name != have.subject.common_name) {
      out.emplace_back("spec.commonName");
    }
    auto want_subject = want.subject;
    auto have_subject = have.subject;
    want_subject.common_name.clear();
    have_subject.common_name.clear();
    if (want_subject != have_subject) {
      out.emplace_back("spec.subject");
    }
  }
  if (want.sans.dns_names != have.sans.dns_names) {
    out.emplace_back("spec.dnsNames");
  }
  if (want.sans.ip_addresses != have.sans.ip_addresses) {
    out.emplace_back("spec.ipAddresses");
  }
  if (want.sans.uris != have.sans.uris) {
    out.emplace_back("spec.uris");
  }
  if (want.sans.email_addresses != have.sans.email_addresses) {
    out.emplace_back("spec.emailAddresses");
  }
  auto request_usages = request.spec.usages;
  std::sort(request_usages.begin(), request_usages.end());
  auto spec_usages = api::effective_usages(spec);
  std::sort(spec_usages.begin(), spec_usages.end());
  if (want.key_usages != have.key_usages || want.extended_key_usages != have.extended_key_usages ||
      request_usages != spec_usages) {
    out.emplace_back("spec.usages");
  }
  if (want.is_ca != have.is_ca ||
      request.spec.is_ca.value_or(false) != spec.is_ca.value_or(false)) {
    out.emplace_back("spec.isCA");
  }
  if (request.spec.duration != spec.duration) {
    out.emplace_back("spec.duration");
  }
  const auto& a = request.spec.issuer_ref;
  const auto& b = spec.issuer_ref;
  if (a.name != b.name || api::effective_issuer_kind(a) != api::effective_issuer_kind(b) ||
      api::effective_issuer_group(a) != api::effective_issuer_group(b)) {
    out.emplace_back("spec.issuerRef");
  }
  return out;
}

RequestOutcome request_outcome(const api::CertificateRequest& request) {
  const auto& conditions = request.status.conditions;
  for (auto type : {api::kConditionDenied, api::kConditionInvalidRequest}) {
    const auto* c = api::find_condition(conditions, type);
    if (c != nullptr && c->status == api::ConditionStatus::kTrue) {
      return {RequestOutcome::Kind::kFailed, c->reason.empty() ? std::string(type) : c->reason,
              c->message};
    }
  }
  const auto* ready = api::find_condition(conditions, api::kConditionReady);
  if (ready == nullptr) {
    return {};
  }
  if (ready->reason == api::kReasonFailed || ready->reason == api::kReasonDenied) {
    return {RequestOutcome::Kind::kFailed, ready->reason, ready->message};
  }
  if (ready->status == api::ConditionStatus::kTrue && ready->reason == api::kReasonIssued &&
      !request.status.certificate.empty()) {
    return {RequestOutcome::Kind::kIssued, ready->reason, ready->message};
  }
  return {};
}

std::string field_list(const std::vector<std::string>& fields) {
  return fmt::format("[{}]", fmt::join(fields, " "));
}

}  // namespace certkeeper::certificates
