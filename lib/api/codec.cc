#include "lib/api/codec.h"

#include <concepts>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "lib/api/conditions.h"
#include "lib/api/duration.h"
#include "lib/api/well_known.h"
#include "lib/common/encoding.h"
#include "lib/common/time_format.h"

namespace certkeeper::api {

// --- field lists -------------------------------------------------------------------------------
// One describe() per struct names its JSON members once; the same list drives decoding
// (FieldReader) and encoding (FieldWriter). f(key, member) is a plain member; f.bytes(key,
// member) is a Go []byte member, base64 on the wire. They are declared here, in the namespace of
// the types, so that the readers and writers below find them for every struct.

template <typename F>
void describe(F& f, OwnerReference& o) {
  f("apiVersion", o.api_version);
  f("kind", o.kind);
  f("name", o.name);
  f("uid", o.uid);
  f("controller", o.controller);
  f("blockOwnerDeletion", o.block_owner_deletion);
}

template <typename F>
void describe(F& f, ObjectMeta& m) {
  f("name", m.name);
  f("generateName", m.generate_name);
  f("namespace", m.namespace_);
  f("uid", m.uid);
  f("resourceVersion", m.resource_version);
  f("generation", m.generation);
  f("creationTimestamp", m.creation_timestamp);
  f("deletionTimestamp", m.deletion_timestamp);
  f("labels", m.labels);
  f("annotations", m.annotations);
  f("ownerReferences", m.owner_references);
  f("finalizers", m.finalizers);
}

template <typename F>
void describe(F& f, Condition& c) {
  f("type", c.type);
  f("status", c.status);
  f("lastTransitionTime", c.last_transition_time);
  f("reason", c.reason);
  f("message", c.message);
  f("observedGeneration", c.observed_generation);
}

template <typename F>
void describe(F& f, IssuerReference& r) {
  f("name", r.name);
  f("kind", r.kind);
  f("group", r.group);
}

template <typename F>
void describe(F& f, LocalObjectReference& r) {
  f("name", r.name);
}

template <typename F>
void describe(F& f, SecretKeySelector& s) {
  f("name", s.name);
  f("key", s.key);
}

// Certificate ---------------------------------------------------------------------------------

template <typename F>
void describe(F& f, X509Subject& s) {
  f("organizations", s.organizations);
  f("countries", s.countries);
  f("organizationalUnits", s.organizational_units);
  f("localities", s.localities);
  f("provinces", s.provinces);
  f("streetAddresses", s.street_addresses);
  f("postalCodes", s.postal_codes);
  f("serialNumber", s.serial_number);
}

template <typename F>
void describe(F& f, OtherName& o) {
  f("oid", o.oid);
  f("utf8Value", o.utf8_value);
}

template <typename F>
void describe(F& f, CertificateSecretTemplate& t) {
  f("annotations", t.annotations);
  f("labels", t.labels);
}

template <typename F>
void describe(F& f, JksKeystore& k) {
  f("create", k.create);
  f("alias", k.alias);
  f("passwordSecretRef", k.password_secret_ref);
  f("password", k.password);
}

template <typename F>
void describe(F& f, Pkcs12Keystore& k) {
  f("create", k.create);
  f("profile", k.profile);
  f("passwordSecretRef", k.password_secret_ref);
  f("password", k.password);
}

template <typename F>
void describe(F& f, CertificateKeystores& k) {
  f("jks", k.jks);
  f("pkcs12", k.pkcs12);
}

template <typename F>
void describe(F& f, CertificatePrivateKey& k) {
  f("rotationPolicy", k.rotation_policy);
  f("encoding", k.encoding);
  f("algorithm", k.algorithm);
  f("size", k.size);
}

template <typename F>
void describe(F& f, CertificateAdditionalOutputFormat& o) {
  f("type", o.type);
}

template <typename F>
void describe(F& f, NameConstraintItem& n) {
  f("dnsDomains", n.dns_domains);
  f("ipRanges", n.ip_ranges);
  f("emailAddresses", n.email_addresses);
  f("uriDomains", n.uri_domains);
}

template <typename F>
void describe(F& f, NameConstraints& n) {
  f("critical", n.critical);
  f("permitted", n.permitted);
  f("excluded", n.excluded);
}

template <typename F>
void describe(F& f, CertificateRenewalWindow& w) {
  f("cron", w.cron);
  f("timezone", w.timezone);
  f("windowDuration", w.window_duration);
}

template <typename F>
void describe(F& f, CertificateRenewal& r) {
  f("policy", r.policy);
  f("windows", r.windows);
}

template <typename F>
void describe(F& f, CertificateSpec& s) {
  f("subject", s.subject);
  f("literalSubject", s.literal_subject);
  f("commonName", s.common_name);
  f("duration", s.duration);
  f("renewBefore", s.renew_before);
  f("renewBeforePercentage", s.renew_before_percentage);
  f("renewal", s.renewal);
  f("dnsNames", s.dns_names);
  f("ipAddresses", s.ip_addresses);
  f("uris", s.uris);
  f("otherNames", s.other_names);
  f("emailAddresses", s.email_addresses);
  f("secretName", s.secret_name);
  f("secretTemplate", s.secret_template);
  f("keystores", s.keystores);
  f("issuerRef", s.issuer_ref);
  f("isCA", s.is_ca);
  f("usages", s.usages);
  f("privateKey", s.private_key);
  f("signatureAlgorithm", s.signature_algorithm);
  f("encodeUsagesInRequest", s.encode_usages_in_request);
  f("revisionHistoryLimit", s.revision_history_limit);
  f("additionalOutputFormats", s.additional_output_formats);
  f("nameConstraints", s.name_constraints);
}

template <typename F>
void describe(F& f, AriWindow& w) {
  f("start", w.start);
  f("end", w.end);
}

template <typename F>
void describe(F& f, CertificateAriStatus& a) {
  f("suggestedWindow", a.suggested_window);
  f("explanationURL", a.explanation_url);
  f("lastChecked", a.last_checked);
  f("nextCheck", a.next_check);
  f("lastError", a.last_error);
}

template <typename F>
void describe(F& f, CertificateAcmeStatus& a) {
  f("ari", a.ari);
}

template <typename F>
void describe(F& f, CertificateStatus& s) {
  f("conditions", s.conditions);
  f("lastFailureTime", s.last_failure_time);
  f("notBefore", s.not_before);
  f("notAfter", s.not_after);
  f("renewalTime", s.renewal_time);
  f("revision", s.revision);
  f("nextPrivateKeySecretName", s.next_private_key_secret_name);
  f("failedIssuanceAttempts", s.failed_issuance_attempts);
  f("acme", s.acme);
}

template <typename F>
void describe(F& f, CertificateRequestSpec& s) {
  f("duration", s.duration);
  f("issuerRef", s.issuer_ref);
  f.bytes("request", s.request);
  f("isCA", s.is_ca);
  f("usages", s.usages);
  f("username", s.username);
  f("uid", s.uid);
  f("groups", s.groups);
  f("extra", s.extra);
}

template <typename F>
void describe(F& f, CertificateRequestStatus& s) {
  f("conditions", s.conditions);
  f.bytes("certificate", s.certificate);
  f.bytes("ca", s.ca);
  f("failureTime", s.failure_time);
}

// Issuer --------------------------------------------------------------------------------------

template <typename F>
void describe(F& f, SelfSignedIssuer& s) {
  f("crlDistributionPoints", s.crl_distribution_points);
}

template <typename F>
void describe(F& f, CaIssuer& c) {
  f("secretName", c.secret_name);
  f("crlDistributionPoints", c.crl_distribution_points);
  f("ocspServers", c.ocsp_servers);
  f("issuingCertificateURLs", c.issuing_certificate_urls);
}

template <typename F>
void describe(F& f, AcmeExternalAccountBinding& e) {
  f("keyID", e.key_id);
  f("keySecretRef", e.key_secret_ref);
  f("keyAlgorithm", e.key_algorithm);
}

template <typename F>
void describe(F& f, CertificateDnsNameSelector& s) {
  f("matchLabels", s.match_labels);
  f("dnsNames", s.dns_names);
  f("dnsZones", s.dns_zones);
}

template <typename F>
void describe(F& f, AcmeHttp01Ingress& i) {
  f("serviceType", i.service_type);
  f("ingressClassName", i.ingress_class_name);
  f("class", i.class_);
  f("name", i.name);
  f("podTemplate", i.pod_template);
  f("ingressTemplate", i.ingress_template);
}

template <typename F>
void describe(F& f, AcmeHttp01GatewayHttpRoute& g) {
  f("serviceType", g.service_type);
  f("labels", g.labels);
  f("parentRefs", g.parent_refs);
  f("podTemplate", g.pod_template);
}

template <typename F>
void describe(F& f, AcmeHttp01& h) {
  f("ingress", h.ingress);
  f("gatewayHTTPRoute", h.gateway_http_route);
}

template <typename F>
void describe(F& f, AcmeDns01Rfc2136& r) {
  f("nameserver", r.nameserver);
  f("tsigKeyName", r.tsig_key_name);
  f("tsigAlgorithm", r.tsig_algorithm);
  f("tsigSecretSecretRef", r.tsig_secret_secret_ref);
  f("protocol", r.protocol);
}

template <typename F>
void describe(F& f, AcmeDns01Webhook& w) {
  f("groupName", w.group_name);
  f("solverName", w.solver_name);
  f("config", w.config);
}

template <typename F>
void describe(F& f, AcmeDns01& d) {
  f("cnameStrategy", d.cname_strategy);
  f("nameservers", d.nameservers);
  f("rfc2136", d.rfc2136);
  f("webhook", d.webhook);
  f("acmeDNS", d.acme_dns);
  f("akamai", d.akamai);
  f("azureDNS", d.azure_dns);
  f("cloudDNS", d.cloud_dns);
  f("cloudflare", d.cloudflare);
  f("route53", d.route53);
  f("digitalocean", d.digitalocean);
}

template <typename F>
void describe(F& f, AcmeChallengeSolver& s) {
  f("selector", s.selector);
  f("http01", s.http01);
  f("dns01", s.dns01);
  f("waitInsteadOfSelfCheck", s.wait_instead_of_self_check);
}

template <typename F>
void describe(F& f, AcmeIssuer& a) {
  f("email", a.email);
  f("server", a.server);
  f("preferredChain", a.preferred_chain);
  f.bytes("caBundle", a.ca_bundle);
  f("skipTLSVerify", a.skip_tls_verify);
  f("externalAccountBinding", a.external_account_binding);
  f("privateKeySecretRef", a.private_key_secret_ref);
  f("solvers", a.solvers);
  f("disableAccountKeyGeneration", a.disable_account_key_generation);
  f("enableDurationFeature", a.enable_duration_feature);
  f("profile", a.profile);
  f("renewalInformationSource", a.renewal_information_source);
}

template <typename F>
void describe(F& f, IssuerSpec& s) {
  f("acme", s.acme);
  f("ca", s.ca);
  f("selfSigned", s.self_signed);
  f("vault", s.vault);
  f("venafi", s.venafi);
}

template <typename F>
void describe(F& f, AcmeIssuerStatus& a) {
  f("uri", a.uri);
  f("lastRegisteredEmail", a.last_registered_email);
  f("lastPrivateKeyHash", a.last_private_key_hash);
}

template <typename F>
void describe(F& f, IssuerStatus& s) {
  f("conditions", s.conditions);
  f("acme", s.acme);
}

// Order and Challenge -------------------------------------------------------------------------

template <typename F>
void describe(F& f, OrderSpec& s) {
  f.bytes("request", s.request);
  f("issuerRef", s.issuer_ref);
  f("commonName", s.common_name);
  f("dnsNames", s.dns_names);
  f("ipAddresses", s.ip_addresses);
  f("duration", s.duration);
  f("profile", s.profile);
  f("replaces", s.replaces);
}

template <typename F>
void describe(F& f, AcmeChallenge& c) {
  f("url", c.url);
  f("token", c.token);
  f("type", c.type);
}

template <typename F>
void describe(F& f, AcmeAuthorization& a) {
  f("url", a.url);
  f("identifier", a.identifier);
  f("wildcard", a.wildcard);
  f("initialState", a.initial_state);
  f("challenges", a.challenges);
}

template <typename F>
void describe(F& f, OrderStatus& s) {
  f("url", s.url);
  f("finalizeURL", s.finalize_url);
  f("authorizations", s.authorizations);
  f.bytes("certificate", s.certificate);
  f("state", s.state);
  f("reason", s.reason);
  f("failureTime", s.failure_time);
}

template <typename F>
void describe(F& f, ChallengeSpec& s) {
  f("url", s.url);
  f("authorizationURL", s.authorization_url);
  f("dnsName", s.dns_name);
  f("wildcard", s.wildcard);
  f("type", s.type);
  f("token", s.token);
  f("key", s.key);
  f("solver", s.solver);
  f("issuerRef", s.issuer_ref);
}

template <typename F>
void describe(F& f, ChallengeStatus& s) {
  f("processing", s.processing);
  f("presented", s.presented);
  f("presentedAt", s.presented_at);
  f("reason", s.reason);
  f("state", s.state);
}

namespace {

using common::ErrorCode;
using json = nlohmann::json;

// --- decoding ----------------------------------------------------------------------------------

std::string member_path(const std::string& parent, std::string_view key) {
  return parent.empty() ? std::string(key) : fmt::format("{}.{}", parent, key);
}

class FieldReader;

// Holds the first error; every read after it is a no-op, so describe() can run to its end.
class Decoder {
 public:
  [[nodiscard]] bool failed() const { return error_.has_value(); }
  [[nodiscard]] const std::optional<common::Error>& error() const { return error_; }

