#include "controller/collectors/collectors.h"

#include <array>
#include <chrono>
#include <string>

#include "controller/certificates/shared.h"
#include "controller/issuers/generic_issuer.h"
#include "controller/issuers/issuer_lookup.h"
#include "lib/api/codec.h"
#include "lib/api/conditions.h"
#include "lib/metrics/process_collector.h"

namespace certkeeper::collectors {
namespace {

using prometheus::MetricFamily;
using prometheus::MetricType;

constexpr std::array<api::ConditionStatus, 3> kConditionStatuses = {
    api::ConditionStatus::kTrue, api::ConditionStatus::kFalse, api::ConditionStatus::kUnknown};

// The challenge states cert-manager reports, in its order; "" is a Challenge not yet processed.
constexpr std::array<std::string_view, 8> kChallengeStates = {
    "ready", "valid", "errored", "expired", "invalid", "processing", "", "pending"};

double epoch_seconds(const std::optional<api::Time>& t) {
  if (!t) {
    return 0;
  }
  return static_cast<double>(
      std::chrono::duration_cast<std::chrono::seconds>(t->time_since_epoch()).count());
}

api::ConditionStatus ready_status(const std::vector<api::Condition>& conditions) {
  const auto* ready = api::find_condition(conditions, "Ready");
  return ready != nullptr ? ready->status : api::ConditionStatus::kUnknown;
}

// One series per condition status, 1 for `status` and 0 for the others.
void add_ready_series(MetricFamily& family, const metrics::LabelPairs& before,
                      api::ConditionStatus status, const metrics::LabelPairs& after) {
  for (const auto s : kConditionStatuses) {
    metrics::LabelPairs labels = before;
    labels.emplace_back("condition", std::string(api::to_string(s)));
    labels.insert(labels.end(), after.begin(), after.end());
    metrics::add_sample(family, labels, s == status ? 1 : 0);
  }
}

}  // namespace

CertificateCollector::CertificateCollector(ObjectLister certificates)
    : certificates_(std::move(certificates)) {}

std::vector<MetricFamily> CertificateCollector::Collect() const {
  auto ready = metrics::make_family("certmanager_certificate_ready_status",
                                    "The Ready condition of the Certificate: 1 for the series "
                                    "whose condition label is its status.",
                                    MetricType::Gauge);
  auto expiration = metrics::make_family(
      "certmanager_certificate_expiration_timestamp_seconds",
      "When the Certificate's current certificate expires (status.notAfter), in Unix time.",
      MetricType::Gauge);
  auto not_after = metrics::make_family(
      "certmanager_certificate_not_after_timestamp_seconds",
      "The end of the Certificate's validity (status.notAfter), in Unix time.", MetricType::Gauge);
  auto not_before = metrics::make_family(
      "certmanager_certificate_not_before_timestamp_seconds",
      "The start of the Certificate's validity (status.notBefore), in Unix time.",
      MetricType::Gauge);
  auto renewal = metrics::make_family(
      "certmanager_certificate_renewal_timestamp_seconds",
      "When the Certificate is due to be renewed (status.renewalTime), in Unix time.",
      MetricType::Gauge);
  for (const auto& object : certificates_()) {
    auto certificate = api::decode_certificate(*object);
    if (!certificate) {
      continue;  // the codec refused it; the controllers report it, not the metrics
    }
    const auto& ref = certificate->spec.issuer_ref;
    const metrics::LabelPairs who = {{"name", certificate->metadata.name},
                                     {"namespace", certificate->metadata.namespace_}};
    const metrics::LabelPairs issuer = {
        {"issuer_name", ref.name}, {"issuer_kind", ref.kind}, {"issuer_group", ref.group}};
    metrics::LabelPairs all = who;
    all.insert(all.end(), issuer.begin(), issuer.end());
    add_ready_series(ready, who, ready_status(certificate->status.conditions), issuer);
    const auto& status = certificate->status;
    metrics::add_sample(expiration, all, epoch_seconds(status.not_after));
    metrics::add_sample(not_after, all, epoch_seconds(status.not_after));
    metrics::add_sample(not_before, all, epoch_seconds(status.not_before));
    metrics::add_sample(renewal, all, epoch_seconds(status.renewal_time));
  }
  std::vector<MetricFamily> out;
  for (auto* family : {&expiration, &not_after, &not_before, &renewal, &ready}) {
    out.push_back(std::move(*family));
  }
  return out;
}

IssuerReadyCollector::IssuerReadyCollector(ObjectLister issuers, bool cluster)
    : issuers_(std::move(issuers)), cluster_(cluster) {}

std::vector<MetricFamily> IssuerReadyCollector::Collect() const {
  auto family = cluster_ ? metrics::make_family("certmanager_clusterissuer_ready_status",
                                                "The Ready condition of the ClusterIssuer: 1 for "
                                                "the series whose condition label is its status.",
                                                MetricType::Gauge)
                         : metrics::make_family("certmanager_issuer_ready_status",
                                                "The Ready condition of the Issuer: 1 for the "
                                                "series whose condition label is its status.",
                                                MetricType::Gauge);
  for (const auto& object : issuers_()) {
    if (cluster_) {
      auto issuer = api::decode_cluster_issuer(*object);
      if (issuer) {
        add_ready_series(family, {{"name", issuer->metadata.name}},
                         ready_status(issuer->status.conditions), {});
      }
    } else {
      auto issuer = api::decode_issuer(*object);
      if (issuer) {
        add_ready_series(
            family, {{"name", issuer->metadata.name}, {"namespace", issuer->metadata.namespace_}},
            ready_status(issuer->status.conditions), {});
      }
    }
  }
  std::vector<MetricFamily> out;
  out.push_back(std::move(family));
  return out;
}

ChallengeCollector::ChallengeCollector(ObjectLister challenges)
    : challenges_(std::move(challenges)) {}

std::vector<MetricFamily> ChallengeCollector::Collect() const {
  auto family = metrics::make_family(
      "certmanager_certificate_challenge_status",
      "The state of each ACME Challenge: 1 for the series whose status label is its state.",
      MetricType::Gauge);
  for (const auto& object : challenges_()) {
    auto challenge = api::decode_challenge(*object);
    if (!challenge) {
      continue;
    }
    const std::string state = challenge->status.state.value_or("");
    for (const auto s : kChallengeStates) {
      metrics::add_sample(
          family,
          {{"status", std::string(s)},
           {"domain", challenge->spec.dns_name},
           {"reason", challenge->status.reason.value_or("")},
           {"processing", challenge->status.processing.value_or(false) ? "true" : "false"},
           {"name", challenge->metadata.name},
           {"namespace", challenge->metadata.namespace_},
           {"type", challenge->spec.type}},
          s == state ? 1 : 0);
    }
  }
  std::vector<MetricFamily> out;
  out.push_back(std::move(family));
  return out;
}

std::vector<MetricFamily> ClockCollector::Collect() const {
  const auto now = static_cast<double>(
      std::chrono::duration_cast<std::chrono::seconds>(clock_.now().time_since_epoch()).count());
  auto counter = metrics::make_family(
      "certmanager_clock_time_seconds",
      "Deprecated, use certmanager_clock_time_seconds_gauge: the controller's clock in Unix time.",
      MetricType::Counter);
  metrics::add_sample(counter, {}, now);
  auto gauge =
      metrics::make_family("certmanager_clock_time_seconds_gauge",
                           "The controller's clock in Unix time (seconds).", MetricType::Gauge);
  metrics::add_sample(gauge, {}, now);
  std::vector<MetricFamily> out;
  out.push_back(std::move(counter));
  out.push_back(std::move(gauge));
  return out;
}

void install(manager::Manager& manager, const common::Clock& clock) {
  auto& registry = *manager.metrics();
  registry.add(std::make_shared<metrics::ProcessCollector>());
  registry.add(std::make_shared<ClockCollector>(clock));
  const auto lister = [](kube::Informer& informer) -> ObjectLister {
    return [&informer] { return informer.list(); };
  };
  manager.add_collector([lister](manager::ControllerContext& context) {
    const auto& ns = context.options.namespace_;
    return std::make_shared<CertificateCollector>(
        lister(context.informers.informer({.resource = certificates::certificates_resource(ns)})));
  });
  manager.add_collector([lister](manager::ControllerContext& context) {
    return std::make_shared<IssuerReadyCollector>(
        lister(context.informers.informer(
            {.resource = issuers::issuers_resource().with_namespace(context.options.namespace_)})),
        /*cluster=*/false);
  });
  manager.add_collector(
      [lister](manager::ControllerContext& context) -> std::shared_ptr<IssuerReadyCollector> {
        if (!context.options.namespace_.empty()) {
          return nullptr;  // single-namespace mode watches no cluster-scoped kind
        }
        return std::make_shared<IssuerReadyCollector>(
            lister(context.informers.informer({.resource = issuers::cluster_issuers_resource()})),
            /*cluster=*/true);
      });
  manager.add_collector([lister](manager::ControllerContext& context) {
    return std::make_shared<ChallengeCollector>(lister(context.informers.informer(
        {.resource = issuers::challenges_resource().with_namespace(context.options.namespace_)})));
  });
}

}  // namespace certkeeper::collectors
