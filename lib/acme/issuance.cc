#include "lib/acme/issuance.h"

#include <utility>

#include <fmt/format.h>

#include "lib/common/log.h"

namespace certkeeper::acme {

using common::ErrorCode;
using common::make_error;

common::Result<Order> AcmeClientOrders::new_order(const NewOrderRequest& request) {
  return client_.new_order(request);
}
common::Result<Authorization> AcmeClientOrders::get_authorization(const std::string& url) {
  return client_.get_authorization(url);
}
common::Result<std::string> AcmeClientOrders::key_authorization(std::string_view token) {
  return client_.key_authorization(token);
}
common::Result<Challenge> AcmeClientOrders::respond_challenge(const std::string& url) {
  return client_.respond_challenge(url);
}
common::Result<Authorization> AcmeClientOrders::poll_authorization(
    const std::string& url, std::chrono::steady_clock::time_point deadline,
    std::chrono::milliseconds first_wait) {
  return client_.poll_authorization(url, deadline, first_wait);
}
common::Result<Order> AcmeClientOrders::poll_order(const std::string& url,
                                                   std::chrono::steady_clock::time_point deadline,
                                                   std::chrono::milliseconds first_wait) {
  return client_.poll_order(url, deadline, first_wait);
}
common::Result<Order> AcmeClientOrders::finalize_order(const Order& order,
                                                       std::string_view csr_der) {
  return client_.finalize_order(order, csr_der);
}
common::Result<CertificateChain> AcmeClientOrders::download_certificate(
    const std::string& url, std::string_view preferred) {
  return client_.download_certificate(url, preferred);
}

std::string describe_identifier(const Authorization& authorization) {
  return authorization.wildcard ? "*." + authorization.identifier.value
                                : authorization.identifier.value;
}

namespace {

// "<shortType>: <detail>" of a problem, or `fallback` when there is none.
std::string problem_text(const std::optional<Problem>& problem, std::string_view fallback) {
  if (!problem) {
    return std::string(fallback);
  }
  std::string text = problem->short_type().empty() ? problem->detail
                                                   : problem->short_type() + ": " + problem->detail;
  for (const auto& sub : problem->subproblems) {
    text += fmt::format("; {} {}: {}", sub.identifier_type, sub.identifier_value, sub.detail);
  }
  return text;
}

// One presented challenge, remembered for answering, polling and cleanup.
struct Presented {
  Authorization authorization;
  Challenge challenge;
  std::string key_authorization;
};

// Calls cleanup() for everything presented when it goes out of scope (RFC 8555 §8: the
// responses need not stay once the authorization is final).
class CleanupGuard {
 public:
  explicit CleanupGuard(ChallengeSolver& solver) : solver_(solver) {}
  CleanupGuard(const CleanupGuard&) = delete;
  CleanupGuard& operator=(const CleanupGuard&) = delete;
  ~CleanupGuard() {
    for (const auto& p : presented_) {
      if (auto status =
              solver_.cleanup(p.authorization.identifier, p.challenge.token, p.key_authorization);
          !status) {
        common::logger("acme")->warn("cleanup of {} for {}: {}", solver_.type(),
                                     describe_identifier(p.authorization),
                                     status.error().message());
      }
    }
  }
  void add(Presented p) { presented_.push_back(std::move(p)); }
  [[nodiscard]] const std::vector<Presented>& presented() const { return presented_; }

