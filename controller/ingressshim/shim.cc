#include "controller/ingressshim/shim.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <set>

#include <fmt/format.h>

#include "lib/api/codec.h"
#include "lib/api/defaults.h"
#include "lib/api/duration.h"
#include "lib/api/validation.h"
#include "lib/api/well_known.h"

namespace certkeeper::ingressshim {
namespace {

using nlohmann::json;
using Annotations = std::map<std::string, std::string>;

// cert-manager's minimums (cert-manager-api.md §1.2), checked here so that the error names the
// annotation rather than the Certificate field.
constexpr std::chrono::hours kMinimumDuration{1};
constexpr std::chrono::minutes kMinimumRenewBefore{5};
// X.509 upper bound for a commonName (RFC 5280 ub-common-name).
constexpr std::size_t kMaxCommonNameLength = 64;

tl::unexpected<common::Error> bad_config(std::string message) {
  return tl::unexpected(common::Error(common::ErrorCode::kInvalidArgument, std::move(message))
                            .with_reason(std::string(kReasonBadConfig)));
}

tl::unexpected<common::Error> bad_annotation(std::string_view key, std::string_view value,
                                             std::string_view detail) {
  return bad_config(fmt::format("annotation \"{}\": invalid value \"{}\": {}", key, value, detail));
}

// String members of an object; anything else (the API server never sends it) is ignored.
std::map<std::string, std::string> string_map(const json& object, std::string_view member) {
  std::map<std::string, std::string> out;
  const auto found = object.find(member);
  if (found == object.end() || !found->is_object()) {
    return out;
  }
  for (const auto& [key, value] : found->items()) {
    if (value.is_string()) {
      out.emplace(key, value.get<std::string>());
    }
  }
  return out;
}

std::string string_member(const json& object, std::string_view member) {
  const auto found = object.find(member);
  return found != object.end() && found->is_string() ? found->get<std::string>() : std::string();
}

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) {
    return {};
  }
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

// A comma list: entries trimmed, empty entries dropped ("a, b,," → a, b).
std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> out;
  while (true) {
    const auto comma = text.find(',');
    const auto entry = trim(text.substr(0, comma));
    if (!entry.empty()) {
      out.emplace_back(entry);
    }
    if (comma == std::string_view::npos) {
      return out;
    }
    text.remove_prefix(comma + 1);
  }
}

// Go's strconv.ParseBool; nullopt when it is not a boolean.
std::optional<bool> parse_go_bool(std::string_view text) {
  for (std::string_view t : {"1", "t", "T", "true", "TRUE", "True"}) {
    if (text == t) {
      return true;
    }
  }
  for (std::string_view f : {"0", "f", "F", "false", "FALSE", "False"}) {
    if (text == f) {
      return false;
    }
  }
  return std::nullopt;
}

template <typename Int>
std::optional<Int> parse_int(std::string_view text) {
  Int value{};
  const auto* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end) {
    return std::nullopt;
  }
  return value;
}

const std::string* find(const Annotations& annotations, std::string_view key) {
  const auto found = annotations.find(std::string(key));
  return found == annotations.end() ? nullptr : &found->second;
}

// cert-manager's issuerForIngressLike: the default issuer, overridden by issuer (kind Issuer)
// or cluster-issuer (kind ClusterIssuer), then by issuer-kind and issuer-group. A ClusterIssuer
// has a fixed kind and group, so combining it with those is an error.
common::Result<api::IssuerReference> issuer_ref(const Annotations& annotations,
                                                const ShimOptions& options) {
  api::IssuerReference ref{options.default_issuer_name, options.default_issuer_kind,
                           options.default_issuer_group};
  const auto* issuer = find(annotations, api::kAnnotationIngressIssuer);
  const auto* cluster_issuer = find(annotations, api::kAnnotationIngressClusterIssuer);
  const auto* kind = find(annotations, api::kAnnotationIssuerKind);
  const auto* group = find(annotations, api::kAnnotationIssuerGroup);
  const auto both = [](std::string_view a, std::string_view b) {
    return bad_config(fmt::format("annotations \"{}\" and \"{}\" may not both be set", a, b));
  };
  if (issuer && cluster_issuer) {
    return both(api::kAnnotationIngressIssuer, api::kAnnotationIngressClusterIssuer);
  }
  if (cluster_issuer && kind) {
    return both(api::kAnnotationIngressClusterIssuer, api::kAnnotationIssuerKind);
  }
  if (cluster_issuer && group) {
    return both(api::kAnnotationIngressClusterIssuer, api::kAnnotationIssuerGroup);
  }
  if (issuer) {
    ref.name = *issuer;
    ref.kind = api::kKindIssuer;
  }
  if (cluster_issuer) {
    ref.name = *cluster_issuer;
    ref.kind = api::kKindClusterIssuer;
  }
  if (kind) {
    ref.kind = *kind;
  }
  if (group) {
    ref.group = *group;
  }
  if (ref.name.empty()) {
    return bad_config(fmt::format(
        "no issuer name: set annotation \"{}\" or \"{}\" (or --default-issuer-name for \"{}\")",
        api::kAnnotationIngressIssuer, api::kAnnotationIngressClusterIssuer,
        api::kAnnotationIngressTlsAcme));
  }
  return ref;
}

