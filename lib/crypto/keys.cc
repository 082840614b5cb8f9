#include "lib/crypto/keys.h"

#include <openssl/core_names.h>
#include <openssl/encoder.h>
#include <openssl/pem.h>

#include "lib/crypto/encoding.h"
#include "lib/crypto/internal/memo.h"
#include "lib/crypto/internal/openssl_util.h"
#include "lib/crypto/primitives.h"

namespace certkeeper::crypto {

using common::ErrorCode;
using common::make_error;
using internal::KeyAccess;
using internal::openssl_error;
using internal::PkeyPtr;

namespace {

constexpr int kMinRsaBits = 2048;  // cert-manager's lower bound (and the CA/B Forum minimum)
constexpr int kMaxRsaBits = 8192;  // cert-manager's upper bound

bool looks_encrypted(std::string_view pem) {
  return pem.find("-----BEGIN ENCRYPTED PRIVATE KEY-----") != std::string_view::npos ||
         pem.find("Proc-Type: 4,ENCRYPTED") != std::string_view::npos;
}

common::Result<std::string> encode_private_key(EVP_PKEY* pkey, KeyAlgorithm algorithm,
                                               KeyEncoding encoding, const char* output_type) {
  // "type-specific" is PKCS#1 for RSA and SEC1 for EC; Ed25519 has only PKCS#8 (RFC 8410 §7).
  const bool type_specific = encoding == KeyEncoding::kPkcs1 && algorithm != KeyAlgorithm::kEd25519;
  const char* structure = type_specific ? "type-specific" : "PrivateKeyInfo";
  internal::UP<OSSL_ENCODER_CTX, OSSL_ENCODER_CTX_free> ctx(
      OSSL_ENCODER_CTX_new_for_pkey(pkey, EVP_PKEY_KEYPAIR, output_type, structure, nullptr));
  if (ctx == nullptr || OSSL_ENCODER_CTX_get_num_encoders(ctx.get()) == 0) {
    return tl::unexpected(openssl_error(
        ErrorCode::kInternal, std::string("no ") + output_type + " encoder for the private key"));
  }
  auto bio = internal::write_bio(/*secure=*/true);
  if (bio == nullptr || OSSL_ENCODER_to_bio(ctx.get(), bio.get()) != 1) {
    return tl::unexpected(openssl_error(ErrorCode::kInternal, "encoding the private key"));
  }
  return internal::bio_contents(bio.get());
}

}  // namespace

std::string_view to_string(KeyAlgorithm algorithm) {
  switch (algorithm) {
    case KeyAlgorithm::kRsa:
      return "RSA";
    case KeyAlgorithm::kEcdsa:
      return "ECDSA";
    case KeyAlgorithm::kEd25519:
      return "Ed25519";
  }
  return "unknown";
}

// --- internal::KeyAccess -------------------------------------------------------------------------

common::Result<PublicKey> KeyAccess::wrap_public(PkeyPtr pkey) {
  auto facts = internal::key_facts(pkey.get());
  if (!facts) {
    return tl::unexpected(facts.error());
  }
  EVP_PKEY* raw = pkey.get();
  if (facts->algorithm == KeyAlgorithm::kEcdsa &&
      EVP_PKEY_set_utf8_string_param(raw, OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
                                     OSSL_PKEY_EC_POINT_CONVERSION_FORMAT_UNCOMPRESSED) != 1) {
    // A key read with a compressed point would otherwise keep it, and its DER and hash would
    // differ from the same key read uncompressed.
    return tl::unexpected(openssl_error(ErrorCode::kInternal, "setting the EC point format"));
  }
  auto der = internal::to_der([raw](unsigned char** out) { return i2d_PUBKEY(raw, out); },
                              "encoding the public key");
  if (!der) {
    return tl::unexpected(der.error());
  }
  auto hash = sha256(*der);
  if (!hash) {
    return tl::unexpected(hash.error());
  }
  PublicKey key;
  key.pkey_ = std::shared_ptr<evp_pkey_st>(std::move(pkey));
  key.der_ = std::move(*der);
  key.sha256_hex_ = hex_encode(*hash);
  key.algorithm_ = facts->algorithm;
  key.size_ = facts->size;
  key.coordinate_size_ = facts->coordinate_size;
  return key;
}

common::Result<PrivateKey> KeyAccess::wrap_private(PkeyPtr pkey) {
  if (pkey == nullptr) {
    return make_error(ErrorCode::kInternal, "no private key");
  }
  // The public half is re-read from its DER so that a PublicKey never carries private material.
  EVP_PKEY* raw = pkey.get();
  auto der = internal::to_der([raw](unsigned char** out) { return i2d_PUBKEY(raw, out); },
                              "encoding the public key");
  if (!der) {
    return tl::unexpected(der.error());
  }
  auto public_key = internal::public_key_from_spki(*der);
  if (!public_key) {
    return tl::unexpected(public_key.error());
  }
  return PrivateKey(std::shared_ptr<evp_pkey_st>(std::move(pkey)), std::move(*public_key));
}

// --- PublicKey -----------------------------------------------------------------------------------

common::Result<PublicKey> PublicKey::from_der(std::string_view der) {
  return internal::public_key_from_spki(der);
}

common::Result<PublicKey> PublicKey::from_pem(std::string_view pem) {
  internal::clear_openssl_errors();
  auto bio = internal::read_bio(pem);
  if (bio == nullptr) {
    return make_error(ErrorCode::kInvalidArgument, "public key PEM too large");
  }
  PkeyPtr pkey(PEM_read_bio_PUBKEY(bio.get(), nullptr, internal::no_passphrase, nullptr));
  if (pkey == nullptr) {
    return tl::unexpected(
        openssl_error(ErrorCode::kInvalidArgument, "no valid PUBLIC KEY block found in PEM"));
  }
  return KeyAccess::wrap_public(std::move(pkey));
}

std::string PublicKey::pem() const { return pem_encode("PUBLIC KEY", der_); }

bool PublicKey::equals(const PublicKey& other) const {
  return EVP_PKEY_eq(pkey_.get(), other.pkey_.get()) == 1;
}

// --- PrivateKey ----------------------------------------------------------------------------------

common::Result<PrivateKey> PrivateKey::generate(KeyAlgorithm algorithm, int size) {
  internal::clear_openssl_errors();
  PkeyPtr pkey;
  switch (algorithm) {
    case KeyAlgorithm::kRsa: {
      const int bits = size == 0 ? kMinRsaBits : size;
      if (bits < kMinRsaBits || bits > kMaxRsaBits) {
        return make_error(ErrorCode::kInvalidArgument, "RSA key size " + std::to_string(size) +
                                                           " is out of range (" +
                                                           std::to_string(kMinRsaBits) + ".." +
                                                           std::to_string(kMaxRsaBits) + ")");
      }
      pkey.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(bits)));
      break;
    }
    case KeyAlgorithm::kEcdsa: {
      const char* curve = nullptr;
      switch (size) {
        case 0:
        case 256:
          curve = "P-256";
          break;
        case 384:
          curve = "P-384";
          break;
        case 521:
          curve = "P-521";
          break;
        default:
          return make_error(ErrorCode::kInvalidArgument, "ECDSA key size " + std::to_string(size) +
                                                             " is not supported (256, 384 or 521)");
      }
      pkey.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", curve));
      break;
    }
    case KeyAlgorithm::kEd25519:
      pkey.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
      break;
  }
  if (pkey == nullptr) {
    return tl::unexpected(openssl_error(
        ErrorCode::kInternal, "generating a " + std::string(to_string(algorithm)) + " key"));
  }
  return KeyAccess::wrap_private(std::move(pkey));
}

