#include "lib/api/validation.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <set>

#include <arpa/inet.h>
#include <fmt/format.h>

#include "lib/api/conditions.h"
#include "lib/api/defaults.h"
#include "lib/api/duration.h"
#include "lib/api/well_known.h"

namespace certkeeper::api {
namespace {

using std::chrono::nanoseconds;

// --- rendering, as apimachinery's field.Error does -------------------------------------------

std::string_view type_text(FieldErrorType type) {
  switch (type) {
    case FieldErrorType::kRequired:
      return "Required value";
    case FieldErrorType::kInvalid:
      return "Invalid value";
    case FieldErrorType::kForbidden:
      return "Forbidden";
    case FieldErrorType::kNotSupported:
      return "Unsupported value";
    case FieldErrorType::kDuplicate:
      return "Duplicate value";
    case FieldErrorType::kTooLong:
      return "Too long";
  }
  return "Invalid value";
}

// Go's %q for the ASCII a field holds; other bytes are escaped as \xNN.
std::string quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (u < 0x20 || u == 0x7f) {
          out += fmt::format("\\x{:02x}", u);
        } else {
          out += c;
        }
    }
  }
  out += '"';
  return out;
}

// Collects errors for one object; paths are built by the callers.
class Errors {
 public:
  void required(std::string field, std::string detail) {
    add(FieldErrorType::kRequired, std::move(field), std::nullopt, std::move(detail));
  }
  void forbidden(std::string field, std::string detail) {
    add(FieldErrorType::kForbidden, std::move(field), std::nullopt, std::move(detail));
  }
  void invalid(std::string field, std::string_view value, std::string detail) {
    add(FieldErrorType::kInvalid, std::move(field), quote(value), std::move(detail));
  }
  void invalid(std::string field, std::int64_t value, std::string detail) {
    add(FieldErrorType::kInvalid, std::move(field), std::to_string(value), std::move(detail));
  }
  void invalid_duration(std::string field, nanoseconds value, std::string detail) {
    add(FieldErrorType::kInvalid, std::move(field), format_go_duration(value), std::move(detail));
  }
  // An Invalid value whose value Kubernetes prints with %#v or omits (structs, "<snip>").
  void invalid_raw(std::string field, std::string value, std::string detail) {
    add(FieldErrorType::kInvalid, std::move(field), std::move(value), std::move(detail));
  }
  void not_supported(std::string field, std::string value, const std::vector<std::string>& ok) {
    std::vector<std::string> quoted;
    quoted.reserve(ok.size());
    for (const auto& v : ok) {
      quoted.push_back(quote(v));
    }
    add(FieldErrorType::kNotSupported, std::move(field), std::move(value),
        fmt::format("supported values: {}", fmt::join(quoted, ", ")));
  }
  void duplicate(std::string field, std::string_view value) {
    add(FieldErrorType::kDuplicate, std::move(field), quote(value), "");
  }
  void too_long(std::string field, std::size_t max) {
    add(FieldErrorType::kTooLong, std::move(field), std::nullopt,
        fmt::format("may not be more than {} bytes", max));
  }
  void warn(std::string warning) { result_.warnings.push_back(std::move(warning)); }

  ValidationResult take() { return std::move(result_); }

 private:
  void add(FieldErrorType type, std::string field, std::optional<std::string> value,
           std::string detail) {
    result_.errors.push_back(
        FieldError{type, std::move(field), std::move(value), std::move(detail)});
  }
  ValidationResult result_;
};

std::string at(std::string_view path, std::size_t i) { return fmt::format("{}[{}]", path, i); }
std::string sub(std::string_view path, std::string_view child) {
  return fmt::format("{}.{}", path, child);
}

bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

bool is_dns1123_label(std::string_view label) {
  if (label.empty() || label.size() > 63 || !is_lower_alnum(label.front()) ||
      !is_lower_alnum(label.back())) {
    return false;
  }
  return std::all_of(label.begin(), label.end(),
                     [](char c) { return is_lower_alnum(c) || c == '-'; });
}

constexpr std::string_view kDns1123SubdomainMessage =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
    "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

// apimachinery's IsDNS1123Subdomain messages, for the value.
std::vector<std::string> dns1123_subdomain_errors(std::string_view name) {
  std::vector<std::string> out;
  if (name.size() > 253) {
    out.emplace_back("must be no more than 253 characters");
  }
  if (!is_dns1123_subdomain(name) || name.size() > 253) {
    if (name.size() <= 253 || !is_dns1123_subdomain(name.substr(0, 253))) {
      out.emplace_back(kDns1123SubdomainMessage);
    }
  }
  return out;
}

// --- shared pieces -----------------------------------------------------------------------------

void check_issuer_ref(Errors& e, const IssuerReference& ref, std::string_view path) {
  std::string ref_path = sub(path, "issuerRef");
  if (ref.name.empty()) {
    e.required(sub(ref_path, "name"), "must be specified");
  }
  // An API group is a DNS subdomain; the webhook also uses it in a discovery path.
  if (!ref.group.empty() && !is_dns1123_subdomain(ref.group)) {
    e.invalid(sub(ref_path, "group"), ref.group,
              "must be an API group: a lowercase RFC 1123 subdomain (e.g. example.com)");
  }
  if (ref.group.empty() || ref.group == kGroup) {
    if (!ref.kind.empty() && ref.kind != kKindIssuer && ref.kind != kKindClusterIssuer) {
      std::string detail = "must be one of Issuer or ClusterIssuer";
      if (ref.group.empty()) {
        // A kind of an external issuer without its group is an easy mistake; say how to fix it.
        detail += fmt::format(" (did you forget to set {}?)", sub(ref_path, "group"));
      }
      e.invalid(sub(ref_path, "kind"), ref.kind, detail);
    }
  }
}

void check_usages(Errors& e, const std::vector<std::string>& usages, std::string_view path) {
  for (std::size_t i = 0; i < usages.size(); ++i) {
    if (!is_known_key_usage(usages[i])) {
      e.invalid(at(sub(path, "usages"), i), usages[i], "unknown keyusage");
    }
  }
}

void check_secret_key_selector(Errors& e, const SecretKeySelector& s, std::string_view path) {
  if (s.name.empty()) {
    e.required(sub(path, "name"), "secret name is required");
  }
  if (s.key.empty()) {
    e.required(sub(path, "key"), "secret key is required");
  }
}

// --- Certificate -------------------------------------------------------------------------------

