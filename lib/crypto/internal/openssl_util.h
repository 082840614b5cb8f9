#pragma once

// Private to lib/crypto: only its .cc files include this header. It is where OpenSSL types meet
// ours: owning handles, error draining, and access to the EVP_PKEY inside PrivateKey/PublicKey.

#include <limits>
#include <memory>
#include <string>
#include <string_view>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "lib/common/error.h"
#include "lib/crypto/keys.h"

namespace certkeeper::crypto::internal {

// unique_ptr deleter calling a C free function F; one pointer wide, unlike a function-pointer
// deleter (cpp-deps.md §3.3).
template <auto F>
struct Del {
  template <typename T>
  void operator()(T* p) const {
    F(p);
  }
};
template <typename T, auto F>
using UP = std::unique_ptr<T, Del<F>>;

// Stack and macro-based frees need named functions: a `+[]` lambda has no linkage and GCC 12
// rejects it as a template argument in C++20 (cpp-deps.md §3.3).
void free_extension_stack(STACK_OF(X509_EXTENSION) * stack);
void free_openssl_bytes(unsigned char* p);
void free_x509_stack(STACK_OF(X509) * stack);
void free_crl_dist_points(CRL_DIST_POINTS* points);
void free_access_descriptions(AUTHORITY_INFO_ACCESS* access);

using PkeyPtr = UP<EVP_PKEY, EVP_PKEY_free>;
using PkeyCtxPtr = UP<EVP_PKEY_CTX, EVP_PKEY_CTX_free>;
using MdCtxPtr = UP<EVP_MD_CTX, EVP_MD_CTX_free>;
using BioPtr = UP<BIO, BIO_free_all>;
using BnPtr = UP<BIGNUM, BN_free>;
using X509Ptr = UP<X509, X509_free>;
using X509ReqPtr = UP<X509_REQ, X509_REQ_free>;
using X509NamePtr = UP<X509_NAME, X509_NAME_free>;
using X509ExtPtr = UP<X509_EXTENSION, X509_EXTENSION_free>;
using ExtStackPtr = UP<STACK_OF(X509_EXTENSION), free_extension_stack>;
using GeneralNamesPtr = UP<GENERAL_NAMES, GENERAL_NAMES_free>;
using GeneralNamePtr = UP<GENERAL_NAME, GENERAL_NAME_free>;
using Asn1StringPtr = UP<ASN1_STRING, ASN1_STRING_free>;
using Asn1ObjectPtr = UP<ASN1_OBJECT, ASN1_OBJECT_free>;
using BitStringPtr = UP<ASN1_BIT_STRING, ASN1_BIT_STRING_free>;
using EkuPtr = UP<EXTENDED_KEY_USAGE, EXTENDED_KEY_USAGE_free>;
using BasicConstraintsPtr = UP<BASIC_CONSTRAINTS, BASIC_CONSTRAINTS_free>;
using EcdsaSigPtr = UP<ECDSA_SIG, ECDSA_SIG_free>;
using OpensslBytesPtr = UP<unsigned char, free_openssl_bytes>;
using X509StorePtr = UP<X509_STORE, X509_STORE_free>;
using X509StoreCtxPtr = UP<X509_STORE_CTX, X509_STORE_CTX_free>;
using X509StackPtr = UP<STACK_OF(X509), free_x509_stack>;
using Asn1IntegerPtr = UP<ASN1_INTEGER, ASN1_INTEGER_free>;
using OctetStringPtr = UP<ASN1_OCTET_STRING, ASN1_OCTET_STRING_free>;
using AuthorityKeyIdPtr = UP<AUTHORITY_KEYID, AUTHORITY_KEYID_free>;
using NameConstraintsPtr = UP<NAME_CONSTRAINTS, NAME_CONSTRAINTS_free>;
using GeneralSubtreePtr = UP<GENERAL_SUBTREE, GENERAL_SUBTREE_free>;
using DistPointPtr = UP<DIST_POINT, DIST_POINT_free>;
using CrlDistPointsPtr = UP<CRL_DIST_POINTS, free_crl_dist_points>;
using AccessDescriptionPtr = UP<ACCESS_DESCRIPTION, ACCESS_DESCRIPTION_free>;
using InfoAccessPtr = UP<AUTHORITY_INFO_ACCESS, free_access_descriptions>;

// Drains this thread's OpenSSL error queue into an Error: "<what>: <reason>; <reason>". Only
// OpenSSL's static reason strings are used, never the per-error data strings, which can quote
// the input (and so key material).
common::Error openssl_error(common::ErrorCode code, std::string_view what);

// Discards anything left on this thread's error queue (before a call whose failure we inspect).
void clear_openssl_errors();
// Whether this thread's error queue holds an error (for calls whose null result is ambiguous).
bool openssl_error_pending();

// A PEM passphrase callback that never supplies one. Every PEM read passes it: with none,
// OpenSSL prompts on the controlling terminal when a block is encrypted.
int no_passphrase(char* buf, int size, int rwflag, void* user);

// A read-only memory BIO over `data` (which must outlive it), or null if `data` is too large.
BioPtr read_bio(std::string_view data);
// A writable memory BIO; `secure` uses BIO_s_secmem so freed buffers are zeroised (keys).
BioPtr write_bio(bool secure);
std::string bio_contents(BIO* bio);

// std::string_view as the byte pointer and int length OpenSSL wants. Callers check
// fits_int() first where the length comes from outside.
inline const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());  // NOLINT: byte view of char data
}
inline bool fits_int(std::string_view s) {
  return s.size() <= static_cast<std::size_t>(std::numeric_limits<int>::max());
}