common::Result<api::GoDuration> duration_annotation(const Annotations& annotations,
                                                    std::string_view key,
                                                    std::chrono::nanoseconds minimum) {
  const std::string& value = *find(annotations, key);
  auto parsed = api::parse_go_duration(value);
  if (!parsed) {
    return bad_annotation(key, value, parsed.error().message());
  }
  if (*parsed < minimum) {
    return bad_annotation(key, value,
                          fmt::format("must be at least {}", api::format_go_duration(minimum)));
  }
  return api::GoDuration{*parsed, value};
}

common::Status subject_annotations(const Annotations& annotations, api::CertificateSpec& spec) {
  const std::pair<std::string_view, std::vector<std::string> api::X509Subject::*> lists[] = {
      {api::kAnnotationSubjectOrganizations, &api::X509Subject::organizations},
      {api::kAnnotationSubjectOrganizationalUnits, &api::X509Subject::organizational_units},
      {api::kAnnotationSubjectCountries, &api::X509Subject::countries},
      {api::kAnnotationSubjectProvinces, &api::X509Subject::provinces},
      {api::kAnnotationSubjectLocalities, &api::X509Subject::localities},
      {api::kAnnotationSubjectPostalCodes, &api::X509Subject::postal_codes},
      {api::kAnnotationSubjectStreetAddresses, &api::X509Subject::street_addresses},
  };
  api::X509Subject subject;
  bool any = false;
  for (const auto& [key, member] : lists) {
    if (const auto* value = find(annotations, key)) {
      auto fields = split_csv(*value);
      if (!fields) {
        return bad_annotation(key, *value, fields.error().message());
      }
      subject.*member = std::move(*fields);
      any = true;
    }
  }
  if (const auto* serial = find(annotations, api::kAnnotationSubjectSerialNumber)) {
    subject.serial_number = *serial;
    any = true;
  }
  if (any) {
    spec.subject = std::move(subject);
  }
  return common::ok();
}

common::Status san_annotations(const Annotations& annotations, api::CertificateSpec& spec) {
  if (const auto* value = find(annotations, api::kAnnotationCommonName)) {
    if (value->size() > kMaxCommonNameLength) {
      return bad_annotation(api::kAnnotationCommonName, *value,
                            fmt::format("longer than {} characters", kMaxCommonNameLength));
    }
    spec.common_name = *value;
  }
  if (const auto* value = find(annotations, api::kAnnotationAltNames)) {
    spec.dns_names = split_list(*value);
  }
  if (const auto* value = find(annotations, api::kAnnotationIpSans)) {
    for (auto& ip : split_list(*value)) {
      if (!api::is_ip_address(ip)) {
        return bad_annotation(api::kAnnotationIpSans, *value,
                              fmt::format("\"{}\" is not an IP address", ip));
      }
      spec.ip_addresses.push_back(std::move(ip));
    }
  }
  if (const auto* value = find(annotations, api::kAnnotationEmailSans)) {
    for (auto& email : split_list(*value)) {
      if (!api::is_bare_email_address(email)) {
        return bad_annotation(api::kAnnotationEmailSans, *value,
                              fmt::format("\"{}\" is not a bare email address", email));
      }
      spec.email_addresses.push_back(std::move(email));
    }
  }
  return common::ok();
}