constexpr std::array<std::string_view, 23> kKeyUsages = {
    "signing",
    "digital signature",
    "content commitment",
    "key encipherment",
    "key agreement",
    "data encipherment",
    "cert sign",
    "crl sign",
    "encipher only",
    "decipher only",
    "any",
    "server auth",
    "client auth",
    "code signing",
    "email protection",
    "s/mime",
    "ipsec end system",
    "ipsec tunnel",
    "ipsec user",
    "timestamping",
    "ocsp signing",
    "microsoft sgc",
    "netscape sgc",
};

// Attribute types pki.UnmarshalSubjectStringToRDNSequence knows by name; dotted OIDs are also
// accepted. Compared case-insensitively.
constexpr std::array<std::string_view, 12> kRdnKeys = {
    "CN", "C", "O", "OU", "L", "ST", "STREET", "POSTALCODE", "SERIALNUMBER", "DC", "UID", "E"};

std::string upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c; });
  return out;
}

bool is_dotted_oid(std::string_view s) {
  if (s.empty() || s.front() == '.' || s.back() == '.' || s.find("..") != std::string_view::npos ||
      s.find('.') == std::string_view::npos) {
    return false;
  }
  return std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
}

struct Rdn {
  std::string type;
  std::string value;
};

// Splits an RFC 4514 DN into attribute type/value pairs (multi-valued RDNs joined by '+' are
// flattened); backslash escapes are honoured. On a syntax error, the reason.
std::optional<std::string> parse_literal_subject(std::string_view dn, std::vector<Rdn>& out) {
  std::string type;
  std::string value;
  bool in_value = false;
  auto finish = [&]() -> std::optional<std::string> {
    auto trim = [](std::string& s) {
      s.erase(0, s.find_first_not_of(' '));
      s.erase(s.find_last_not_of(' ') + 1);
    };
    trim(type);
    if (!in_value || type.empty()) {
      return "DN ended with incomplete type, value pair";
    }
    out.push_back(Rdn{type, value});
    type.clear();
    value.clear();
    in_value = false;
    return std::nullopt;
  };
  for (std::size_t i = 0; i < dn.size(); ++i) {
    char c = dn[i];
    if (c == '\\') {
      if (i + 1 >= dn.size()) {
        return "got corrupted escaped character";
      }
      (in_value ? value : type) += dn[++i];
    } else if (!in_value && c == '=') {
      in_value = true;
    } else if (c == ',' || c == '+' || c == ';') {
      if (auto err = finish()) {
        return err;
      }
    } else {
      (in_value ? value : type) += c;
    }
  }
  if (dn.empty()) {
    return std::nullopt;
  }
  return finish();
}

void check_literal_subject(Errors& e, const CertificateSpec& spec, std::string& common_name) {
  const std::string& literal = *spec.literal_subject;
  if (spec.common_name.has_value() && !spec.common_name->empty()) {
    e.invalid("spec.commonName", *spec.common_name,
              "When providing a `LiteralSubject` no `commonName` may be provided.");
  }
  if (spec.subject.has_value()) {
    const X509Subject& s = *spec.subject;
    if (!s.organizations.empty() || !s.countries.empty() || !s.organizational_units.empty() ||
        !s.localities.empty() || !s.provinces.empty() || !s.street_addresses.empty() ||
        !s.postal_codes.empty() || !s.serial_number.value_or("").empty()) {
      e.invalid_raw("spec.subject", "{...}",
                    "When providing a `LiteralSubject` no `Subject` properties may be provided.");
    }
  }
  std::vector<Rdn> rdns;
  if (auto err = parse_literal_subject(literal, rdns)) {
    e.invalid("spec.literalSubject", literal, *err);
    return;
  }
  for (const Rdn& rdn : rdns) {
    std::string key = upper(rdn.type);
    if (key == "CN" || key == "2.5.4.3") {
      common_name = rdn.value;
    }
    if (std::find(kRdnKeys.begin(), kRdnKeys.end(), key) == kRdnKeys.end() && !is_dotted_oid(key)) {
      e.invalid(
          "spec.literalSubject", literal,
          fmt::format("Literal subject contains unrecognized key with value [{}]", rdn.value));
    }
  }
}

void check_private_key(Errors& e, const CertificateSpec& spec) {
  if (spec.private_key.has_value()) {
    const CertificatePrivateKey& key = *spec.private_key;
    std::string algorithm = key.algorithm.value_or("");
    std::int64_t size = key.size.value_or(0);
    if (algorithm.empty() || algorithm == kKeyAlgorithmRsa) {
      if (size > 0 && (size < 2048 || size > 8192)) {
        e.invalid("spec.privateKey.size", size,
                  "must be between 2048 and 8192 for rsa keyAlgorithm");
      }
    } else if (algorithm == kKeyAlgorithmEcdsa) {
      if (size > 0 && size != 256 && size != 384 && size != 521) {
        e.not_supported("spec.privateKey.size", std::to_string(size), {"256", "384", "521"});
      }
    } else if (algorithm != kKeyAlgorithmEd25519) {
      e.invalid("spec.privateKey.algorithm", algorithm,
                "must be either empty or one of rsa, ecdsa or ed25519");
    }
    if (key.encoding.has_value() && !key.encoding->empty() && *key.encoding != kKeyEncodingPkcs1 &&
        *key.encoding != kKeyEncodingPkcs8) {
      e.not_supported("spec.privateKey.encoding", quote(*key.encoding), {"PKCS1", "PKCS8"});
    }
    if (key.rotation_policy.has_value() && !key.rotation_policy->empty() &&
        *key.rotation_policy != kRotationPolicyNever &&
        *key.rotation_policy != kRotationPolicyAlways) {
      e.not_supported("spec.privateKey.rotationPolicy", quote(*key.rotation_policy),
                      {"Never", "Always"});
    }
  }
  if (spec.signature_algorithm.has_value() && !spec.signature_algorithm->empty()) {
    std::string algorithm = effective_private_key_algorithm(spec);
    std::vector<std::string> allowed;
    if (algorithm == kKeyAlgorithmRsa) {
      allowed = {"SHA256WithRSA", "SHA384WithRSA", "SHA512WithRSA"};
    } else if (algorithm == kKeyAlgorithmEcdsa) {
      allowed = {"ECDSAWithSHA256", "ECDSAWithSHA384", "ECDSAWithSHA512"};
    } else if (algorithm == kKeyAlgorithmEd25519) {
      allowed = {"PureEd25519"};
    }
    if (!allowed.empty() &&
        std::find(allowed.begin(), allowed.end(), *spec.signature_algorithm) == allowed.end()) {
      e.invalid("spec.signatureAlgorithm", *spec.signature_algorithm,
                fmt::format("for key algorithm {} the allowed signature algorithms are [{}]",
                            algorithm, fmt::join(allowed, " ")));
    }
  }
}