  void fail(const std::string& path, std::string_view what) {
    if (!error_) {
      error_.emplace(ErrorCode::kInvalidArgument, fmt::format("{}: {}", path, what));
    }
  }
  void expected(const json& v, const std::string& path, std::string_view what) {
    fail(path, fmt::format("expected {}, got {}", what, v.type_name()));
  }

  void read(const json& v, const std::string& path, std::string& out) {
    if (!v.is_string()) {
      expected(v, path, "a string");
      return;
    }
    out = v.get<std::string>();
  }
  void read(const json& v, const std::string& path, bool& out) {
    if (!v.is_boolean()) {
      expected(v, path, "a boolean");
      return;
    }
    out = v.get<bool>();
  }
  void read(const json& v, const std::string& path, std::int64_t& out) {
    if (!v.is_number_integer() ||
        (v.is_number_unsigned() &&
         v.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX))) {
      expected(v, path, "a 64-bit integer");
      return;
    }
    out = v.get<std::int64_t>();
  }
  void read(const json& v, const std::string& path, std::int32_t& out) {
    std::int64_t wide = 0;
    if (!v.is_number_integer()) {
      expected(v, path, "a 32-bit integer");
      return;
    }
    read(v, path, wide);
    if (!failed() && (wide < INT32_MIN || wide > INT32_MAX)) {
      fail(path, fmt::format("{} is out of range for a 32-bit integer", wide));
      return;
    }
    out = static_cast<std::int32_t>(wide);
  }
  void read(const json& v, const std::string& path, GoDuration& out) {
    if (!v.is_string()) {
      expected(v, path, "a duration string such as \"2160h\"");
      return;
    }
    std::string text = v.get<std::string>();
    auto parsed = parse_go_duration(text);
    if (!parsed) {
      fail(path, parsed.error().message());
      return;
    }
    out = GoDuration{*parsed, std::move(text)};
  }
  void read(const json& v, const std::string& path, Time& out) {
    if (!v.is_string()) {
      expected(v, path, "an RFC 3339 time string");
      return;
    }
    auto parsed = common::parse_rfc3339(v.get<std::string>());
    if (!parsed) {
      fail(path, parsed.error().message());
      return;
    }
    out = *parsed;
  }
  void read(const json& v, const std::string& path, ConditionStatus& out) {
    std::string text;
    read(v, path, text);
    if (failed()) {
      return;
    }
    auto status = parse_condition_status(text);
    if (!status) {
      fail(path, fmt::format("expected \"True\", \"False\" or \"Unknown\", got \"{}\"", text));
      return;
    }
    out = *status;
  }
  void read(const json& v, const std::string& /*path*/, json& out) { out = v; }

