#include "controller/orders/order_sync.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "controller/orders/solver_picker.h"
#include "lib/api/names.h"
#include "lib/api/well_known.h"

namespace certkeeper::orders {

namespace {

bool has_annotation(const api::Order& order, std::string_view key, std::string& value) {
  const auto found = order.metadata.annotations.find(std::string(key));
  if (found == order.metadata.annotations.end()) {
    return false;
  }
  value = found->second;
  return true;
}

// cert-manager's applyIngressParameterAnnotationOverrides: the Order's (the Certificate's)
// annotations replace the ingress name/class of an HTTP-01 ingress solver. At most one may be
// set; an error names them.
common::Status apply_overrides(const api::Order& order, api::AcmeChallengeSolver& solver) {
  std::string name;
  std::string klass;
  std::string class_name;
  const bool has_name = has_annotation(order, api::kAnnotationHttp01OverrideIngressName, name);
  const bool has_class = has_annotation(order, api::kAnnotationHttp01OverrideIngressClass, klass);
  const bool has_class_name =
      has_annotation(order, api::kAnnotationHttp01OverrideIngressClassName, class_name);
  if (static_cast<int>(has_name) + static_cast<int>(has_class) + static_cast<int>(has_class_name) >
      1) {
    return common::make_error(common::ErrorCode::kInvalidArgument,
                              fmt::format("only one of the annotations {}, {} and {} may be set",
                                          api::kAnnotationHttp01OverrideIngressName,
                                          api::kAnnotationHttp01OverrideIngressClass,
                                          api::kAnnotationHttp01OverrideIngressClassName));
  }
  if (!solver.http01 || !solver.http01->ingress || !(has_name || has_class || has_class_name)) {
    return common::ok();
  }
  auto& ingress = *solver.http01->ingress;
  ingress.name.reset();
  ingress.class_.reset();
  ingress.ingress_class_name.reset();
  if (has_name) {
    ingress.name = name;
  } else if (has_class) {
    ingress.class_ = klass;
  } else {
    ingress.ingress_class_name = class_name;
  }
  return common::ok();
}

}  // namespace

OrderAction decide(const api::Order& order, std::size_t owned_challenges) {
  const std::string state = order.status.state.value_or("");
  if (state == api::kStateValid && order.status.certificate.empty()) {
    return OrderAction::kCheckOrder;
  }
  if (api::is_final_state(state)) {
    return owned_challenges > 0 ? OrderAction::kDeleteChallenges : OrderAction::kNothing;
  }
  if (!order.status.url || order.status.url->empty()) {
    return OrderAction::kNewOrder;
  }
  if (order.status.authorizations.empty()) {
    return OrderAction::kFetchAuthorizations;
  }
  if (state == api::kStateReady) {
    return OrderAction::kFinalize;
  }
  if (state == api::kStateProcessing) {
    return OrderAction::kCheckOrder;
  }
  return OrderAction::kSyncChallenges;
}

bool is_client_error(const common::Error& error) {
  const auto status = error.http_status();
  // orderNotReady (403) on finalize means "not yet" (RFC 8555 §7.4), not a broken order. A 400
  // badNonce that outlasted the client's retries (lib/acme maps it, serverInternal and
  // rateLimited to kUnavailable / kRateLimited) is the server's state, not the order's: under
  // 50 % nonce rejection it made a finalize fail the whole Order.
  const bool not_ready = error.problem_type().ends_with(":orderNotReady");
  const bool transient = error.code() == common::ErrorCode::kUnavailable ||
                         error.code() == common::ErrorCode::kRateLimited;
  return status && *status >= 400 && *status < 500 && *status != 429 && !not_ready && !transient;
}

api::AcmeAuthorization record_authorization(const acme::Authorization& authz) {
  api::AcmeAuthorization out;
  out.url = authz.url;
  out.identifier = authz.identifier.value;
  if (authz.wildcard) {
    out.wildcard = true;
  }
  out.initial_state = authz.status;
  for (const auto& challenge : authz.challenges) {
    // The CRD requires a token, and every type we solve has one; newer types without one
    // (Pebble offers dns-persist-01) are left out rather than make the status write fail.
    if (challenge.token.empty()) {
      continue;
    }
    out.challenges.push_back({challenge.url, challenge.token, challenge.type});
  }
  return out;
}

api::OrderStatus status_after_new_order(const acme::Order& order,
                                        std::vector<api::AcmeAuthorization> authorizations) {
  api::OrderStatus status;
  status.url = order.url;
  if (!order.finalize.empty()) {
    status.finalize_url = order.finalize;
  }
  status.state = order.status;
  status.authorizations = std::move(authorizations);
  return status;
}

common::Result<ChallengePlan> plan_challenges(const api::Order& order,
                                              const std::vector<api::AcmeChallengeSolver>& solvers,
                                              const KeyFor& key_for) {
  ChallengePlan plan;
  for (const auto& authz : order.status.authorizations) {
    if (authz.initial_state.value_or("") != api::kStatePending) {
      continue;  // already valid (reused), or failed: the order's state says what follows
    }
    const std::string id = authz.identifier.value_or("");
    const bool wildcard = authz.wildcard.value_or(false);
    SolverQuery query{wildcard ? "*." + id : id, wildcard, {}, order.metadata.labels};
    for (const auto& c : authz.challenges) {
      query.offered.push_back(c.type);
    }
    auto picked = pick_solver(query, solvers);
    if (!picked) {
      plan.unsolvable.push_back(query.name);
      continue;
    }
    const auto offered = std::find_if(authz.challenges.begin(), authz.challenges.end(),
                                      [&](const auto& c) { return c.type == picked->acme_type; });
    api::Challenge challenge;
    auto& spec = challenge.spec;
    spec.url = offered->url;
    spec.authorization_url = authz.url;
    spec.dns_name = id;
    if (wildcard) {
      spec.wildcard = true;
    }
    spec.type = picked->type;
    spec.token = offered->token;
    auto key = key_for(spec.type, spec.token);
    if (!key) {
      return tl::unexpected(key.error());
    }
    spec.key = std::move(*key);
    spec.solver = solvers[picked->index];
    if (auto s = apply_overrides(order, spec.solver); !s) {
      plan.wanted.clear();
      plan.override_error = s.error().message();
      return plan;
    }
    spec.issuer_ref = order.spec.issuer_ref;
    auto& md = challenge.metadata;
    md.name = api::challenge_name(order.metadata.name, spec);
    md.namespace_ = order.metadata.namespace_;
    md.labels = order.metadata.labels;
    md.owner_references.push_back({.api_version = std::string(api::kAcmeApiVersion),
                                   .kind = std::string(api::kKindOrder),
                                   .name = order.metadata.name,
                                   .uid = order.metadata.uid,
                                   .controller = true,
                                   .block_owner_deletion = true});
    plan.wanted.push_back(std::move(challenge));
  }
  return plan;
}

std::vector<std::string> unwanted_challenges(const std::vector<api::Challenge>& owned,
                                             const std::vector<api::Challenge>& wanted) {
  std::set<std::string> names;
  for (const auto& c : wanted) {
    names.insert(c.metadata.name);
  }
  std::vector<std::string> out;
  for (const auto& c : owned) {
    if (!names.contains(c.metadata.name)) {
      out.push_back(c.metadata.name);
    }
  }
  return out;
}

std::vector<api::Challenge> missing_challenges(const std::vector<api::Challenge>& owned,
                                               const std::vector<api::Challenge>& wanted) {
  std::set<std::string> names;
  for (const auto& c : owned) {
    names.insert(c.metadata.name);
  }
  std::vector<api::Challenge> out;
  for (const auto& c : wanted) {
    if (!names.contains(c.metadata.name)) {
      out.push_back(c);
    }
  }
  return out;
}

bool all_challenges_final(const std::vector<api::Challenge>& owned,
                          const std::vector<api::Challenge>& wanted) {
  for (const auto& want : wanted) {
    const auto have = std::find_if(owned.begin(), owned.end(), [&](const api::Challenge& c) {
      return c.metadata.name == want.metadata.name;
    });
    if (have == owned.end() || !api::is_final_state(have->status.state.value_or(""))) {
      return false;
    }
  }
  return true;
}

std::string no_solver_reason(const std::vector<std::string>& unsolvable) {
  return fmt::format(
      "Failed to determine a valid solver configuration for the set of domains on the Order: no "
      "configured challenge solvers can be used for this challenge (identifiers: {})",
      fmt::join(unsolvable, ", "));
}

std::string failure_reason(const acme::Order& order, const std::vector<api::Challenge>& owned) {
  if (order.error && !order.error->detail.empty()) {
    return order.error->detail;
  }
  for (const auto& c : owned) {
    if (c.status.state.value_or("") == api::kStateInvalid && c.status.reason &&
        !c.status.reason->empty()) {
      return fmt::format("challenge {} for {} is invalid: {}", c.metadata.name, c.spec.dns_name,
                         *c.status.reason);
    }
  }
  return fmt::format("the ACME server reports the order as \"{}\"", order.status);
}

}  // namespace certkeeper::orders