void check_durations(Errors& e, const CertificateSpec& spec) {
  if (!spec.duration.has_value() && !spec.renew_before.has_value() &&
      !spec.renew_before_percentage.has_value()) {
    return;
  }
  nanoseconds duration = effective_duration(spec);
  if (duration < kMinimumCertificateDuration) {
    e.invalid_duration("spec.duration", duration,
                       fmt::format("certificate duration must be greater than {}",
                                   format_go_duration(kMinimumCertificateDuration)));
  }
  constexpr std::string_view kExclusive =
      "renewBefore and renewBeforePercentage are mutually exclusive and cannot both be set";
  if (spec.renew_before.has_value() && spec.renew_before_percentage.has_value()) {
    e.invalid_duration("spec.renewBefore", spec.renew_before->value, std::string(kExclusive));
    e.invalid("spec.renewBeforePercentage", *spec.renew_before_percentage, std::string(kExclusive));
  }
  if (spec.renew_before.has_value()) {
    nanoseconds rb = spec.renew_before->value;
    if (rb < kMinimumRenewBefore) {
      e.invalid_duration("spec.renewBefore", rb,
                         fmt::format("certificate renewBefore must be greater than {}",
                                     format_go_duration(kMinimumRenewBefore)));
    }
    if (rb >= duration) {
      e.invalid_duration("spec.renewBefore", rb,
                         fmt::format("certificate duration {} must be greater than renewBefore {}",
                                     format_go_duration(duration), format_go_duration(rb)));
    }
  }
  if (spec.renew_before_percentage.has_value()) {
    std::int32_t pct = *spec.renew_before_percentage;
    // The webhook checks duration·(100−pct)/100, the time *before* renewal, not the
    // renewBefore that renew_before_for() computes; kept as upstream so the same manifests pass.
    std::int64_t n = duration.count();
    nanoseconds check(n / 100 * (100 - pct) + n % 100 * (100 - pct) / 100);
    if (check < kMinimumRenewBefore) {
      e.invalid("spec.renewBeforePercentage", pct,
                fmt::format("certificate renewBeforePercentage must result in a renewBefore "
                            "greater than {}",
                            format_go_duration(kMinimumRenewBefore)));
    }
    if (check >= duration) {
      e.invalid("spec.renewBeforePercentage", pct,
                "certificate renewBeforePercentage must result in a renewBefore less than "
                "duration");
    }
  }
}

bool is_iana_timezone_name(std::string_view tz) {
  // lib/api does no I/O, so the zone database is not consulted: this accepts the shapes of IANA
  // names ("UTC", "Europe/Berlin", "America/Argentina/Buenos_Aires", "Etc/GMT+5") and rejects
  // anything else; a well-formed but unknown name is caught by the controller at use.
  if (tz.empty() || tz.size() > 64 || tz.front() == '/' || tz.back() == '/' ||
      tz.find("//") != std::string_view::npos || tz.find("..") != std::string_view::npos) {
    return false;
  }
  return std::all_of(tz.begin(), tz.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '/' ||
           c == '_' || c == '-' || c == '+';
  });
}

void check_renewal(Errors& e, const CertificateRenewal& renewal) {
  if (renewal.policy == kRenewalPolicyDisabled) {
    if (!renewal.windows.empty()) {
      e.forbidden("spec.renewal.windows",
                  "windows cannot be set when `renewal.policy` is set to Disabled");
    }
    return;
  }
  if (renewal.policy != kRenewalPolicyRenewBefore) {
    e.not_supported("spec.renewal.policy", quote("unsupported field " + renewal.policy),
                    {"Disabled", "RenewBefore"});
  }
  for (std::size_t i = 0; i < renewal.windows.size(); ++i) {
    const CertificateRenewalWindow& w = renewal.windows[i];
    std::string path = at("spec.renewal.windows", i);
    if (!w.window_duration.has_value() || w.window_duration->value <= nanoseconds(0)) {
      e.required(sub(path, "windowDuration"),
                 "windowDuration must be specified and should be greater than 0");
    }
    if (w.timezone.has_value() && !w.timezone->empty() && !is_iana_timezone_name(*w.timezone)) {
      e.invalid(sub(path, "timezone"), *w.timezone,
                "invalid value for timezone. timezone must be IANA compliant");
    }
    if (auto err = cron_error(w.cron)) {
      e.invalid(sub(path, "cron"), w.cron,
                fmt::format("invalid cron syntax: {}. cron needs to follow: cron.Minute | "
                            "cron.Hour | cron.Dom | cron.Month | cron.Dow",
                            *err));
    }
  }
}

template <typename Keystore>
void check_keystore_password(Errors& e, const Keystore& k, std::string_view path,
                             std::string_view name) {
  bool has_ref = k.password_secret_ref.has_value() && !k.password_secret_ref->name.empty();
  if (k.password.has_value() && has_ref) {
    e.forbidden(std::string(path),
                fmt::format("exactly one of passwordSecretRef and password must be provided for "
                            "{} keystores; cannot set both",
                            name));
  }
  if (!k.password.has_value() && !has_ref) {
    e.forbidden(std::string(path),
                fmt::format("must set exactly one of passwordSecretRef and password must for {} "
                            "keystores",
                            name));
  }
  if (k.password.has_value() && k.password->empty()) {
    e.forbidden(sub(path, "password"),
                fmt::format("literal password cannot be empty if set on {} keystores", name));
  }
}

void check_keystores(Errors& e, const CertificateKeystores& k) {
  if (k.jks.has_value()) {
    check_keystore_password(e, *k.jks, "spec.keystores.jks", "JKS");
  }
  if (k.pkcs12.has_value()) {
    check_keystore_password(e, *k.pkcs12, "spec.keystores.pkcs12", "PKCS#12");
    const auto& profile = k.pkcs12->profile;
    if (profile.has_value() && !profile->empty() && *profile != kPkcs12LegacyRc2 &&
        *profile != kPkcs12LegacyDes && *profile != kPkcs12Modern2023 &&
        *profile != kPkcs12Modern2026) {
      e.not_supported("spec.keystores.pkcs12.profile", quote(*profile),
                      {"LegacyRC2", "LegacyDES", "Modern2023", "Modern2026"});
    }
  }
}

