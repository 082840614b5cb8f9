#include "lib/crypto/certificate.h"

#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "lib/crypto/encoding.h"
#include "lib/crypto/internal/openssl_util.h"
#include "lib/crypto/internal/x509_util.h"

namespace certkeeper::crypto {

using common::ErrorCode;
using common::make_error;
using internal::openssl_error;

struct Certificate::Data {
  std::string der;
  std::chrono::system_clock::time_point not_before;
  std::chrono::system_clock::time_point not_after;
  std::string subject;
  std::string issuer;
  Subject subject_fields;
  internal::ParsedExtensions extensions;
  std::string serial_hex;
  std::string serial_octets;
  std::string subject_key_id;
  std::string authority_key_id;
  std::optional<PublicKey> public_key;
  std::vector<X509Extension> raw_extensions;
};

namespace {

// DER INTEGER -> its content octets (tag and length stripped), keeping a leading 0x00.
common::Result<std::string> integer_content_octets(const ASN1_INTEGER* integer) {
  auto der = internal::to_der(
      [integer](unsigned char** out) { return i2d_ASN1_INTEGER(integer, out); }, "serial number");
  if (!der) {
    return der;
  }
  // Tag (0x02), then a short-form length (< 0x80) or 0x8N followed by N length octets.
  if (der->size() < 2) {
    return make_error(ErrorCode::kInternal, "serial number encoding too short");
  }
  const auto first_length = static_cast<unsigned char>((*der)[1]);
  const std::size_t header = first_length < 0x80 ? 2 : 2 + (first_length & 0x7FU);
  if (der->size() < header) {
    return make_error(ErrorCode::kInternal, "serial number encoding truncated");
  }
  return der->substr(header);
}

// Reads the next CERTIFICATE block from `bio`. Null at the end of input (no error) or on a
// malformed block (with the error on the queue); `end_of_input` tells them apart.
internal::X509Ptr read_certificate(BIO* bio, bool* end_of_input) {
  internal::X509Ptr x509(PEM_read_bio_X509(bio, nullptr, internal::no_passphrase, nullptr));
  *end_of_input = false;
  if (x509 == nullptr) {
    const unsigned long error = ERR_peek_last_error();  // NOLINT(google-runtime-int)
    *end_of_input =
        ERR_GET_LIB(error) == ERR_LIB_PEM && ERR_GET_REASON(error) == PEM_R_NO_START_LINE;
    if (*end_of_input) {
      internal::clear_openssl_errors();
    }
  }
  return x509;
}

common::Result<Certificate> from_x509(X509* x509, std::size_t position) {
  auto der = internal::to_der([x509](unsigned char** out) { return i2d_X509(x509, out); },
                              "encoding a certificate");
  if (!der) {
    return tl::unexpected(der.error());
  }
  auto certificate = Certificate::from_der(*der);
  if (!certificate) {
    return tl::unexpected(
        certificate.error().wrap("certificate " + std::to_string(position) + " in PEM"));
  }
  return certificate;
}

std::string serial_to_hex(const ASN1_INTEGER* serial) {
  std::string magnitude = internal::asn1_bytes(serial);
  const std::size_t first = magnitude.find_first_not_of('\0');
  magnitude = first == std::string::npos ? std::string(1, '\0') : magnitude.substr(first);
  const bool negative = ASN1_STRING_type(serial) == V_ASN1_NEG_INTEGER;
  return (negative ? "-" : "") + hex_encode(magnitude);
}

}  // namespace

common::Result<Certificate> Certificate::from_der(std::string_view der) {
  internal::clear_openssl_errors();
  if (!internal::fits_int(der)) {
    return make_error(ErrorCode::kInvalidArgument, "certificate DER too large");
  }
  const unsigned char* p = internal::bytes(der);
  internal::X509Ptr x509(
      d2i_X509(nullptr, &p, static_cast<long>(der.size())));  // NOLINT(google-runtime-int)
  if (x509 == nullptr) {
    return tl::unexpected(openssl_error(ErrorCode::kInvalidArgument, "malformed certificate"));
  }
  if (p != internal::bytes(der) + der.size()) {
    return make_error(ErrorCode::kInvalidArgument, "malformed certificate: trailing data");
  }
  X509* x = x509.get();
  auto data = std::make_shared<Data>();
  data->der = std::string(der);

  auto not_before = internal::to_time_point(X509_get0_notBefore(x));
  auto not_after = internal::to_time_point(X509_get0_notAfter(x));
  if (!not_before || !not_after) {
    return tl::unexpected(
        (!not_before ? not_before : not_after).error().wrap("certificate validity"));
  }
  data->not_before = *not_before;
  data->not_after = *not_after;

  data->subject = internal::name_to_string(X509_get_subject_name(x));
  data->issuer = internal::name_to_string(X509_get_issuer_name(x));
  auto subject = internal::name_to_subject(X509_get_subject_name(x));
  if (!subject) {
    return tl::unexpected(subject.error().wrap("certificate subject"));
  }
  data->subject_fields = std::move(*subject);

  auto extensions = internal::parse_extensions(X509_get0_extensions(x));
  if (!extensions) {
    return tl::unexpected(extensions.error().wrap("certificate"));
  }
  data->extensions = std::move(*extensions);

  const ASN1_INTEGER* serial = X509_get0_serialNumber(x);
  auto octets = integer_content_octets(serial);
  if (!octets) {
    return tl::unexpected(octets.error());
  }
  data->serial_octets = std::move(*octets);
  data->serial_hex = serial_to_hex(serial);

  for (int i = 0; i < X509_get_ext_count(x); ++i) {
    X509_EXTENSION* extension = X509_get_ext(x, i);
    char oid[128] = {};
    if (OBJ_obj2txt(oid, sizeof(oid), X509_EXTENSION_get_object(extension), 1) <= 0) {
      return tl::unexpected(
          openssl_error(ErrorCode::kInvalidArgument, "certificate extension OID is malformed"));
    }
    data->raw_extensions.push_back(
        X509Extension{.oid = oid,
                      .critical = X509_EXTENSION_get_critical(extension) == 1,
                      .value = internal::asn1_bytes(X509_EXTENSION_get_data(extension))});
  }

  // These two also make OpenSSL cache (and check) the extensions; a null means "absent".
  data->subject_key_id = internal::asn1_bytes(X509_get0_subject_key_id(x));
  data->authority_key_id = internal::asn1_bytes(X509_get0_authority_key_id(x));
  internal::clear_openssl_errors();

  EVP_PKEY* pkey = X509_get0_pubkey(x);
  if (pkey == nullptr) {
    return tl::unexpected(
        openssl_error(ErrorCode::kInvalidArgument, "certificate public key is malformed"));
  }
  auto spki = internal::to_der([pkey](unsigned char** out) { return i2d_PUBKEY(pkey, out); },
                               "encoding the certificate public key");
  if (!spki) {
    return tl::unexpected(spki.error());
  }
  if (auto public_key = internal::public_key_from_spki(*spki); public_key) {
    data->public_key = std::move(*public_key);
  }
  return Certificate(std::move(data));
}

common::Result<Certificate> Certificate::from_pem(std::string_view pem) {
  internal::clear_openssl_errors();
  auto bio = internal::read_bio(pem);
  if (bio == nullptr) {
    return make_error(ErrorCode::kInvalidArgument, "certificate PEM too large");
  }
  bool end_of_input = false;
  internal::X509Ptr x509 = read_certificate(bio.get(), &end_of_input);
  if (x509 == nullptr) {
    if (end_of_input) {
      return make_error(ErrorCode::kInvalidArgument, "no CERTIFICATE block found in PEM");
    }
    return tl::unexpected(
        openssl_error(ErrorCode::kInvalidArgument, "certificate 1 in PEM is malformed"));
  }
  return from_x509(x509.get(), 1);
}

const std::string& Certificate::der() const { return data_->der; }
std::string Certificate::pem() const { return pem_encode("CERTIFICATE", data_->der); }
std::chrono::system_clock::time_point Certificate::not_before() const { return data_->not_before; }
std::chrono::system_clock::time_point Certificate::not_after() const { return data_->not_after; }
const std::string& Certificate::subject() const { return data_->subject; }
const std::string& Certificate::issuer() const { return data_->issuer; }
const Subject& Certificate::subject_fields() const { return data_->subject_fields; }
const std::string& Certificate::common_name() const { return data_->subject_fields.common_name; }
const SubjectAltNames& Certificate::sans() const { return data_->extensions.sans; }
const std::vector<KeyUsage>& Certificate::key_usages() const {
  return data_->extensions.key_usages;
}
const std::vector<ExtendedKeyUsage>& Certificate::extended_key_usages() const {
  return data_->extensions.extended_key_usages;
}
bool Certificate::is_ca() const { return data_->extensions.is_ca; }
const std::string& Certificate::serial_hex() const { return data_->serial_hex; }
const std::string& Certificate::serial_octets() const { return data_->serial_octets; }
const std::string& Certificate::subject_key_id() const { return data_->subject_key_id; }
const std::string& Certificate::authority_key_id() const { return data_->authority_key_id; }
std::string Certificate::subject_key_id_hex() const { return hex_encode(data_->subject_key_id); }
std::string Certificate::authority_key_id_hex() const {
  return hex_encode(data_->authority_key_id);
}
const std::vector<X509Extension>& Certificate::extensions() const { return data_->raw_extensions; }
std::optional<X509Extension> Certificate::extension(std::string_view oid) const {
  for (const auto& extension : data_->raw_extensions) {
    if (extension.oid == oid) {
      return extension;
    }
  }
  return std::nullopt;
}
const std::optional<PublicKey>& Certificate::public_key() const { return data_->public_key; }

bool Certificate::matches(const PrivateKey& key) const { return matches(key.public_key()); }

bool Certificate::matches(const PublicKey& key) const {
  return data_->public_key.has_value() && data_->public_key->equals(key);
}

common::Result<std::vector<Certificate>> parse_pem_chain(std::string_view pem) {
  internal::clear_openssl_errors();
  auto bio = internal::read_bio(pem);
  if (bio == nullptr) {
    return make_error(ErrorCode::kInvalidArgument, "certificate PEM too large");
  }
  std::vector<Certificate> chain;
  for (;;) {
    bool end_of_input = false;
    internal::X509Ptr x509 = read_certificate(bio.get(), &end_of_input);
    if (x509 == nullptr && end_of_input) {
      if (chain.empty()) {
        return make_error(ErrorCode::kInvalidArgument, "no CERTIFICATE block found in PEM");
      }
      return chain;
    }
    if (x509 == nullptr) {
      return tl::unexpected(openssl_error(
          ErrorCode::kInvalidArgument,
          "certificate " + std::to_string(chain.size() + 1) + " in PEM is malformed"));
    }
    auto certificate = from_x509(x509.get(), chain.size() + 1);
    if (!certificate) {
      return tl::unexpected(certificate.error());
    }
    chain.push_back(std::move(*certificate));
  }
}

common::Result<std::string> ari_cert_id(const Certificate& certificate) {
  if (certificate.authority_key_id().empty()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "certificate has no authorityKeyIdentifier keyIdentifier, which an ARI "
                      "CertID needs (RFC 9773 §4.1)");
  }
  return make_ari_cert_id(certificate.authority_key_id(), certificate.serial_octets());
}

std::string make_ari_cert_id(std::string_view authority_key_id, std::string_view serial_octets) {
  return base64url_encode(authority_key_id) + "." + base64url_encode(serial_octets);
}

}  // namespace certkeeper::crypto