common::Status lifetime_annotations(const Annotations& annotations, api::CertificateSpec& spec) {
  if (find(annotations, api::kAnnotationIngressDuration)) {
    auto d = duration_annotation(annotations, api::kAnnotationIngressDuration, kMinimumDuration);
    if (!d) {
      return tl::unexpected(d.error());
    }
    spec.duration = *d;
  }
  if (find(annotations, api::kAnnotationIngressRenewBefore)) {
    auto d =
        duration_annotation(annotations, api::kAnnotationIngressRenewBefore, kMinimumRenewBefore);
    if (!d) {
      return tl::unexpected(d.error());
    }
    spec.renew_before = *d;
  }
  if (const auto* value = find(annotations, api::kAnnotationIngressRenewBeforePercentage)) {
    const auto pct = parse_int<std::int32_t>(*value);
    if (!pct || *pct <= 0 || *pct >= 100) {
      return bad_annotation(api::kAnnotationIngressRenewBeforePercentage, *value,
                            "must be an integer between 1 and 99");
    }
    spec.renew_before_percentage = *pct;
  }
  if (const auto* value = find(annotations, api::kAnnotationIngressRevisionHistoryLimit)) {
    const auto limit = parse_int<std::int32_t>(*value);
    if (!limit || *limit < 1) {
      return bad_annotation(api::kAnnotationIngressRevisionHistoryLimit, *value,
                            "must be an integer of at least 1");
    }
    spec.revision_history_limit = *limit;
  }
  // cert-manager writes the default usages into the Certificates it makes (§4).
  spec.usages = api::effective_usages({}, /*is_ca=*/false);
  if (const auto* value = find(annotations, api::kAnnotationIngressUsages)) {
    spec.usages.clear();
    for (auto& usage : split_list(*value)) {
      if (!api::is_known_key_usage(usage)) {
        return bad_annotation(api::kAnnotationIngressUsages, *value,
                              fmt::format("unknown usage \"{}\"", usage));
      }
      spec.usages.push_back(std::move(usage));
    }
  }
  return common::ok();
}

// One of `allowed`, or an error naming the annotation.
common::Result<std::string> enum_annotation(std::string_view key, const std::string& value,
                                            std::initializer_list<std::string_view> allowed) {
  if (std::find(allowed.begin(), allowed.end(), value) != allowed.end()) {
    return value;
  }
  std::vector<std::string> names(allowed.begin(), allowed.end());
  return bad_annotation(key, value, fmt::format("must be one of {}", fmt::join(names, ", ")));
}

common::Status private_key_annotations(const Annotations& annotations, api::CertificateSpec& spec) {
  api::CertificatePrivateKey key;
  bool any = false;
  const std::tuple<std::string_view, std::optional<std::string> api::CertificatePrivateKey::*,
                   std::initializer_list<std::string_view>>
      enums[] = {
          {api::kAnnotationIngressPrivateKeyAlgorithm,
           &api::CertificatePrivateKey::algorithm,
           {api::kKeyAlgorithmRsa, api::kKeyAlgorithmEcdsa, api::kKeyAlgorithmEd25519}},
          {api::kAnnotationIngressPrivateKeyEncoding,
           &api::CertificatePrivateKey::encoding,
           {api::kKeyEncodingPkcs1, api::kKeyEncodingPkcs8}},
          {api::kAnnotationIngressPrivateKeyRotationPolicy,
           &api::CertificatePrivateKey::rotation_policy,
           {api::kRotationPolicyNever, api::kRotationPolicyAlways}},
      };
  for (const auto& [annotation, member, allowed] : enums) {
    if (const auto* value = find(annotations, annotation)) {
      auto checked = enum_annotation(annotation, *value, allowed);
      if (!checked) {
        return tl::unexpected(checked.error());
      }
      key.*member = std::move(*checked);
      any = true;
    }
  }
  if (const auto* value = find(annotations, api::kAnnotationIngressPrivateKeySize)) {
    const auto size = parse_int<std::int64_t>(*value);
    if (!size || *size <= 0) {
      return bad_annotation(api::kAnnotationIngressPrivateKeySize, *value,
                            "must be a positive integer");
    }
    key.size = *size;
    any = true;
  }
  if (any) {
    spec.private_key = std::move(key);
  }
  return common::ok();
}