// Runs an i2d_* style encoder twice (length, then bytes) into a string.
template <typename Encode>
common::Result<std::string> to_der(Encode&& encode, std::string_view what) {
  const int length = encode(nullptr);
  if (length <= 0) {
    return tl::unexpected(openssl_error(common::ErrorCode::kInternal, what));
  }
  std::string out(static_cast<std::size_t>(length), '\0');
  auto* p = reinterpret_cast<unsigned char*>(out.data());  // NOLINT: byte view of char data
  if (encode(&p) != length) {
    return tl::unexpected(openssl_error(common::ErrorCode::kInternal, what));
  }
  return out;
}

// The key facts we support and look up once per EVP_PKEY.
struct KeyFacts {
  KeyAlgorithm algorithm = KeyAlgorithm::kRsa;
  int size = 0;                      // PrivateKey::size() semantics
  std::size_t coordinate_size = 0;   // EC field size in bytes (32, 48, 66); 0 otherwise
  const char* curve_name = nullptr;  // JOSE "crv": "P-256" ...; "Ed25519"; null for RSA
};
// kInvalidArgument for key types outside RSA, ECDSA P-256/P-384/P-521 and Ed25519.
common::Result<KeyFacts> key_facts(const EVP_PKEY* pkey);

// The sole door between the opaque key classes and OpenSSL.
struct KeyAccess {
  static EVP_PKEY* get(const PrivateKey& key) { return key.pkey_.get(); }
  static EVP_PKEY* get(const PublicKey& key) { return key.pkey_.get(); }
  // Takes ownership; fails for unsupported key types. A private key must hold private material.
  static common::Result<PrivateKey> wrap_private(PkeyPtr pkey);
  static common::Result<PublicKey> wrap_public(PkeyPtr pkey);
  static std::size_t coordinate_size(const PublicKey& key) { return key.coordinate_size_; }
};

// The signature digest for `key`, as cert-manager's pki.SignatureAlgorithm picks it: SHA-256 for
// RSA < 3072 bits, SHA-384 below 4096, SHA-512 above; by curve for ECDSA; null (pure EdDSA,
// RFC 8410 §6) for Ed25519. Shared by CSRs and certificates.
const EVP_MD* signature_digest(const PrivateKey& key);

// DER certificate -> X509 (kInvalidArgument when malformed).
common::Result<X509Ptr> x509_from_der(std::string_view der);

// DER SubjectPublicKeyInfo -> PublicKey (kInvalidArgument when malformed or unsupported).
common::Result<PublicKey> public_key_from_spki(std::string_view der);

}  // namespace certkeeper::crypto::internal
