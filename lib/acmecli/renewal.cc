#include "lib/acmecli/renewal.h"

#include <fmt/format.h>

#include "lib/acme/protocol.h"
#include "lib/common/time_format.h"

namespace certkeeper::acmecli {

RenewalDecision decide_renewal(const crypto::Certificate& certificate,
                               const std::optional<acme::RenewalInfo>& renewal_info,
                               std::chrono::system_clock::time_point now, common::Random& random,
                               bool force) {
  RenewalDecision decision;
  std::string basis;
  if (renewal_info) {
    decision.renew_at = acme::pick_renewal_time(*renewal_info, random);
    basis = fmt::format("the CA's renewal window is {} to {}, picked {}",
                        common::format_rfc3339(renewal_info->window_start),
                        common::format_rfc3339(renewal_info->window_end),
                        common::format_rfc3339(decision.renew_at));
  } else {
    const auto lifetime = certificate.not_after() - certificate.not_before();
    decision.renew_at = certificate.not_after() - lifetime / 3;
    basis = fmt::format("no renewal information; a third of the lifetime remains from {}",
                        common::format_rfc3339(decision.renew_at));
  }
  if (force) {
    decision.renew = true;
    decision.reason = "--force (" + basis + ")";
  } else if (now >= decision.renew_at) {
    decision.renew = true;
    decision.reason = "due: " + basis;
  } else {
    decision.reason = "not due: " + basis;
  }
  return decision;
}

}  // namespace certkeeper::acmecli
