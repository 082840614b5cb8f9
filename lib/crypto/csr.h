#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "lib/common/error.h"
#include "lib/crypto/keys.h"
#include "lib/crypto/x509_types.h"

namespace certkeeper::crypto {

// What goes into a PKCS#10 certificate signing request (RFC 2986), as cert-manager derives it
// from a Certificate. A plain value.
struct CsrSpec {
  Subject subject;
  // An RFC 4514 subject ("CN=app,O=Acme\, Inc.,C=DE"), cert-manager's spec.literalSubject. When
  // set it replaces `subject` entirely. Left empty by parse_csr.
  std::string literal_subject;
  SubjectAltNames sans;
  // Empty lists add no extension. parse_csr returns key usages in bit order.
  std::vector<KeyUsage> key_usages;
  std::vector<ExtendedKeyUsage> extended_key_usages;
  bool is_ca = false;

  bool operator==(const CsrSpec&) const = default;
};

// Builds a CSR for `key`'s public half and signs it with `key`. Returns DER; pem_encode(
// "CERTIFICATE REQUEST", der) gives PEM, base64url_encode(der) ACME's finalize "csr".
//
// Encoding follows cert-manager: subjectAltName (critical when the subject is empty, RFC 5280
// §4.2.1.6), keyUsage (critical), extKeyUsage, and basicConstraints (critical, cA TRUE) only
// for is_ca, since cert-manager adds CA:FALSE only behind a feature gate and ACME servers have
// no use for it.
// Signature: SHA-256 for RSA < 3072 bits, SHA-384 for RSA < 4096, SHA-512 above; ECDSA with
// SHA-256/384/512 by curve; pure Ed25519. Bad names, addresses or subject values are
// kInvalidArgument, naming the field.
common::Result<std::string> create_csr(const CsrSpec& spec, const PrivateKey& key);

// A parsed, signature-checked CSR.
struct ParsedCsr {
  CsrSpec spec;          // literal_subject empty; the name is in spec.subject and `subject`
  std::string subject;   // RFC 4514 form of the subject
  PublicKey public_key;  // the key the CSR asks to certify
  std::string der;
};

// Parses a CSR from PEM ("CERTIFICATE REQUEST" or "NEW CERTIFICATE REQUEST") or DER and verifies
// its self-signature. Malformed input, an unsupported key type or a bad signature are
// kInvalidArgument.
common::Result<ParsedCsr> parse_csr(std::string_view pem_or_der);

}  // namespace certkeeper::crypto
