#include "webhook/handlers.h"

#include <algorithm>
#include <set>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "lib/api/codec.h"
#include "lib/api/conditions.h"
#include "lib/api/defaults.h"
#include "lib/api/well_known.h"
#include "lib/crypto/certificate.h"
#include "lib/crypto/csr.h"
#include "lib/pki/usages.h"

namespace certkeeper::webhook {

namespace {

using api::FieldError;
using api::FieldErrorType;
using api::ValidationResult;
using nlohmann::json;

// How Kubernetes prints a []string value in a field error: []string{"a", "b"}.
std::string go_strings(const std::vector<std::string>& values) {
  std::vector<std::string> quoted;
  quoted.reserve(values.size());
  for (const auto& v : values) {
    quoted.push_back(json(v).dump());
  }
  return fmt::format("[]string{{{}}}", fmt::join(quoted, ", "));
}

template <typename T>
std::vector<T> sorted_set(std::vector<T> values) {
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  return values;
}

template <typename T>
std::string x509_names(const std::vector<T>& values) {
  std::vector<std::string> names;
  for (const auto& v : values) {
    names.emplace_back(crypto::to_string(v));
  }
  return fmt::format("[{}]", fmt::join(names, " "));
}

void append(ValidationResult& result, std::vector<FieldError> errors) {
  result.errors.insert(result.errors.end(), std::make_move_iterator(errors.begin()),
                       std::make_move_iterator(errors.end()));
}

AdmissionResponse respond(const AdmissionRequest& request, ValidationResult result) {
  if (result.ok()) {
    return allow(request.uid, std::move(result.warnings));
  }
  return deny(request.uid, result.to_string(), std::move(result.warnings));
}

bool has_condition(const api::CertificateRequest& request, std::string_view type) {
  return api::find_condition(request.status.conditions, type) != nullptr;
}

template <typename T, typename Decode>
common::Result<std::pair<T, T>> decode_pair(const AdmissionRequest& request, Decode decode) {
  auto object = decode(request.object);
  if (!object) {
    return tl::unexpected(object.error().wrap("object"));
  }
  T old_object{};
  if (request.operation == "UPDATE") {
    auto old = decode(request.old_object);
    if (!old) {
      return tl::unexpected(old.error().wrap("oldObject"));
    }
    old_object = std::move(*old);
  }
  return std::pair{std::move(old_object), std::move(*object)};
}

// Orders and Challenges: the create rules on CREATE, the update rules on UPDATE.
template <typename T, typename Decode, typename Create, typename Update>
AdmissionResponse validate_controller_owned(const AdmissionRequest& request, Decode decode,
                                            Create on_create, Update on_update) {
  auto pair = decode_pair<T>(request, decode);
  if (!pair) {
    return errored(request.uid, 400, "could not decode the object: " + pair.error().message());
  }
  return respond(request, request.operation == "UPDATE" ? on_update(pair->first, pair->second)
                                                        : on_create(pair->second));
}

}  // namespace

std::optional<IssuerKind> builtin_issuer_kind(const std::string& group, const std::string& kind) {
  if (group != api::kGroup) {
    return std::nullopt;
  }
  if (kind == "Issuer") {
    return IssuerKind{"issuers", true};
  }
  if (kind == "ClusterIssuer") {
    return IssuerKind{"clusterissuers", false};
  }
  return std::nullopt;
}

std::vector<std::string> signer_names(const IssuerKind& kind, const std::string& issuer_group,
                                      const std::string& issuer_name,
                                      const std::string& request_namespace) {
  const std::string prefix = fmt::format("{}.{}/", kind.plural, issuer_group);
  return {prefix + "*", kind.namespaced
                            ? fmt::format("{}{}.{}", prefix, request_namespace, issuer_name)
                            : prefix + issuer_name};
}

std::vector<FieldError> validate_csr_consistency(const api::CertificateRequestSpec& spec) {
  std::vector<FieldError> errors;
  // A missing PEM block is already reported by lib/api; only parse what looks like a CSR.
  if (spec.request.find("CERTIFICATE REQUEST-----") == std::string::npos) {
    return errors;
  }
  auto csr = crypto::parse_csr(spec.request);
  if (!csr) {
    errors.push_back({FieldErrorType::kInvalid, "spec.request", "[]byte{...}",
                      "failed to decode csr: " + csr.error().message()});
    return errors;
  }
  const bool is_ca = spec.is_ca.value_or(false);
  if (csr->spec.is_ca != is_ca) {
    errors.push_back({FieldErrorType::kInvalid, "spec.isCA", is_ca ? "true" : "false",
                      fmt::format("does not match the CSR's basicConstraints cA ({})",
                                  csr->spec.is_ca ? "true" : "false")});
  }
  // A CSR without usage extensions leaves the usages to spec.usages.
  if (csr->spec.key_usages.empty() && csr->spec.extended_key_usages.empty()) {
    return errors;
  }
  auto wanted = pki::parse_usages(api::effective_usages(spec.usages, is_ca));
  if (!wanted) {
    return errors;  // unknown usage names: lib/api reports them
  }
  const auto want_ku = sorted_set(wanted->key_usages);
  const auto want_eku = sorted_set(wanted->extended_key_usages);
  const auto have_ku = sorted_set(csr->spec.key_usages);
  const auto have_eku = sorted_set(csr->spec.extended_key_usages);
  if (want_ku != have_ku || want_eku != have_eku) {
    errors.push_back(
        {FieldErrorType::kInvalid, "spec.usages", go_strings(spec.usages),
         fmt::format("csr key usages {} and extended key usages {} do not match the usages "
                     "(keyUsage {}, extKeyUsage {}); when the CSR has usages they must be equal",
                     x509_names(have_ku), x509_names(have_eku), x509_names(want_ku),
                     x509_names(want_eku))});
  }
  return errors;
}

std::vector<FieldError> validate_issuer_ca_bundle(const api::IssuerSpec& spec) {
  std::vector<FieldError> errors;
  // Text without a PEM certificate block is already reported by lib/api.
  if (!spec.acme || spec.acme->ca_bundle.find("-----BEGIN CERTIFICATE-----") == std::string::npos) {
    return errors;
  }
  if (auto chain = crypto::parse_pem_chain(spec.acme->ca_bundle); !chain) {
    errors.push_back(
        {FieldErrorType::kInvalid, "spec.acme.caBundle", "\"\"",
         "cert bundle didn't contain any valid certificates: " + chain.error().message()});
  }
  return errors;
}

std::vector<FieldError> validate_identity_unchanged(const api::CertificateRequestSpec& old_spec,
                                                    const api::CertificateRequestSpec& spec) {
  std::vector<FieldError> errors;
  auto forbid = [&](const char* field) {
    errors.push_back({FieldErrorType::kForbidden, fmt::format("spec.{}", field), std::nullopt,
                      fmt::format("{} identity must be that which created the resource", field)});
  };
  if (old_spec.username != spec.username) {
    forbid("username");
  }
  if (old_spec.uid != spec.uid) {
    forbid("uid");
  }
  if (old_spec.groups != spec.groups) {
    forbid("groups");
  }
  if (old_spec.extra != spec.extra) {
    forbid("extra");
  }
  return errors;
}

json identity_patch(const json& object, const UserInfo& user) {
  json ops = json::array();
  const json* spec = object.is_object() && object.contains("spec") ? &object["spec"] : nullptr;
  if (spec == nullptr || !spec->is_object()) {
    ops.push_back({{"op", "add"}, {"path", "/spec"}, {"value", json::object()}});
  }
  auto set = [&](const char* field, bool present, json value) {
    std::string path = fmt::format("/spec/{}", field);
    if (present) {
      ops.push_back({{"op", "add"}, {"path", path}, {"value", std::move(value)}});
    } else if (spec != nullptr && spec->is_object() && spec->contains(field)) {
      ops.push_back({{"op", "remove"}, {"path", path}});
    }
  };
  set("username", !user.username.empty(), user.username);
  set("uid", !user.uid.empty(), user.uid);
  set("groups", !user.groups.empty(), user.groups);
  set("extra", !user.extra.empty(), user.extra);
  return ops;
}

std::optional<AdmissionResponse> AdmissionHandler::check_approval(
    const AdmissionRequest& request, const api::CertificateRequest& old_request,
    const api::CertificateRequest& new_request) {
  const bool approving = !has_condition(old_request, api::kConditionApproved) &&
                         has_condition(new_request, api::kConditionApproved);
  const bool denying = !has_condition(old_request, api::kConditionDenied) &&
                       has_condition(new_request, api::kConditionDenied);
  if (!approving && !denying) {
    return std::nullopt;
  }
  const auto& ref = new_request.spec.issuer_ref;
  const std::string kind = api::effective_issuer_kind(ref);
  const std::string group = api::effective_issuer_group(ref);
  std::optional<IssuerKind> issuer_kind = builtin_issuer_kind(group, kind);
  if (!issuer_kind && resolver_ != nullptr) {
    auto resolved = resolver_->resolve(group, kind);
    if (!resolved) {
      return errored(request.uid, 500,
                     "could not look up the issuer kind: " + resolved.error().message());
    }
    issuer_kind = *resolved;
  }
  if (!issuer_kind) {
    return deny(request.uid, fmt::format("spec.issuerRef: Forbidden: referenced signer resource "
                                         "does not exist: {{{} {} {}}}",
                                         ref.name, kind, group));
  }
  const auto names = signer_names(*issuer_kind, group, ref.name, request.ns);
  for (const auto& name : names) {
    auto allowed = reviewer_.allowed({.user = request.user_info,
                                      .verb = "approve",
                                      .group = std::string(api::kGroup),
                                      .resource = "signers",
                                      .name = name});
    if (!allowed) {
      return errored(request.uid, 500,
                     "could not check approval permission: " + allowed.error().message());
    }
    if (*allowed) {
      return std::nullopt;
    }
  }
  return deny(request.uid,
              fmt::format("status.conditions: Forbidden: user \"{}\" does not have permissions to "
                          "set approved/denied conditions for issuer {{{} {} {}}} (needs verb "
                          "\"approve\" on signers.cert-manager.io named \"{}\")",
                          request.user_info.username, ref.name, kind, group, names.back()));
}

AdmissionResponse AdmissionHandler::validate(const AdmissionRequest& request) {
  if (request.operation != "CREATE" && request.operation != "UPDATE") {
    return allow(request.uid);
  }
  const bool update = request.operation == "UPDATE";
  const std::string& kind = request.kind.kind;
  auto invalid_body = [&](const common::Error& e) {
    return errored(request.uid, 400, "could not decode the object: " + e.message());
  };
  if (request.kind.group == api::kGroup) {
    if (kind == "Certificate") {
      auto object = api::decode_certificate(request.object);
      if (!object) {
        return invalid_body(object.error());
      }
      return respond(request, api::validate_certificate(*object));
    }
    if (kind == "CertificateRequest") {
      auto pair = decode_pair<api::CertificateRequest>(request, api::decode_certificate_request);
      if (!pair) {
        return invalid_body(pair.error());
      }
      const auto& [old_request, new_request] = *pair;
      if (update) {
        if (auto denied = check_approval(request, old_request, new_request)) {
          return *denied;
        }
      }
      ValidationResult result =
          update ? api::validate_certificate_request_update(old_request, new_request)
                 : api::validate_certificate_request(new_request);
      if (update) {
        append(result, validate_identity_unchanged(old_request.spec, new_request.spec));
      }
      append(result, validate_csr_consistency(new_request.spec));
      return respond(request, std::move(result));
    }
    if (kind == "Issuer" || kind == "ClusterIssuer") {
      auto spec =
          kind == "Issuer"
              ? api::decode_issuer(request.object).map([](auto i) { return i.spec; })
              : api::decode_cluster_issuer(request.object).map([](auto i) { return i.spec; });
      if (!spec) {
        return invalid_body(spec.error());
      }
      ValidationResult result = api::validate_issuer_spec(*spec);
      append(result, validate_issuer_ca_bundle(*spec));
      return respond(request, std::move(result));
    }
  } else if (request.kind.group == api::kAcmeGroup) {
    if (kind == "Order") {
      return validate_controller_owned<api::Order>(request, api::decode_order, api::validate_order,
                                                   api::validate_order_update);
    }
    if (kind == "Challenge") {
      return validate_controller_owned<api::Challenge>(
          request, api::decode_challenge, api::validate_challenge, api::validate_challenge_update);
    }
  }
  return allow(request.uid);
}

AdmissionResponse AdmissionHandler::mutate(const AdmissionRequest& request) {
  if (request.operation != "CREATE" || request.kind.group != api::kGroup ||
      request.kind.kind != "CertificateRequest") {
    return allow(request.uid);
  }
  AdmissionResponse response = allow(request.uid);
  response.patch = identity_patch(request.object, request.user_info);
  return response;
}

}  // namespace certkeeper::webhook
