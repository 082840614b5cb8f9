#include "lib/crypto/signer.h"

#include <array>
#include <ctime>
#include <utility>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>

#include "lib/crypto/internal/openssl_util.h"
#include "lib/crypto/internal/x509_util.h"
#include "lib/crypto/primitives.h"

namespace certkeeper::crypto {

using common::ErrorCode;
using common::make_error;
using internal::KeyAccess;
using internal::openssl_error;

namespace {

constexpr std::size_t kSerialOctets = 20;  // RFC 5280 §4.1.2.2: at most 20 octets

common::Status add_extension(X509* x509, X509_EXTENSION* extension, std::string_view what) {
  internal::X509ExtPtr owned(extension);
  if (owned == nullptr || X509_add_ext(x509, owned.get(), -1) != 1) {
    return tl::unexpected(openssl_error(ErrorCode::kInternal, "adding " + std::string(what)));
  }
  return common::ok();
}

common::Result<internal::Asn1StringPtr> ia5(std::string_view value, std::string_view where) {
  if (value.empty() || !internal::fits_int(value)) {
    return make_error(ErrorCode::kInvalidArgument, std::string(where) + " is empty or too long");
  }
  internal::Asn1StringPtr s(ASN1_IA5STRING_new());
  if (s == nullptr || ASN1_STRING_set(s.get(), value.data(), static_cast<int>(value.size())) != 1) {
    return tl::unexpected(openssl_error(ErrorCode::kInternal, "allocating a string"));
  }
  return s;
}

common::Result<internal::GeneralNamePtr> general_name(int type, internal::Asn1StringPtr value) {
  internal::GeneralNamePtr name(GENERAL_NAME_new());
  if (name == nullptr) {
    return tl::unexpected(openssl_error(ErrorCode::kInternal, "allocating a general name"));
  }
  GENERAL_NAME_set0_value(name.get(), type, value.release());
  return name;
}

common::Result<internal::GeneralNamePtr> uri_name(std::string_view uri, std::string_view where) {
  auto value = ia5(uri, where);
  if (!value) {
    return tl::unexpected(value.error());
  }
  return general_name(GEN_URI, std::move(*value));
}

// "10.0.0.0/8" -> address octets followed by mask octets (RFC 5280 §4.2.1.10).
common::Result<std::string> cidr_octets(std::string_view cidr, std::string_view where) {
  const auto bad = [&] {
    return make_error(ErrorCode::kInvalidArgument, std::string(where) + " is not a CIDR range");
  };
  const std::size_t slash = cidr.find('/');
  if (slash == std::string_view::npos || slash + 1 >= cidr.size()) {
    return bad();
  }
  const std::string address(cidr.substr(0, slash));
  std::array<unsigned char, 16> buffer{};
  std::size_t length = 4;
  if (inet_pton(AF_INET, address.c_str(), buffer.data()) != 1) {
    length = 16;
    if (inet_pton(AF_INET6, address.c_str(), buffer.data()) != 1) {
      return bad();
    }
  }
  int prefix = 0;
  for (const char c : cidr.substr(slash + 1)) {
    if (c < '0' || c > '9' || prefix > 128) {
      return bad();
    }
    prefix = prefix * 10 + (c - '0');
  }
  if (prefix > static_cast<int>(length * 8)) {
    return bad();
  }
  // NOLINTNEXTLINE: bytes as chars
  std::string out(reinterpret_cast<const char*>(buffer.data()), length);
  for (std::size_t i = 0; i < length; ++i) {
    const int bits = std::min(8, std::max(0, prefix - static_cast<int>(i * 8)));
    const auto mask = static_cast<unsigned char>((0xFF00U >> static_cast<unsigned>(bits)) & 0xFFU);
    out[i] = static_cast<char>(static_cast<unsigned char>(out[i]) & mask);
    out.push_back(static_cast<char>(mask));
  }
  return out;
}

common::Status add_subtrees(STACK_OF(GENERAL_SUBTREE) * *subtrees, int type,
                            const std::vector<std::string>& values, std::string_view field) {
  for (std::size_t i = 0; i < values.size(); ++i) {
    const std::string where =
        "nameConstraints." + std::string(field) + "[" + std::to_string(i) + "]";
    internal::Asn1StringPtr value;
    if (type == GEN_IPADD) {
      auto octets = cidr_octets(values[i], where);
      if (!octets) {
        return tl::unexpected(octets.error());
      }
      value.reset(ASN1_OCTET_STRING_new());
      if (value == nullptr || ASN1_OCTET_STRING_set(value.get(), internal::bytes(*octets),
                                                    static_cast<int>(octets->size())) != 1) {
        return tl::unexpected(openssl_error(ErrorCode::kInternal, "allocating " + where));
      }
    } else {
      auto text = ia5(values[i], where);
      if (!text) {
        return tl::unexpected(text.error());
      }
      value = std::move(*text);
    }
    auto name = general_name(type, std::move(value));
    if (!name) {
      return tl::unexpected(name.error());
    }
    internal::GeneralSubtreePtr subtree(GENERAL_SUBTREE_new());
    if (subtree == nullptr) {
      return tl::unexpected(openssl_error(ErrorCode::kInternal, "allocating " + where));
    }
    internal::GeneralNamePtr old(subtree->base);
    subtree->base = name->release();
    if (*subtrees == nullptr) {
      *subtrees = sk_GENERAL_SUBTREE_new_null();
    }
    if (*subtrees == nullptr || sk_GENERAL_SUBTREE_push(*subtrees, subtree.get()) == 0) {
      return tl::unexpected(openssl_error(ErrorCode::kInternal, "adding " + where));
    }
    static_cast<void>(subtree.release());  // now owned by the stack
  }
  return common::ok();
}

common::Status add_name_constraints(X509* x509, const NameConstraints& constraints) {
  internal::NameConstraintsPtr nc(NAME_CONSTRAINTS_new());
  if (nc == nullptr) {
    return tl::unexpected(openssl_error(ErrorCode::kInternal, "allocating nameConstraints"));
  }
  const struct {
    STACK_OF(GENERAL_SUBTREE) * *subtrees;
    int type;
    const std::vector<std::string>* values;
    std::string_view field;
  } parts[] = {
      {&nc->permittedSubtrees, GEN_DNS, &constraints.permitted_dns_domains, "permitted.dnsDomains"},
      {&nc->permittedSubtrees, GEN_IPADD, &constraints.permitted_ip_ranges, "permitted.ipRanges"},
      {&nc->permittedSubtrees, GEN_EMAIL, &constraints.permitted_email_addresses,
       "permitted.emailAddresses"},
      {&nc->permittedSubtrees, GEN_URI, &constraints.permitted_uri_domains, "permitted.uriDomains"},
      {&nc->excludedSubtrees, GEN_DNS, &constraints.excluded_dns_domains, "excluded.dnsDomains"},
      {&nc->excludedSubtrees, GEN_IPADD, &constraints.excluded_ip_ranges, "excluded.ipRanges"},
      {&nc->excludedSubtrees, GEN_EMAIL, &constraints.excluded_email_addresses,
       "excluded.emailAddresses"},
      {&nc->excludedSubtrees, GEN_URI, &constraints.excluded_uri_domains, "excluded.uriDomains"},
  };
  for (const auto& part : parts) {
    auto status = add_subtrees(part.subtrees, part.type, *part.values, part.field);
    if (!status) {
      return status;
    }
  }
  return add_extension(x509,
                       X509V3_EXT_i2d(NID_name_constraints, constraints.critical ? 1 : 0, nc.get()),
                       "nameConstraints");
}

common::Status add_crl_distribution_points(X509* x509, const std::vector<std::string>& urls) {
  internal::CrlDistPointsPtr points(sk_DIST_POINT_new_null());
  if (points == nullptr) {
    return tl::unexpected(
        openssl_error(ErrorCode::kInternal, "allocating CRL distribution points"));
  }
  for (std::size_t i = 0; i < urls.size(); ++i) {
    auto name = uri_name(urls[i], "crlDistributionPoints[" + std::to_string(i) + "]");
    if (!name) {
      return tl::unexpected(name.error());
    }
    internal::GeneralNamesPtr names(GENERAL_NAMES_new());
    internal::DistPointPtr point(DIST_POINT_new());
    if (names == nullptr || point == nullptr ||
        sk_GENERAL_NAME_push(names.get(), name->get()) == 0) {
      return tl::unexpected(openssl_error(ErrorCode::kInternal, "allocating a distribution point"));
    }
    static_cast<void>(name->release());  // owned by `names`
    point->distpoint = DIST_POINT_NAME_new();
    if (point->distpoint == nullptr) {
      return tl::unexpected(openssl_error(ErrorCode::kInternal, "allocating a distribution point"));
    }
    point->distpoint->type = 0;  // fullName
    point->distpoint->name.fullname = names.release();
    if (sk_DIST_POINT_push(points.get(), point.get()) == 0) {
      return tl::unexpected(openssl_error(ErrorCode::kInternal, "adding a distribution point"));
    }
    static_cast<void>(point.release());  // owned by the stack
  }
  return add_extension(x509, X509V3_EXT_i2d(NID_crl_distribution_points, 0, points.get()),
                       "cRLDistributionPoints");
}

common::Status add_access(AUTHORITY_INFO_ACCESS* access, int method_nid,
                          const std::vector<std::string>& urls, std::string_view field) {
  for (std::size_t i = 0; i < urls.size(); ++i) {
    auto name = uri_name(urls[i], std::string(field) + "[" + std::to_string(i) + "]");
    if (!name) {
      return tl::unexpected(name.error());
    }
    internal::AccessDescriptionPtr description(ACCESS_DESCRIPTION_new());
    if (description == nullptr) {
      return tl::unexpected(
          openssl_error(ErrorCode::kInternal, "allocating an access description"));
    }
    internal::Asn1ObjectPtr old_method(description->method);
    internal::GeneralNamePtr old_location(description->location);
    description->method = OBJ_nid2obj(method_nid);  // static object
    description->location = name->release();
    if (sk_ACCESS_DESCRIPTION_push(access, description.get()) == 0) {
      return tl::unexpected(openssl_error(ErrorCode::kInternal, "adding an access description"));
    }
    static_cast<void>(description.release());  // owned by the stack
  }
  return common::ok();
}

common::Status add_info_access(X509* x509, const CertificateTemplate& t) {
  internal::InfoAccessPtr access(sk_ACCESS_DESCRIPTION_new_null());
  if (access == nullptr) {
    return tl::unexpected(openssl_error(ErrorCode::kInternal, "allocating authorityInfoAccess"));
  }
  auto status = add_access(access.get(), NID_ad_OCSP, t.ocsp_servers, "ocspServers");
  if (status) {
    status = add_access(access.get(), NID_ad_ca_issuers, t.issuing_certificate_urls,
                        "issuingCertificateURLs");
  }
  if (!status) {
    return status;
  }
  return add_extension(x509, X509V3_EXT_i2d(NID_info_access, 0, access.get()),
                       "authorityInfoAccess");
}

common::Status add_basic_constraints(X509* x509, const CertificateTemplate& t) {
  internal::BasicConstraintsPtr constraints(BASIC_CONSTRAINTS_new());
  if (constraints == nullptr) {
    return tl::unexpected(openssl_error(ErrorCode::kInternal, "allocating basicConstraints"));
  }
  constraints->ca = t.is_ca ? 0xFF : 0;  // DER TRUE; FALSE is the DEFAULT and left out
  if (t.is_ca && t.max_path_length.has_value()) {
    constraints->pathlen = ASN1_INTEGER_new();
    if (constraints->pathlen == nullptr ||
        ASN1_INTEGER_set(constraints->pathlen, *t.max_path_length) != 1) {
      return tl::unexpected(openssl_error(ErrorCode::kInternal, "encoding pathLenConstraint"));
    }
  }
  return add_extension(x509, X509V3_EXT_i2d(NID_basic_constraints, 1, constraints.get()),
                       "basicConstraints");
}

common::Status add_key_identifier(X509* x509, int nid, const std::string& key_id) {
  internal::OctetStringPtr octets(ASN1_OCTET_STRING_new());
  if (octets == nullptr || ASN1_OCTET_STRING_set(octets.get(), internal::bytes(key_id),
                                                 static_cast<int>(key_id.size())) != 1) {
    return tl::unexpected(openssl_error(ErrorCode::kInternal, "encoding a key identifier"));
  }
  if (nid == NID_subject_key_identifier) {
    return add_extension(x509, X509V3_EXT_i2d(nid, 0, octets.get()), "subjectKeyIdentifier");
  }
  internal::AuthorityKeyIdPtr aki(AUTHORITY_KEYID_new());
  if (aki == nullptr) {
    return tl::unexpected(openssl_error(ErrorCode::kInternal, "allocating authorityKeyIdentifier"));
  }
  aki->keyid = octets.release();
  return add_extension(x509, X509V3_EXT_i2d(NID_authority_key_identifier, 0, aki.get()),
                       "authorityKeyIdentifier");
}

common::Status add_raw_extension(X509* x509, const X509Extension& extension, std::size_t index) {
  const std::string where = "extra extension " + std::to_string(index);
  internal::Asn1ObjectPtr oid(OBJ_txt2obj(extension.oid.c_str(), 1));
  if (oid == nullptr) {
    internal::clear_openssl_errors();
    return make_error(ErrorCode::kInvalidArgument, where + ": OID is not dotted decimal");
  }
  internal::OctetStringPtr value(ASN1_OCTET_STRING_new());
  if (!internal::fits_int(extension.value) || value == nullptr ||
      ASN1_OCTET_STRING_set(value.get(), internal::bytes(extension.value),
                            static_cast<int>(extension.value.size())) != 1) {
    return tl::unexpected(openssl_error(ErrorCode::kInternal, "encoding " + where));
  }
  return add_extension(
      x509,
      X509_EXTENSION_create_by_OBJ(nullptr, oid.get(), extension.critical ? 1 : 0, value.get()),
      where);
}

// RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING's value.
common::Result<std::string> key_identifier(const PublicKey& key) {
  const unsigned char* p = internal::bytes(key.der());
  internal::UP<X509_PUBKEY, X509_PUBKEY_free> spki(
      d2i_X509_PUBKEY(nullptr, &p, static_cast<long>(key.der().size())));  // NOLINT
  const unsigned char* bits = nullptr;
  int length = 0;
  if (spki == nullptr ||
      X509_PUBKEY_get0_param(nullptr, &bits, &length, nullptr, spki.get()) != 1) {
    return tl::unexpected(openssl_error(ErrorCode::kInternal, "reading the public key"));
  }
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int md_length = 0;
  if (EVP_Digest(bits, static_cast<std::size_t>(length), md.data(), &md_length, EVP_sha1(),
                 nullptr) != 1) {
    return tl::unexpected(openssl_error(ErrorCode::kInternal, "hashing the public key"));
  }
  // NOLINTNEXTLINE: bytes as chars
  return std::string(reinterpret_cast<const char*>(md.data()), md_length);
}

common::Status set_time(ASN1_TIME* field, std::chrono::system_clock::time_point time,
                        std::string_view what) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  // ASN1_TIME_set picks UTCTime through 2049 and GeneralizedTime after (RFC 5280 §4.1.2.5).
  if (ASN1_TIME_set(field, seconds) == nullptr) {
    return tl::unexpected(openssl_error(ErrorCode::kInvalidArgument, std::string(what)));
  }
  return common::ok();
}

common::Status set_serial(X509* x509, const std::string& requested) {
  std::string magnitude = requested;
  if (magnitude.empty()) {
    auto random = random_bytes(kSerialOctets);
    if (!random) {
      return tl::unexpected(random.error());
    }
    magnitude = std::move(*random);
    magnitude[0] = static_cast<char>(static_cast<unsigned char>(magnitude[0]) & 0x7FU);
    magnitude[1] = static_cast<char>(static_cast<unsigned char>(magnitude[1]) | 0x01U);  // not 0
  }
  if (magnitude.size() > kSerialOctets) {
    return make_error(ErrorCode::kInvalidArgument, "serialNumber is longer than 20 octets");
  }
  internal::BnPtr bn(
      BN_bin2bn(internal::bytes(magnitude), static_cast<int>(magnitude.size()), nullptr));
  if (bn == nullptr) {
    return tl::unexpected(openssl_error(ErrorCode::kInternal, "encoding the serial number"));
  }
  if (BN_is_zero(bn.get()) == 1) {
    return make_error(ErrorCode::kInvalidArgument, "serialNumber is zero");
  }
  // DER adds a 0x00 when the top bit is set: a requested 20-octet serial must leave it clear.
  if (BN_num_bytes(bn.get()) == static_cast<int>(kSerialOctets) && BN_is_bit_set(bn.get(), 159)) {
    return make_error(ErrorCode::kInvalidArgument,
                      "serialNumber of 20 octets must have its top bit clear");
  }
  internal::Asn1IntegerPtr serial(BN_to_ASN1_INTEGER(bn.get(), nullptr));
  if (serial == nullptr || X509_set_serialNumber(x509, serial.get()) != 1) {
    return tl::unexpected(openssl_error(ErrorCode::kInternal, "setting the serial number"));
  }
  return common::ok();
}

}  // namespace

