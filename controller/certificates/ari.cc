#include "controller/certificates/ari.h"

#include <algorithm>

#include "controller/certificates/policies.h"

namespace certkeeper::certificates {

bool status_describes(const api::CertificateStatus& status, const crypto::Certificate& leaf) {
  return status.not_before == leaf.not_before() && status.not_after == leaf.not_after();
}

std::chrono::seconds ari_poll_delay(std::optional<std::chrono::seconds> retry_after,
                                    std::chrono::seconds poll_interval, common::Random& random) {
  const auto floor = std::min(kAriMinPollInterval, poll_interval);
  const auto base = std::min(
      poll_interval, std::clamp(retry_after.value_or(poll_interval), floor, kAriMaxPollInterval));
  // ±10 %: spreads the checks of many Certificates issued together.
  const double factor = 0.9 + 0.2 * random.uniform01();
  return std::max(
      std::chrono::seconds(1),
      std::chrono::seconds(static_cast<std::int64_t>(static_cast<double>(base.count()) * factor)));
}

api::Time ari_renewal_time(const api::AriWindow& window, std::optional<api::Time> previous,
                           api::Time now, common::Random& random) {
  const api::Time start = window.start.value_or(now);
  const api::Time end = std::max(start, window.end.value_or(start));
  if (previous && *previous >= start && *previous <= end) {
    return *previous;
  }
  if (end <= now) {
    return now;
  }
  const auto span = std::chrono::duration_cast<std::chrono::seconds>(end - start);
  auto chosen = start + std::chrono::seconds(static_cast<std::int64_t>(
                            static_cast<double>(span.count()) * random.uniform01()));
  // Whole seconds: status times are RFC 3339 seconds, and the choice must survive a round trip
  // through the status unchanged to be recognised as "inside the window" next time.
  return std::chrono::time_point_cast<std::chrono::seconds>(chosen);
}

std::optional<api::Time> scheduled_renewal_time(const api::Certificate& certificate,
                                                const crypto::Certificate& leaf) {
  auto renewal = renewal_time_for(certificate, leaf);
  const auto& status = certificate.status;
  const bool ari = status.acme && status.acme->ari && status.acme->ari->suggested_window;
  if (renewal && ari && status.renewal_time && status_describes(status, leaf) &&
      *status.renewal_time < *renewal) {
    return status.renewal_time;
  }
  return renewal;
}

}  // namespace certkeeper::certificates