void check_name_constraints(Errors& e, const CertificateSpec& spec) {
  const NameConstraints& nc = *spec.name_constraints;
  if (!spec.is_ca.value_or(false)) {
    e.invalid_raw("spec.nameConstraints", "{...}",
                  "isCa should be true when nameConstraints is set");
  }
  if (!nc.permitted.has_value() && !nc.excluded.has_value()) {
    e.invalid_raw("spec.nameConstraints", "{...}", "either permitted or excluded must be set");
  }
  for (auto [item, name] : {std::pair{&nc.permitted, "permitted"}, {&nc.excluded, "excluded"}}) {
    if (!item->has_value()) {
      continue;
    }
    const auto& ranges = (*item)->ip_ranges;
    for (std::size_t i = 0; i < ranges.size(); ++i) {
      if (!is_cidr(ranges[i])) {
        e.invalid(at(sub(sub("spec.nameConstraints", name), "ipRanges"), i), ranges[i],
                  "must be a valid CIDR, e.g. 10.0.0.0/8 or fd00::/8");
      }
    }
  }
}

void check_certificate_spec(Errors& e, const CertificateSpec& spec) {
  if (spec.secret_name.empty()) {
    e.required("spec.secretName", "must be specified");
  } else {
    for (const std::string& msg : dns1123_subdomain_errors(spec.secret_name)) {
      e.invalid("spec.secretName", spec.secret_name, msg);
    }
  }
  check_issuer_ref(e, spec.issuer_ref, "spec");

  std::string common_name = spec.common_name.value_or("");
  if (spec.literal_subject.has_value() && !spec.literal_subject->empty()) {
    check_literal_subject(e, spec, common_name);
  }
  if (common_name.empty() && spec.dns_names.empty() && spec.uris.empty() &&
      spec.email_addresses.empty() && spec.ip_addresses.empty() && spec.other_names.empty()) {
    e.invalid("spec", "",
              "at least one of commonName (from the commonName field or from a literalSubject), "
              "dnsNames, emailSANs, ipAddresses, otherNames, or uriSANs must be set");
  }
  if (common_name.size() > 64) {
    e.too_long("spec.commonName", 64);
  }
  for (std::size_t i = 0; i < spec.ip_addresses.size(); ++i) {
    if (!is_ip_address(spec.ip_addresses[i])) {
      e.invalid(at("spec.ipAddresses", i), spec.ip_addresses[i], "invalid IP address");
    }
  }
  for (std::size_t i = 0; i < spec.email_addresses.size(); ++i) {
    if (!is_bare_email_address(spec.email_addresses[i])) {
      e.invalid(at("spec.emailAddresses", i), spec.email_addresses[i],
                "invalid email address: make sure the supplied value only contains the email "
                "address itself");
    }
  }
  for (std::size_t i = 0; i < spec.other_names.size(); ++i) {
    const OtherName& o = spec.other_names[i];
    std::string path = at("spec.otherNames", i);
    if (o.oid.empty()) {
      e.required(sub(path, "oid"), "must be specified");
    }
    if (!is_dotted_oid(o.oid)) {
      e.invalid(sub(path, "oid"), o.oid, "invalid oid syntax");
    }
    if (o.utf8_value.empty()) {
      e.required(sub(path, "utf8Value"), "must be set to a valid non-empty UTF8 string");
    }
  }
  check_private_key(e, spec);
  check_durations(e, spec);
  check_usages(e, spec.usages, "spec");
  if (spec.revision_history_limit.has_value() && *spec.revision_history_limit < 1) {
    e.invalid("spec.revisionHistoryLimit", *spec.revision_history_limit, "must not be less than 1");
  }
  if (spec.secret_template.has_value()) {
    for (const auto& [key, value] : spec.secret_template->annotations) {
      if (key.starts_with(kAnnotationPrefix) && key != kAnnotationAllowDirectInjection) {
        e.invalid("spec.secretTemplate.annotations", key,
                  "cert-manager.io/* annotations are not allowed");
      }
    }
  }
  if (spec.name_constraints.has_value()) {
    check_name_constraints(e, spec);
  }
  std::set<std::string> formats;
  for (const auto& format : spec.additional_output_formats) {
    if (!formats.insert(format.type).second) {
      e.duplicate("spec.additionalOutputFormats[type]", format.type);
    } else if (format.type != kOutputFormatDer && format.type != kOutputFormatCombinedPem) {
      e.not_supported("spec.additionalOutputFormats[type]", quote(format.type),
                      {"DER", "CombinedPEM"});
    }
  }
  if (spec.keystores.has_value()) {
    check_keystores(e, *spec.keystores);
  }
  if (spec.renewal.has_value()) {
    check_renewal(e, *spec.renewal);
  }
}

// --- Issuer ------------------------------------------------------------------------------------

bool looks_like_pem_certificate(std::string_view bundle) {
  return bundle.find("-----BEGIN CERTIFICATE-----") != std::string_view::npos &&
         bundle.find("-----END CERTIFICATE-----") != std::string_view::npos;
}