namespace {

internal::Memo<PrivateKey>& pem_key_memo() {
  static internal::Memo<PrivateKey> memo;
  return memo;
}

}  // namespace

common::Result<PrivateKey> PrivateKey::from_pem(std::string_view pem) {
  if (auto known = pem_key_memo().find(pem)) {
    return std::move(*known);
  }
  auto parsed = parse_pem(pem);
  if (parsed) {
    pem_key_memo().add(pem, *parsed);
  }
  return parsed;
}

common::Result<PrivateKey> PrivateKey::parse_pem(std::string_view pem) {
  internal::clear_openssl_errors();
  auto bio = internal::read_bio(pem);
  if (bio == nullptr) {
    return make_error(ErrorCode::kInvalidArgument, "private key PEM too large");
  }
  PkeyPtr pkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, internal::no_passphrase, nullptr));
  if (pkey == nullptr) {
    if (looks_encrypted(pem)) {
      internal::clear_openssl_errors();
      return make_error(ErrorCode::kInvalidArgument,
                        "private key PEM is encrypted; only unencrypted keys are supported");
    }
    return tl::unexpected(openssl_error(
        ErrorCode::kInvalidArgument,
        "no valid private key found in PEM (expected RSA PRIVATE KEY, EC PRIVATE KEY or "
        "PRIVATE KEY)"));
  }
  return KeyAccess::wrap_private(std::move(pkey));
}

common::Result<PrivateKey> PrivateKey::from_der(std::string_view der) {
  internal::clear_openssl_errors();
  if (!internal::fits_int(der)) {
    return make_error(ErrorCode::kInvalidArgument, "private key DER too large");
  }
  const unsigned char* p = internal::bytes(der);
  PkeyPtr pkey(d2i_AutoPrivateKey(nullptr, &p,
                                  static_cast<long>(der.size())));  // NOLINT(google-runtime-int)
  if (pkey == nullptr) {
    return tl::unexpected(
        openssl_error(ErrorCode::kInvalidArgument,
                      "malformed private key DER (expected PKCS#1, SEC1 or PKCS#8)"));
  }
  if (p != internal::bytes(der) + der.size()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "malformed private key DER: trailing data after the key");
  }
  return KeyAccess::wrap_private(std::move(pkey));
}

common::Result<std::string> PrivateKey::to_pem(KeyEncoding encoding) const {
  return encode_private_key(pkey_.get(), algorithm(), encoding, "PEM");
}

common::Result<std::string> PrivateKey::to_der(KeyEncoding encoding) const {
  return encode_private_key(pkey_.get(), algorithm(), encoding, "DER");
}

}  // namespace certkeeper::crypto