  template <typename T>
  void read(const json& v, const std::string& path, std::optional<T>& out) {
    T value{};
    read(v, path, value);
    out = std::move(value);
  }
  template <typename T>
  void read(const json& v, const std::string& path, std::vector<T>& out) {
    if (!v.is_array()) {
      expected(v, path, "an array");
      return;
    }
    out.clear();
    for (std::size_t i = 0; i < v.size() && !failed(); ++i) {
      T item{};
      read(v[i], fmt::format("{}[{}]", path, i), item);
      out.push_back(std::move(item));
    }
  }
  template <typename T>
  void read(const json& v, const std::string& path, std::map<std::string, T>& out) {
    if (!v.is_object()) {
      expected(v, path, "an object");
      return;
    }
    out.clear();
    for (const auto& [key, value] : v.items()) {
      T item{};
      read(value, fmt::format("{}[{}]", path, key), item);
      if (failed()) {
        return;
      }
      out.emplace(key, std::move(item));
    }
  }
  template <typename T>
  requires requires(FieldReader& r, T& t) { describe(r, t); }
  void read(const json& v, const std::string& path, T& out);

  void read_bytes(const json& v, const std::string& path, std::string& out) {
    std::string text;
    read(v, path, text);
    if (failed()) {
      return;
    }
    auto decoded = common::base64_decode(text);
    if (!decoded) {
      fail(path, "expected base64-encoded bytes");
      return;
    }
    out = std::move(*decoded);
  }

