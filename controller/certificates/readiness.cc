// certificates-readiness (cert-manager-api.md §1.3 Ready, §1.4, §3.9): the Ready condition from
// the readiness policy chain, status.notBefore/notAfter/renewalTime from the issued certificate,
// and, for ACME-issued certificates, the CA's renewal information (ARI) in status.acme.ari with
// a renewal time chosen inside its suggested window.

#include <algorithm>

#include <nlohmann/json.hpp>

#include "controller/certificates/ari.h"
#include "controller/certificates/base.h"
#include "controller/certificates/controllers.h"
#include "controller/certificates/pki.h"
#include "controller/certificates/policies.h"
#include "controller/issuers/acme_accounts.h"
#include "controller/issuers/issuer_lookup.h"
#include "lib/api/codec.h"
#include "lib/api/conditions.h"
#include "lib/common/random.h"
#include "lib/common/time_format.h"

namespace certkeeper::certificates {
namespace {

using json = nlohmann::json;

// What the ARI step decided: the status.acme to write (nullopt: none) and the renewal time it
// asks for (nullopt: none earlier than the spec's).
struct AriStep {
  std::optional<api::CertificateAcmeStatus> acme;
  std::optional<api::Time> renewal;
  std::optional<api::Time> next_check;
};

class Readiness final : public CertificatesController {
 public:
  Readiness(const common::Clock& clock, const manager::ManagerOptions& options,
            std::shared_ptr<issuers::AcmeAccounts> accounts)
      : CertificatesController(std::string(kReadinessName), clock, options,
                               {.requests = true, .secrets = true}),
        accounts_(std::move(accounts)),
        poll_interval_(
            std::chrono::duration_cast<std::chrono::seconds>(options.ari_poll_interval)) {}

  common::Status setup(manager::ControllerContext& context) override {
    if (auto s = CertificatesController::setup(context); !s) {
      return s;
    }
    // Issuers are read from the cache only (which type, ARI opt-out, UID for the ACME client);
    // their changes need not re-queue Certificates: the next check is scheduled anyway.
    issuers_ = issuers::watch_issuers(context, [](const std::string&) {});
    return common::ok();
  }

 protected:
  kube::ReconcileResult reconcile(const std::string& key) override {
    auto certificate = caches().live_certificate(key);
    if (!certificate) {
      return kube::ReconcileResult::done();
    }
    const auto& meta = certificate->metadata;
    auto secret = caches().secret(meta.namespace_, certificate->spec.secret_name);
    const auto requests = caches().owned_requests(*certificate);
    const api::CertificateRequest* current = nullptr;
    for (const auto& r : requests) {
      if (certificate->status.revision.has_value() &&
          request_revision(r) == certificate->status.revision) {
        current = &r;
      }
    }
    const auto t = now();
    const auto hit = readiness_policy({.certificate = &*certificate,
                                       .secret = secret ? &*secret : nullptr,
                                       .current_request = current,
                                       .now = t});
    const auto condition =
        hit ? next_condition(*certificate, api::kConditionReady, api::ConditionStatus::kFalse,
                             hit->reason, hit->message, t)
            : next_condition(*certificate, api::kConditionReady, api::ConditionStatus::kTrue,
                             api::kReasonReady, api::kMessageCertificateReady, t);

    std::optional<api::Time> not_before;
    std::optional<api::Time> not_after;
    std::optional<api::Time> renewal;
    AriStep ari;
    if (auto leaf = secret ? secret_leaf(*secret) : std::nullopt) {
      not_before = leaf->not_before();
      not_after = leaf->not_after();
      renewal = renewal_time_for(*certificate, *leaf);
      if (!hit && renewal) {  // ARI only for a Ready certificate that renews at all
        ari = ari_step(*certificate, *leaf, t);
        if (ari.renewal && *ari.renewal < *renewal) {
          renewal = ari.renewal;
        }
      }
    }

    const auto& status = certificate->status;
    const auto* existing = api::find_condition(status.conditions, api::kConditionReady);
    const bool unchanged = existing != nullptr && *existing == condition &&
                           status.not_before == not_before && status.not_after == not_after &&
                           status.renewal_time == renewal && status.acme == ari.acme;
    if (!unchanged) {
      json out = {{"conditions", json::array({condition_json(condition)})}};
      if (not_before) {
        out["notBefore"] = common::format_rfc3339(*not_before);
        out["notAfter"] = common::format_rfc3339(*not_after);
      }
      if (renewal) {
        out["renewalTime"] = common::format_rfc3339(*renewal);
      }
      if (ari.acme) {
        api::Certificate only_acme;
        only_acme.status.acme = ari.acme;
        out["acme"] = api::encode(only_acme)["status"]["acme"];
      }
      if (auto s = apply_status(client(), *certificate, out, field_manager(), false); !s) {
        return after_error(s.error());
      }
    }
    // Look again when the certificate is due for renewal, when it expires, and when the CA's
    // renewal information is due for another check.
    std::optional<api::Time> next;
    for (const auto& when : {renewal, not_after, ari.next_check}) {
      if (when && *when > t && (!next || *when < *next)) {
        next = when;
      }
    }
    return next ? kube::ReconcileResult::requeue_after(until(*next, t))
                : kube::ReconcileResult::done();
  }

