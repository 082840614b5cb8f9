#pragma once

#include <chrono>
#include <string>

#include "controller/certificates/pki.h"
#include "controller/certificates/secret.h"
#include "lib/api/certificate.h"
#include "lib/api/well_known.h"
#include "lib/crypto/encoding.h"
#include "lib/crypto/signer.h"

// Objects for the certificates unit tests, built in code with modifiers.
namespace certkeeper::certificates::testing {

inline api::Time at(int hours) {
  return api::Time(std::chrono::hours(24 * 365 * 56)) + std::chrono::hours(hours);
}

inline api::Certificate certificate(const std::string& name = "web") {
  api::Certificate c;
  c.metadata.name = name;
  c.metadata.namespace_ = "ns";
  c.metadata.uid = "uid-" + name;
  c.metadata.generation = 1;
  c.metadata.creation_timestamp = at(0);
  c.spec.secret_name = name + "-tls";
  c.spec.dns_names = {"a.example.com"};
  c.spec.issuer_ref.name = "ca";
  c.spec.private_key = api::CertificatePrivateKey{.algorithm = "ECDSA"};
  return c;
}

inline const crypto::PrivateKey& ca_key() {
  static const auto key = *crypto::PrivateKey::generate(crypto::KeyAlgorithm::kEcdsa, 256);
  return key;
}

inline const crypto::Certificate& ca_certificate() {
  static const auto cert = [] {
    crypto::CertificateTemplate t;
    t.subject.common_name = "test CA";
    t.is_ca = true;
    t.not_before = at(-1);
    t.not_after = at(24 * 3650);
    return *crypto::sign_certificate(t, ca_key().public_key(), std::nullopt, ca_key());
  }();
  return cert;
}

inline crypto::PrivateKey ecdsa_key() {
  return *crypto::PrivateKey::generate(crypto::KeyAlgorithm::kEcdsa, 256);
}

// A certificate for what `c` asks, valid [at(0), at(90 days)].
inline crypto::Certificate issue(const api::Certificate& c, const crypto::PrivateKey& key,
                                 int valid_hours = 24 * 90) {
  auto spec = *csr_spec_for(c.spec);
  auto csr = *crypto::parse_csr(*crypto::create_csr(spec, key));
  auto t = crypto::template_from_csr(csr);
  t.not_before = at(0);
  t.not_after = at(valid_hours);
  return *crypto::sign_certificate(t, key.public_key(), ca_certificate(), ca_key());
}

// The Secret the issuing controller would have written for `c`.
inline SecretView issued_secret(const api::Certificate& c, const crypto::PrivateKey& key,
                                const crypto::Certificate& leaf) {
  SecretView s;
  s.metadata.name = c.spec.secret_name;
  s.metadata.namespace_ = c.metadata.namespace_;
  s.type = std::string(api::kSecretTypeTls);
  s.data[std::string(api::kSecretTlsCrt)] = leaf.pem();
  s.data[std::string(api::kSecretTlsKey)] = *key.to_pem(crypto::KeyEncoding::kPkcs8);
  s.metadata.annotations = managed_annotations(c, leaf);
  s.metadata.labels = managed_labels(c);
  return s;
}

inline api::CertificateRequest request_for(const api::Certificate& c, const crypto::PrivateKey& key,
                                           std::int32_t revision) {
  return *build_request(c, revision, c.metadata.name + "-key", key);
}

// One issued Certificate at revision 1: spec, key, leaf, Secret and current request, all
// consistent.
struct IssuedCertificate {
  api::Certificate certificate = testing::certificate();
  crypto::PrivateKey key = ecdsa_key();
  crypto::Certificate leaf = issue(certificate, key);
  SecretView secret = issued_secret(certificate, key, leaf);
  api::CertificateRequest request = request_for(certificate, key, 1);

  IssuedCertificate() { certificate.status.revision = 1; }
};

}  // namespace certkeeper::certificates::testing
