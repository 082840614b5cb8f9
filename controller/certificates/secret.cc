#include "controller/certificates/secret.h"

#include <fmt/format.h>

#include "lib/api/codec.h"
#include "lib/api/conditions.h"
#include "lib/api/defaults.h"
#include "lib/api/well_known.h"
#include "lib/crypto/encoding.h"
#include "lib/crypto/keystore.h"

namespace certkeeper::certificates {
namespace {

using json = nlohmann::json;

void put_if_not_empty(std::map<std::string, std::string>& out, std::string_view key,
                      const std::vector<std::string>& values) {
  if (!values.empty()) {
    out[std::string(key)] = csv_join(values);
  }
}

common::Result<crypto::Pkcs12Profile> pkcs12_profile(const api::Pkcs12Keystore& pkcs12) {
  const auto profile = api::effective_pkcs12_profile(pkcs12);
  if (profile == api::kPkcs12LegacyRc2) {
    return crypto::Pkcs12Profile::kLegacyRc2;
  }
  if (profile == api::kPkcs12LegacyDes) {
    return crypto::Pkcs12Profile::kLegacyDes;
  }
  // Modern2026 differs from Modern2023 only in the MAC (PBMAC1), which lib/crypto does not
  // write yet; Modern2023 is the closest strong profile.
  if (profile == api::kPkcs12Modern2023 || profile == api::kPkcs12Modern2026) {
    return crypto::Pkcs12Profile::kModern2023;
  }
  return common::make_error(common::ErrorCode::kInvalidArgument,
                            fmt::format("spec.keystores.pkcs12.profile: unknown \"{}\"", profile));
}

bool wants_output(const api::CertificateSpec& spec, std::string_view type) {
  for (const auto& format : spec.additional_output_formats) {
    if (format.type == type) {
      return true;
    }
  }
  return false;
}

bool contains_all(const std::map<std::string, std::string>& have,
                  const std::map<std::string, std::string>& want) {
  for (const auto& [k, v] : want) {
    auto it = have.find(k);
    if (it == have.end() || it->second != v) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::optional<std::string> SecretView::get(std::string_view key) const {
  auto it = data.find(std::string(key));
  if (it == data.end()) {
    return std::nullopt;
  }
  return it->second;
}

common::Result<SecretView> decode_secret(const json& object) {
  SecretView out;
  auto meta = api::decode_object_meta(object.value("metadata", json::object()));
  if (!meta) {
    return tl::unexpected(meta.error().wrap("Secret metadata"));
  }
  out.metadata = std::move(*meta);
  if (auto t = object.find("type"); t != object.end() && t->is_string()) {
    out.type = t->get<std::string>();
  }
  if (auto d = object.find("data"); d != object.end() && d->is_object()) {
    for (const auto& [k, v] : d->items()) {
      if (!v.is_string()) {
        continue;
      }
      auto bytes = common::base64_decode(v.get<std::string>());
      if (!bytes) {
        return common::make_error(common::ErrorCode::kInvalidArgument,
                                  fmt::format("Secret data[{}]: not base64", k));
      }
      out.data[k] = std::move(*bytes);
    }
  }
  return out;
}

std::string csv_join(const std::vector<std::string>& fields) {
  std::string out;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) {
      out += ',';
    }
    const auto& f = fields[i];
    const bool quote = f.find_first_of(",\"\r\n") != std::string::npos ||
                       (!f.empty() && (f.front() == ' ' || f.front() == '\t'));
    if (!quote) {
      out += f;
      continue;
    }
    out += '"';
    for (char c : f) {
      if (c == '"') {
        out += '"';
      }
      out += c;
    }
    out += '"';
  }
  return out;
}

std::map<std::string, std::string> managed_labels(const api::Certificate& certificate) {
  std::map<std::string, std::string> out;
  if (certificate.spec.secret_template.has_value()) {
    out = certificate.spec.secret_template->labels;
  }
  out[std::string(api::kLabelFao)] = "true";
  return out;
}

std::map<std::string, std::string> managed_annotations(const api::Certificate& certificate,
                                                       const crypto::Certificate& leaf) {
  std::map<std::string, std::string> out;
  const auto& spec = certificate.spec;
  if (spec.secret_template.has_value()) {
    out = spec.secret_template->annotations;
  }
  out[std::string(api::kAnnotationCertificateName)] = certificate.metadata.name;
  out[std::string(api::kAnnotationIssuerName)] = spec.issuer_ref.name;
  out[std::string(api::kAnnotationIssuerKind)] = api::effective_issuer_kind(spec.issuer_ref);
  out[std::string(api::kAnnotationIssuerGroup)] = spec.issuer_ref.group;
  out[std::string(api::kAnnotationCommonName)] = leaf.common_name();
  const auto& sans = leaf.sans();
  out[std::string(api::kAnnotationAltNames)] = csv_join(sans.dns_names);
  out[std::string(api::kAnnotationIpSans)] = csv_join(sans.ip_addresses);
  out[std::string(api::kAnnotationUriSans)] = csv_join(sans.uris);
  put_if_not_empty(out, api::kAnnotationEmailSans, sans.email_addresses);
  const auto& s = leaf.subject_fields();
  put_if_not_empty(out, api::kAnnotationSubjectOrganizations, s.organizations);
  put_if_not_empty(out, api::kAnnotationSubjectOrganizationalUnits, s.organizational_units);
  put_if_not_empty(out, api::kAnnotationSubjectCountries, s.countries);
  put_if_not_empty(out, api::kAnnotationSubjectProvinces, s.provinces);
  put_if_not_empty(out, api::kAnnotationSubjectLocalities, s.localities);
  put_if_not_empty(out, api::kAnnotationSubjectStreetAddresses, s.street_addresses);
  put_if_not_empty(out, api::kAnnotationSubjectPostalCodes, s.postal_codes);
  if (!s.serial_number.empty()) {
    out[std::string(api::kAnnotationSubjectSerialNumber)] = s.serial_number;
  }
  return out;
}

common::Result<SecretContents> build_secret(const SecretInputs& inputs,
                                            const crypto::PrivateKey& key) {
  const auto& certificate = *inputs.certificate;
  const auto& spec = certificate.spec;
  auto chain = crypto::parse_pem_chain(inputs.certificate_pem);
  if (!chain) {
    return tl::unexpected(chain.error().wrap("tls.crt"));
  }
  const auto& leaf = chain->front();
  const std::vector<crypto::Certificate> intermediates(chain->begin() + 1, chain->end());
  std::optional<crypto::Certificate> ca;
  if (!inputs.ca_pem.empty()) {
    auto parsed = crypto::Certificate::from_pem(inputs.ca_pem);
    if (!parsed) {
      return tl::unexpected(parsed.error().wrap("ca.crt"));
    }
    ca = *parsed;
  }
  const auto encoding = api::effective_private_key_encoding(spec) == api::kKeyEncodingPkcs8
                            ? crypto::KeyEncoding::kPkcs8
                            : crypto::KeyEncoding::kPkcs1;
  auto key_pem = key.to_pem(encoding);
  if (!key_pem) {
    return tl::unexpected(key_pem.error());
  }

  SecretContents out;
  out.type = inputs.existing_type.empty() ? std::string(api::kSecretTypeTls) : inputs.existing_type;
  out.data[std::string(api::kSecretTlsCrt)] = inputs.certificate_pem;
  out.data[std::string(api::kSecretTlsKey)] = *key_pem;
  if (!inputs.ca_pem.empty()) {
    out.data[std::string(api::kSecretCaCrt)] = inputs.ca_pem;
  }
  if (wants_output(spec, api::kOutputFormatDer)) {
    auto der = key.to_der(encoding);
    if (!der) {
      return tl::unexpected(der.error());
    }
    out.data[std::string(api::kSecretKeyDer)] = *der;
  }
  if (wants_output(spec, api::kOutputFormatCombinedPem)) {
    out.data[std::string(api::kSecretTlsCombinedPem)] = *key_pem + "\n" + inputs.certificate_pem;
  }
  if (spec.keystores.has_value()) {
    const auto& ks = *spec.keystores;
    if (ks.jks.has_value() && ks.jks->create.value_or(false)) {
      if (!inputs.jks_password.has_value()) {
        return common::make_error(common::ErrorCode::kFailedPrecondition,
                                  "spec.keystores.jks: no password");
      }
      // The creation date is the certificate's notBefore, so rebuilding the same inputs gives
      // the same bytes and a repeated apply changes nothing.
      auto file = crypto::jks(key, leaf, intermediates, *inputs.jks_password,
                              api::effective_jks_alias(*ks.jks), ca, leaf.not_before());
      if (!file) {
        return tl::unexpected(file.error().wrap("keystore.jks"));
      }
      out.data[std::string(api::kSecretKeystoreJks)] = *file;
    }
    if (ks.pkcs12.has_value() && ks.pkcs12->create.value_or(false)) {
      if (!inputs.pkcs12_password.has_value()) {
        return common::make_error(common::ErrorCode::kFailedPrecondition,
                                  "spec.keystores.pkcs12: no password");
      }
      auto profile = pkcs12_profile(*ks.pkcs12);
      if (!profile) {
        return tl::unexpected(profile.error());
      }
      auto file = crypto::pkcs12(key, leaf, intermediates, *inputs.pkcs12_password, *profile);
      if (!file) {
        return tl::unexpected(file.error().wrap("keystore.p12"));
      }
      out.data[std::string(api::kSecretKeystoreP12)] = *file;
    }
  }
  out.labels = managed_labels(certificate);
  out.annotations = managed_annotations(certificate, leaf);
  return out;
}

json secret_apply_body(const std::string& ns, const std::string& name,
                       const SecretContents& contents) {
  json data = json::object();
  for (const auto& [k, v] : contents.data) {
    data[k] = common::base64_encode(v);
  }
  json metadata = {{"name", name}, {"namespace", ns}};
  if (!contents.labels.empty()) {
    metadata["labels"] = contents.labels;
  }
  if (!contents.annotations.empty()) {
    metadata["annotations"] = contents.annotations;
  }
  return json{{"apiVersion", "v1"},
              {"kind", "Secret"},
              {"metadata", metadata},
              {"type", contents.type},
              {"data", data}};
}

std::optional<std::string> secret_drift(const api::Certificate& certificate,
                                        const SecretView& existing, const SecretContents& desired) {
  if (certificate.spec.secret_template.has_value()) {
    const auto& t = *certificate.spec.secret_template;
    if (!contains_all(existing.metadata.labels, t.labels) ||
        !contains_all(existing.metadata.annotations, t.annotations)) {
      return std::string(api::kReasonSecretTemplateMismatch);
    }
  }
  if (!contains_all(existing.metadata.labels, desired.labels) ||
      !contains_all(existing.metadata.annotations, desired.annotations)) {
    return std::string(api::kReasonSecretManagedMetadataMismatch);
  }
  for (auto key : {api::kSecretKeyDer, api::kSecretTlsCombinedPem}) {
    auto it = desired.data.find(std::string(key));
    const auto want =
        it == desired.data.end() ? std::nullopt : std::optional<std::string>(it->second);
    if (existing.get(key) != want) {
      return std::string(api::kReasonAdditionalOutputFormatsMismatch);
    }
  }
  for (auto key : {api::kSecretKeystoreJks, api::kSecretKeystoreP12}) {
    if (existing.get(key).has_value() != desired.data.contains(std::string(key))) {
      return std::string("KeystoresMismatch");
    }
  }
  return std::nullopt;
}

}  // namespace certkeeper::certificates
