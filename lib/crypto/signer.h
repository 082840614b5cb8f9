#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/common/error.h"
#include "lib/crypto/certificate.h"
#include "lib/crypto/csr.h"
#include "lib/crypto/keys.h"
#include "lib/crypto/x509_types.h"

// Building and signing X.509 certificates (RFC 5280) for the CA and SelfSigned issuers, the
// TLS-ALPN-01 validation certificate (RFC 8737), and chain verification. Free functions and
// plain values; thread-safe.
namespace certkeeper::crypto {

// nameConstraints (RFC 5280 §4.2.1.10), as cert-manager's spec.nameConstraints spells it. IP
// ranges are CIDRs ("10.0.0.0/8", "2001:db8::/32"); URI domains are host names (".example.com"
// matches subdomains, RFC 5280 §4.2.1.10). A plain value.
struct NameConstraints {
  bool critical = false;  // cert-manager's nameConstraints.critical
  std::vector<std::string> permitted_dns_domains;
  std::vector<std::string> excluded_dns_domains;
  std::vector<std::string> permitted_ip_ranges;
  std::vector<std::string> excluded_ip_ranges;
  std::vector<std::string> permitted_email_addresses;
  std::vector<std::string> excluded_email_addresses;
  std::vector<std::string> permitted_uri_domains;
  std::vector<std::string> excluded_uri_domains;

  [[nodiscard]] bool empty() const {
    return permitted_dns_domains.empty() && excluded_dns_domains.empty() &&
           permitted_ip_ranges.empty() && excluded_ip_ranges.empty() &&
           permitted_email_addresses.empty() && excluded_email_addresses.empty() &&
           permitted_uri_domains.empty() && excluded_uri_domains.empty();
  }
  bool operator==(const NameConstraints&) const = default;
};

// Everything that goes into a certificate except the keys and the issuer. A plain value.
struct CertificateTemplate {
  Subject subject;
  // An RFC 4514 subject; when set it replaces `subject` (cert-manager's literalSubject).
  std::string literal_subject;
  SubjectAltNames sans;
  // Validity (RFC 5280 §4.1.2.5), whole seconds; not_after must be after not_before.
  std::chrono::system_clock::time_point not_before;
  std::chrono::system_clock::time_point not_after;
  // The serial number's big-endian magnitude (at most 20 octets, not zero, RFC 5280
  // §4.1.2.2). Empty: 20 random octets from the CSPRNG with the top bit cleared, so it is
  // positive, fits 20 octets and carries 159 bits of randomness (CA/B BR §7.1 asks for ≥ 64).
  std::string serial_number;
  std::vector<KeyUsage> key_usages;
  std::vector<ExtendedKeyUsage> extended_key_usages;
  // basicConstraints (RFC 5280 §4.2.1.9), always written and critical: cA TRUE with an
  // optional pathLenConstraint, or cA FALSE.
  bool is_ca = false;
  std::optional<int> max_path_length;  // only with is_ca; must be ≥ 0
  NameConstraints name_constraints;    // only with is_ca (RFC 5280 §4.2.1.10)
  // cRLDistributionPoints (RFC 5280 §4.2.1.13): one DistributionPoint per URL, as Go writes it.
  std::vector<std::string> crl_distribution_points;
  // authorityInfoAccess (RFC 5280 §4.2.2.1): id-ad-ocsp and id-ad-caIssuers URLs.
  std::vector<std::string> ocsp_servers;
  std::vector<std::string> issuing_certificate_urls;
  // Further extensions written as given, after ours (e.g. RFC 8737's acmeIdentifier). The OID
  // is dotted; `value` is the extnValue content (DER).
  std::vector<X509Extension> extra_extensions;
};

// Issues a v3 certificate for `subject_key`, signed by `issuer_key`.
//
// `issuer` is the issuing CA's certificate; nullopt makes the certificate self-signed, so
// `subject_key` must then be `issuer_key`'s public half. The issuer name comes from `issuer`
// (or is the subject). subjectKeyIdentifier is the SHA-1 of the subject's public key bits
// (RFC 5280 §4.2.1.2 method 1); authorityKeyIdentifier is the issuer's SKI (computed the same
// way if the issuer has none), and for a self-signed certificate its own SKI. The subjectAltName
// is critical when the subject is empty (§4.2.1.6); keyUsage is critical. Signature digest as
// for CSRs; pure Ed25519. Bad input (mismatched issuer key, bad names, CIDRs, times) is
// kInvalidArgument naming the field.
common::Result<Certificate> sign_certificate(const CertificateTemplate& certificate_template,
                                             const PublicKey& subject_key,
                                             const std::optional<Certificate>& issuer,
                                             const PrivateKey& issuer_key);

// The template cert-manager's CA issuer starts from for a CSR: subject, SANs, key usages,
// extended key usages and isCA copied; validity, serial and the rest left for the caller.
CertificateTemplate template_from_csr(const ParsedCsr& csr);

// Checks that `leaf` chains to one of `roots` through `intermediates` at `at_time`
// (signatures, validity, basicConstraints, name constraints; RFC 5280 §6). No revocation
// checks. A chain that does not verify is kInvalidArgument with OpenSSL's static reason.
common::Status verify_chain(const Certificate& leaf, const std::vector<Certificate>& intermediates,
                            const std::vector<Certificate>& roots,
                            std::chrono::system_clock::time_point at_time);

// id-pe-acmeIdentifier (RFC 8737 §6.1).
inline constexpr std::string_view kAcmeIdentifierOid = "1.3.6.1.5.5.7.1.31";

// The self-signed TLS-ALPN-01 challenge certificate (RFC 8737 §3): exactly one
// subjectAltName, a dNSName or (RFC 8738 §6) an iPAddress for `identifier`, and the critical
// acmeIdentifier extension whose value is OCTET STRING (SHA-256(key_authorization)). Empty
// subject, so the SAN is critical. Valid from `now` - 1h to `now` + 7 days.
common::Result<Certificate> tls_alpn01_certificate(
    std::string_view identifier, std::string_view key_authorization, const PrivateKey& key,
    std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

}  // namespace certkeeper::crypto