 private:
  std::optional<common::Error> error_;
};

// Reads the members of one JSON object into a struct; absent and null members are skipped.
class FieldReader {
 public:
  FieldReader(Decoder& decoder, const json& object, const std::string& path)
      : decoder_(decoder), object_(object), path_(path) {}

  template <typename T>
  void operator()(const char* key, T& out) {
    if (const json* v = member(key)) {
      decoder_.read(*v, member_path(path_, key), out);
    }
  }
  void bytes(const char* key, std::string& out) {
    if (const json* v = member(key)) {
      decoder_.read_bytes(*v, member_path(path_, key), out);
    }
  }

 private:
  const json* member(const char* key) const {
    if (decoder_.failed()) {
      return nullptr;
    }
    auto it = object_.find(key);
    if (it == object_.end() || it->is_null()) {
      return nullptr;
    }
    return &*it;
  }

  Decoder& decoder_;
  const json& object_;
  const std::string& path_;
};

template <typename T>
requires requires(FieldReader& r, T& t) { describe(r, t); }
void Decoder::read(const json& v, const std::string& path, T& out) {
  if (!v.is_object()) {
    expected(v, path, "an object");
    return;
  }
  FieldReader reader(*this, v, path);
  describe(reader, out);
}

// --- encoding ----------------------------------------------------------------------------------

class FieldWriter;

template <typename T>
concept Described = requires(FieldWriter& w, T& t) {
  describe(w, t);
};

json to_json(const std::string& v) { return v; }
json to_json(bool v) { return v; }
json to_json(std::int64_t v) { return v; }
json to_json(std::int32_t v) { return v; }
json to_json(const GoDuration& v) { return v.text.empty() ? format_go_duration(v.value) : v.text; }
json to_json(const Time& v) { return common::format_rfc3339(v); }
json to_json(ConditionStatus v) { return std::string(to_string(v)); }
json to_json(const json& v) { return v; }
template <typename T>
json to_json(const std::vector<T>& v);
template <typename T>
json to_json(const std::map<std::string, T>& v);
template <Described T>
json to_json(const T& v);

// Whether a member is left out: absent optionals, and empty strings, lists, maps and plain
// structs (Go's omitempty). A present optional is always written, even when empty.
template <typename T>
bool omitted(const T& v) {
  if constexpr (std::same_as<T, std::string>) {
    return v.empty();
  } else if constexpr (requires { v.has_value(); }) {
    return !v.has_value();
  } else if constexpr (requires { v.empty(); }) {
    return v.empty();
  } else if constexpr (Described<T>) {
    return to_json(v).empty();
  } else {
    return false;
  }
}

template <typename T>
json to_json(const std::optional<T>& v) {
  return to_json(*v);
}

class FieldWriter {
 public:
  explicit FieldWriter(json& object) : object_(object) {}

