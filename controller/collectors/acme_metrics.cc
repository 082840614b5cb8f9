#include "controller/collectors/acme_metrics.h"

#include <chrono>
#include <string>

namespace certkeeper::collectors {

UrlParts scheme_and_host(std::string_view url) {
  UrlParts out;
  const auto sep = url.find("://");
  if (sep == std::string_view::npos) {
    return out;
  }
  out.scheme = std::string(url.substr(0, sep));
  auto rest = url.substr(sep + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (const auto at = rest.rfind('@'); at != std::string_view::npos) {
    rest = rest.substr(at + 1);  // never expose userinfo
  }
  out.host = std::string(rest);
  return out;
}

AcmeRequestMetrics::AcmeRequestMetrics(metrics::Registry& registry)
    : count_(prometheus::BuildCounter()
                 .Name("certmanager_http_acme_client_request_count")
                 .Help("Requests sent to ACME servers, by scheme, host, action (the ACME "
                       "operation), method and HTTP status (999: no response).")
                 .Register(registry.families())),
      duration_(prometheus::BuildSummary()
                    .Name("certmanager_http_acme_client_request_duration_seconds")
                    .Help("How long requests to ACME servers took, in seconds, with the same "
                          "labels as certmanager_http_acme_client_request_count.")
                    .Register(registry.families())) {}

void AcmeRequestMetrics::on_request(const acme::RequestRecord& record) {
  auto parts = scheme_and_host(record.url);
  const prometheus::Labels labels{{"scheme", std::move(parts.scheme)},
                                  {"host", std::move(parts.host)},
                                  {"action", std::string(record.action)},
                                  {"method", std::string(record.method)},
                                  {"status", std::to_string(record.status)}};
  count_.Add(labels).Increment();
  // client_golang's summary defaults: a 10-minute window in 5 buckets; the error bounds are
  // cert-manager's objectives.
  static const prometheus::Summary::Quantiles quantiles{{0.5, 0.05}, {0.9, 0.01}, {0.99, 0.001}};
  duration_.Add(labels, quantiles, std::chrono::minutes(10), 5)
      .Observe(std::chrono::duration<double>(record.duration).count());
}

}  // namespace certkeeper::collectors