 private:
  // The ACME client of the issuer that issued `leaf` when renewal information applies: an ACME
  // issuer that is ready (its client registered) and has not opted out with
  // renewalInformationSource: None. nullptr otherwise.
  std::shared_ptr<acme::AcmeClient> ari_client(const api::Certificate& certificate) const {
    auto issuer = issuers_.resolve(certificate.spec.issuer_ref, certificate.metadata.namespace_);
    if (!issuer || !*issuer ||
        issuers::issuer_type((*issuer)->spec) != issuers::IssuerType::kAcme) {
      return nullptr;
    }
    const auto& acme = *(*issuer)->spec.acme;
    if (acme.renewal_information_source == "None" || !accounts_) {
      return nullptr;
    }
    return accounts_->get((*issuer)->metadata.uid);
  }

  // §3.9: keep what status.acme.ari says about this leaf until its nextCheck; then ask the CA.
  // A CA without ARI clears it; a failed request is a Warning Event ARIError, keeps the window
  // it had, and is retried after the server's Retry-After or the poll interval.
  AriStep ari_step(const api::Certificate& certificate, const crypto::Certificate& leaf,
                   api::Time t) {
    const auto& status = certificate.status;
    const bool same_leaf = status_describes(status, leaf);
    std::optional<api::CertificateAriStatus> previous;
    if (same_leaf && status.acme && status.acme->ari) {
      previous = status.acme->ari;
    }
    auto keep = [&]() {
      AriStep step;
      if (previous) {
        step.acme = api::CertificateAcmeStatus{previous};
        step.next_check = previous->next_check;
        if (previous->suggested_window && status.renewal_time) {
          step.renewal = status.renewal_time;
        }
      }
      return step;
    };
    if (previous && previous->next_check && *previous->next_check > t) {
      return keep();
    }
    auto client = ari_client(certificate);
    if (!client) {
      // Not (or not yet) an ARI issuer. An ACME issuer that is not ready keeps what it had.
      return keep();
    }
    auto info = client->get_renewal_info(leaf);
    const auto seconds_now = std::chrono::time_point_cast<std::chrono::seconds>(t);
    api::CertificateAriStatus ari = previous.value_or(api::CertificateAriStatus{});
    ari.last_checked = seconds_now;
    if (!info) {
      if (info.error().code() == common::ErrorCode::kFailedPrecondition) {
        return {};  // the CA has no renewalInfo: fall back to the spec's renewal time
      }
      const auto message = info.error().message();
      log().warn("{}/{}: renewal information: {}", certificate.metadata.namespace_,
                 certificate.metadata.name, message);
      if (!previous || previous->last_error != message) {
        events().event(event_object(certificate), kube::EventType::kWarning, "ARIError",
                       "Failed to fetch ACME renewal information: " + message);
      }
      ari.last_error = message;
      ari.next_check =
          seconds_now + ari_poll_delay(info.error().retry_after(), poll_interval_, random_);
      AriStep step{api::CertificateAcmeStatus{ari}, std::nullopt, ari.next_check};
      if (ari.suggested_window && same_leaf && status.renewal_time) {
        step.renewal = status.renewal_time;
      }
      return step;
    }
    api::AriWindow window{std::chrono::time_point_cast<std::chrono::seconds>(info->window_start),
                          std::chrono::time_point_cast<std::chrono::seconds>(info->window_end)};
    const auto renewal = ari_renewal_time(
        window,
        same_leaf && previous && previous->suggested_window == window ? status.renewal_time
                                                                      : std::nullopt,
        seconds_now, random_);
    ari.suggested_window = window;
    ari.explanation_url = info->explanation_url.empty()
                              ? std::nullopt
                              : std::optional<std::string>(info->explanation_url);
    ari.last_error.reset();
    ari.next_check = seconds_now + ari_poll_delay(info->retry_after, poll_interval_, random_);
    return {api::CertificateAcmeStatus{ari}, renewal, ari.next_check};
  }

  std::shared_ptr<issuers::AcmeAccounts> accounts_;
  std::chrono::seconds poll_interval_;
  issuers::IssuerLookup issuers_;
  common::SystemRandom random_;
};

}  // namespace

std::unique_ptr<manager::Controller> make_readiness(
    const common::Clock& clock, const manager::ManagerOptions& options,
    std::shared_ptr<issuers::AcmeAccounts> accounts) {
  return std::make_unique<Readiness>(clock, options, std::move(accounts));
}

}  // namespace certkeeper::certificates
