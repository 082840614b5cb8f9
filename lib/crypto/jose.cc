#include "lib/crypto/jose.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/params.h>

#include "lib/crypto/encoding.h"
#include "lib/crypto/internal/openssl_util.h"

namespace certkeeper::crypto {

using common::ErrorCode;
using common::make_error;
using internal::KeyAccess;
using internal::openssl_error;

namespace {

constexpr std::size_t kMaxCoordinateSize = 66;  // P-521
constexpr std::size_t kEd25519KeySize = 32;

using ParamBldPtr = internal::UP<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>;
using ParamsPtr = internal::UP<OSSL_PARAM, OSSL_PARAM_free>;

// A JSON string literal (RFC 8259 §7). Non-ASCII UTF-8 passes through unchanged.
std::string json_quote(std::string_view s) {
  constexpr std::string_view kHex = "0123456789abcdef";
  std::string out;
  out.reserve(s.size() + 2);
  out.push_back('"');
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      default:
        if (u < 0x20) {
          out.append("\\u00").push_back(kHex[u >> 4U]);
          out.push_back(kHex[u & 0x0FU]);
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
  return out;
}

common::Result<std::string> bn_param(EVP_PKEY* pkey, const char* name, std::size_t pad_to) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, name, &raw) != 1) {
    return tl::unexpected(openssl_error(ErrorCode::kInternal, std::string("reading key ") + name));
  }
  internal::BnPtr bn(raw);
  const int size = pad_to > 0 ? static_cast<int>(pad_to) : BN_num_bytes(bn.get());
  std::string out(static_cast<std::size_t>(size), '\0');
  // NOLINTNEXTLINE: byte view of char data
  if (BN_bn2binpad(bn.get(), reinterpret_cast<unsigned char*>(out.data()), size) != size) {
    return tl::unexpected(openssl_error(ErrorCode::kInternal, std::string("encoding key ") + name));
  }
  return out;
}

// Base64urlUInt (RFC 7518 §2): non-empty, no leading zero octets (except the value zero).
common::Result<std::string> decode_uint(std::string_view text, std::string_view member) {
  auto value = base64url_decode(text);
  if (!value) {
    return tl::unexpected(value.error().wrap("JWK \"" + std::string(member) + "\""));
  }
  if (value->empty() || (value->size() > 1 && (*value)[0] == '\0')) {
    return make_error(ErrorCode::kInvalidArgument,
                      "JWK \"" + std::string(member) + "\" is not a minimal unsigned integer");
  }
  return value;
}

common::Result<std::string> decode_fixed(std::string_view text, std::string_view member,
                                         std::size_t size) {
  auto value = base64url_decode(text);
  if (!value) {
    return tl::unexpected(value.error().wrap("JWK \"" + std::string(member) + "\""));
  }
  if (value->size() != size) {
    return make_error(ErrorCode::kInvalidArgument, "JWK \"" + std::string(member) + "\" must be " +
                                                       std::to_string(size) + " bytes, not " +
                                                       std::to_string(value->size()));
  }
  return value;
}

common::Result<PublicKey> key_from_params(const char* type, OSSL_PARAM_BLD* builder) {
  ParamsPtr params(OSSL_PARAM_BLD_to_param(builder));
  internal::PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* raw = nullptr;
  if (params == nullptr || ctx == nullptr || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    return tl::unexpected(openssl_error(ErrorCode::kInvalidArgument,
                                        std::string("JWK is not a valid ") + type + " key"));
  }
  internal::PkeyPtr pkey(raw);
  // fromdata does not promise to check that an EC point lies on the curve; this does.
  internal::PkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey.get(), nullptr));
  if (check == nullptr || EVP_PKEY_public_check(check.get()) != 1) {
    return tl::unexpected(openssl_error(ErrorCode::kInvalidArgument,
                                        std::string("JWK is not a valid ") + type + " public key"));
  }
  return KeyAccess::wrap_public(std::move(pkey));
}

const char* digest_name(const PublicKey& key) {
  switch (key.algorithm()) {
    case KeyAlgorithm::kRsa:
      return "SHA256";
    case KeyAlgorithm::kEcdsa:
      return key.size() == 521 ? "SHA512" : key.size() == 384 ? "SHA384" : "SHA256";
    case KeyAlgorithm::kEd25519:
      return nullptr;  // EdDSA hashes internally; OpenSSL wants no digest and one-shot signing
  }
  return nullptr;
}

