#pragma once

// Private to lib/crypto: X.509 pieces shared by csr.cc and certificate.cc (names, extensions,
// times). Includes OpenSSL.

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include <openssl/x509.h>

#include "lib/common/error.h"
#include "lib/crypto/internal/openssl_util.h"
#include "lib/crypto/x509_types.h"

namespace certkeeper::crypto::internal {

// Subject -> X509_NAME, one RDN per value, in Go's pkix.Name order (see Subject).
common::Result<X509NamePtr> build_name(const Subject& subject);
// An RFC 4514 string ("CN=app,O=Acme\, Inc.,C=DE") -> X509_NAME. The string lists RDNs
// last-first (RFC 4514 §2.1), so they are added in reverse; "+" joins a multi-valued RDN.
// Attribute types: the RFC 4514 short names, SERIALNUMBER, POSTALCODE, EMAILADDRESS, OpenSSL's
// names and dotted OIDs. "#hex" and quoted values are not supported (kInvalidArgument).
common::Result<X509NamePtr> build_name_rfc4514(std::string_view dn);

// X509_NAME -> RFC 4514 string (UTF-8, not \-escaped beyond what RFC 4514 requires), as
// `openssl x509 -subject -nameopt RFC2253` prints it for ASCII names.
std::string name_to_string(const X509_NAME* name);
// X509_NAME -> Subject; attributes Subject has no field for are skipped, and of several CNs the
// last one wins (as Go's pkix.Name does).
common::Result<Subject> name_to_subject(const X509_NAME* name);

// What we read from a CSR's or certificate's extensions.
struct ParsedExtensions {
  SubjectAltNames sans;
  std::vector<KeyUsage> key_usages;                   // in bit order
  std::vector<ExtendedKeyUsage> extended_key_usages;  // in encoded order; unknown OIDs skipped
  bool is_ca = false;                                 // basicConstraints cA
};
// Duplicate or undecodable SAN, KU, EKU or BC extensions are kInvalidArgument. `extensions` may
// be null (no extensions).
common::Result<ParsedExtensions> parse_extensions(const STACK_OF(X509_EXTENSION) * extensions);

// subjectAltName (critical when `san_critical`, RFC 5280 §4.2.1.6), keyUsage (critical),
// extKeyUsage, and basicConstraints (critical, cA TRUE) only when `is_ca`: as cert-manager puts
// them into a CSR. Empty SAN, KU and EKU lists produce no extension. Bad names or addresses are
// kInvalidArgument.
common::Result<ExtStackPtr> build_extensions(const SubjectAltNames& sans, bool san_critical,
                                             const std::vector<KeyUsage>& key_usages,
                                             const std::vector<ExtendedKeyUsage>& ext_key_usages,
                                             bool is_ca);

// ASN1_TIME -> time_point, clamped to the range of system_clock (notAfter 99991231235959Z is
// legal, RFC 5280 §4.1.2.5, but beyond year 2262 for a nanosecond clock).
common::Result<std::chrono::system_clock::time_point> to_time_point(const ASN1_TIME* time);

// The content bytes of an ASN1_STRING (OCTET STRING, IA5String, ...).
std::string asn1_bytes(const ASN1_STRING* s);

}  // namespace certkeeper::crypto::internal