// Strict JSON {"annotations": {..}, "labels": {..}}: unknown members or non-string values are
// errors (cert-manager decodes it with DisallowUnknownFields).
common::Status secret_template_annotation(const Annotations& annotations,
                                          api::CertificateSpec& spec) {
  const auto* value = find(annotations, api::kAnnotationIngressSecretTemplate);
  if (!value) {
    return common::ok();
  }
  const auto key = api::kAnnotationIngressSecretTemplate;
  auto parsed = api::parse_json(*value);
  if (!parsed) {
    return bad_annotation(key, *value, parsed.error().message());
  }
  if (!parsed->is_object()) {
    return bad_annotation(key, *value, "expected a JSON object");
  }
  api::CertificateSecretTemplate result;
  for (const auto& [member, entries] : parsed->items()) {
    if (member != "annotations" && member != "labels") {
      return bad_annotation(key, *value, fmt::format("unknown field \"{}\"", member));
    }
    if (entries.is_null()) {
      continue;
    }
    if (!entries.is_object()) {
      return bad_annotation(key, *value, fmt::format("\"{}\" must be an object", member));
    }
    auto& target = member == "labels" ? result.labels : result.annotations;
    for (const auto& [k, v] : entries.items()) {
      if (!v.is_string()) {
        return bad_annotation(key, *value, fmt::format("{}.{} must be a string", member, k));
      }
      target[k] = v.get<std::string>();
    }
  }
  spec.secret_template = std::move(result);
  return common::ok();
}

// The Certificate annotations that steer the HTTP-01 solver (§4): edit the Ingress in place, or
// make solver Ingresses of a class. The orders controller accepts one of them only, so two are
// a BadConfig here already.
common::Result<Annotations> certificate_annotations(const Annotations& annotations,
                                                    const std::string& ingress_name,
                                                    const ShimOptions& options) {
  Annotations out;
  for (const auto& key : options.extra_certificate_annotations) {
    if (const auto* value = find(annotations, key)) {
      out[key] = *value;
    }
  }
  std::vector<std::string_view> overrides;
  if (const auto* value = find(annotations, kAnnotationEditInPlace); value && *value == "true") {
    out[std::string(api::kAnnotationHttp01OverrideIngressName)] = ingress_name;
    out[std::string(api::kAnnotationIssueTemporaryCertificate)] = "true";
    overrides.push_back(kAnnotationEditInPlace);
  }
  if (const auto* value = find(annotations, kAnnotationIngressClass)) {
    out[std::string(api::kAnnotationHttp01OverrideIngressClass)] = *value;
    overrides.push_back(kAnnotationIngressClass);
  }
  if (const auto* value = find(annotations, kAnnotationIngressClassName)) {
    out[std::string(api::kAnnotationHttp01OverrideIngressClassName)] = *value;
    overrides.push_back(kAnnotationIngressClassName);
  }
  if (overrides.size() > 1) {
    return bad_config(
        fmt::format("annotations {} may not be combined: the HTTP-01 solver takes "
                    "one of them",
                    fmt::join(overrides, ", ")));
  }
  return out;
}

// Everything the annotations put in the spec, shared by every Certificate of the Ingress.
common::Result<api::CertificateSpec> spec_from_annotations(const Annotations& annotations,
                                                           const ShimOptions& options) {
  api::CertificateSpec spec;
  auto ref = issuer_ref(annotations, options);
  if (!ref) {
    return tl::unexpected(ref.error());
  }
  spec.issuer_ref = std::move(*ref);
  for (auto* step : {&san_annotations, &subject_annotations, &lifetime_annotations,
                     &private_key_annotations, &secret_template_annotation}) {
    if (auto status = step(annotations, spec); !status) {
      return tl::unexpected(status.error());
    }
  }
  return spec;
}

api::OwnerReference owner_reference(const std::string& name, const std::string& uid) {
  return {.api_version = "networking.k8s.io/v1",
          .kind = "Ingress",
          .name = name,
          .uid = uid,
          .controller = true,
          .block_owner_deletion = true};
}

}  // namespace