common::Status check_header(const JwsHeader& header) {
  if (header.embed_jwk && !header.kid.empty()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "JWS header: jwk and kid are mutually exclusive (RFC 8555 §6.2)");
  }
  if (!header.embed_jwk && header.kid.empty()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "JWS header: needs either an embedded jwk or a kid (RFC 8555 §6.2)");
  }
  if (header.url.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "JWS header: url is required (RFC 8555 §6.4)");
  }
  return common::ok();
}

// Members in lexicographic order: alg, jwk, kid, nonce, url.
std::string header_json(std::string_view alg, const JwsHeader& header, const std::string& jwk) {
  std::string json = "{\"alg\":" + json_quote(alg);
  if (header.embed_jwk) {
    json += ",\"jwk\":" + jwk;
  }
  if (!header.kid.empty()) {
    json += ",\"kid\":" + json_quote(header.kid);
  }
  if (!header.nonce.empty()) {
    json += ",\"nonce\":" + json_quote(header.nonce);
  }
  json += ",\"url\":" + json_quote(header.url) + "}";
  return json;
}

common::Result<HashAlgorithm> hmac_algorithm(std::string_view alg) {
  if (alg == "HS256") {
    return HashAlgorithm::kSha256;
  }
  if (alg == "HS384") {
    return HashAlgorithm::kSha384;
  }
  if (alg == "HS512") {
    return HashAlgorithm::kSha512;
  }
  return make_error(ErrorCode::kInvalidArgument,
                    "JWS alg \"" + std::string(alg) + "\" is not HS256, HS384 or HS512");
}

std::string_view hmac_alg_name(HashAlgorithm algorithm) {
  switch (algorithm) {
    case HashAlgorithm::kSha256:
      return "HS256";
    case HashAlgorithm::kSha384:
      return "HS384";
    case HashAlgorithm::kSha512:
      return "HS512";
  }
  return "HS256";
}

}  // namespace

// --- JWK -----------------------------------------------------------------------------------------

std::string Jwk::to_json() const {
  // The members RFC 7638 requires for RSA (e, kty, n), EC (crv, kty, x, y) and OKP (crv, kty, x)
  // all appear in this order when sorted, so one sequence serves every key type.
  const std::pair<std::string_view, const std::string*> members[] = {
      {"crv", &crv}, {"e", &e}, {"kty", &kty}, {"n", &n}, {"x", &x}, {"y", &y}};
  std::string json = "{";
  for (const auto& [name, value] : members) {
    if (value->empty()) {
      continue;
    }
    if (json.size() > 1) {
      json.push_back(',');
    }
    json += json_quote(name) + ":" + json_quote(*value);
  }
  json.push_back('}');
  return json;
}

common::Result<Jwk> jwk_of(const PublicKey& key) {
  EVP_PKEY* pkey = KeyAccess::get(key);
  Jwk jwk;
  switch (key.algorithm()) {
    case KeyAlgorithm::kRsa: {
      auto n = bn_param(pkey, OSSL_PKEY_PARAM_RSA_N, 0);
      auto e = bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, 0);
      if (!n || !e) {
        return tl::unexpected((!n ? n : e).error());
      }
      jwk.kty = "RSA";
      jwk.n = base64url_encode(*n);
      jwk.e = base64url_encode(*e);
      return jwk;
    }
    case KeyAlgorithm::kEcdsa: {
      auto facts = internal::key_facts(pkey);
      if (!facts) {
        return tl::unexpected(facts.error());
      }
      auto x = bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_X, facts->coordinate_size);
      auto y = bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_Y, facts->coordinate_size);
      if (!x || !y) {
        return tl::unexpected((!x ? x : y).error());
      }
      jwk.kty = "EC";
      jwk.crv = facts->curve_name;
      jwk.x = base64url_encode(*x);
      jwk.y = base64url_encode(*y);
      return jwk;
    }
    case KeyAlgorithm::kEd25519: {
      unsigned char raw[kEd25519KeySize] = {};
      std::size_t length = sizeof(raw);
      if (EVP_PKEY_get_raw_public_key(pkey, raw, &length) != 1 || length != sizeof(raw)) {
        return tl::unexpected(openssl_error(ErrorCode::kInternal, "reading the Ed25519 key"));
      }
      jwk.kty = "OKP";
      jwk.crv = "Ed25519";
      // NOLINTNEXTLINE: bytes as chars
      jwk.x = base64url_encode(std::string_view(reinterpret_cast<const char*>(raw), length));
      return jwk;
    }
  }
  return make_error(ErrorCode::kInternal, "unknown key algorithm");
}

