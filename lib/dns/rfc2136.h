#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>

#include "lib/common/error.h"
#include "lib/dns/provider.h"
#include "lib/dns/server_address.h"
#include "lib/dns/tsig.h"

namespace certkeeper::dns {

// The rfc2136 solver's settings as plain values (cert-manager-api.md,
// ACMEIssuerDNS01ProviderRFC2136); the caller reads tsigSecretSecretRef and passes the secret here.
struct Rfc2136Config {
  std::string nameserver;     // "host", "host:port", "[v6]:port"; port 53 by default
  std::string tsig_key_name;  // empty: updates are sent unsigned
  std::string
      tsig_algorithm;       // HMACMD5 (default) | HMACSHA1 | HMACSHA256 | HMACSHA512, or BIND names
  std::string tsig_secret;  // base64, as in the Secret
  std::string zone;         // empty: discovered with an SOA walk at `nameserver`
  bool use_tcp = false;     // cert-manager's protocol: TCP
  std::chrono::milliseconds timeout{std::chrono::seconds(10)};
};

// What an UPDATE does to the TXT RRset at the challenge name (RFC 2136 §2.5).
enum class UpdateAction {
  kAdd,     // §2.5.1 "Add To An RRset": class IN, TTL kChallengeTtl
  kDelete,  // §2.5.4 "Delete An RR From An RRset": class NONE, TTL 0, the same RDATA
};

// The TTL of challenge records: short, as cert-manager uses (60 s).
inline constexpr std::uint32_t kChallengeTtl = 60;

// DNS-01 through RFC 2136 dynamic updates, TSIG-signed (RFC 8945), sent over UDP or TCP to the
// configured primary. Each present()/cleanup() is one UPDATE adding or deleting exactly one TXT
// RR, so values for other authorizations on the same name stay.
//
// Owns only its validated configuration (the TSIG secret as a value); every call opens its own
// socket, so the object is immutable and thread-safe. Create with create(); no teardown needed.
class Rfc2136Provider final : public Dns01Provider {
 public:
  // Validates the configuration: nameserver (host:port), tsigAlgorithm, tsigSecretSecretRef
  // (required with a key name, must be base64), tsigKeyName (required with a secret), zone (a
  // valid name). Errors are kInvalidArgument naming the field and never echo the secret.
  static common::Result<Rfc2136Provider> create(Rfc2136Config config);

  // UPDATE results: NOTAUTH/REFUSED are kPermissionDenied (wrong key, algorithm or policy);
  // other RCODEs, timeouts and network errors are kUnavailable.
  common::Status present(std::string_view fqdn, std::string_view value) override;
  common::Status cleanup(std::string_view fqdn, std::string_view value) override;

  // The signed UPDATE message in wire format (RFC 1035 §4.1, RFC 2136 §2) for `zone`, as
  // present()/cleanup() send it. No network; for tests and debugging. Each call has a new ID
  // and TSIG time.
  [[nodiscard]] common::Result<std::string> build_update(std::string_view zone,
                                                         std::string_view fqdn,
                                                         std::string_view value,
                                                         UpdateAction action) const;

  [[nodiscard]] const ServerAddress& nameserver() const { return nameserver_; }
  [[nodiscard]] TsigAlgorithm tsig_algorithm() const { return algorithm_; }
  [[nodiscard]] const std::string& zone() const { return config_.zone; }

 private:
  Rfc2136Provider(Rfc2136Config config, ServerAddress nameserver, TsigAlgorithm algorithm,
                  std::string key_name, std::string secret)
      : config_(std::move(config)),
        nameserver_(std::move(nameserver)),
        algorithm_(algorithm),
        key_name_(std::move(key_name)),
        secret_(std::move(secret)) {}

  common::Status update(std::string_view fqdn, std::string_view value, UpdateAction action) const;

  Rfc2136Config config_;
  ServerAddress nameserver_;
  TsigAlgorithm algorithm_;
  std::string key_name_;  // absolute ("name."), empty when unsigned
  std::string secret_;    // canonical base64 of the TSIG key
};

}  // namespace certkeeper::dns