common::Result<Certificate> sign_certificate(const CertificateTemplate& t,
                                             const PublicKey& subject_key,
                                             const std::optional<Certificate>& issuer,
                                             const PrivateKey& issuer_key) {
  internal::clear_openssl_errors();
  if (!issuer.has_value() && !issuer_key.matches(subject_key)) {
    return make_error(ErrorCode::kInvalidArgument,
                      "self-signed certificate: the signing key is not the subject key");
  }
  if (issuer.has_value() && !issuer->matches(issuer_key)) {
    return make_error(ErrorCode::kInvalidArgument,
                      "issuer certificate does not certify the issuer private key");
  }
  if (t.not_after <= t.not_before) {
    return make_error(ErrorCode::kInvalidArgument, "notAfter is not after notBefore");
  }
  if (t.max_path_length.has_value() && (!t.is_ca || *t.max_path_length < 0)) {
    return make_error(ErrorCode::kInvalidArgument,
                      "maxPathLength needs isCA and must not be negative");
  }
  if (!t.name_constraints.empty() && !t.is_ca) {
    return make_error(ErrorCode::kInvalidArgument,
                      "nameConstraints needs isCA (RFC 5280 §4.2.1.10)");
  }

  internal::X509Ptr x509(X509_new());
  if (x509 == nullptr || X509_set_version(x509.get(), X509_VERSION_3) != 1) {
    return tl::unexpected(openssl_error(ErrorCode::kInternal, "allocating a certificate"));
  }
  X509* x = x509.get();
  auto name = t.literal_subject.empty() ? internal::build_name(t.subject)
                                        : internal::build_name_rfc4514(t.literal_subject);
  if (!name) {
    return tl::unexpected(name.error());
  }
  internal::X509Ptr issuer_x509;
  if (issuer.has_value()) {
    auto parsed = internal::x509_from_der(issuer->der());
    if (!parsed) {
      return tl::unexpected(parsed.error().wrap("issuer"));
    }
    issuer_x509 = std::move(*parsed);
  }
  const X509_NAME* issuer_name =
      issuer_x509 != nullptr ? X509_get_subject_name(issuer_x509.get()) : name->get();
  if (X509_set_subject_name(x, name->get()) != 1 || X509_set_issuer_name(x, issuer_name) != 1 ||
      X509_set_pubkey(x, KeyAccess::get(subject_key)) != 1) {
    return tl::unexpected(openssl_error(ErrorCode::kInternal, "filling in the certificate"));
  }
  auto status = set_serial(x, t.serial_number);
  if (status) {
    status = set_time(X509_getm_notBefore(x), t.not_before, "notBefore");
  }
  if (status) {
    status = set_time(X509_getm_notAfter(x), t.not_after, "notAfter");
  }
  if (!status) {
    return tl::unexpected(status.error());
  }

  // SAN, keyUsage, extKeyUsage as for a CSR; basicConstraints with pathLen written below.
  const bool empty_subject = X509_NAME_entry_count(name->get()) == 0;
  auto extensions =
      internal::build_extensions(t.sans, empty_subject, t.key_usages, t.extended_key_usages, false);
  if (!extensions) {
    return tl::unexpected(extensions.error());
  }
  status = add_basic_constraints(x, t);
  for (int i = 0; status && i < sk_X509_EXTENSION_num(extensions->get()); ++i) {
    if (X509_add_ext(x, sk_X509_EXTENSION_value(extensions->get(), i), -1) != 1) {
      status = tl::unexpected(openssl_error(ErrorCode::kInternal, "adding an extension"));
    }
  }
  auto subject_key_id = key_identifier(subject_key);
  if (!subject_key_id) {
    return tl::unexpected(subject_key_id.error());
  }
  std::string authority_key_id = *subject_key_id;
  if (issuer.has_value()) {
    authority_key_id = issuer->subject_key_id();
    if (authority_key_id.empty()) {
      auto computed = key_identifier(issuer_key.public_key());
      if (!computed) {
        return tl::unexpected(computed.error());
      }
      authority_key_id = std::move(*computed);
    }
  }
  if (status) {
    status = add_key_identifier(x, NID_subject_key_identifier, *subject_key_id);
  }
  if (status) {
    status = add_key_identifier(x, NID_authority_key_identifier, authority_key_id);
  }
  if (status && !t.name_constraints.empty()) {
    status = add_name_constraints(x, t.name_constraints);
  }
  if (status && !t.crl_distribution_points.empty()) {
    status = add_crl_distribution_points(x, t.crl_distribution_points);
  }
  if (status && !(t.ocsp_servers.empty() && t.issuing_certificate_urls.empty())) {
    status = add_info_access(x, t);
  }
  for (std::size_t i = 0; status && i < t.extra_extensions.size(); ++i) {
    status = add_raw_extension(x, t.extra_extensions[i], i);
  }
  if (!status) {
    return tl::unexpected(status.error());
  }

  if (X509_sign(x, KeyAccess::get(issuer_key), internal::signature_digest(issuer_key)) <= 0) {
    return tl::unexpected(openssl_error(ErrorCode::kInternal, "signing the certificate"));
  }
  auto der = internal::to_der([x](unsigned char** out) { return i2d_X509(x, out); },
                              "encoding the certificate");
  if (!der) {
    return tl::unexpected(der.error());
  }
  return Certificate::from_der(*der);
}