common::Result<PublicKey> public_key_from_jwk(const Jwk& jwk) {
  internal::clear_openssl_errors();
  if (jwk.kty == "RSA") {
    auto n = decode_uint(jwk.n, "n");
    if (!n) {
      return tl::unexpected(n.error());
    }
    auto e = decode_uint(jwk.e, "e");
    if (!e) {
      return tl::unexpected(e.error());
    }
    internal::BnPtr bn_n(BN_bin2bn(internal::bytes(*n), static_cast<int>(n->size()), nullptr));
    internal::BnPtr bn_e(BN_bin2bn(internal::bytes(*e), static_cast<int>(e->size()), nullptr));
    ParamBldPtr builder(OSSL_PARAM_BLD_new());
    if (bn_n == nullptr || bn_e == nullptr || builder == nullptr ||
        OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) != 1 ||
        OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()) != 1) {
      return tl::unexpected(openssl_error(ErrorCode::kInternal, "building an RSA key"));
    }
    return key_from_params("RSA", builder.get());
  }
  if (jwk.kty == "EC") {
    std::size_t size = 0;
    if (jwk.crv == "P-256") {
      size = 32;
    } else if (jwk.crv == "P-384") {
      size = 48;
    } else if (jwk.crv == "P-521") {
      size = kMaxCoordinateSize;
    } else {
      return make_error(ErrorCode::kInvalidArgument,
                        "JWK crv \"" + jwk.crv + "\" is not P-256, P-384 or P-521");
    }
    auto x = decode_fixed(jwk.x, "x", size);
    if (!x) {
      return tl::unexpected(x.error());
    }
    auto y = decode_fixed(jwk.y, "y", size);
    if (!y) {
      return tl::unexpected(y.error());
    }
    const std::string point = '\x04' + *x + *y;  // uncompressed (SEC 1 §2.3.3)
    ParamBldPtr builder(OSSL_PARAM_BLD_new());
    if (builder == nullptr ||
        OSSL_PARAM_BLD_push_utf8_string(builder.get(), OSSL_PKEY_PARAM_GROUP_NAME, jwk.crv.c_str(),
                                        0) != 1 ||
        OSSL_PARAM_BLD_push_octet_string(builder.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                         point.size()) != 1) {
      return tl::unexpected(openssl_error(ErrorCode::kInternal, "building an EC key"));
    }
    return key_from_params("EC", builder.get());
  }
  if (jwk.kty == "OKP") {
    if (jwk.crv != "Ed25519") {
      return make_error(ErrorCode::kInvalidArgument,
                        "JWK crv \"" + jwk.crv + "\" is not supported for OKP (only Ed25519)");
    }
    auto x = decode_fixed(jwk.x, "x", kEd25519KeySize);
    if (!x) {
      return tl::unexpected(x.error());
    }
    internal::PkeyPtr pkey(EVP_PKEY_new_raw_public_key_ex(nullptr, "ED25519", nullptr,
                                                          internal::bytes(*x), x->size()));
    if (pkey == nullptr) {
      return tl::unexpected(
          openssl_error(ErrorCode::kInvalidArgument, "JWK is not a valid Ed25519 key"));
    }
    return KeyAccess::wrap_public(std::move(pkey));
  }
  return make_error(ErrorCode::kInvalidArgument,
                    "JWK kty \"" + jwk.kty + "\" is not supported (RSA, EC, OKP)");
}

common::Result<std::string> jwk_thumbprint(const Jwk& jwk) {
  auto hash = sha256(jwk.to_json());
  if (!hash) {
    return tl::unexpected(hash.error());
  }
  return base64url_encode(*hash);
}

common::Result<std::string> jwk_thumbprint(const PublicKey& key) {
  auto jwk = jwk_of(key);
  if (!jwk) {
    return tl::unexpected(jwk.error());
  }
  return jwk_thumbprint(*jwk);
}

// --- JWS -----------------------------------------------------------------------------------------

std::string_view jws_algorithm(const PublicKey& key) {
  switch (key.algorithm()) {
    case KeyAlgorithm::kRsa:
      return "RS256";
    case KeyAlgorithm::kEcdsa:
      return key.size() == 521 ? "ES512" : key.size() == 384 ? "ES384" : "ES256";
    case KeyAlgorithm::kEd25519:
      return "EdDSA";
  }
  return "none";
}

std::string FlattenedJws::to_json() const {
  return "{\"payload\":" + json_quote(payload) + ",\"protected\":" + json_quote(protected_header) +
         ",\"signature\":" + json_quote(signature) + "}";
}