void check_http01(Errors& e, const AcmeHttp01& http01, std::string_view path) {
  int defined = 0;
  auto service_type_ok = [](const std::optional<std::string>& t) {
    return !t.has_value() || t->empty() || *t == kServiceTypeClusterIp ||
           *t == kServiceTypeNodePort;
  };
  if (http01.ingress.has_value()) {
    ++defined;
    const AcmeHttp01Ingress& ing = *http01.ingress;
    std::string ing_path = sub(path, "ingress");
    int set = (ing.class_.has_value() ? 1 : 0) + (ing.ingress_class_name.has_value() ? 1 : 0) +
              (ing.name.value_or("").empty() ? 0 : 1);
    if (set > 1) {
      e.forbidden(ing_path,
                  "only one of 'ingressClassName', 'name' or 'class' should be specified");
    }
    if (ing.ingress_class_name.has_value()) {
      auto errs = dns1123_subdomain_errors(*ing.ingress_class_name);
      if (!errs.empty()) {
        e.invalid(sub(ing_path, "ingressClassName"), *ing.ingress_class_name,
                  "must be a valid IngressClass name: " + fmt::format("{}", fmt::join(errs, ", ")));
      }
    }
    if (!service_type_ok(ing.service_type)) {
      e.invalid(sub(ing_path, "serviceType"), *ing.service_type,
                R"(must be empty, "ClusterIP" or "NodePort")");
    }
  }
  if (http01.gateway_http_route.has_value()) {
    ++defined;
    const AcmeHttp01GatewayHttpRoute& gw = *http01.gateway_http_route;
    std::string gw_path = sub(path, "gateway");
    if (!service_type_ok(gw.service_type)) {
      e.invalid(sub(gw_path, "serviceType"), *gw.service_type,
                R"(must be empty, "ClusterIP" or "NodePort")");
    }
    for (std::size_t i = 0; i < gw.parent_refs.size(); ++i) {
      const auto& ref = gw.parent_refs[i];
      bool has_kind = ref.is_object() && ref.contains("kind") && !ref["kind"].is_null();
      bool has_name = ref.is_object() && ref.contains("name") && ref["name"].is_string() &&
                      !ref["name"].get<std::string>().empty();
      if (has_kind && !has_name) {
        e.required(sub(at(sub(gw_path, "parentRefs"), i), "name"),
                   "name is required when kind is specified");
        break;
      }
      if (has_name && !has_kind) {
        e.required(sub(at(sub(gw_path, "parentRefs"), i), "kind"),
                   "kind is required when name is specified");
        break;
      }
    }
  }
  if (defined == 0) {
    e.required(std::string(path), "no HTTP01 solver type configured");
  }
  if (defined > 1) {
    e.required(std::string(path), "only 1 HTTP01 solver type may be configured");
  }
}

bool is_valid_nameserver(std::string_view ns) {
  // host[:port] with host an IPv4 address, a bracketed IPv6 address or a hostname.
  std::string_view host = ns;
  std::string_view port;
  if (ns.starts_with('[')) {
    auto close = ns.find(']');
    if (close == std::string_view::npos) {
      return false;
    }
    host = ns.substr(1, close - 1);
    std::string_view rest = ns.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') {
        return false;
      }
      port = rest.substr(1);
    }
    if (!is_ip_address(host) || host.find(':') == std::string_view::npos) {
      return false;
    }
  } else {
    auto colon = ns.rfind(':');
    if (colon != std::string_view::npos) {
      host = ns.substr(0, colon);
      port = ns.substr(colon + 1);
      if (host.find(':') != std::string_view::npos) {
        return false;  // an unbracketed IPv6 address
      }
    }
    if (host.empty() || !std::all_of(host.begin(), host.end(), [](char c) {
          return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '-' || c == '.' || c == '_';
        })) {
      return false;
    }
  }
  if (ns.find(':') != std::string_view::npos && !ns.starts_with('[') && port.empty()) {
    return false;
  }
  if (!port.empty()) {
    unsigned value = 0;
    auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || ptr != port.data() + port.size() || value == 0 || value > 65535) {
      return false;
    }
  }
  return true;
}

void check_dns01(Errors& e, const AcmeDns01& dns01, std::string_view path) {
  if (dns01.cname_strategy.has_value() && !dns01.cname_strategy->empty() &&
      *dns01.cname_strategy != kCnameStrategyNone &&
      *dns01.cname_strategy != kCnameStrategyFollow) {
    e.invalid(sub(path, "cnameStrategy"), *dns01.cname_strategy,
              R"(must be one of "None" or "Follow")");
  }
  int providers = 0;
  auto count = [&](bool present, std::string_view name) {
    if (!present) {
      return false;
    }
    if (providers > 0) {
      e.forbidden(sub(path, name), "may not specify more than one provider type");
      return false;
    }
    ++providers;
    return true;
  };
  count(dns01.akamai.has_value(), "akamai");
  count(dns01.azure_dns.has_value(), "azureDNS");
  count(dns01.cloud_dns.has_value(), "cloudDNS");
  count(dns01.cloudflare.has_value(), "cloudflare");
  count(dns01.route53.has_value(), "route53");
  count(dns01.acme_dns.has_value(), "acmeDNS");
  count(dns01.digitalocean.has_value(), "digitalocean");
  if (count(dns01.rfc2136.has_value(), "rfc2136")) {
    const AcmeDns01Rfc2136& r = *dns01.rfc2136;
    std::string r_path = sub(path, "rfc2136");
    if (r.nameserver.empty()) {
      e.required(sub(r_path, "nameserver"), "");
    } else if (!is_valid_nameserver(r.nameserver)) {
      e.invalid(sub(r_path, "nameserver"), r.nameserver,
                "nameserver must be set in the form host:port where host is an IPv4 address, an "
                "enclosed IPv6 address or a hostname and port is an optional port number.");
    }
    if (r.tsig_algorithm.has_value() && !r.tsig_algorithm->empty()) {
      std::vector<std::string> supported = {"HMACMD5", "HMACSHA1", "HMACSHA256", "HMACSHA512"};
      if (std::find(supported.begin(), supported.end(), upper(*r.tsig_algorithm)) ==
          supported.end()) {
        e.not_supported(sub(r_path, "tsigAlgorithm"), quote(""), supported);
      }
    }
    SecretKeySelector secret = r.tsig_secret_secret_ref.value_or(SecretKeySelector{});
    bool secret_complete = !secret.name.empty() && !secret.key.empty();
    if (!r.tsig_key_name.value_or("").empty()) {
      check_secret_key_selector(e, secret, sub(r_path, "tsigSecretSecretRef"));
    } else if (secret_complete) {
      e.required(sub(r_path, "tsigKeyName"), "");
    }
  }
  if (count(dns01.webhook.has_value(), "webhook")) {
    if (dns01.webhook->solver_name.empty()) {
      e.required(sub(sub(path, "webhook"), "solverName"), "solver name must be specified");
    }
  }
  if (providers == 0) {
    e.required(std::string(path), "no DNS01 provider configured");
  }
}

