#include "lib/crypto/csr.h"

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "lib/crypto/internal/openssl_util.h"
#include "lib/crypto/internal/x509_util.h"

namespace certkeeper::crypto {

using common::ErrorCode;
using common::make_error;
using internal::KeyAccess;
using internal::openssl_error;

common::Result<std::string> create_csr(const CsrSpec& spec, const PrivateKey& key) {
  internal::clear_openssl_errors();
  internal::X509ReqPtr request(X509_REQ_new());
  if (request == nullptr || X509_REQ_set_version(request.get(), X509_REQ_VERSION_1) != 1) {
    return tl::unexpected(openssl_error(ErrorCode::kInternal, "allocating a CSR"));
  }
  auto name = spec.literal_subject.empty() ? internal::build_name(spec.subject)
                                           : internal::build_name_rfc4514(spec.literal_subject);
  if (!name) {
    return tl::unexpected(name.error());
  }
  EVP_PKEY* pkey = KeyAccess::get(key);
  if (X509_REQ_set_subject_name(request.get(), name->get()) != 1 ||
      X509_REQ_set_pubkey(request.get(), pkey) != 1) {
    return tl::unexpected(openssl_error(ErrorCode::kInternal, "filling in the CSR"));
  }
  const bool empty_subject = X509_NAME_entry_count(name->get()) == 0;
  auto extensions = internal::build_extensions(spec.sans, empty_subject, spec.key_usages,
                                               spec.extended_key_usages, spec.is_ca);
  if (!extensions) {
    return tl::unexpected(extensions.error());
  }
  if (X509_REQ_add_extensions(request.get(), extensions->get()) != 1) {
    return tl::unexpected(openssl_error(ErrorCode::kInternal, "adding CSR extensions"));
  }
  if (X509_REQ_sign(request.get(), pkey, internal::signature_digest(key)) <= 0) {
    return tl::unexpected(openssl_error(ErrorCode::kInternal, "signing the CSR"));
  }
  X509_REQ* raw = request.get();
  return internal::to_der([raw](unsigned char** out) { return i2d_X509_REQ(raw, out); },
                          "encoding the CSR");
}

common::Result<ParsedCsr> parse_csr(std::string_view pem_or_der) {
  internal::clear_openssl_errors();
  internal::X509ReqPtr request;
  if (pem_or_der.find("-----BEGIN") != std::string_view::npos) {
    auto bio = internal::read_bio(pem_or_der);
    if (bio == nullptr) {
      return make_error(ErrorCode::kInvalidArgument, "CSR PEM too large");
    }
    request.reset(PEM_read_bio_X509_REQ(bio.get(), nullptr, internal::no_passphrase, nullptr));
    if (request == nullptr) {
      return tl::unexpected(openssl_error(ErrorCode::kInvalidArgument,
                                          "CSR: no valid CERTIFICATE REQUEST block found in PEM"));
    }
  } else {
    if (!internal::fits_int(pem_or_der)) {
      return make_error(ErrorCode::kInvalidArgument, "CSR DER too large");
    }
    const unsigned char* p = internal::bytes(pem_or_der);
    request.reset(
        d2i_X509_REQ(nullptr, &p,
                     static_cast<long>(pem_or_der.size())));  // NOLINT(google-runtime-int)
    if (request == nullptr) {
      return tl::unexpected(openssl_error(ErrorCode::kInvalidArgument, "malformed CSR DER"));
    }
    if (p != internal::bytes(pem_or_der) + pem_or_der.size()) {
      return make_error(ErrorCode::kInvalidArgument, "malformed CSR DER: trailing data");
    }
  }

  EVP_PKEY* pkey = X509_REQ_get0_pubkey(request.get());
  if (pkey == nullptr) {
    return tl::unexpected(
        openssl_error(ErrorCode::kInvalidArgument, "CSR public key is missing or malformed"));
  }
  auto spki = internal::to_der([pkey](unsigned char** out) { return i2d_PUBKEY(pkey, out); },
                               "encoding the CSR public key");
  if (!spki) {
    return tl::unexpected(spki.error());
  }
  auto public_key = internal::public_key_from_spki(*spki);
  if (!public_key) {
    return tl::unexpected(public_key.error().wrap("CSR"));
  }
  if (X509_REQ_verify(request.get(), pkey) != 1) {
    return tl::unexpected(
        openssl_error(ErrorCode::kInvalidArgument, "CSR self-signature does not verify"));
  }

  const X509_NAME* name = X509_REQ_get_subject_name(request.get());
  auto subject = internal::name_to_subject(name);
  if (!subject) {
    return tl::unexpected(subject.error().wrap("CSR subject"));
  }
  internal::ExtStackPtr extensions(X509_REQ_get_extensions(request.get()));
  if (extensions == nullptr && internal::openssl_error_pending()) {
    return tl::unexpected(
        openssl_error(ErrorCode::kInvalidArgument, "CSR extension request is malformed"));
  }
  auto parsed = internal::parse_extensions(extensions.get());
  if (!parsed) {
    return tl::unexpected(parsed.error().wrap("CSR"));
  }
  X509_REQ* raw = request.get();
  auto der = internal::to_der([raw](unsigned char** out) { return i2d_X509_REQ(raw, out); },
                              "encoding the CSR");
  if (!der) {
    return tl::unexpected(der.error());
  }
  CsrSpec spec;
  spec.subject = std::move(*subject);
  spec.sans = std::move(parsed->sans);
  spec.key_usages = std::move(parsed->key_usages);
  spec.extended_key_usages = std::move(parsed->extended_key_usages);
  spec.is_ca = parsed->is_ca;
  return ParsedCsr{.spec = std::move(spec),
                   .subject = internal::name_to_string(name),
                   .public_key = std::move(*public_key),
                   .der = std::move(*der)};
}

}  // namespace certkeeper::crypto
