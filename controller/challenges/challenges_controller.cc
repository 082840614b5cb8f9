#include "controller/challenges/challenges_controller.h"

#include <fmt/format.h>

#include "controller/challenges/scheduler.h"
#include "controller/manager/handlers.h"
#include "controller/manager/status_apply.h"
#include "lib/api/codec.h"
#include "lib/api/defaults.h"
#include "lib/api/duration.h"
#include "lib/api/well_known.h"
#include "lib/common/log.h"
#include "lib/http/curl_client.h"

namespace certkeeper::challenges {

using kube::ReconcileResult;
using nlohmann::json;

namespace {

constexpr std::string_view kSchedulerManager = "challenges-scheduler";
// How often the scheduler runs (cert-manager: every second).
constexpr auto kSchedulePeriod = std::chrono::seconds(1);
// A scheduled key is trusted over the cache for this long at most.
constexpr auto kScheduledMemory = std::chrono::seconds(30);
// How soon an authorization that is still being validated is asked again without Retry-After.
constexpr auto kAuthorizationPoll = std::chrono::seconds(2);
// How soon a Challenge whose issuer has no ACME client yet is looked at again.
constexpr auto kIssuerNotReadyWait = std::chrono::seconds(5);

const manager::StatusOwnership& challenge_ownership() {
  static const manager::StatusOwnership owned{
      .condition_types = {},
      .fields = {"processing", "presented", "presentedAt", "reason", "state"}};
  return owned;
}

std::string owner_challenge_key(const json& object) {
  const auto ns = object.value("/metadata/namespace"_json_pointer, std::string());
  for (const auto& ref : object.value("/metadata/ownerReferences"_json_pointer, json::array())) {
    if (ref.value("kind", "") == api::kKindChallenge) {
      return fmt::format("{}/{}", ns, ref.value("name", ""));
    }
  }
  return "";
}

std::string state_of(const api::Challenge& challenge) {
  return challenge.status.state.value_or("");
}

}  // namespace

kube::ResourceRef challenges_resource() {
  return {std::string(api::kAcmeGroup), "v1", "challenges", "", "", ""};
}

ChallengesController::ChallengesController(const common::Clock& clock,
                                           const manager::ManagerOptions& options,
                                           std::shared_ptr<issuers::AcmeAccounts> accounts,
                                           ChallengeSeams seams)
    : QueueController(
          std::string(kControllerName), clock, options.concurrent_workers,
          kube::WorkQueueOptions{.per_key = {std::chrono::seconds(5), std::chrono::minutes(30)}}),
      options_(options),
      accounts_(std::move(accounts)),
      seams_(std::move(seams)),
      dns01_settings_{options.dns01_recursive_nameservers,
                      options.dns01_recursive_nameservers_only} {}

common::Status ChallengesController::setup(manager::ControllerContext& context) {
  context_ = &context;
  if (!seams_.dns01) {
    seams_.dns01 = std::make_shared<solvers::SecretDns01ProviderFactory>(context.client);
  }
  if (!seams_.http) {
    // The HTTP-01 self-check's client: proxies from the environment, as cert-manager's.
    seams_.http = std::make_shared<http::CurlHttpClient>();
  }
  const std::string ns = options_.namespace_;
  challenges_ = &context.informers.informer({.resource = challenges_resource().with_namespace(ns)});
  challenges_->add_handlers(manager::on_change([this](const kube::ObjectPtr& object) {
    queue().add(kube::object_key(*object));
    queue().add(std::string(kSchedulerKey));
  }));

  issuers_ =
      &context.informers.informer({.resource = issuers::issuers_resource().with_namespace(ns)});
  if (ns.empty()) {
    cluster_issuers_ =
        &context.informers.informer({.resource = issuers::cluster_issuers_resource()});
  }

  // Solver resources, found by label (§3.1: metadata-only for Pods and Services); a change
  // re-queues the Challenge that owns it.
  const std::string selector = fmt::format("{}=true", api::kLabelHttp01Solver);
  const auto owner_handler = manager::on_change([this](const kube::ObjectPtr& object) {
    if (auto key = owner_challenge_key(*object); !key.empty()) {
      queue().add(key);
    }
  });
  auto& pods = context.informers.informer({.resource = solvers::pods_resource().with_namespace(ns),
                                           .label_selector = selector,
                                           .metadata_only = true});
  auto& services =
      context.informers.informer({.resource = solvers::services_resource().with_namespace(ns),
                                  .label_selector = selector,
                                  .metadata_only = true});
  auto& ingresses = context.informers.informer(
      {.resource = solvers::ingresses_resource().with_namespace(ns), .label_selector = selector});
  for (auto* informer : {&pods, &services, &ingresses}) {
    informer->add_handlers(owner_handler);
  }
  http01_ = std::make_unique<solvers::Http01Resources>(context.client, pods, services, ingresses,
                                                       solvers::http01_settings(options_));
  queue().add(std::string(kSchedulerKey));
  return common::ok();
}

ReconcileResult ChallengesController::reconcile(const std::string& key) {
  if (key == kSchedulerKey) {
    return schedule_pass();
  }
  const auto object = challenges_->get(key);
  if (!object) {
    return ReconcileResult::done();
  }
  auto challenge = api::decode_challenge(*object);
  if (!challenge) {
    context_->events.event(*object, kube::EventType::kWarning, "DecodeError",
                           challenge.error().message());
    return ReconcileResult::done();
  }
  if (challenge->metadata.deletion_timestamp) {
    return on_deleted(object, *challenge);
  }
  return sync(object, std::move(*challenge));
}

ReconcileResult ChallengesController::schedule_pass() {
  const auto now = context_->clock.steady_now();
  std::vector<ScheduleInput> inputs;
  {
    std::lock_guard lock(mu_);
    for (const auto& object : challenges_->list()) {
      auto c = api::decode_challenge(*object);
      if (!c) {
        continue;
      }
      const std::string key = kube::object_key(*object);
      bool processing = c->status.processing.value_or(false);
      if (auto it = scheduled_.find(key); it != scheduled_.end()) {
        if (processing || now - it->second > kScheduledMemory) {
          scheduled_.erase(it);
        } else {
          processing = true;  // our write has not reached the cache yet
        }
      }
      inputs.push_back({.key = key,
                        .dns_name = c->spec.dns_name,
                        .type = c->spec.type,
                        .processing = processing,
                        .final = api::is_final_state(state_of(*c)),
                        .deleting = c->metadata.deletion_timestamp.has_value(),
                        .created = c->metadata.creation_timestamp});
    }
  }
  for (const auto& key : schedule(inputs, options_.max_concurrent_challenges)) {
    const auto slash = key.find('/');
    const std::string ns = key.substr(0, slash);
    const std::string name = key.substr(slash + 1);
    const json body = {{"apiVersion", std::string(api::kAcmeApiVersion)},
                       {"kind", std::string(api::kKindChallenge)},
                       {"metadata", {{"name", name}, {"namespace", ns}}},
                       {"status", {{"processing", true}}}};
    auto applied = manager::apply_status(context_->client,
                                         challenges_resource().with_namespace(ns).with_name(name),
                                         body, kSchedulerManager);
    if (!applied) {
      common::logger("challenges")
          ->warn("scheduling challenge {}: {}", key, applied.error().to_string());
      continue;
    }
    std::lock_guard lock(mu_);
    scheduled_[key] = now;
  }
  return ReconcileResult::requeue_after(kSchedulePeriod);
}

std::optional<issuers::GenericIssuer> ChallengesController::resolve_issuer(
    const api::Challenge& challenge) const {
  const auto& ref = challenge.spec.issuer_ref;
  const std::string kind = api::effective_issuer_kind(ref);
  kube::ObjectPtr object;
  if (kind == api::kKindIssuer) {
    object = issuers_->get(fmt::format("{}/{}", challenge.metadata.namespace_, ref.name));
  } else if (kind == api::kKindClusterIssuer && cluster_issuers_ != nullptr) {
    object = cluster_issuers_->get(ref.name);
  }
  if (!object) {
    return std::nullopt;
  }
  auto issuer = issuers::decode_generic_issuer(*object, kind, options_.cluster_resource_namespace);
  if (!issuer) {
    return std::nullopt;
  }
  return std::move(*issuer);
}

common::Status ChallengesController::with_dns01_provider(
    const api::Challenge& challenge, const issuers::GenericIssuer& issuer,
    const std::function<common::Status(dns::Dns01Provider&, const std::string&)>& fn) {
  const auto& dns01 = *challenge.spec.solver.dns01;
  auto provider = seams_.dns01->make(dns01, issuer.resource_namespace);
  if (!provider) {
    return tl::unexpected(provider.error());
  }
  auto servers = solvers::recursive_nameservers(dns01, dns01_settings_);
  if (!servers) {
    return tl::unexpected(servers.error());
  }
  auto fqdn = solvers::challenge_record_name(dns01, challenge.spec.dns_name, *servers);
  if (!fqdn) {
    return tl::unexpected(fqdn.error());
  }
  return fn(**provider, *fqdn);
}

common::Status ChallengesController::present_solver(const api::Challenge& challenge,
                                                    const issuers::GenericIssuer& issuer) {
  const auto& solver = challenge.spec.solver;
  if (challenge.spec.type == api::kChallengeTypeHttp01) {
    if (!solver.http01 || !solver.http01->ingress) {
      return common::make_error(common::ErrorCode::kInvalidArgument,
                                solver.http01 ? "HTTP-01 gatewayHTTPRoute solvers are not "
                                                "supported by certkeeper yet"
                                              : "the challenge's solver has no http01 section");
    }
    return http01_->present(challenge);
  }
  if (challenge.spec.type != api::kChallengeTypeDns01 || !solver.dns01) {
    return common::make_error(
        common::ErrorCode::kInvalidArgument,
        fmt::format("challenge type \"{}\" does not match its solver", challenge.spec.type));
  }
  return with_dns01_provider(challenge, issuer,
                             [&](dns::Dns01Provider& provider, const std::string& fqdn) {
                               return provider.present(fqdn, challenge.spec.key);
                             });
}

common::Status ChallengesController::clean_up(const api::Challenge& challenge,
                                              const issuers::GenericIssuer& issuer) {
  const auto& solver = challenge.spec.solver;
  if (challenge.spec.type == api::kChallengeTypeHttp01) {
    // Also without an ingress section: a Pod left by an earlier spec is still ours.
    return http01_->cleanup(challenge);
  }
  if (!solver.dns01) {
    return common::ok();
  }
  return with_dns01_provider(challenge, issuer,
                             [&](dns::Dns01Provider& provider, const std::string& fqdn) {
                               return provider.cleanup(fqdn, challenge.spec.key);
                             });
}

common::Status ChallengesController::set_finalizers(const api::Challenge& challenge,
                                                    const std::vector<std::string>& finalizers) {
  // A merge patch replaces the whole list; the resourceVersion makes it conditional, so another
  // writer's finalizer is never dropped (409, and the next reconcile sees both).
  const json patch = {
      {"metadata",
       {{"finalizers", finalizers}, {"resourceVersion", challenge.metadata.resource_version}}}};
  auto patched = context_->client.patch(challenges_resource()
                                            .with_namespace(challenge.metadata.namespace_)
                                            .with_name(challenge.metadata.name),
                                        kube::PatchType::kMerge, patch);
  if (!patched) {
    return tl::unexpected(patched.error());
  }
  return common::ok();
}

ReconcileResult ChallengesController::on_deleted(const kube::ObjectPtr& object,
                                                 const api::Challenge& challenge) {
  const auto remaining = finalizers_without_ours(challenge.metadata.finalizers);
  if (!remaining) {
    return ReconcileResult::done();
  }
  const std::string key = kube::object_key(*object);
  auto log = common::logger("challenges");
  const auto issuer = resolve_issuer(challenge);
  if (!issuer && challenge.spec.type != api::kChallengeTypeHttp01) {
    // Without the issuer there is no namespace to read the DNS credentials from: nothing can be
    // cleaned up, and keeping the finalizer would block the deletion for ever.
    log->warn("challenge {}: issuer {} is gone; releasing the finalizer without cleaning up", key,
              challenge.spec.issuer_ref.name);
  } else {
    auto cleaned = clean_up(challenge, issuer.value_or(issuers::GenericIssuer{}));
    if (!cleaned) {
      const bool presented = challenge.status.presented.value_or(false);
      if (presented || challenge.spec.type == api::kChallengeTypeHttp01) {
        context_->events.event(*object, kube::EventType::kWarning, "CleanUpError",
                               cleanup_error_message(cleaned.error()));
        return ReconcileResult::retry();
      }
      // Never presented: a present that did not succeed left nothing we could remove.
      log->info("challenge {}: cleanup of a never-presented challenge failed ({}); releasing", key,
                cleaned.error().message());
    }
  }
  auto released = set_finalizers(challenge, *remaining);
  return manager::write_result(released, kControllerName, key);
}

ReconcileResult ChallengesController::sync(const kube::ObjectPtr& object,
                                           api::Challenge challenge) {
  const std::string key = kube::object_key(*object);
  const auto action = next_action(challenge);
  switch (action) {
    case Action::kNothing:
      return ReconcileResult::done();
    case Action::kAddFinalizer:
      return manager::write_result(
          set_finalizers(challenge, *finalizers_with_ours(challenge.metadata.finalizers)),
          kControllerName, key);
    case Action::kCleanUpFinal:
      return clean_up_final(object, std::move(challenge));
    case Action::kPresent:
      return present(object, std::move(challenge));
    default:
      break;
  }
  const auto issuer = resolve_issuer(challenge);
  const auto client = issuer ? accounts_->get(issuer->metadata.uid) : nullptr;
  if (!client) {
    // The issuer is missing or its account not set up yet; its Ready change does not re-queue
    // us, so look again shortly.
    return ReconcileResult::requeue_after(kIssuerNotReadyWait);
  }
  switch (action) {
    case Action::kFetchState:
      return read_authorization(std::move(challenge), *client, /*initial=*/true);
    case Action::kCheckAndAccept:
      return check_and_accept(object, std::move(challenge), *client);
    default:
      return read_authorization(std::move(challenge), *client, /*initial=*/false);
  }
}

ReconcileResult ChallengesController::present(const kube::ObjectPtr& object,
                                              api::Challenge challenge) {
  const api::Challenge before = challenge;
  const auto issuer = resolve_issuer(challenge);
  if (!issuer) {
    return ReconcileResult::requeue_after(kIssuerNotReadyWait);
  }
  auto presented = present_solver(challenge, *issuer);
  if (!presented) {
    const std::string message = present_error_message(presented.error());
    context_->events.event(*object, kube::EventType::kWarning, "PresentError", message);
    challenge.status.reason = message;
    auto written = write_status(before, challenge);
    return written.kind == ReconcileResult::Kind::kDone ? ReconcileResult::retry() : written;
  }
  context_->events.event(*object, kube::EventType::kNormal, "Presented",
                         presented_message(challenge));
  challenge.status.presented = true;
  challenge.status.presented_at = context_->clock.now();
  challenge.status.reason.reset();
  return write_status(before, challenge);
}

solvers::SelfCheck ChallengesController::self_check(const api::Challenge& challenge) {
  if (challenge.spec.type == api::kChallengeTypeHttp01) {
    return solvers::http01_self_check(challenge, options_.acme_http01_solver_nameservers,
                                      *seams_.http);
  }
  const auto& dns01 = *challenge.spec.solver.dns01;
  auto servers = solvers::recursive_nameservers(dns01, dns01_settings_);
  if (!servers) {
    return {false, servers.error().message()};
  }
  auto fqdn = solvers::challenge_record_name(dns01, challenge.spec.dns_name, *servers);
  if (!fqdn) {
    return {false, fqdn.error().message()};
  }
  auto checked = solvers::dns01_self_check(dns01, challenge.spec.dns_name, *fqdn,
                                           challenge.spec.key, dns01_settings_);
  if (!checked) {
    return {false, checked.error().message()};
  }
  return *checked;
}

ReconcileResult ChallengesController::check_and_accept(const kube::ObjectPtr& object,
                                                       api::Challenge challenge,
                                                       acme::AcmeClient& acme) {
  (void)object;
  const api::Challenge before = challenge;
  if (const auto& wait = challenge.spec.solver.wait_instead_of_self_check) {
    const auto since = challenge.status.presented_at.value_or(context_->clock.now());
    const auto due =
        since + std::chrono::duration_cast<std::chrono::system_clock::duration>(wait->value);
    if (const auto now = context_->clock.now(); now < due) {
      challenge.status.reason = propagation_reason(
          challenge,
          fmt::format("waiting {} instead of a self-check", api::format_go_duration(wait->value)));
      auto written = write_status(before, challenge);
      return written.kind == ReconcileResult::Kind::kDone
                 ? ReconcileResult::requeue_after(due - now)
                 : written;
    }
  } else {
    const auto check = self_check(challenge);
    if (!check.passed) {
      challenge.status.reason = propagation_reason(challenge, check.reason);
      auto written = write_status(before, challenge);
      return written.kind == ReconcileResult::Kind::kDone
                 ? ReconcileResult::requeue_after(options_.dns01_check_retry_period)
                 : written;
    }
  }
  auto answered = acme.respond_challenge(challenge.spec.url);
  if (!answered) {
    const auto outcome = classify_acme_error(answered.error(), "Failed to accept challenge");
    if (!outcome.final) {
      challenge.status.reason = outcome.reason;
      auto written = write_status(before, challenge);
      return written.kind == ReconcileResult::Kind::kDone ? ReconcileResult::retry() : written;
    }
    challenge.status.state = outcome.state;
    challenge.status.reason = outcome.reason;
    return write_status(before, challenge);
  }
  // "processing" records that the CA was told to validate, so a restart polls instead of
  // answering again; a CA that already decided ("valid"/"invalid") is taken at its word.
  challenge.status.state = answered->status == "valid" || answered->status == "invalid"
                               ? answered->status
                               : std::string(api::kStateProcessing);
  challenge.status.reason = answered->status == "invalid" && answered->error
                                ? std::optional<std::string>(answered->error->detail)
                                : std::nullopt;
  return write_status(before, challenge);
}

ReconcileResult ChallengesController::read_authorization(api::Challenge challenge,
                                                         acme::AcmeClient& acme, bool initial) {
  const api::Challenge before = challenge;
  auto authz = acme.get_authorization(challenge.spec.authorization_url);
  if (!authz) {
    const auto outcome = classify_acme_error(authz.error(), "Failed to fetch authorization");
    if (!outcome.final) {
      common::logger("challenges")
          ->info("challenge {}/{}: {}", challenge.metadata.namespace_, challenge.metadata.name,
                 outcome.reason);
      return ReconcileResult::retry();
    }
    challenge.status.state = outcome.state;
    challenge.status.reason = outcome.reason;
    return write_status(before, challenge);
  }
  if (initial) {
    challenge.status.state = initial_state(*authz, challenge);
    return write_status(before, challenge);
  }
  const auto outcome = authorization_outcome(*authz, challenge);
  if (!outcome) {
    const auto wait =
        authz->retry_after
            ? std::chrono::duration_cast<std::chrono::nanoseconds>(*authz->retry_after)
            : std::chrono::duration_cast<std::chrono::nanoseconds>(kAuthorizationPoll);
    return ReconcileResult::requeue_after(wait);
  }
  challenge.status.state = outcome->state;
  challenge.status.reason =
      outcome->reason.empty() ? std::nullopt : std::optional<std::string>(outcome->reason);
  return write_status(before, challenge);
}

ReconcileResult ChallengesController::clean_up_final(const kube::ObjectPtr& object,
                                                     api::Challenge challenge) {
  const api::Challenge before = challenge;
  const auto issuer = resolve_issuer(challenge);
  if (issuer || challenge.spec.type == api::kChallengeTypeHttp01) {
    auto cleaned = clean_up(challenge, issuer.value_or(issuers::GenericIssuer{}));
    if (!cleaned) {
      context_->events.event(*object, kube::EventType::kWarning, "CleanUpError",
                             cleanup_error_message(cleaned.error()));
      return ReconcileResult::retry();
    }
  }
  challenge.status.processing = false;
  challenge.status.presented = false;
  return write_status(before, challenge);
}

ReconcileResult ChallengesController::write_status(const api::Challenge& before,
                                                   const api::Challenge& after) {
  const std::string key = fmt::format("{}/{}", after.metadata.namespace_, after.metadata.name);
  if (before.status == after.status) {
    return ReconcileResult::done();
  }
  const auto body = manager::status_apply_body(api::encode(after), challenge_ownership());
  const auto written = manager::apply_status(context_->client,
                                             challenges_resource()
                                                 .with_namespace(after.metadata.namespace_)
                                                 .with_name(after.metadata.name),
                                             body, kControllerName);
  return manager::write_result(written, kControllerName, key);
}

std::unique_ptr<manager::Controller> make_challenges_controller(
    const common::Clock& clock, const manager::ManagerOptions& options,
    std::shared_ptr<issuers::AcmeAccounts> accounts) {
  return std::make_unique<ChallengesController>(clock, options, std::move(accounts));
}

}  // namespace certkeeper::challenges