void check_acme(Errors& e, const AcmeIssuer& acme, std::string_view path) {
  if (!acme.ca_bundle.empty() && acme.skip_tls_verify.value_or(false)) {
    constexpr std::string_view kBoth =
        "caBundle and skipTLSVerify are mutually exclusive and cannot both be set";
    e.invalid(sub(path, "caBundle"), "", std::string(kBoth));
    e.invalid_raw(sub(path, "skipTLSVerify"), "true", std::string(kBoth));
  }
  if (!acme.ca_bundle.empty() && !looks_like_pem_certificate(acme.ca_bundle)) {
    e.invalid(sub(path, "caBundle"), "", "cert bundle didn't contain any valid certificates");
  }
  if (acme.private_key_secret_ref.name.empty()) {
    e.required(sub(sub(path, "privateKeySecretRef"), "name"),
               "private key secret name is a required field");
  }
  if (acme.server.empty()) {
    e.required(sub(path, "server"), "acme server URL is a required field");
  }
  if (acme.preferred_chain.has_value() && acme.preferred_chain->size() > 64) {
    e.too_long(sub(path, "preferredChain"), 64);
  }
  if (acme.external_account_binding.has_value()) {
    const auto& eab = *acme.external_account_binding;
    std::string eab_path = sub(path, "externalAccountBinding");
    if (eab.key_id.empty()) {
      e.required(sub(eab_path, "keyID"),
                 "the keyID field is required when using externalAccountBinding");
    }
    check_secret_key_selector(e, eab.key_secret_ref, sub(eab_path, "keySecretRef"));
    if (eab.key_algorithm.has_value() && !eab.key_algorithm->empty()) {
      e.warn(
          "ACME EAB keyAlgorithm field is deprecated and will be removed in a future release; "
          "HS256 is always used");
    }
  }
  for (std::size_t i = 0; i < acme.solvers.size(); ++i) {
    const AcmeChallengeSolver& s = acme.solvers[i];
    std::string s_path = at(sub(path, "solvers"), i);
    int types = 0;
    if (s.http01.has_value()) {
      ++types;
      check_http01(e, *s.http01, sub(s_path, "http01"));
    }
    if (s.dns01.has_value()) {
      if (types > 0) {
        e.forbidden(s_path, "may not specify more than one solver type in a single solver");
      } else {
        ++types;
        check_dns01(e, *s.dns01, sub(s_path, "dns01"));
      }
    }
    if (types == 0) {
      e.required(s_path, "no solver type configured");
    }
    if (s.wait_instead_of_self_check.has_value() &&
        s.wait_instead_of_self_check->value < nanoseconds(0)) {
      e.invalid_duration(sub(s_path, "waitInsteadOfSelfCheck"), s.wait_instead_of_self_check->value,
                         "waitInsteadOfSelfCheck must not be negative");
    }
  }
}

void check_ca(Errors& e, const CaIssuer& ca, std::string_view path) {
  if (ca.secret_name.empty()) {
    e.required(sub(path, "secretName"), "");
  }
  for (std::size_t i = 0; i < ca.ocsp_servers.size(); ++i) {
    if (ca.ocsp_servers[i].empty()) {
      e.invalid(at(sub(path, "ocspServer"), i), "",
                "must be a valid URL, e.g., http://ocsp.int-x3.letsencrypt.org");
    }
  }
  for (std::size_t i = 0; i < ca.issuing_certificate_urls.size(); ++i) {
    if (ca.issuing_certificate_urls[i].empty()) {
      e.invalid(at(sub(path, "issuingCertificateURLs"), i), "", "must be a valid URL");
    }
  }
}

std::string json_string(const nlohmann::json& j, const char* key) {
  if (!j.is_object()) {
    return {};
  }
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// Vault and Venafi are kept as raw JSON; their required members are checked on it.
void check_vault(Errors& e, const nlohmann::json& vault, std::string_view path) {
  if (json_string(vault, "server").empty()) {
    e.required(sub(path, "server"), "");
  }
  std::string vault_path = json_string(vault, "path");
  if (vault_path.empty()) {
    e.required(sub(path, "path"), "");
  } else if (("/" + vault_path + "/").find("/../") != std::string::npos) {
    e.invalid(sub(path, "path"), vault_path, "must not contain '..' path segments");
  }
  bool has_bundle = !json_string(vault, "caBundle").empty();
  bool has_bundle_ref = vault.is_object() && vault.contains("caBundleSecretRef");
  if (has_bundle && has_bundle_ref) {
    e.invalid_raw(sub(path, "caBundle"), quote("<snip>"),
                  "specified caBundle and caBundleSecretRef cannot be used together");
  }
}

void check_venafi(Errors& e, const nlohmann::json& venafi, std::string_view path) {
  if (json_string(venafi, "zone").empty()) {
    e.required(sub(path, "zone"), "");
  }
  int count = 0;
  for (const char* key : {"tpp", "cloud", "ngts"}) {
    count += venafi.is_object() && venafi.contains(key) ? 1 : 0;
  }
  if (count == 0) {
    e.required(std::string(path), "please supply one of: tpp, cloud, ngts");
  }
  if (count > 1) {
    e.forbidden(std::string(path), "please supply one of: tpp, cloud, ngts");
  }
}

void check_issuer_spec(Errors& e, const IssuerSpec& spec) {
  int configs = 0;
  auto one = [&](bool present, std::string_view name) {
    if (!present) {
      return false;
    }
    if (configs > 0) {
      e.forbidden(sub("spec", name), "may not specify more than one issuer type");
      return false;
    }
    ++configs;
    return true;
  };
  if (one(spec.acme.has_value(), "acme")) {
    check_acme(e, *spec.acme, "spec.acme");
  }
  if (one(spec.ca.has_value(), "ca")) {
    check_ca(e, *spec.ca, "spec.ca");
  }
  one(spec.self_signed.has_value(), "selfSigned");
  if (one(spec.vault.has_value(), "vault")) {
    check_vault(e, *spec.vault, "spec.vault");
  }
  if (one(spec.venafi.has_value(), "venafi")) {
    check_venafi(e, *spec.venafi, "spec.venafi");
  }
  if (configs == 0) {
    e.required("spec", "at least one issuer must be configured");
  }
}

// --- CertificateRequest ------------------------------------------------------------------------

void check_approval_conditions(Errors& e, const std::vector<Condition>& conditions) {
  int approved = 0;
  int denied = 0;
  for (const Condition& c : conditions) {
    if (c.type == kConditionApproved || c.type == kConditionDenied) {
      (c.type == kConditionApproved ? approved : denied) += 1;
      if (c.status != ConditionStatus::kTrue) {
        e.invalid("status.conditions", std::string(to_string(c.status)),
                  fmt::format("\"{}\" condition may only be set to True", c.type));
      }
    }
  }
  if (approved > 1) {
    e.forbidden("status.conditions", "multiple \"Approved\" conditions present");
  }
  if (denied > 1) {
    e.forbidden("status.conditions", "multiple \"Denied\" conditions present");
  }
  if (approved > 0 && denied > 0) {
    e.forbidden("status.conditions", "both \"Approved\" and \"Denied\" conditions present");
  }
}

}  // namespace