common::Result<FlattenedJws> sign_jws(const PrivateKey& key, const JwsHeader& header,
                                      std::string_view payload) {
  if (auto status = check_header(header); !status) {
    return tl::unexpected(status.error());
  }
  internal::clear_openssl_errors();
  const PublicKey& public_key = key.public_key();
  std::string jwk;
  if (header.embed_jwk) {
    auto value = jwk_of(public_key);
    if (!value) {
      return tl::unexpected(value.error());
    }
    jwk = value->to_json();
  }
  FlattenedJws jws;
  jws.protected_header = base64url_encode(header_json(jws_algorithm(public_key), header, jwk));
  jws.payload = base64url_encode(payload);
  const std::string input = jws.protected_header + "." + jws.payload;

  internal::MdCtxPtr ctx(EVP_MD_CTX_new());
  std::size_t length = 0;
  if (ctx == nullptr ||
      EVP_DigestSignInit_ex(ctx.get(), nullptr, digest_name(public_key), nullptr, nullptr,
                            KeyAccess::get(key), nullptr) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &length, internal::bytes(input), input.size()) != 1) {
    return tl::unexpected(openssl_error(ErrorCode::kInternal, "signing a JWS"));
  }
  std::string signature(length, '\0');
  // NOLINTNEXTLINE: byte view of char data
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                     internal::bytes(input), input.size()) != 1) {
    return tl::unexpected(openssl_error(ErrorCode::kInternal, "signing a JWS"));
  }
  signature.resize(length);
  if (public_key.algorithm() == KeyAlgorithm::kEcdsa) {
    auto raw = ecdsa_der_to_raw(signature, KeyAccess::coordinate_size(public_key));
    if (!raw) {
      return tl::unexpected(raw.error());
    }
    signature = std::move(*raw);
  }
  jws.signature = base64url_encode(signature);
  return jws;
}

common::Result<FlattenedJws> sign_hmac_jws(std::string_view mac_key, const JwsHeader& header,
                                           std::string_view payload, HashAlgorithm algorithm) {
  if (header.embed_jwk) {
    return make_error(ErrorCode::kInvalidArgument,
                      "JWS header: an HMAC JWS names its key with kid, not jwk");
  }
  if (auto status = check_header(header); !status) {
    return tl::unexpected(status.error());
  }
  FlattenedJws jws;
  jws.protected_header = base64url_encode(header_json(hmac_alg_name(algorithm), header, ""));
  jws.payload = base64url_encode(payload);
  auto mac = hmac(algorithm, mac_key, jws.protected_header + "." + jws.payload);
  if (!mac) {
    return tl::unexpected(mac.error().wrap("JWS"));
  }
  jws.signature = base64url_encode(*mac);
  return jws;
}

common::Result<FlattenedJws> external_account_binding(std::string_view mac_key,
                                                      std::string_view eab_kid,
                                                      std::string_view new_account_url,
                                                      const PublicKey& account_key) {
  auto jwk = jwk_of(account_key);
  if (!jwk) {
    return tl::unexpected(jwk.error());
  }
  JwsHeader header;
  header.kid = std::string(eab_kid);
  header.url = std::string(new_account_url);
  auto jws = sign_hmac_jws(mac_key, header, jwk->to_json(), HashAlgorithm::kSha256);
  if (!jws) {
    return tl::unexpected(jws.error().wrap("external account binding"));
  }
  return jws;
}

common::Status verify_jws(const FlattenedJws& jws, const PublicKey& key, std::string_view alg) {
  const std::string_view expected = jws_algorithm(key);
  if (alg != expected) {
    return make_error(ErrorCode::kInvalidArgument, "JWS alg \"" + std::string(alg) +
                                                       "\" does not match the key (" +
                                                       std::string(expected) + ")");
  }
  auto signature = base64url_decode(jws.signature);
  if (!signature) {
    return tl::unexpected(signature.error().wrap("JWS signature"));
  }
  if (key.algorithm() == KeyAlgorithm::kEcdsa) {
    if (signature->size() != 2 * KeyAccess::coordinate_size(key)) {
      return make_error(ErrorCode::kInvalidArgument,
                        "JWS signature has " + std::to_string(signature->size()) + " bytes; " +
                            std::string(alg) + " needs " +
                            std::to_string(2 * KeyAccess::coordinate_size(key)));
    }
    auto der = ecdsa_raw_to_der(*signature);
    if (!der) {
      return tl::unexpected(der.error());
    }
    signature = std::move(der);
  }
  internal::clear_openssl_errors();
  const std::string input = jws.protected_header + "." + jws.payload;
  internal::MdCtxPtr ctx(EVP_MD_CTX_new());
  if (ctx == nullptr || EVP_DigestVerifyInit_ex(ctx.get(), nullptr, digest_name(key), nullptr,
                                                nullptr, KeyAccess::get(key), nullptr) != 1) {
    return tl::unexpected(openssl_error(ErrorCode::kInternal, "verifying a JWS"));
  }
  if (EVP_DigestVerify(ctx.get(), internal::bytes(*signature), signature->size(),
                       internal::bytes(input), input.size()) != 1) {
    internal::clear_openssl_errors();
    return make_error(ErrorCode::kInvalidArgument, "JWS signature does not verify");
  }
  return common::ok();
}

