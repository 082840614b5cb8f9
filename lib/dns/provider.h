#pragma once

#include <string_view>

#include "lib/common/error.h"

namespace certkeeper::dns {

// A DNS-01 solver backend (RFC 8555 §8.4; cert-manager's ACMEChallengeSolverDNS01): publishes
// and withdraws the TXT value for one challenge. Implementations: Rfc2136Provider; webhook and
// cloud providers follow the same contract.
//
// Contract: present() adds `value` at `fqdn` (e.g. "_acme-challenge.example.com") without
// touching other values there, because an apex and a wildcard authorization share the name
// (acme.md §5.6). cleanup() removes only `value`. Both are idempotent: presenting a value that is
// there, or cleaning one that is gone, succeeds. Implementations are thread-safe, own their
// credentials as values (they never read Secrets) and may block on the network.
class Dns01Provider {
 public:
  virtual ~Dns01Provider() = default;
  virtual common::Status present(std::string_view fqdn, std::string_view value) = 0;
  virtual common::Status cleanup(std::string_view fqdn, std::string_view value) = 0;
};

}  // namespace certkeeper::dns