 private:
  ChallengeSolver& solver_;
  std::vector<Presented> presented_;
};

common::Status present_all(OrderApi& api, const Order& order, ChallengeSolver& solver,
                           CleanupGuard& guard) {
  auto log = common::logger("acme");
  for (const auto& url : order.authorizations) {
    auto authz = api.get_authorization(url);
    if (!authz) {
      return make_error(authz.error().wrap("authorization " + url));
    }
    const std::string name = describe_identifier(*authz);
    if (authz->status == "valid") {
      log->info("{}: already authorized", name);
      continue;
    }
    if (authz->status != "pending") {
      return make_error(ErrorCode::kFailedPrecondition,
                        fmt::format("{}: authorization is {}", name, authz->status));
    }
    const Challenge* challenge = authz->find_challenge(solver.type());
    if (challenge == nullptr) {
      std::string offered;
      for (const auto& c : authz->challenges) {
        offered += (offered.empty() ? "" : ", ") + c.type;
      }
      return make_error(ErrorCode::kInvalidArgument,
                        fmt::format("{}: the CA offers no {} challenge (offered: {})", name,
                                    solver.type(), offered.empty() ? "none" : offered));
    }
    auto key_authorization = api.key_authorization(challenge->token);
    if (!key_authorization) {
      return make_error(key_authorization.error().wrap(name));
    }
    if (auto status = solver.present(authz->identifier, challenge->token, *key_authorization);
        !status) {
      return make_error(status.error().wrap(fmt::format("{}: presenting {}", name, solver.type())));
    }
    log->info("{}: presented the {} challenge", name, solver.type());
    guard.add({*authz, *challenge, std::move(*key_authorization)});
  }
  return common::ok();
}

common::Status validate_all(OrderApi& api, const IssuanceRequest& request, ChallengeSolver& solver,
                            const std::vector<Presented>& presented) {
  auto log = common::logger("acme");
  // The challenge status each answer came back with (a challenge that is already "valid" makes
  // its authorization valid: RFC 8555 §7.1.6, one valid challenge suffices).
  std::vector<std::string> answered_status;
  answered_status.reserve(presented.size());
  for (const auto& p : presented) {
    std::string status = p.challenge.status;
    if (p.challenge.status == "pending") {
      auto answered = api.respond_challenge(p.challenge.url);
      if (!answered) {
        return make_error(answered.error().wrap(
            fmt::format("{}: {} challenge", describe_identifier(p.authorization), solver.type())));
      }
      status = answered->status;
    }
    answered_status.push_back(std::move(status));
  }
  for (std::size_t i = 0; i < presented.size(); ++i) {
    const auto& p = presented[i];
    const std::string name = describe_identifier(p.authorization);
    if (answered_status[i] == "valid") {
      log->info("{}: {} challenge valid", name, solver.type());
      continue;
    }
    auto final_authz =
        api.poll_authorization(p.authorization.url, request.deadline, request.first_poll_wait);
    if (!final_authz) {
      return make_error(final_authz.error().wrap(name));
    }
    if (final_authz->status == "valid") {
      log->info("{}: {} challenge valid", name, solver.type());
      continue;
    }
    std::optional<Problem> reason;
    if (const Challenge* c = final_authz->find_challenge(solver.type()); c != nullptr) {
      reason = c->error;
    }
    return make_error(ErrorCode::kPermissionDenied,
                      fmt::format("{}: {} challenge failed: {}", name, solver.type(),
                                  problem_text(reason, "authorization is " + final_authz->status)));
  }
  return common::ok();
}

common::Result<Order> require_status(common::Result<Order> order, std::string_view want,
                                     std::string_view step) {
  if (!order) {
    return make_error(order.error().wrap(step));
  }
  if (order->status != want) {
    return make_error(ErrorCode::kFailedPrecondition,
                      fmt::format("{}: order {} is {}: {}", step, order->url, order->status,
                                  problem_text(order->error, "no reason given")));
  }
  return order;
}

// Finalizes an order whose authorizations are all valid and returns it once "valid". Finalize is
// sent without fetching the order first; a CA that has not yet moved the order to "ready"
// answers orderNotReady, and then the order is polled until ready and finalized again.
common::Result<Order> finalize_when_ready(OrderApi& api, const IssuanceRequest& request,
                                          const Order& order) {
  auto log = common::logger("acme");
  Order current = order;
  if (current.status == "pending" || current.status == "ready") {
    auto finalized = api.finalize_order(current, request.csr_der);
    if (!finalized &&
        finalized.error().problem_type() == std::string(kProblemPrefix) + "orderNotReady") {
      log->info("order {} is not ready yet; waiting for it", current.url);
      auto ready =
          require_status(api.poll_order(current.url, request.deadline, request.first_poll_wait),
                         "ready", "waiting for the order");
      if (!ready) {
        return ready;
      }
      finalized = api.finalize_order(*ready, request.csr_der);
    }
    if (!finalized) {
      return make_error(finalized.error().wrap("finalize"));
    }
    log->info("order {} finalized: {}", current.url, finalized->status);
    current = std::move(*finalized);
  }
  if (current.status == "valid" && !current.certificate.empty()) {
    return current;
  }
  const auto first_wait = current.retry_after ? std::chrono::milliseconds(*current.retry_after)
                                              : request.first_poll_wait;
  return require_status(api.poll_order(order.url, request.deadline, first_wait), "valid",
                        "waiting for the certificate");
}

}  // namespace

common::Result<IssuedCertificate> obtain_certificate(OrderApi& api, const IssuanceRequest& request,
                                                     ChallengeSolver& solver) {
  auto log = common::logger("acme");
  auto order = api.new_order({.identifiers = request.identifiers,
                              .profile = request.profile,
                              .replaces = request.replaces});
  if (!order) {
    return make_error(order.error().wrap("new order"));
  }
  log->info("order {} is {}{}{}", order->url, order->status,
            order->replaces.empty() ? "" : ", replaces ", order->replaces);
  if (order->status == "invalid") {
    return make_error(ErrorCode::kFailedPrecondition,
                      "new order is invalid: " + problem_text(order->error, "no reason given"));
  }
  if (order->status == "pending") {
    CleanupGuard guard(solver);
    if (auto status = present_all(api, *order, solver, guard); !status) {
      return make_error(status.error());
    }
    if (!guard.presented().empty()) {
      if (auto status = solver.wait_ready(request.deadline); !status) {
        return make_error(status.error().wrap(std::string(solver.type())));
      }
    }
    if (auto status = validate_all(api, request, solver, guard.presented()); !status) {
      return make_error(status.error());
    }
  }
  auto valid = finalize_when_ready(api, request, *order);
  if (!valid) {
    return make_error(valid.error());
  }
  auto chain = api.download_certificate(valid->certificate, request.preferred_chain);
  if (!chain) {
    return make_error(chain.error().wrap("download " + valid->certificate));
  }
  log->info("downloaded the certificate from {}", chain->url);
  return IssuedCertificate{std::move(*valid), std::move(*chain)};
}

common::Result<IssuedCertificate> obtain_certificate(AcmeClient& client,
                                                     const IssuanceRequest& request,
                                                     ChallengeSolver& solver) {
  AcmeClientOrders api(client);
  return obtain_certificate(api, request, solver);
}

}  // namespace certkeeper::acme
