#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lib/common/error.h"
#include "lib/crypto/keys.h"
#include "lib/crypto/x509_types.h"

namespace certkeeper::crypto {

// A parsed X.509 certificate (RFC 5280): what renewal, readiness and ARI need to know.
//
// Everything is decoded once, when the certificate is parsed, into immutable data that copies
// share; no OpenSSL object is kept. Thread-safe. Always holds a certificate.
class Certificate {
 public:
  static common::Result<Certificate> from_der(std::string_view der);
  // The first CERTIFICATE block in `pem` (other blocks before it are skipped).
  static common::Result<Certificate> from_pem(std::string_view pem);

  [[nodiscard]] const std::string& der() const;
  [[nodiscard]] std::string pem() const;

  // Clamped to system_clock's range (a notAfter of 9999-12-31 becomes time_point::max()).
  [[nodiscard]] std::chrono::system_clock::time_point not_before() const;
  [[nodiscard]] std::chrono::system_clock::time_point not_after() const;

  // RFC 4514 strings, e.g. "CN=leaf.example.com,O=Acme,C=DE".
  [[nodiscard]] const std::string& subject() const;
  [[nodiscard]] const std::string& issuer() const;
  [[nodiscard]] const Subject& subject_fields() const;
  [[nodiscard]] const std::string& common_name() const;  // empty if there is none

  [[nodiscard]] const SubjectAltNames& sans() const;
  [[nodiscard]] const std::vector<KeyUsage>& key_usages() const;  // in bit order
  [[nodiscard]] const std::vector<ExtendedKeyUsage>& extended_key_usages() const;
  // basicConstraints cA (RFC 5280 §4.2.1.9).
  [[nodiscard]] bool is_ca() const;

  // The serial number as lowercase hex of its magnitude, without a DER sign octet, so
  // "87654321" for 0x87654321 (`openssl x509 -serial` prints the same, uppercase). A negative
  // serial (non-conforming, but seen) gets a leading '-'.
  [[nodiscard]] const std::string& serial_hex() const;
  // The DER INTEGER content octets of the serial, including a leading 0x00 when the top bit of
  // the magnitude is set (what RFC 9773 §4.1 encodes).
  [[nodiscard]] const std::string& serial_octets() const;

  // keyIdentifier of the subjectKeyIdentifier / authorityKeyIdentifier extensions, raw and as
  // lowercase hex; empty when the extension (or the AKI's keyIdentifier) is absent.
  [[nodiscard]] const std::string& subject_key_id() const;
  [[nodiscard]] const std::string& authority_key_id() const;
  [[nodiscard]] std::string subject_key_id_hex() const;
  [[nodiscard]] std::string authority_key_id_hex() const;

  // Every extension, in certificate order, undecoded; and the one with a given dotted OID
  // (e.g. "1.3.6.1.5.5.7.1.31", RFC 8737 §3), nullopt when absent.
  [[nodiscard]] const std::vector<X509Extension>& extensions() const;
  [[nodiscard]] std::optional<X509Extension> extension(std::string_view oid) const;

  // The subject public key; nullopt for key types we do not support (DSA, other curves), so that
  // a bundle with such a CA certificate still parses.
  [[nodiscard]] const std::optional<PublicKey>& public_key() const;
  // Whether the certificate certifies this key pair / this public key (e.g. a CSR's).
  [[nodiscard]] bool matches(const PrivateKey& key) const;
  [[nodiscard]] bool matches(const PublicKey& key) const;

 private:
  struct Data;
  explicit Certificate(std::shared_ptr<const Data> data) : data_(std::move(data)) {}

  std::shared_ptr<const Data> data_;
};

// Every CERTIFICATE block of a PEM bundle, in order (leaf first, for a tls.crt). Text between
// blocks and blocks of other types are skipped. No certificate at all, or a malformed one, is
// kInvalidArgument naming its position.
common::Result<std::vector<Certificate>> parse_pem_chain(std::string_view pem);

// The ACME Renewal Information CertID (RFC 9773 §4.1):
//   base64url(AKI keyIdentifier) "." base64url(serial DER content octets)
// kInvalidArgument if the certificate has no authorityKeyIdentifier keyIdentifier (§2).
common::Result<std::string> ari_cert_id(const Certificate& certificate);
// The same from its two parts (raw bytes), e.g. for the RFC's own example.
std::string make_ari_cert_id(std::string_view authority_key_id, std::string_view serial_octets);

}  // namespace certkeeper::crypto
