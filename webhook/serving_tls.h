#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "lib/common/clock.h"
#include "lib/common/error.h"
#include "lib/crypto/certificate.h"
#include "lib/crypto/keys.h"

// The webhook's self-bootstrapped serving TLS (cert-manager-api.md §5.1, "dynamic" source): a CA
// key pair kept in a Secret that every replica shares, and a short-lived serving certificate
// each replica signs for itself with it, renewed at 2/3 of its life.
namespace certkeeper::webhook {

using TimePoint = std::chrono::system_clock::time_point;

// Certificate and key as PEM (the leaf first, for HttpServer::set_tls).
struct KeyPairPem {
  std::string cert_pem;
  std::string key_pem;
  friend bool operator==(const KeyPairPem&, const KeyPairPem&) = default;
};

// The CA Secret's data (tls.crt, tls.key, ca.crt) and resourceVersion.
struct CaSecret {
  std::map<std::string, std::string> data;
  std::string resource_version;
};

// The seam to the CA Secret. KubeCaSecretStore is the real one; unit tests fake it.
// Implementations must be thread-safe.
class CaSecretStore {
 public:
  virtual ~CaSecretStore() = default;
  // nullopt when the Secret does not exist.
  virtual common::Result<std::optional<CaSecret>> get() = 0;
  // kAlreadyExists when another replica created it first.
  virtual common::Status create(const std::map<std::string, std::string>& data) = 0;
  // kConflict when `resource_version` is stale (another replica wrote it).
  virtual common::Status update(const std::map<std::string, std::string>& data,
                                const std::string& resource_version) = 0;
};

// The signing CA. ca_bundle_pem (the Secret's ca.crt, what goes into caBundle) is this CA
// followed by its predecessor while that is still valid, so that clients holding the old bundle
// and servers holding an old leaf keep working across a rotation.
struct ServingCa {
  crypto::Certificate certificate;
  crypto::PrivateKey key;
  std::string ca_bundle_pem;
};

inline constexpr std::chrono::hours kDefaultCaDuration{24 * 365};
inline constexpr std::chrono::hours kDefaultLeafDuration{24 * 7};

// not_before + 2/3 of the lifetime: when a certificate is renewed.
TimePoint renewal_time(const crypto::Certificate& certificate);

// A fresh self-signed ECDSA P-256 CA valid from now - 1m for `duration`; `previous` (the CA it
// replaces) is kept in the bundle while valid at `now`.
common::Result<ServingCa> generate_ca(TimePoint now, std::chrono::seconds duration,
                                      const std::optional<crypto::Certificate>& previous);
// A serving certificate for `dns_names` (the first is also the CN; IP literals become IP SANs),
// ECDSA P-256, server auth, signed by `ca`, valid from now - 1m for `duration`. cert_pem is the
// leaf followed by the CA.
common::Result<KeyPairPem> issue_serving_leaf(const ServingCa& ca,
                                              const std::vector<std::string>& dns_names,
                                              TimePoint now, std::chrono::seconds duration);

// The Secret data for `ca` (kubernetes.io/tls: tls.crt, tls.key, plus ca.crt) and back. The
// parse fails (kInvalidArgument) on missing keys, unparseable PEM, a key that is not the
// certificate's, or a certificate that is not a CA.
common::Result<std::map<std::string, std::string>> ca_secret_data(const ServingCa& ca);
common::Result<ServingCa> parse_ca_secret(const std::map<std::string, std::string>& data);

// Whether `ca` may keep signing: before its own renewal time, and valid for a whole leaf beyond
// `now`.
bool ca_usable(const crypto::Certificate& ca, TimePoint now, std::chrono::seconds leaf_duration);

struct DynamicServingOptions {
  std::vector<std::string> dns_names;
  std::chrono::seconds leaf_duration = kDefaultLeafDuration;
  std::chrono::seconds ca_duration = kDefaultCaDuration;
};

// Reads the CA from the store, or creates/rotates it there, converging with other replicas: a
// create that finds the Secret already there (409) or an update on a stale version re-reads and
// uses what the winner wrote. Gives up (kConflict) after a few rounds.
common::Result<ServingCa> ensure_ca(CaSecretStore& store, TimePoint now,
                                    const DynamicServingOptions& options);

// The current CA and serving certificate of one replica.
//
// Owns copies of both; thread-safe (a mutex). Lifecycle: refresh() whenever next_refresh() is
// reached (or sooner, e.g. periodically to notice a CA rotated by another replica); read leaf()
// and ca_bundle() after a successful refresh.
class DynamicServingCertificate {
 public:
  DynamicServingCertificate(CaSecretStore& store, const common::Clock& clock,
                            DynamicServingOptions options);

  // Ensures the CA and issues a new leaf when there is none, its renewal time has come, or the
  // CA changed. True when the leaf (or the CA bundle) changed.
  common::Result<bool> refresh();

  [[nodiscard]] std::optional<KeyPairPem> leaf() const;
  [[nodiscard]] std::string ca_bundle() const;
  // When the leaf is due for renewal (time_point::min() before the first refresh).
  [[nodiscard]] TimePoint next_refresh() const;

 private:
  CaSecretStore& store_;
  const common::Clock& clock_;
  DynamicServingOptions options_;
  mutable std::mutex mu_;
  std::optional<ServingCa> ca_;
  std::optional<KeyPairPem> leaf_;
  TimePoint leaf_renewal_ = TimePoint::min();
};

}  // namespace certkeeper::webhook
