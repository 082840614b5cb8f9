#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "lib/acme/issuance.h"
#include "lib/common/clock.h"
#include "lib/common/error.h"
#include "lib/dns/provider.h"

namespace certkeeper::solver {

struct Dns01Options {
  // Where to look for the record before telling the CA to validate ("host:port"). Empty: the
  // authoritative nameservers of the record's zone, found through `discovery_server`.
  std::string resolver;
  // The server asked for the zone (SOA walk) and its NS set when `resolver` is empty: the RFC 2136
  // primary. The NS addresses are queried on this server's port (53 in production; the test
  // BIND9 listens elsewhere).
  std::string discovery_server;
  std::chrono::milliseconds poll_interval{std::chrono::seconds(1)};
};

// The DNS-01 record name of an authorization: "_acme-challenge.<domain>" (RFC 8555 §8.4); the
// identifier of a wildcard authorization is already its base domain.
std::string dns01_record_name(const acme::Identifier& identifier);

// DNS-01 through a dns::Dns01Provider (RFC 2136 with TSIG, or any other): present() adds the TXT
// value, wait_ready() polls until every presented value is visible at the authoritative servers
// (or at `resolver`), cleanup() removes exactly that value, so an apex and its wildcard can share
// the record name (acme.md §5.6).
//
// Borrows `provider` and `clock`, which must outlive it. Not thread-safe: the workflow calls it
// from one thread.
class Dns01Solver final : public acme::ChallengeSolver {
 public:
  Dns01Solver(dns::Dns01Provider& provider, Dns01Options options, const common::Clock& clock);

  [[nodiscard]] std::string_view type() const override { return "dns-01"; }
  common::Status present(const acme::Identifier& identifier, std::string_view token,
                         std::string_view key_authorization) override;
  common::Status wait_ready(std::chrono::steady_clock::time_point deadline) override;
  common::Status cleanup(const acme::Identifier& identifier, std::string_view token,
                         std::string_view key_authorization) override;

 private:
  struct Record {
    std::string fqdn;
    std::string value;
  };
  common::Result<std::vector<std::string>> servers_for(const std::string& fqdn) const;

  dns::Dns01Provider& provider_;
  Dns01Options options_;
  const common::Clock& clock_;
  std::vector<Record> records_;  // presented and not yet cleaned up
};

}  // namespace certkeeper::solver