bool should_sync(const json& ingress, const ShimOptions& options) {
  if (!ingress.is_object()) {
    return false;
  }
  const auto annotations = string_map(ingress.value("metadata", json::object()), "annotations");
  if (find(annotations, api::kAnnotationIngressIssuer) ||
      find(annotations, api::kAnnotationIngressClusterIssuer)) {
    return true;
  }
  return std::any_of(options.auto_certificate_annotations.begin(),
                     options.auto_certificate_annotations.end(), [&](const std::string& key) {
                       const auto* value = find(annotations, key);
                       return value && parse_go_bool(*value).value_or(false);
                     });
}

common::Result<Desired> desired_certificates(const json& ingress, const ShimOptions& options) {
  if (!ingress.is_object()) {
    return bad_config("the Ingress is not a JSON object");
  }
  const json metadata = ingress.value("metadata", json::object());
  const std::string name = string_member(metadata, "name");
  const std::string ns = string_member(metadata, "namespace");
  const std::string uid = string_member(metadata, "uid");
  const auto annotations = string_map(metadata, "annotations");
  auto labels = string_map(metadata, "labels");
  labels.erase(std::string(kLabelApplySetPartOf));

  auto base = spec_from_annotations(annotations, options);
  if (!base) {
    return tl::unexpected(base.error());
  }
  auto cert_annotations = certificate_annotations(annotations, name, options);
  if (!cert_annotations) {
    return tl::unexpected(cert_annotations.error());
  }

  const json spec = ingress.value("spec", json::object());
  const json tls = spec.is_object() ? spec.value("tls", json::array()) : json::array();
  if (!tls.is_array()) {
    return bad_config("spec.tls is not a list");
  }
  // Two entries naming one Secret would make two Certificates fight over it: refuse them all.
  std::set<std::string> seen;
  for (const auto& entry : tls) {
    const std::string secret = entry.is_object() ? string_member(entry, "secretName") : "";
    if (!secret.empty() && !seen.insert(secret).second) {
      return bad_config(fmt::format(
          "spec.tls has more than one entry with secretName \"{}\"; no Certificate is made for "
          "this Ingress",
          secret));
    }
  }

  Desired out;
  for (std::size_t i = 0; i < tls.size(); ++i) {
    const json& entry = tls[i];
    std::vector<std::string> hosts;
    if (entry.is_object() && entry.contains("hosts") && entry["hosts"].is_array()) {
      for (const auto& host : entry["hosts"]) {
        if (host.is_string() && !host.get<std::string>().empty()) {
          hosts.push_back(host.get<std::string>());
        }
      }
    }
    const std::string secret = entry.is_object() ? string_member(entry, "secretName") : "";
    if (!secret.empty()) {
      out.referenced_secrets.insert(secret);
    }
    if (hosts.empty()) {
      out.warnings.push_back(
          fmt::format("TLS entry {} has no hosts; no Certificate is made for it", i));
      continue;
    }
    if (secret.empty()) {
      out.warnings.push_back(
          fmt::format("TLS entry {} has no secretName; no Certificate is made for it", i));
      continue;
    }
    api::Certificate certificate;
    certificate.metadata.name = secret;
    certificate.metadata.namespace_ = ns;
    certificate.metadata.labels = labels;
    certificate.metadata.annotations = *cert_annotations;
    certificate.metadata.owner_references = {owner_reference(name, uid)};
    certificate.spec = *base;
    certificate.spec.secret_name = secret;
    // Hosts first, then the alt-names / ip-sans annotations, each split by whether it parses as
    // an IP address.
    std::vector<std::string> dns_names;
    std::vector<std::string> ips;
    for (auto& host : hosts) {
      (api::is_ip_address(host) ? ips : dns_names).push_back(std::move(host));
    }
    dns_names.insert(dns_names.end(), certificate.spec.dns_names.begin(),
                     certificate.spec.dns_names.end());
    ips.insert(ips.end(), certificate.spec.ip_addresses.begin(),
               certificate.spec.ip_addresses.end());
    certificate.spec.dns_names = std::move(dns_names);
    certificate.spec.ip_addresses = std::move(ips);

    const auto validation = api::validate_certificate_spec(certificate.spec);
    if (!validation.ok()) {
      return bad_config(
          fmt::format("Certificate \"{}\" would be invalid: {}", secret, validation.to_string()));
    }
    out.certificates.push_back(std::move(certificate));
  }
  return out;
}

