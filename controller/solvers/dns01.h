#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "controller/solvers/http01.h"
#include "lib/api/issuer.h"
#include "lib/common/error.h"
#include "lib/dns/provider.h"
#include "lib/dns/rfc2136.h"
#include "lib/kube/client.h"

// The DNS-01 side of the challenges controller (cert-manager-api.md §2.2, §3.8): which provider
// a solver configures, its credentials read from Secrets and handed to lib/dns as values, the
// record name (with cnameStrategy Follow), and the self-check.
namespace certkeeper::solvers {

// The provider key a dns01 solver sets ("rfc2136", "cloudflare", "route53", "webhook", …), or
// "" when it sets none. Pure.
std::string configured_provider(const api::AcmeDns01& dns01);

// The rfc2136 provider's settings from the solver and the data of its tsigSecretSecretRef
// Secret (nullopt: no Secret referenced, or it does not exist). Errors are kInvalidArgument
// naming the field: an unknown protocol (UDP, TCP) or tsigAlgorithm, a referenced Secret that is
// missing or lacks the key (kNotFound), a key name without a secret. Pure; never echoes the
// secret.
common::Result<dns::Rfc2136Config> rfc2136_config(
    const api::AcmeDns01Rfc2136& solver,
    const std::optional<std::map<std::string, std::string>>& secret_data);

// Builds the Dns01Provider for a solver: reads the credential Secrets in `resource_namespace`
// (the Issuer's namespace, or --cluster-resource-namespace for a ClusterIssuer) and passes them
// as values. The seam the challenges controller's unit tests replace.
class Dns01ProviderFactory {
 public:
  virtual ~Dns01ProviderFactory() = default;
  // kInvalidArgument "DNS-01 provider \"<name>\" is not supported by certkeeper yet" for a
  // provider we do not implement; kInvalidArgument for a solver with no provider.
  virtual common::Result<std::unique_ptr<dns::Dns01Provider>> make(
      const api::AcmeDns01& dns01, const std::string& resource_namespace) = 0;
};

// The real factory: Secrets are GET from the API server at each call (a credential change takes
// effect at the next present or cleanup). Holds a reference to the client; thread-safe.
class SecretDns01ProviderFactory final : public Dns01ProviderFactory {
 public:
  explicit SecretDns01ProviderFactory(kube::Client& client) : client_(client) {}
  common::Result<std::unique_ptr<dns::Dns01Provider>> make(
      const api::AcmeDns01& dns01, const std::string& resource_namespace) override;

 private:
  kube::Client& client_;
};

// How DNS-01 records are looked up (--dns01-recursive-nameservers[-only]).
struct Dns01CheckSettings {
  std::vector<std::string> recursive_nameservers;  // "host:port"; empty: resolv.conf
  bool recursive_nameservers_only = false;
};

// The servers to ask: the solver's own nameservers, else the flag's, else the nameservers of
// /etc/resolv.conf (port 53). kFailedPrecondition when there are none.
common::Result<std::vector<std::string>> recursive_nameservers(const api::AcmeDns01& dns01,
                                                               const Dns01CheckSettings& settings);

// "_acme-challenge.<dnsName>", or with cnameStrategy Follow the end of its CNAME chain (at most
// 10 links) as the first recursive nameserver answers.
common::Result<std::string> challenge_record_name(const api::AcmeDns01& dns01,
                                                  std::string_view dns_name,
                                                  const std::vector<std::string>& nameservers);

// The DNS-01 self-check (§3.8): the TXT value at `fqdn` must be seen on every authoritative
// nameserver of its zone (zone and NS found through the first recursive server), or on every
// recursive server when settings say "only" or the solver lists its own nameservers. Not seen
// yet: passed = false with the stable reason "DNS record for \"<dnsName>\" not yet propagated".
// Lookup failures are errors (the caller reports them as a reason too). Blocks for the queries.
common::Result<SelfCheck> dns01_self_check(const api::AcmeDns01& dns01, std::string_view dns_name,
                                           std::string_view fqdn, std::string_view value,
                                           const Dns01CheckSettings& settings);

}  // namespace certkeeper::solvers