std::string FieldError::to_string() const {
  std::string body(type_text(type));
  if (value.has_value() && type != FieldErrorType::kRequired &&
      type != FieldErrorType::kForbidden && type != FieldErrorType::kTooLong) {
    body += ": " + *value;
  }
  if (!detail.empty()) {
    body += ": " + detail;
  }
  return fmt::format("{}: {}", field, body);
}

std::string ValidationResult::to_string() const {
  std::vector<std::string> parts;
  parts.reserve(errors.size());
  for (const auto& err : errors) {
    parts.push_back(err.to_string());
  }
  return fmt::format("{}", fmt::join(parts, ", "));
}

bool is_known_key_usage(std::string_view usage) {
  return std::find(kKeyUsages.begin(), kKeyUsages.end(), usage) != kKeyUsages.end();
}

bool is_dns1123_subdomain(std::string_view name) {
  if (name.empty() || name.size() > 253) {
    return false;
  }
  std::size_t start = 0;
  while (true) {
    auto dot = name.find('.', start);
    if (!is_dns1123_label(name.substr(start, dot - start))) {
      return false;
    }
    if (dot == std::string_view::npos) {
      return true;
    }
    start = dot + 1;
  }
}

bool is_ip_address(std::string_view text) {
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) {
    return false;
  }
  std::string s(text);
  std::array<unsigned char, 16> buf{};
  return inet_pton(AF_INET, s.c_str(), buf.data()) == 1 ||
         inet_pton(AF_INET6, s.c_str(), buf.data()) == 1;
}

bool is_cidr(std::string_view text) {
  auto slash = text.find('/');
  if (slash == std::string_view::npos) {
    return false;
  }
  std::string_view addr = text.substr(0, slash);
  std::string_view bits = text.substr(slash + 1);
  if (!is_ip_address(addr) || bits.empty() || bits.size() > 3) {
    return false;
  }
  unsigned value = 0;
  auto [ptr, ec] = std::from_chars(bits.data(), bits.data() + bits.size(), value);
  if (ec != std::errc() || ptr != bits.data() + bits.size() ||
      (bits.size() > 1 && bits[0] == '0')) {
    return false;
  }
  unsigned max = addr.find(':') == std::string_view::npos ? 32 : 128;
  return value <= max;
}

bool is_bare_email_address(std::string_view text) {
  auto at_sign = text.rfind('@');
  if (at_sign == std::string_view::npos || at_sign == 0 || at_sign + 1 >= text.size()) {
    return false;
  }
  std::string_view local = text.substr(0, at_sign);
  std::string_view domain = text.substr(at_sign + 1);
  // RFC 5322 dot-atom: atext characters, dots only between atoms.
  auto atext = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos;
  };
  auto dot_atom = [&](std::string_view s) {
    if (s.empty() || s.front() == '.' || s.back() == '.' ||
        s.find("..") != std::string_view::npos) {
      return false;
    }
    return std::all_of(s.begin(), s.end(), [&](char c) { return c == '.' || atext(c); });
  };
  return dot_atom(local) && dot_atom(domain);
}