CertificateTemplate template_from_csr(const ParsedCsr& csr) {
  CertificateTemplate t;
  t.subject = csr.spec.subject;
  t.literal_subject = csr.spec.literal_subject;
  t.sans = csr.spec.sans;
  t.key_usages = csr.spec.key_usages;
  t.extended_key_usages = csr.spec.extended_key_usages;
  t.is_ca = csr.spec.is_ca;
  return t;
}

common::Status verify_chain(const Certificate& leaf, const std::vector<Certificate>& intermediates,
                            const std::vector<Certificate>& roots,
                            std::chrono::system_clock::time_point at_time) {
  internal::clear_openssl_errors();
  internal::X509StorePtr store(X509_STORE_new());
  internal::X509StackPtr untrusted(sk_X509_new_null());
  internal::X509StoreCtxPtr context(X509_STORE_CTX_new());
  if (store == nullptr || untrusted == nullptr || context == nullptr) {
    return tl::unexpected(openssl_error(ErrorCode::kInternal, "allocating a certificate store"));
  }
  for (std::size_t i = 0; i < roots.size(); ++i) {
    auto root = internal::x509_from_der(roots[i].der());
    if (!root) {
      return tl::unexpected(root.error().wrap("root " + std::to_string(i)));
    }
    if (X509_STORE_add_cert(store.get(), root->get()) != 1) {  // up-refs
      return tl::unexpected(openssl_error(ErrorCode::kInternal, "adding a root"));
    }
  }
  for (std::size_t i = 0; i < intermediates.size(); ++i) {
    auto intermediate = internal::x509_from_der(intermediates[i].der());
    if (!intermediate) {
      return tl::unexpected(intermediate.error().wrap("intermediate " + std::to_string(i)));
    }
    if (sk_X509_push(untrusted.get(), intermediate->get()) == 0) {
      return tl::unexpected(openssl_error(ErrorCode::kInternal, "adding an intermediate"));
    }
    static_cast<void>(intermediate->release());  // owned by the stack
  }
  auto target = internal::x509_from_der(leaf.der());
  if (!target) {
    return tl::unexpected(target.error().wrap("leaf"));
  }
  if (X509_STORE_CTX_init(context.get(), store.get(), target->get(), untrusted.get()) != 1) {
    return tl::unexpected(openssl_error(ErrorCode::kInternal, "initialising verification"));
  }
  X509_STORE_CTX_set_time(context.get(), 0, std::chrono::system_clock::to_time_t(at_time));
  if (X509_verify_cert(context.get()) != 1) {
    const int error = X509_STORE_CTX_get_error(context.get());
    internal::clear_openssl_errors();
    return make_error(ErrorCode::kInvalidArgument,
                      std::string("certificate chain does not verify: ") +
                          X509_verify_cert_error_string(error) + " at depth " +
                          std::to_string(X509_STORE_CTX_get_error_depth(context.get())));
  }
  return common::ok();
}

