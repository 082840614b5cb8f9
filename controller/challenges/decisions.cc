#include "controller/challenges/decisions.h"

#include <algorithm>

#include <fmt/format.h>

#include "lib/api/well_known.h"

namespace certkeeper::challenges {

namespace {

bool contains(const std::vector<std::string>& list, std::string_view value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

const acme::Challenge* find_challenge(const acme::Authorization& authz,
                                      const api::Challenge& challenge) {
  for (const auto& c : authz.challenges) {
    if (c.url == challenge.spec.url) {
      return &c;
    }
  }
  return nullptr;
}

std::string problem_reason(const api::Challenge& challenge, const acme::Problem& problem) {
  return fmt::format("Error accepting authorization: acme: authorization error for {}: {}: {}",
                     challenge.spec.dns_name, problem.short_type(), problem.detail);
}

// The finalizers that are not ours (current or legacy), in order.
std::vector<std::string> others(const std::vector<std::string>& finalizers) {
  std::vector<std::string> out;
  for (const auto& f : finalizers) {
    if (f != api::kAcmeLegacyFinalizer && f != api::kAcmeFinalizer) {
      out.push_back(f);
    }
  }
  return out;
}

}  // namespace

Action next_action(const api::Challenge& challenge) {
  if (finalizers_with_ours(challenge.metadata.finalizers)) {
    return Action::kAddFinalizer;
  }
  const auto& status = challenge.status;
  const std::string state = status.state.value_or("");
  if (api::is_final_state(state)) {
    return status.processing.value_or(false) || status.presented.value_or(false)
               ? Action::kCleanUpFinal
               : Action::kNothing;
  }
  if (!status.processing.value_or(false)) {
    return Action::kNothing;
  }
  if (state.empty()) {
    return Action::kFetchState;
  }
  if (!status.presented.value_or(false)) {
    return Action::kPresent;
  }
  if (state == api::kStatePending) {
    return Action::kCheckAndAccept;
  }
  return Action::kPollAuthorization;
}

std::optional<std::vector<std::string>> finalizers_with_ours(
    const std::vector<std::string>& finalizers) {
  if (contains(finalizers, api::kAcmeFinalizer) &&
      !contains(finalizers, api::kAcmeLegacyFinalizer)) {
    return std::nullopt;
  }
  std::vector<std::string> out = others(finalizers);
  out.emplace_back(api::kAcmeFinalizer);
  return out;
}

std::optional<std::vector<std::string>> finalizers_without_ours(
    const std::vector<std::string>& finalizers) {
  if (!contains(finalizers, api::kAcmeFinalizer) &&
      !contains(finalizers, api::kAcmeLegacyFinalizer)) {
    return std::nullopt;
  }
  return others(finalizers);
}

ErrorOutcome classify_acme_error(const common::Error& error, std::string_view what) {
  const std::string reason = fmt::format("{}: {}", what, error.message());
  std::string type = error.problem_type();
  if (const auto colon = type.rfind(':'); colon != std::string::npos) {
    type = type.substr(colon + 1);
  }
  if (type == "malformed") {
    return {true, std::string(api::kStateExpired), reason};
  }
  const int status = error.http_status().value_or(0);
  const bool transient_type = type == "rateLimited" || type == "badNonce";
  if (status >= 400 && status < 500 && status != 429 && !transient_type) {
    return {true, std::string(api::kStateErrored), reason};
  }
  return {false, "", reason};
}

std::optional<AuthorizationOutcome> authorization_outcome(const acme::Authorization& authz,
                                                          const api::Challenge& challenge) {
  const auto* c = find_challenge(authz, challenge);
  if (authz.status == "valid") {
    return AuthorizationOutcome{std::string(api::kStateValid), ""};
  }
  if (authz.status == "invalid" || authz.status == "deactivated" || authz.status == "revoked" ||
      (c != nullptr && c->status == "invalid")) {
    std::string reason = fmt::format("Error accepting authorization: authorization for {} is {}",
                                     challenge.spec.dns_name, authz.status);
    if (c != nullptr && c->error) {
      reason = problem_reason(challenge, *c->error);
    }
    return AuthorizationOutcome{std::string(api::kStateInvalid), reason};
  }
  if (authz.status == "expired") {
    return AuthorizationOutcome{std::string(api::kStateExpired),
                                fmt::format("Error accepting authorization: authorization for "
                                            "{} expired",
                                            challenge.spec.dns_name)};
  }
  return std::nullopt;
}

std::string initial_state(const acme::Authorization& authz, const api::Challenge& challenge) {
  const auto* c = find_challenge(authz, challenge);
  if (authz.status == "valid") {
    return std::string(api::kStateValid);
  }
  return c != nullptr && !c->status.empty() ? c->status : std::string(api::kStatePending);
}

std::string propagation_reason(const api::Challenge& challenge, std::string_view reason) {
  return fmt::format("Waiting for {} challenge propagation: {}", challenge.spec.type, reason);
}

std::string presented_message(const api::Challenge& challenge) {
  return fmt::format("Presented challenge using {} challenge mechanism", challenge.spec.type);
}

std::string present_error_message(const common::Error& error) {
  return fmt::format("Error presenting challenge: {}", error.message());
}

std::string cleanup_error_message(const common::Error& error) {
  return fmt::format("Error cleaning up challenge: {}", error.message());
}

}  // namespace certkeeper::challenges
