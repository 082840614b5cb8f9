#include "controller/certificaterequests/signing.h"

#include <chrono>

#include <fmt/format.h>

#include "controller/issuers/ca_keypair.h"
#include "lib/api/conditions.h"
#include "lib/api/defaults.h"
#include "lib/api/well_known.h"
#include "lib/pki/usages.h"

namespace certkeeper::certificaterequests {

namespace {

using Kind = SignOutcome::Kind;

SignOutcome outcome(Kind kind, std::string_view reason, std::string message) {
  return {kind, std::string(reason), std::move(message), {}, {}};
}

SignOutcome issued(std::string certificate, std::string ca) {
  return {Kind::kIssued, std::string(api::kReasonCertificateIssued),
          std::string(api::kMessageCertificateFetched), std::move(certificate), std::move(ca)};
}

// cert-manager's reporter: "<message>: <error>".
std::string with_error(std::string_view message, std::string_view error) {
  return fmt::format("{}: {}", message, error);
}

constexpr std::string_view kTemplateError = "Error generating certificate template";

// The request's CSR and the template for it; a bad CSR or usages is a Failed outcome with
// `reason` (each signer has its own).
tl::expected<std::pair<crypto::ParsedCsr, crypto::CertificateTemplate>, SignOutcome> parse_request(
    const api::CertificateRequest& cr, api::Time now, std::string_view reason) {
  auto csr = crypto::parse_csr(cr.spec.request);
  if (!csr) {
    return tl::unexpected(
        outcome(Kind::kFailed, reason, with_error(kTemplateError, csr.error().message())));
  }
  auto templ = template_for_request(cr.spec, *csr, now);
  if (!templ) {
    return tl::unexpected(
        outcome(Kind::kFailed, reason, with_error(kTemplateError, templ.error().message())));
  }
  return std::make_pair(std::move(*csr), std::move(*templ));
}

bool is_self_signed(const crypto::Certificate& certificate) {
  return certificate.subject() == certificate.issuer();
}

}  // namespace

common::Result<crypto::CertificateTemplate> template_for_request(
    const api::CertificateRequestSpec& spec, const crypto::ParsedCsr& csr, api::Time now) {
  const bool is_ca = spec.is_ca.value_or(false);
  auto usages = pki::parse_usages(api::effective_usages(spec.usages, is_ca));
  if (!usages) {
    return tl::unexpected(usages.error());
  }
  crypto::CertificateTemplate t = crypto::template_from_csr(csr);
  t.is_ca = is_ca;
  t.key_usages = std::move(usages->key_usages);
  t.extended_key_usages = std::move(usages->extended_key_usages);
  t.not_before = std::chrono::floor<std::chrono::seconds>(now);
  t.not_after = t.not_before +
                std::chrono::duration_cast<std::chrono::seconds>(api::effective_duration(spec));
  return t;
}

std::string private_key_secret_name(const api::CertificateRequest& cr) {
  const auto it = cr.metadata.annotations.find(std::string(api::kAnnotationPrivateKeySecretName));
  return it == cr.metadata.annotations.end() ? "" : it->second;
}

SignOutcome sign_self_signed(const api::CertificateRequest& cr, const api::SelfSignedIssuer& issuer,
                             const std::optional<std::map<std::string, std::string>>& key_secret,
                             api::Time now) {
  const std::string secret_name = private_key_secret_name(cr);
  if (secret_name.empty()) {
    return outcome(Kind::kFailed, api::kReasonMissingAnnotation,
                   with_error(fmt::format("Annotation \"{}\" missing or reference empty",
                                          api::kAnnotationPrivateKeySecretName),
                              "secret name missing"));
  }
  if (!key_secret) {
    return outcome(Kind::kPending, api::kReasonMissingSecret,
                   with_error(fmt::format("Referenced secret {}/{} not found",
                                          cr.metadata.namespace_, secret_name),
                              fmt::format("secret \"{}\" not found", secret_name)));
  }
  const auto key_failure = [&](std::string_view error) {
    return outcome(Kind::kPending, api::kReasonErrorParsingKey,
                   with_error(fmt::format(R"(Failed to get key "{}" referenced in annotation "{}")",
                                          secret_name, api::kAnnotationPrivateKeySecretName),
                              error));
  };
  const auto key_data = key_secret->find(std::string(api::kSecretTlsKey));
  if (key_data == key_secret->end() || key_data->second.empty()) {
    return key_failure(fmt::format("no data for \"{}\" in secret '{}/{}'", api::kSecretTlsKey,
                                   cr.metadata.namespace_, secret_name));
  }
  auto key = crypto::PrivateKey::from_pem(key_data->second);
  if (!key) {
    return key_failure(key.error().message());
  }

  auto request = parse_request(cr, now, api::kReasonErrorGenerating);
  if (!request) {
    return request.error();
  }
  auto& [csr, templ] = *request;
  if (!key->matches(csr.public_key)) {
    return outcome(Kind::kFailed, api::kReasonErrorKeyMatch,
                   with_error(kTemplateError, "CSR not signed by referenced private key"));
  }
  templ.crl_distribution_points = issuer.crl_distribution_points;
  auto certificate = crypto::sign_certificate(templ, key->public_key(), std::nullopt, *key);
  if (!certificate) {
    return outcome(Kind::kFailed, api::kReasonErrorSigning,
                   with_error("Error signing certificate", certificate.error().message()));
  }
  // Self-signed: the certificate is its own CA.
  return issued(certificate->pem(), certificate->pem());
}

SignOutcome sign_with_ca(const api::CertificateRequest& cr, const api::CaIssuer& issuer,
                         std::string_view resource_namespace,
                         const std::optional<std::map<std::string, std::string>>& ca_secret,
                         api::Time now) {
  if (!ca_secret) {
    return outcome(Kind::kPending, api::kReasonSecretMissing,
                   with_error(fmt::format("Referenced secret {}/{} not found", resource_namespace,
                                          issuer.secret_name),
                              fmt::format("secret \"{}\" not found", issuer.secret_name)));
  }
  auto pair = issuers::parse_ca_keypair(*ca_secret, resource_namespace, issuer.secret_name);
  if (!pair) {
    return outcome(Kind::kPending, api::kReasonSecretInvalidData,
                   with_error(fmt::format("Failed to parse signing CA keypair from secret {}/{}",
                                          resource_namespace, issuer.secret_name),
                              pair.error().message()));
  }

  auto request = parse_request(cr, now, api::kReasonSigningError);
  if (!request) {
    return request.error();
  }
  auto& [csr, templ] = *request;
  templ.crl_distribution_points = issuer.crl_distribution_points;
  templ.ocsp_servers = issuer.ocsp_servers;
  templ.issuing_certificate_urls = issuer.issuing_certificate_urls;
  auto leaf = crypto::sign_certificate(templ, csr.public_key, pair->chain.front(), pair->key);
  if (!leaf) {
    return outcome(Kind::kFailed, api::kReasonSigningError,
                   with_error("Error signing certificate", leaf.error().message()));
  }

  std::string chain = leaf->pem();
  const auto& top = pair->chain.back();
  for (const auto& ca : pair->chain) {
    if (&ca == &top && is_self_signed(ca)) {
      break;  // a root is the trust anchor, not part of the chain a server sends
    }
    chain += ca.pem();
  }
  return issued(std::move(chain), top.pem());
}

}  // namespace certkeeper::certificaterequests