  template <typename T>
  void operator()(const char* key, const T& v) {
    if (!omitted(v)) {
      object_[key] = to_json(v);
    }
  }
  void bytes(const char* key, const std::string& v) {
    if (!v.empty()) {
      object_[key] = common::base64_encode(v);
    }
  }

 private:
  json& object_;
};

template <typename T>
json to_json(const std::vector<T>& v) {
  json out = json::array();
  for (const T& item : v) {
    out.push_back(to_json(item));
  }
  return out;
}

template <typename T>
json to_json(const std::map<std::string, T>& v) {
  json out = json::object();
  for (const auto& [key, value] : v) {
    out[key] = to_json(value);
  }
  return out;
}

template <Described T>
json to_json(const T& v) {
  json out = json::object();
  FieldWriter writer(out);
  // describe() takes a mutable reference so one list serves both directions; FieldWriter only
  // reads through it.
  describe(writer, const_cast<T&>(v));  // NOLINT(cppcoreguidelines-pro-type-const-cast)
  return out;
}

// --- whole objects -----------------------------------------------------------------------------

// apiVersion and kind may be absent; when present they must be the expected strings.
std::optional<common::Error> type_member_error(const json& j, const char* key,
                                               std::string_view want) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null() || (it->is_string() && it->get<std::string>() == want)) {
    return std::nullopt;
  }
  return common::Error(ErrorCode::kInvalidArgument,
                       fmt::format("{}: expected \"{}\", got {}", key, want, it->dump()));
}