common::Result<std::vector<std::string>> split_csv(std::string_view text) {
  std::vector<std::string> fields;
  std::string field;
  std::size_t i = 0;
  const auto error = [](std::string message) {
    return common::make_error(common::ErrorCode::kInvalidArgument, std::move(message));
  };
  if (text.empty()) {
    return error("no values");
  }
  while (true) {
    field.clear();
    if (i < text.size() && text[i] == '"') {
      ++i;
      while (true) {
        if (i >= text.size()) {
          return error("a quoted field is not closed");
        }
        if (text[i] == '"') {
          if (i + 1 < text.size() && text[i + 1] == '"') {
            field += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        field += text[i++];
      }
      if (i < text.size() && text[i] != ',' && text[i] != '\n' && text[i] != '\r') {
        return error(fmt::format("unexpected character after a closing quote at {}", i));
      }
    } else {
      while (i < text.size() && text[i] != ',' && text[i] != '\n' && text[i] != '\r') {
        if (text[i] == '"') {
          return error(fmt::format("a bare quote in an unquoted field at {}", i));
        }
        field += text[i++];
      }
    }
    fields.push_back(field);
    if (i >= text.size()) {
      return fields;
    }
    if (text[i] == ',') {
      ++i;
      continue;
    }
    // A line end: only trailing line ends may follow, a second record is refused.
    if (!trim(text.substr(i)).empty()) {
      return error("more than one record");
    }
    return fields;
  }
}

bool is_controlled_by(const api::Certificate& certificate, std::string_view owner_uid) {
  return std::any_of(certificate.metadata.owner_references.begin(),
                     certificate.metadata.owner_references.end(), [&](const auto& owner) {
                       return owner.controller.value_or(false) && owner.uid == owner_uid;
                     });
}

std::vector<std::string> managed_annotation_keys(const ShimOptions& options) {
  std::vector<std::string> keys = {std::string(api::kAnnotationHttp01OverrideIngressName),
                                   std::string(api::kAnnotationHttp01OverrideIngressClass),
                                   std::string(api::kAnnotationHttp01OverrideIngressClassName),
                                   std::string(api::kAnnotationIssueTemporaryCertificate)};
  keys.insert(keys.end(), options.extra_certificate_annotations.begin(),
              options.extra_certificate_annotations.end());
  return keys;
}

bool needs_update(const api::Certificate& existing, const api::Certificate& desired,
                  const ShimOptions& options) {
  if (existing.spec != desired.spec || existing.metadata.labels != desired.metadata.labels) {
    return true;
  }
  const auto value = [](const api::Certificate& c, const std::string& key) {
    const auto found = c.metadata.annotations.find(key);
    return found == c.metadata.annotations.end() ? std::optional<std::string>()
                                                 : std::optional(found->second);
  };
  const auto keys = managed_annotation_keys(options);
  return std::any_of(keys.begin(), keys.end(), [&](const std::string& key) {
    return value(existing, key) != value(desired, key);
  });
}

json update_body(const json& existing, const api::Certificate& desired,
                 const ShimOptions& options) {
  json body = existing;
  body["spec"] = api::encode(desired)["spec"];
  json& metadata = body["metadata"];
  if (desired.metadata.labels.empty()) {
    metadata.erase("labels");
  } else {
    metadata["labels"] = desired.metadata.labels;
  }
  json annotations = metadata.value("annotations", json::object());
  if (!annotations.is_object()) {
    annotations = json::object();
  }
  for (const auto& key : managed_annotation_keys(options)) {
    const auto found = desired.metadata.annotations.find(key);
    if (found == desired.metadata.annotations.end()) {
      annotations.erase(key);
    } else {
      annotations[key] = found->second;
    }
  }
  if (annotations.empty()) {
    metadata.erase("annotations");
  } else {
    metadata["annotations"] = std::move(annotations);
  }
  return body;
}

}  // namespace certkeeper::ingressshim