namespace {

// One cron field: "*", "*/n", "a", "a-b", "a-b/n", lists of these; names when `names` given.
std::optional<std::string> cron_field_error(std::string_view field, int lo, int hi,
                                            const std::vector<std::string_view>& names,
                                            std::string_view what) {
  auto number = [&](std::string_view s, int& out) -> bool {
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (upper(s) == names[i]) {
        out = lo + static_cast<int>(i);
        return true;
      }
    }
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && ptr == s.data() + s.size();
  };
  if (field.empty()) {
    return fmt::format("empty {} field", what);
  }
  std::size_t start = 0;
  while (start <= field.size()) {
    auto comma = field.find(',', start);
    std::string_view part = field.substr(
        start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    std::string_view range = part;
    auto slash = part.find('/');
    if (slash != std::string_view::npos) {
      range = part.substr(0, slash);
      int step = 0;
      std::string_view step_text = part.substr(slash + 1);
      auto [ptr, ec] = std::from_chars(step_text.data(), step_text.data() + step_text.size(), step);
      if (ec != std::errc() || ptr != step_text.data() + step_text.size() || step <= 0) {
        return fmt::format("bad step in {} field: \"{}\"", what, part);
      }
    }
    if (range != "*" && range != "?") {
      auto dash = range.find('-');
      int a = 0;
      int b = 0;
      bool ok = dash == std::string_view::npos
                    ? number(range, a) && (b = a, true)
                    : number(range.substr(0, dash), a) && number(range.substr(dash + 1), b);
      if (!ok) {
        return fmt::format("bad value in {} field: \"{}\"", what, part);
      }
      if (a < lo || b > hi || a > b) {
        return fmt::format("{} field value \"{}\" out of range [{}, {}]", what, part, lo, hi);
      }
    }
    if (comma == std::string_view::npos) {
      break;
    }
    start = comma + 1;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> cron_error(std::string_view expression) {
  static const std::vector<std::string_view> kDescriptors = {
      "@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"};
  if (expression.starts_with('@')) {
    if (std::find(kDescriptors.begin(), kDescriptors.end(), expression) != kDescriptors.end()) {
      return std::nullopt;
    }
    return fmt::format("unrecognized descriptor: {}", expression);
  }
  std::vector<std::string_view> fields;
  std::size_t i = 0;
  while (i < expression.size()) {
    while (i < expression.size() && (expression[i] == ' ' || expression[i] == '\t')) {
      ++i;
    }
    std::size_t start = i;
    while (i < expression.size() && expression[i] != ' ' && expression[i] != '\t') {
      ++i;
    }
    if (i > start) {
      fields.push_back(expression.substr(start, i - start));
    }
  }
  if (fields.size() != 5) {
    return fmt::format("expected exactly 5 fields, found {}: [{}]", fields.size(),
                       fmt::join(fields, " "));
  }
  static const std::vector<std::string_view> kMonths = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                                        "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
  static const std::vector<std::string_view> kDays = {"SUN", "MON", "TUE", "WED",
                                                      "THU", "FRI", "SAT"};
  if (auto err = cron_field_error(fields[0], 0, 59, {}, "minute")) {
    return err;
  }
  if (auto err = cron_field_error(fields[1], 0, 23, {}, "hour")) {
    return err;
  }
  if (auto err = cron_field_error(fields[2], 1, 31, {}, "day-of-month")) {
    return err;
  }
  if (auto err = cron_field_error(fields[3], 1, 12, kMonths, "month")) {
    return err;
  }
  return cron_field_error(fields[4], 0, 6, kDays, "day-of-week");
}

ValidationResult validate_certificate_spec(const CertificateSpec& spec) {
  Errors e;
  check_certificate_spec(e, spec);
  return e.take();
}

ValidationResult validate_certificate(const Certificate& certificate) {
  return validate_certificate_spec(certificate.spec);
}

ValidationResult validate_certificate_request(const CertificateRequest& request) {
  Errors e;
  check_issuer_ref(e, request.spec.issuer_ref, "spec");
  if (request.spec.request.empty()) {
    e.required("spec.request", "must be specified");
  } else if (request.spec.request.find("-----BEGIN CERTIFICATE REQUEST-----") ==
                 std::string::npos &&
             request.spec.request.find("-----BEGIN NEW CERTIFICATE REQUEST-----") ==
                 std::string::npos) {
    e.invalid_raw("spec.request", "[]byte{...}",
                  "failed to decode csr: error decoding certificate request PEM block");
  }
  check_usages(e, request.spec.usages, "spec");
  check_approval_conditions(e, request.status.conditions);
  return e.take();
}

ValidationResult validate_certificate_request_update(const CertificateRequest& old_request,
                                                     const CertificateRequest& request) {
  ValidationResult result = validate_certificate_request(request);
  Errors e;
  if (!(old_request.spec == request.spec)) {
    e.forbidden("spec", "cannot change spec after creation");
  }
  std::set<std::string> keys;
  for (const auto* annotations :
       {&old_request.metadata.annotations, &request.metadata.annotations}) {
    for (const auto& [key, value] : *annotations) {
      if (key.starts_with(kAnnotationPrefix)) {
        keys.insert(key);
      }
    }
  }
  for (const std::string& key : keys) {
    auto old_it = old_request.metadata.annotations.find(key);
    auto new_it = request.metadata.annotations.find(key);
    bool old_has = old_it != old_request.metadata.annotations.end();
    bool new_has = new_it != request.metadata.annotations.end();
    if (old_has != new_has || (old_has && old_it->second != new_it->second)) {
      e.forbidden(fmt::format("metadata.annotations[{}]", key),
                  "cannot change cert-manager annotation after creation");
    }
  }
  for (std::string_view type : {kConditionApproved, kConditionDenied}) {
    const Condition* before = find_condition(old_request.status.conditions, type);
    const Condition* after = find_condition(request.status.conditions, type);
    if (before != nullptr &&
        (after == nullptr || before->status != after->status || before->reason != after->reason ||
         before->message != after->message)) {
      e.forbidden("status.conditions",
                  fmt::format("'{}' condition may not be modified once set", type));
    }
  }
  ValidationResult more = e.take();
  result.errors.insert(result.errors.end(), more.errors.begin(), more.errors.end());
  return result;
}

ValidationResult validate_issuer_spec(const IssuerSpec& spec) {
  Errors e;
  check_issuer_spec(e, spec);
  return e.take();
}

ValidationResult validate_issuer(const Issuer& issuer) { return validate_issuer_spec(issuer.spec); }

ValidationResult validate_cluster_issuer(const ClusterIssuer& issuer) {
  return validate_issuer_spec(issuer.spec);
}

ValidationResult validate_order(const Order& /*order*/) { return {}; }

ValidationResult validate_order_update(const Order& old_order, const Order& order) {
  Errors e;
  constexpr std::string_view kImmutable = "field is immutable once set";
  auto changed = [&](const std::string& before, const std::string& after, std::string path) {
    if (!before.empty() && before != after) {
      e.forbidden(std::move(path), std::string(kImmutable));
    }
  };
  changed(old_order.spec.request, order.spec.request, "spec.request");
  changed(old_order.status.url.value_or(""), order.status.url.value_or(""), "status.url");
  changed(old_order.status.finalize_url.value_or(""), order.status.finalize_url.value_or(""),
          "status.finalizeURL");
  changed(old_order.status.certificate, order.status.certificate, "status.certificate");
  const auto& before = old_order.status.authorizations;
  const auto& after = order.status.authorizations;
  if (!before.empty()) {
    if (before.size() != after.size()) {
      e.forbidden("status.authorizations", std::string(kImmutable));
    }
    for (std::size_t i = 0; i < std::min(before.size(), after.size()); ++i) {
      std::string path = at("status.authorizations", i);
      const AcmeAuthorization& a = before[i];
      const AcmeAuthorization& b = after[i];
      changed(a.url, b.url, sub(path, "url"));
      changed(a.identifier.value_or(""), b.identifier.value_or(""), sub(path, "identifier"));
      if (a.wildcard.has_value() && a.wildcard != b.wildcard) {
        e.forbidden(sub(path, "wildcard"), std::string(kImmutable));
      }
      changed(a.initial_state.value_or(""), b.initial_state.value_or(""),
              sub(path, "initialState"));
      if (!a.challenges.empty()) {
        std::string ch_path = sub(path, "challenges");
        if (a.challenges.size() != b.challenges.size()) {
          e.forbidden(ch_path, std::string(kImmutable));
        }
        for (std::size_t j = 0; j < std::min(a.challenges.size(), b.challenges.size()); ++j) {
          changed(a.challenges[j].url, b.challenges[j].url, sub(at(ch_path, j), "url"));
          changed(a.challenges[j].type, b.challenges[j].type, sub(at(ch_path, j), "type"));
          changed(a.challenges[j].token, b.challenges[j].token, sub(at(ch_path, j), "token"));
        }
      }
    }
  }
  return e.take();
}

ValidationResult validate_challenge(const Challenge& /*challenge*/) { return {}; }

ValidationResult validate_challenge_update(const Challenge& old_challenge,
                                           const Challenge& challenge) {
  Errors e;
  if (!(old_challenge.spec == challenge.spec)) {
    e.forbidden("spec", "challenge spec is immutable after creation");
  }
  return e.take();
}

}  // namespace certkeeper::api
