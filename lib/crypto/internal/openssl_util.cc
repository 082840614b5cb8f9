#include "lib/crypto/internal/openssl_util.h"

#include <vector>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/objects.h>

#include "lib/crypto/internal/memo.h"

namespace certkeeper::crypto::internal {

using common::ErrorCode;
using common::make_error;

void free_extension_stack(STACK_OF(X509_EXTENSION) * stack) {
  sk_X509_EXTENSION_pop_free(stack, X509_EXTENSION_free);
}

void free_openssl_bytes(unsigned char* p) { OPENSSL_free(p); }

void free_x509_stack(STACK_OF(X509) * stack) { sk_X509_pop_free(stack, X509_free); }

void free_crl_dist_points(CRL_DIST_POINTS* points) {
  sk_DIST_POINT_pop_free(points, DIST_POINT_free);
}

void free_access_descriptions(AUTHORITY_INFO_ACCESS* access) {
  sk_ACCESS_DESCRIPTION_pop_free(access, ACCESS_DESCRIPTION_free);
}

const EVP_MD* signature_digest(const PrivateKey& key) {
  switch (key.algorithm()) {
    case KeyAlgorithm::kRsa:
      if (key.size() >= 4096) {
        return EVP_sha512();
      }
      return key.size() >= 3072 ? EVP_sha384() : EVP_sha256();
    case KeyAlgorithm::kEcdsa:
      if (key.size() == 521) {
        return EVP_sha512();
      }
      return key.size() == 384 ? EVP_sha384() : EVP_sha256();
    case KeyAlgorithm::kEd25519:
      return nullptr;  // pure EdDSA signs the message itself (RFC 8410 §6)
  }
  return nullptr;
}

common::Result<X509Ptr> x509_from_der(std::string_view der) {
  if (!fits_int(der)) {
    return make_error(ErrorCode::kInvalidArgument, "certificate DER too large");
  }
  const unsigned char* p = bytes(der);
  X509Ptr x509(d2i_X509(nullptr, &p, static_cast<long>(der.size())));  // NOLINT(google-runtime-int)
  if (x509 == nullptr) {
    return tl::unexpected(openssl_error(ErrorCode::kInvalidArgument, "malformed certificate"));
  }
  return x509;
}

common::Error openssl_error(ErrorCode code, std::string_view what) {
  std::vector<std::string> reasons;
  for (unsigned long e = ERR_get_error_all(nullptr, nullptr, nullptr, nullptr, nullptr); e != 0;
       e = ERR_get_error_all(nullptr, nullptr, nullptr, nullptr, nullptr)) {
    const char* reason = ERR_reason_error_string(e);
    std::string text = reason != nullptr ? reason : "error " + std::to_string(ERR_GET_REASON(e));
    bool seen = false;
    for (const auto& r : reasons) {
      seen = seen || r == text;
    }
    if (!seen) {
      reasons.push_back(std::move(text));
    }
  }
  std::string message(what);
  if (!reasons.empty()) {
    message += ": ";
    for (std::size_t i = 0; i < reasons.size(); ++i) {
      message += (i == 0 ? "" : "; ") + reasons[i];
    }
  }
  return {code, std::move(message)};
}

int no_passphrase(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*user*/) { return -1; }

void clear_openssl_errors() { ERR_clear_error(); }

bool openssl_error_pending() { return ERR_peek_error() != 0; }

BioPtr read_bio(std::string_view data) {
  if (!fits_int(data)) {
    return nullptr;
  }
  return BioPtr(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

BioPtr write_bio(bool secure) { return BioPtr(BIO_new(secure ? BIO_s_secmem() : BIO_s_mem())); }

std::string bio_contents(BIO* bio) {
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);  // NOLINT(google-runtime-int): OpenSSL's type
  if (length <= 0 || data == nullptr) {
    return {};
  }
  return {data, static_cast<std::size_t>(length)};
}

common::Result<KeyFacts> key_facts(const EVP_PKEY* pkey) {
  if (pkey == nullptr) {
    return make_error(ErrorCode::kInternal, "no key");
  }
  KeyFacts facts;
  if (EVP_PKEY_is_a(pkey, "RSA") == 1) {
    facts.algorithm = KeyAlgorithm::kRsa;
    facts.size = EVP_PKEY_get_bits(pkey);
    return facts;
  }
  if (EVP_PKEY_is_a(pkey, "ED25519") == 1) {
    facts.algorithm = KeyAlgorithm::kEd25519;
    facts.curve_name = "Ed25519";
    return facts;
  }
  if (EVP_PKEY_is_a(pkey, "EC") == 1) {
    char group[64] = {};
    std::size_t length = 0;
    if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
                                       &length) != 1) {
      // Explicit curve parameters instead of a named curve (RFC 5480 §2.1.1 forbids them).
      clear_openssl_errors();
      return make_error(ErrorCode::kInvalidArgument,
                        "unsupported EC key: the curve is not a named curve");
    }
    int nid = OBJ_sn2nid(group);
    if (nid == NID_undef) {
      nid = EC_curve_nist2nid(group);
    }
    switch (nid) {
      case NID_X9_62_prime256v1:
        facts = {KeyAlgorithm::kEcdsa, 256, 32, "P-256"};
        return facts;
      case NID_secp384r1:
        facts = {KeyAlgorithm::kEcdsa, 384, 48, "P-384"};
        return facts;
      case NID_secp521r1:
        facts = {KeyAlgorithm::kEcdsa, 521, 66, "P-521"};
        return facts;
      default:
        return make_error(
            ErrorCode::kInvalidArgument,
            "unsupported EC curve " + std::string(group) + " (supported: P-256, P-384, P-521)");
    }
  }
  const char* type = EVP_PKEY_get0_type_name(pkey);
  return make_error(ErrorCode::kInvalidArgument,
                    "unsupported key type " + std::string(type != nullptr ? type : "unknown") +
                        " (supported: RSA, ECDSA P-256/P-384/P-521, Ed25519)");
}

namespace {

Memo<PublicKey>& spki_memo() {
  static Memo<PublicKey> memo;
  return memo;
}

common::Result<PublicKey> parse_spki(std::string_view der) {
  if (!fits_int(der)) {
    return make_error(ErrorCode::kInvalidArgument, "public key DER too large");
  }
  const unsigned char* p = bytes(der);
  PkeyPtr pkey(
      d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())));  // NOLINT(google-runtime-int)
  if (pkey == nullptr) {
    return tl::unexpected(
        openssl_error(ErrorCode::kInvalidArgument, "malformed SubjectPublicKeyInfo"));
  }
  if (p != bytes(der) + der.size()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "malformed SubjectPublicKeyInfo: trailing data after the key");
  }
  return KeyAccess::wrap_public(std::move(pkey));
}

}  // namespace

// Every certificate, CSR and key the controllers read reaches its public key through here.
common::Result<PublicKey> public_key_from_spki(std::string_view der) {
  if (auto known = spki_memo().find(der)) {
    return std::move(*known);
  }
  auto parsed = parse_spki(der);
  if (parsed) {
    spki_memo().add(der, *parsed);
  }
  return parsed;
}

}  // namespace certkeeper::crypto::internal
