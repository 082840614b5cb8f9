#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "lib/acme/types.h"
#include "lib/common/random.h"
#include "lib/crypto/certificate.h"

namespace certkeeper::acmecli {

struct RenewalDecision {
  bool renew = false;
  std::string reason;  // one line for the user, e.g. "ARI window opens ..."
  std::chrono::system_clock::time_point renew_at;  // when renewal is (or was) due
};

// Whether `certificate` should be renewed at `now`. With ARI (RFC 9773 §4.2) the time is picked
// uniformly in the suggested window (acme::pick_renewal_time) and renewal is due from then on;
// without it, when less than a third of the lifetime remains (lego's and cert-manager's default).
// `force` renews regardless and says so.
RenewalDecision decide_renewal(const crypto::Certificate& certificate,
                               const std::optional<acme::RenewalInfo>& renewal_info,
                               std::chrono::system_clock::time_point now, common::Random& random,
                               bool force);

}  // namespace certkeeper::acmecli
