#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "lib/api/certificate.h"
#include "lib/common/random.h"
#include "lib/crypto/certificate.h"

// ACME Renewal Information for Certificates (RFC 9773; cert-manager-api.md §3.9): the pure
// decisions of the readiness controller's ARI step and the renewal time the trigger acts on.
// No I/O: the readiness controller fetches the renewal information and writes status.acme.ari.
namespace certkeeper::certificates {

// The default interval between renewal-information checks, and the bounds a server's
// Retry-After is clamped to (§3.9: 6 h, 1 h – 7 d).
inline constexpr std::chrono::seconds kAriDefaultPollInterval{6 * 3600};
inline constexpr std::chrono::seconds kAriMinPollInterval{3600};
inline constexpr std::chrono::seconds kAriMaxPollInterval{7 * 24 * 3600};

// Whether the Certificate's status describes `leaf`: status.notBefore and notAfter are the
// leaf's. status.acme.ari and an ARI-chosen renewalTime belong to the certificate they were
// fetched for; once a new certificate is in the Secret (renewed), they no longer apply.
bool status_describes(const api::CertificateStatus& status, const crypto::Certificate& leaf);

// How long to wait before the next check: the server's Retry-After when it gave one, clamped to
// [min(1 h, poll_interval), 7 d], but never longer than `poll_interval` (the operator's bound on
// how late a CA incident may be noticed; Pebble and Let's Encrypt answer 6 h, the default), with
// ±10 % jitter from `random`. A poll interval under an hour (tests, or an operator who wants it)
// lowers the floor too.
std::chrono::seconds ari_poll_delay(std::optional<std::chrono::seconds> retry_after,
                                    std::chrono::seconds poll_interval, common::Random& random);

// The renewal time for a suggested window: `previous` when it already lies inside the window
// (a re-check with an unchanged window must not move the renewal around), else a uniformly
// random time in [start, end] (RFC 9773 §4.2). A window that ends before `now` gives `now`.
api::Time ari_renewal_time(const api::AriWindow& window, std::optional<api::Time> previous,
                           api::Time now, common::Random& random);

// The renewal time the trigger acts on: the earlier of the spec's (renewal_time_for) and the
// ARI-chosen status.renewalTime when status.acme.ari has a suggested window for this leaf.
std::optional<api::Time> scheduled_renewal_time(const api::Certificate& certificate,
                                                const crypto::Certificate& leaf);

}  // namespace certkeeper::certificates