template <typename Object>
common::Result<Object> decode_object(const json& j, std::string_view api_version,
                                     std::string_view kind) {
  if (!j.is_object()) {
    return common::make_error(
        ErrorCode::kInvalidArgument,
        fmt::format("{}: expected a JSON object, got {}", kind, j.type_name()));
  }
  for (auto [key, want] : {std::pair<const char*, std::string_view>{"apiVersion", api_version},
                           std::pair<const char*, std::string_view>{"kind", kind}}) {
    if (auto err = type_member_error(j, key, want)) {
      return common::make_error(std::move(*err));
    }
  }
  Object out;
  Decoder decoder;
  FieldReader reader(decoder, j, "");
  reader("metadata", out.metadata);
  reader("spec", out.spec);
  reader("status", out.status);
  if (decoder.failed()) {
    return common::make_error(decoder.error()->wrap(kind));
  }
  return out;
}

template <typename Object>
json encode_object(const Object& object, std::string_view api_version, std::string_view kind) {
  json out = json::object();
  out["apiVersion"] = api_version;
  out["kind"] = kind;
  out["metadata"] = to_json(object.metadata);
  out["spec"] = to_json(object.spec);
  json status = to_json(object.status);
  if (!status.empty()) {
    out["status"] = std::move(status);
  }
  return out;
}

template <typename T>
common::Result<T> decode_part(const json& j, std::string_view what) {
  T out;
  Decoder decoder;
  decoder.read(j, "", out);
  if (decoder.failed()) {
    return common::make_error(decoder.error()->wrap(what));
  }
  return out;
}

}  // namespace

common::Result<Certificate> decode_certificate(const json& object) {
  return decode_object<Certificate>(object, kApiVersion, kKindCertificate);
}
common::Result<CertificateRequest> decode_certificate_request(const json& object) {
  return decode_object<CertificateRequest>(object, kApiVersion, kKindCertificateRequest);
}
common::Result<Issuer> decode_issuer(const json& object) {
  return decode_object<Issuer>(object, kApiVersion, kKindIssuer);
}
common::Result<ClusterIssuer> decode_cluster_issuer(const json& object) {
  return decode_object<ClusterIssuer>(object, kApiVersion, kKindClusterIssuer);
}
common::Result<Order> decode_order(const json& object) {
  return decode_object<Order>(object, kAcmeApiVersion, kKindOrder);
}
common::Result<Challenge> decode_challenge(const json& object) {
  return decode_object<Challenge>(object, kAcmeApiVersion, kKindChallenge);
}
common::Result<AcmeChallengeSolver> decode_solver(const json& object) {
  return decode_part<AcmeChallengeSolver>(object, "solver");
}
common::Result<ObjectMeta> decode_object_meta(const json& object) {
  return decode_part<ObjectMeta>(object, "metadata");
}

json encode(const Certificate& object) {
  return encode_object(object, kApiVersion, kKindCertificate);
}
json encode(const CertificateRequest& object) {
  return encode_object(object, kApiVersion, kKindCertificateRequest);
}
json encode(const Issuer& object) { return encode_object(object, kApiVersion, kKindIssuer); }
json encode(const ClusterIssuer& object) {
  return encode_object(object, kApiVersion, kKindClusterIssuer);
}
json encode(const Order& object) { return encode_object(object, kAcmeApiVersion, kKindOrder); }
json encode(const Challenge& object) {
  return encode_object(object, kAcmeApiVersion, kKindChallenge);
}
json encode(const AcmeChallengeSolver& solver) { return to_json(solver); }
json encode(const ObjectMeta& metadata) { return to_json(metadata); }

common::Result<json> parse_json(std::string_view text) {
  try {
    return json::parse(text);
  } catch (const json::parse_error& e) {
    return common::make_error(ErrorCode::kInvalidArgument,
                              fmt::format("invalid JSON at byte {}", e.byte));
  }
}

}  // namespace certkeeper::api
