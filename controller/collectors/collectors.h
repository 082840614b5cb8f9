#pragma once

#include <functional>
#include <memory>
#include <vector>

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include "controller/manager/manager.h"
#include "lib/common/clock.h"
#include "lib/kube/informer.h"
#include "lib/metrics/registry.h"

// cert-manager's object metrics (cert-manager-api.md §6), computed at scrape time from the
// informer caches so that a deleted object's series disappear with it. Names, types and labels
// are cert-manager's, so existing dashboards and alerts keep working.
namespace certkeeper::collectors {

// What a collector reads: the objects in a cache (an informer's list()). Unit tests pass their
// own list.
using ObjectLister = std::function<std::vector<kube::ObjectPtr>()>;

// certmanager_certificate_{expiration,not_after,not_before,renewal}_timestamp_seconds (0 while
// the status field is unset) and certmanager_certificate_ready_status (one series per condition
// True/False/Unknown, 1 for the Ready condition's status, Unknown when there is none), labels
// name, namespace, issuer_name, issuer_kind, issuer_group (the issuerRef as written).
class CertificateCollector final : public prometheus::Collectable {
 public:
  explicit CertificateCollector(ObjectLister certificates);
  [[nodiscard]] std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  ObjectLister certificates_;
};

// certmanager_issuer_ready_status{name, namespace, condition} or, with `cluster`,
// certmanager_clusterissuer_ready_status{name, condition}.
class IssuerReadyCollector final : public prometheus::Collectable {
 public:
  IssuerReadyCollector(ObjectLister issuers, bool cluster);
  [[nodiscard]] std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  ObjectLister issuers_;
  bool cluster_;
};

// certmanager_certificate_challenge_status{status, domain, reason, processing, name, namespace,
// type}: per Challenge one series for each of the eight states ("" included), 1 for its current
// status.state.
class ChallengeCollector final : public prometheus::Collectable {
 public:
  explicit ChallengeCollector(ObjectLister challenges);
  [[nodiscard]] std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  ObjectLister challenges_;
};

// certmanager_clock_time_seconds (a counter, deprecated upstream by cert-manager #4560 because
// time can go backwards) and certmanager_clock_time_seconds_gauge: the clock's Unix time in whole
// seconds.
class ClockCollector final : public prometheus::Collectable {
 public:
  explicit ClockCollector(const common::Clock& clock) : clock_(clock) {}
  [[nodiscard]] std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  const common::Clock& clock_;
};

// Wires the controller's metrics into `manager`: process and clock collectors in its registry,
// and per leadership term the Certificate, Issuer, ClusterIssuer (cluster-wide mode only) and
// Challenge collectors over that term's informers. `clock` must outlive the manager.
void install(manager::Manager& manager, const common::Clock& clock);

}  // namespace certkeeper::collectors
