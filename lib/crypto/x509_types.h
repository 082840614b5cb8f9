#pragma once

#include <string>
#include <string_view>
#include <vector>

// Plain value types shared by CSRs and certificates (RFC 5280). Copyable values, no behaviour.
namespace certkeeper::crypto {

// A distinguished name as cert-manager's spec.subject (plus commonName) spells it. Encoded in
// the order Go's pkix.Name uses, so our CSRs match cert-manager's byte for byte in the subject:
// C, ST, L, street, postalCode, O, OU, CN, serialNumber.
struct Subject {
  std::string common_name;
  std::string serial_number;
  std::vector<std::string> countries;
  std::vector<std::string> provinces;  // stateOrProvinceName (ST)
  std::vector<std::string> localities;
  std::vector<std::string> street_addresses;
  std::vector<std::string> postal_codes;
  std::vector<std::string> organizations;
  std::vector<std::string> organizational_units;

  bool operator==(const Subject&) const = default;
};

// The subjectAltName entries we issue and read (RFC 5280 §4.2.1.6). Other name forms
// (otherName, directoryName, registeredID) are ignored when parsing.
struct SubjectAltNames {
  std::vector<std::string> dns_names;
  std::vector<std::string> ip_addresses;  // textual IPv4 or IPv6 (inet_ntop's canonical form)
  std::vector<std::string> uris;
  std::vector<std::string> email_addresses;

  [[nodiscard]] bool empty() const {
    return dns_names.empty() && ip_addresses.empty() && uris.empty() && email_addresses.empty();
  }
  bool operator==(const SubjectAltNames&) const = default;
};

// One certificate extension as encoded (RFC 5280 §4.1): its OID in dotted form, the critical
// flag and extnValue's content octets (the DER of the extension's own value).
struct X509Extension {
  std::string oid;
  bool critical = false;
  std::string value;

  bool operator==(const X509Extension&) const = default;
};

// keyUsage bits (RFC 5280 §4.2.1.3), in bit order.
enum class KeyUsage {
  kDigitalSignature,
  kContentCommitment,  // formerly nonRepudiation
  kKeyEncipherment,
  kDataEncipherment,
  kKeyAgreement,
  kKeyCertSign,
  kCrlSign,
  kEncipherOnly,
  kDecipherOnly,
};

// extKeyUsage purposes cert-manager can request (RFC 5280 §4.2.1.12 and vendor OIDs).
enum class ExtendedKeyUsage {
  kAny,
  kServerAuth,
  kClientAuth,
  kCodeSigning,
  kEmailProtection,
  kIpsecEndSystem,
  kIpsecTunnel,
  kIpsecUser,
  kTimeStamping,
  kOcspSigning,
  kMicrosoftSgc,
  kNetscapeSgc,
};

// RFC 5280 names: "digitalSignature", "serverAuth", ...
std::string_view to_string(KeyUsage usage);
std::string_view to_string(ExtendedKeyUsage usage);

}  // namespace certkeeper::crypto
