#include "webhook/serving_tls.h"

#include <algorithm>
#include <utility>

#include "lib/api/validation.h"
#include "lib/crypto/signer.h"

namespace certkeeper::webhook {

namespace {

constexpr std::string_view kTlsCrt = "tls.crt";
constexpr std::string_view kTlsKey = "tls.key";
constexpr std::string_view kCaCrt = "ca.crt";
// Backdating absorbs small clock differences between the replicas and the API server; a tenth
// of the lifetime at most, so a short-lived certificate is not due for renewal when issued.
std::chrono::seconds backdate(std::chrono::seconds duration) {
  return std::min<std::chrono::seconds>(std::chrono::minutes(1), duration / 10);
}
constexpr int kEnsureRounds = 5;

std::chrono::system_clock::time_point whole_seconds(TimePoint t) {
  return std::chrono::time_point_cast<std::chrono::seconds>(t);
}

common::Error invalid(std::string message) {
  return common::Error(common::ErrorCode::kInvalidArgument, std::move(message));
}

}  // namespace

TimePoint renewal_time(const crypto::Certificate& certificate) {
  const auto life = certificate.not_after() - certificate.not_before();
  return certificate.not_before() + life * 2 / 3;
}

common::Result<ServingCa> generate_ca(TimePoint now, std::chrono::seconds duration,
                                      const std::optional<crypto::Certificate>& previous) {
  auto key = crypto::PrivateKey::generate(crypto::KeyAlgorithm::kEcdsa, 256);
  if (!key) {
    return tl::unexpected(key.error());
  }
  crypto::CertificateTemplate t;
  t.subject.common_name = "certkeeper-webhook-ca";
  t.not_before = whole_seconds(now - backdate(duration));
  t.not_after = whole_seconds(now + duration);
  t.is_ca = true;
  t.key_usages = {crypto::KeyUsage::kDigitalSignature, crypto::KeyUsage::kKeyCertSign,
                  crypto::KeyUsage::kCrlSign};
  auto certificate = crypto::sign_certificate(t, key->public_key(), std::nullopt, *key);
  if (!certificate) {
    return tl::unexpected(certificate.error().wrap("webhook CA"));
  }
  std::string bundle = certificate->pem();
  if (previous && previous->not_after() > now) {
    bundle += previous->pem();
  }
  return ServingCa{std::move(*certificate), std::move(*key), std::move(bundle)};
}

common::Result<KeyPairPem> issue_serving_leaf(const ServingCa& ca,
                                              const std::vector<std::string>& dns_names,
                                              TimePoint now, std::chrono::seconds duration) {
  if (dns_names.empty()) {
    return common::make_error(invalid("the serving certificate needs at least one DNS name"));
  }
  auto key = crypto::PrivateKey::generate(crypto::KeyAlgorithm::kEcdsa, 256);
  if (!key) {
    return tl::unexpected(key.error());
  }
  crypto::CertificateTemplate t;
  t.subject.common_name = dns_names.front();
  for (const auto& name : dns_names) {
    (api::is_ip_address(name) ? t.sans.ip_addresses : t.sans.dns_names).push_back(name);
  }
  t.not_before = whole_seconds(now - backdate(duration));
  t.not_after = whole_seconds(now + duration);
  // A CA that ends earlier caps the leaf (verifiers reject a leaf outliving its issuer).
  if (t.not_after > ca.certificate.not_after()) {
    t.not_after = whole_seconds(ca.certificate.not_after());
  }
  t.key_usages = {crypto::KeyUsage::kDigitalSignature, crypto::KeyUsage::kKeyEncipherment};
  t.extended_key_usages = {crypto::ExtendedKeyUsage::kServerAuth};
  auto leaf = crypto::sign_certificate(t, key->public_key(), ca.certificate, ca.key);
  if (!leaf) {
    return tl::unexpected(leaf.error().wrap("webhook serving certificate"));
  }
  auto key_pem = key->to_pem(crypto::KeyEncoding::kPkcs8);
  if (!key_pem) {
    return tl::unexpected(key_pem.error());
  }
  return KeyPairPem{leaf->pem() + ca.certificate.pem(), std::move(*key_pem)};
}

common::Result<std::map<std::string, std::string>> ca_secret_data(const ServingCa& ca) {
  auto key_pem = ca.key.to_pem(crypto::KeyEncoding::kPkcs8);
  if (!key_pem) {
    return tl::unexpected(key_pem.error());
  }
  return std::map<std::string, std::string>{{std::string(kTlsCrt), ca.certificate.pem()},
                                            {std::string(kTlsKey), std::move(*key_pem)},
                                            {std::string(kCaCrt), ca.ca_bundle_pem}};
}

common::Result<ServingCa> parse_ca_secret(const std::map<std::string, std::string>& data) {
  auto crt = data.find(std::string(kTlsCrt));
  auto key = data.find(std::string(kTlsKey));
  if (crt == data.end() || key == data.end()) {
    return common::make_error(invalid("the webhook CA Secret lacks tls.crt or tls.key"));
  }
  auto certificate = crypto::Certificate::from_pem(crt->second);
  if (!certificate) {
    return tl::unexpected(certificate.error().wrap("webhook CA tls.crt"));
  }
  auto private_key = crypto::PrivateKey::from_pem(key->second);
  if (!private_key) {
    return tl::unexpected(private_key.error().wrap("webhook CA tls.key"));
  }
  if (!certificate->matches(*private_key)) {
    return common::make_error(invalid("webhook CA tls.key is not the key of tls.crt"));
  }
  if (!certificate->is_ca()) {
    return common::make_error(invalid("webhook CA tls.crt is not a CA certificate"));
  }
  auto bundle = data.find(std::string(kCaCrt));
  std::string bundle_pem = bundle != data.end() && crypto::parse_pem_chain(bundle->second)
                               ? bundle->second
                               : certificate->pem();
  return ServingCa{std::move(*certificate), std::move(*private_key), std::move(bundle_pem)};
}

bool ca_usable(const crypto::Certificate& ca, TimePoint now, std::chrono::seconds leaf_duration) {
  return now < renewal_time(ca) && ca.not_after() > now + leaf_duration;
}

common::Result<ServingCa> ensure_ca(CaSecretStore& store, TimePoint now,
                                    const DynamicServingOptions& options) {
  for (int round = 0; round < kEnsureRounds; ++round) {
    auto current = store.get();
    if (!current) {
      return tl::unexpected(current.error().wrap("reading the webhook CA Secret"));
    }
    std::optional<crypto::Certificate> previous;
    if (*current) {
      auto parsed = parse_ca_secret((*current)->data);
      if (parsed && ca_usable(parsed->certificate, now, options.leaf_duration)) {
        return parsed;
      }
      if (parsed) {
        previous = parsed->certificate;
      }
    }
    auto fresh = generate_ca(now, options.ca_duration, previous);
    if (!fresh) {
      return tl::unexpected(fresh.error());
    }
    auto data = ca_secret_data(*fresh);
    if (!data) {
      return tl::unexpected(data.error());
    }
    auto written =
        *current ? store.update(*data, (*current)->resource_version) : store.create(*data);
    if (written) {
      return fresh;
    }
    const auto code = written.error().code();
    if (code != common::ErrorCode::kAlreadyExists && code != common::ErrorCode::kConflict) {
      return tl::unexpected(written.error().wrap("writing the webhook CA Secret"));
    }
    // Another replica won: read what it wrote.
  }
  return common::make_error(common::ErrorCode::kConflict,
                            "the webhook CA Secret kept changing under us; retrying later");
}

DynamicServingCertificate::DynamicServingCertificate(CaSecretStore& store,
                                                     const common::Clock& clock,
                                                     DynamicServingOptions options)
    : store_(store), clock_(clock), options_(std::move(options)) {}

common::Result<bool> DynamicServingCertificate::refresh() {
  const TimePoint now = clock_.now();
  auto ca = ensure_ca(store_, now, options_);
  if (!ca) {
    return tl::unexpected(ca.error());
  }
  std::lock_guard lock(mu_);
  const bool ca_changed = !ca_ || ca_->certificate.der() != ca->certificate.der() ||
                          ca_->ca_bundle_pem != ca->ca_bundle_pem;
  if (!ca_changed && leaf_ && now < leaf_renewal_) {
    return false;
  }
  auto leaf = issue_serving_leaf(*ca, options_.dns_names, now, options_.leaf_duration);
  if (!leaf) {
    return tl::unexpected(leaf.error());
  }
  auto parsed = crypto::Certificate::from_pem(leaf->cert_pem);
  if (!parsed) {
    return tl::unexpected(parsed.error());
  }
  leaf_renewal_ = renewal_time(*parsed);
  leaf_ = std::move(*leaf);
  ca_ = std::move(*ca);
  return true;
}

std::optional<KeyPairPem> DynamicServingCertificate::leaf() const {
  std::lock_guard lock(mu_);
  return leaf_;
}

std::string DynamicServingCertificate::ca_bundle() const {
  std::lock_guard lock(mu_);
  return ca_ ? ca_->ca_bundle_pem : std::string();
}

TimePoint DynamicServingCertificate::next_refresh() const {
  std::lock_guard lock(mu_);
  return leaf_renewal_;
}

}  // namespace certkeeper::webhook