common::Result<Certificate> tls_alpn01_certificate(std::string_view identifier,
                                                   std::string_view key_authorization,
                                                   const PrivateKey& key,
                                                   std::chrono::system_clock::time_point now) {
  if (identifier.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "TLS-ALPN-01 identifier is empty");
  }
  auto hash = sha256(key_authorization);
  if (!hash) {
    return tl::unexpected(hash.error());
  }
  CertificateTemplate t;
  const std::string text(identifier);
  std::array<unsigned char, 16> address{};
  if (inet_pton(AF_INET, text.c_str(), address.data()) == 1 ||
      inet_pton(AF_INET6, text.c_str(), address.data()) == 1) {
    t.sans.ip_addresses = {text};  // RFC 8738 §6
  } else {
    t.sans.dns_names = {text};  // RFC 8737 §3
  }
  t.not_before = now - std::chrono::hours(1);
  t.not_after = now + std::chrono::hours(24 * 7);
  // extnValue = DER OCTET STRING (SHA-256 digest): 04 20 <32 octets> (RFC 8737 §3).
  std::string value = std::string("\x04\x20", 2) + *hash;
  t.extra_extensions.push_back(
      X509Extension{.oid = std::string(kAcmeIdentifierOid), .critical = true, .value = value});
  auto certificate = sign_certificate(t, key.public_key(), std::nullopt, key);
  if (!certificate) {
    return tl::unexpected(certificate.error().wrap("TLS-ALPN-01 certificate"));
  }
  return certificate;
}

}  // namespace certkeeper::crypto