common::Status verify_hmac_jws(const FlattenedJws& jws, std::string_view mac_key,
                               std::string_view alg) {
  auto algorithm = hmac_algorithm(alg);
  if (!algorithm) {
    return tl::unexpected(algorithm.error());
  }
  auto signature = base64url_decode(jws.signature);
  if (!signature) {
    return tl::unexpected(signature.error().wrap("JWS signature"));
  }
  auto mac = hmac(*algorithm, mac_key, jws.protected_header + "." + jws.payload);
  if (!mac) {
    return tl::unexpected(mac.error());
  }
  if (!constant_time_equal(*mac, *signature)) {
    return make_error(ErrorCode::kInvalidArgument, "JWS MAC does not verify");
  }
  return common::ok();
}

// --- ECDSA signature encodings -------------------------------------------------------------------

common::Result<std::string> ecdsa_der_to_raw(std::string_view der, std::size_t coordinate_size) {
  if (coordinate_size == 0 || coordinate_size > kMaxCoordinateSize) {
    return make_error(ErrorCode::kInvalidArgument,
                      "ECDSA coordinate size " + std::to_string(coordinate_size) + " is not 1.." +
                          std::to_string(kMaxCoordinateSize));
  }
  if (!internal::fits_int(der)) {
    return make_error(ErrorCode::kInvalidArgument, "ECDSA signature too large");
  }
  const unsigned char* p = internal::bytes(der);
  internal::EcdsaSigPtr sig(
      d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));  // NOLINT(google-runtime-int)
  if (sig == nullptr || p != internal::bytes(der) + der.size()) {
    internal::clear_openssl_errors();
    return make_error(ErrorCode::kInvalidArgument, "malformed DER ECDSA signature");
  }
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  const int size = static_cast<int>(coordinate_size);
  std::string raw(2 * coordinate_size, '\0');
  auto* out = reinterpret_cast<unsigned char*>(raw.data());  // NOLINT: byte view of char data
  if (BN_bn2binpad(r, out, size) != size || BN_bn2binpad(s, out + size, size) != size) {
    internal::clear_openssl_errors();
    return make_error(ErrorCode::kInvalidArgument, "ECDSA signature value does not fit in " +
                                                       std::to_string(coordinate_size) + " bytes");
  }
  return raw;
}

common::Result<std::string> ecdsa_raw_to_der(std::string_view raw) {
  if (raw.empty() || raw.size() % 2 != 0 || raw.size() > 2 * kMaxCoordinateSize) {
    return make_error(ErrorCode::kInvalidArgument,
                      "raw ECDSA signature has " + std::to_string(raw.size()) +
                          " bytes; expected two equal halves of at most " +
                          std::to_string(kMaxCoordinateSize));
  }
  const int half = static_cast<int>(raw.size() / 2);
  internal::BnPtr r(BN_bin2bn(internal::bytes(raw), half, nullptr));
  internal::BnPtr s(BN_bin2bn(internal::bytes(raw) + half, half, nullptr));
  internal::EcdsaSigPtr sig(ECDSA_SIG_new());
  if (r == nullptr || s == nullptr || sig == nullptr ||
      ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) {
    return tl::unexpected(openssl_error(ErrorCode::kInternal, "building an ECDSA signature"));
  }
  static_cast<void>(r.release());  // ECDSA_SIG_set0 took ownership
  static_cast<void>(s.release());
  const ECDSA_SIG* value = sig.get();
  return internal::to_der([value](unsigned char** out) { return i2d_ECDSA_SIG(value, out); },
                          "encoding an ECDSA signature");
}

}  // namespace certkeeper::crypto
