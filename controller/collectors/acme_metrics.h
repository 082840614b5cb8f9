#pragma once

#include <memory>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/summary.h>

#include "lib/acme/client.h"
#include "lib/metrics/registry.h"

namespace certkeeper::collectors {

// The ACME client's requests as certmanager_http_acme_client_request_count (counter) and
// certmanager_http_acme_client_request_duration_seconds (summary, quantiles .5/.9/.99 over a
// 10-minute window as client_golang's default), labels scheme, host, action, method, status.
// Handed to every ACME client through acme::AcmeClientOptions::observer. Thread-safe.
class AcmeRequestMetrics final : public acme::RequestObserver {
 public:
  explicit AcmeRequestMetrics(metrics::Registry& registry);
  void on_request(const acme::RequestRecord& record) override;

 private:
  prometheus::Family<prometheus::Counter>& count_;
  prometheus::Family<prometheus::Summary>& duration_;
};

// "https://ca.example:14000/acme/new-order" → {"https", "ca.example:14000"} (the host keeps its
// port, as Go's URL.Host does); empty strings for what is missing.
struct UrlParts {
  std::string scheme;
  std::string host;
};
UrlParts scheme_and_host(std::string_view url);

}  // namespace certkeeper::collectors
