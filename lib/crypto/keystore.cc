#include "lib/crypto/keystore.h"

#include <array>
#include <cctype>
#include <cstdint>
#include <utility>

#include <openssl/crypto.h>
#include <openssl/objects.h>
#include <openssl/pkcs12.h>
#include <openssl/provider.h>
#include <openssl/x509.h>

#include "lib/crypto/internal/openssl_util.h"
#include "lib/crypto/internal/x509_util.h"
#include "lib/crypto/primitives.h"

namespace certkeeper::crypto {

using common::ErrorCode;
using common::make_error;
using internal::KeyAccess;
using internal::openssl_error;

namespace {

// --- PKCS#12 -------------------------------------------------------------------------------------

constexpr int kPkcs12Iterations = 2048;

using Pkcs12Ptr = internal::UP<PKCS12, PKCS12_free>;
using LibCtxPtr = internal::UP<OSSL_LIB_CTX, OSSL_LIB_CTX_free>;
using ProviderPtr = internal::UP<OSSL_PROVIDER, OSSL_PROVIDER_unload>;

// A library context with OpenSSL 3's legacy provider (RC2, cpp-deps.md §3.1) and the default
// provider loaded into it, so that RC2 is available to PKCS#12 only and the process-wide default
// context keeps its implicit providers. Created once, on first use, and kept until exit; the
// providers are unloaded before the context is freed (member order). Thread-safe once built.
class LegacyContext {
 public:
  // Null context when either provider could not be loaded (e.g. no legacy.so installed).
  static const LegacyContext& instance() {
    static const LegacyContext context;
    return context;
  }
  [[nodiscard]] OSSL_LIB_CTX* get() const {
    return legacy_ != nullptr && default_ != nullptr ? context_.get() : nullptr;
  }

 private:
  LegacyContext()
      : context_(OSSL_LIB_CTX_new()),
        legacy_(context_ != nullptr ? OSSL_PROVIDER_load(context_.get(), "legacy") : nullptr),
        default_(context_ != nullptr ? OSSL_PROVIDER_load(context_.get(), "default") : nullptr) {
    internal::clear_openssl_errors();
  }

  LibCtxPtr context_;
  ProviderPtr legacy_;
  ProviderPtr default_;
};

struct ProfileParameters {
  int nid_key;
  int nid_certificates;
  const EVP_MD* (*mac_digest)();
  bool legacy;
};

ProfileParameters parameters_of(Pkcs12Profile profile) {
  switch (profile) {
    case Pkcs12Profile::kLegacyRc2:
      return {NID_pbe_WithSHA1And3_Key_TripleDES_CBC, NID_pbe_WithSHA1And40BitRC2_CBC, EVP_sha1,
              true};
    case Pkcs12Profile::kLegacyDes:
      return {NID_pbe_WithSHA1And3_Key_TripleDES_CBC, NID_pbe_WithSHA1And3_Key_TripleDES_CBC,
              EVP_sha1, false};
    case Pkcs12Profile::kModern2023:
      // A cipher NID selects PBES2 with PBKDF2 (HMAC-SHA-256 PRF) in PKCS12_create.
      return {NID_aes_256_cbc, NID_aes_256_cbc, EVP_sha256, false};
  }
  return {NID_aes_256_cbc, NID_aes_256_cbc, EVP_sha256, false};
}

common::Status check_password(std::string_view password) {
  if (password.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "keystore password is empty");
  }
  if (password.find('\0') != std::string_view::npos || !internal::fits_int(password)) {
    return make_error(ErrorCode::kInvalidArgument, "keystore password contains NUL characters");
  }
  return common::ok();
}

// --- JKS -----------------------------------------------------------------------------------------

constexpr std::uint32_t kJksMagic = 0xFEEDFEED;
constexpr std::uint32_t kJksVersion = 2;
constexpr std::uint32_t kPrivateKeyEntry = 1;
constexpr std::uint32_t kTrustedCertEntry = 2;
constexpr std::string_view kIntegritySalt = "Mighty Aphrodite";
constexpr std::size_t kSha1Size = 20;
// 1.3.6.1.4.1.42.2.17.1.1, the KeyProtector's algorithm OID, as DER (tag, length, content).
constexpr std::string_view kKeyProtectorOidDer = "\x06\x0a\x2b\x06\x01\x04\x01\x2a\x02\x11\x01\x01";

// A secret byte buffer that is wiped when it goes (the plaintext PKCS#8 key).
class SecretBytes {
 public:
  explicit SecretBytes(std::string bytes) : bytes_(std::move(bytes)) {}
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;
  ~SecretBytes() { OPENSSL_cleanse(bytes_.data(), bytes_.size()); }
  std::string& get() { return bytes_; }

 private:
  std::string bytes_;
};

common::Result<std::string> sha1(std::string_view a, std::string_view b, std::string_view c = "") {
  internal::MdCtxPtr context(EVP_MD_CTX_new());
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int length = 0;
  if (context == nullptr || EVP_DigestInit_ex(context.get(), EVP_sha1(), nullptr) != 1 ||
      EVP_DigestUpdate(context.get(), a.data(), a.size()) != 1 ||
      EVP_DigestUpdate(context.get(), b.data(), b.size()) != 1 ||
      EVP_DigestUpdate(context.get(), c.data(), c.size()) != 1 ||
      EVP_DigestFinal_ex(context.get(), md.data(), &length) != 1) {
    return tl::unexpected(openssl_error(ErrorCode::kInternal, "SHA-1"));
  }
  // NOLINTNEXTLINE: bytes as chars
  return std::string(reinterpret_cast<const char*>(md.data()), length);
}

// UTF-8 -> UTF-16BE, which is how Java's char[] passwords enter the JKS digests.
common::Result<std::string> utf16be(std::string_view utf8) {
  std::string out;
  for (std::size_t i = 0; i < utf8.size();) {
    const auto lead = static_cast<unsigned char>(utf8[i]);
    std::size_t extra = 0;
    std::uint32_t code = 0;
    if (lead < 0x80) {
      code = lead;
    } else if ((lead & 0xE0U) == 0xC0) {
      extra = 1;
      code = lead & 0x1FU;
    } else if ((lead & 0xF0U) == 0xE0) {
      extra = 2;
      code = lead & 0x0FU;
    } else if ((lead & 0xF8U) == 0xF0) {
      extra = 3;
      code = lead & 0x07U;
    } else {
      return make_error(ErrorCode::kInvalidArgument, "keystore password is not UTF-8");
    }
    if (i + extra >= utf8.size()) {
      return make_error(ErrorCode::kInvalidArgument, "keystore password is not UTF-8");
    }
    for (std::size_t k = 1; k <= extra; ++k) {
      const auto next = static_cast<unsigned char>(utf8[i + k]);
      if ((next & 0xC0U) != 0x80) {
        return make_error(ErrorCode::kInvalidArgument, "keystore password is not UTF-8");
      }
      code = (code << 6U) | (next & 0x3FU);
    }
    i += extra + 1;
    const auto put = [&out](std::uint32_t unit) {
      out.push_back(static_cast<char>((unit >> 8U) & 0xFFU));
      out.push_back(static_cast<char>(unit & 0xFFU));
    };
    if (code >= 0x10000) {
      code -= 0x10000;
      put(0xD800U + (code >> 10U));
      put(0xDC00U + (code & 0x3FFU));
    } else {
      put(code);
    }
  }
  return out;
}

void put_u16(std::string* out, std::size_t value) {
  out->push_back(static_cast<char>((value >> 8U) & 0xFFU));
  out->push_back(static_cast<char>(value & 0xFFU));
}

void put_u32(std::string* out, std::uint64_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) {
    out->push_back(static_cast<char>((value >> static_cast<unsigned>(shift)) & 0xFFU));
  }
}

void put_u64(std::string* out, std::uint64_t value) {
  put_u32(out, value >> 32U);
  put_u32(out, value & 0xFFFFFFFFU);
}

// DataOutput.writeUTF for ASCII: a 16-bit length, then the bytes.
void put_utf(std::string* out, std::string_view text) {
  put_u16(out, text.size());
  out->append(text);
}

void put_certificate(std::string* out, const Certificate& certificate) {
  put_utf(out, "X.509");
  put_u32(out, certificate.der().size());
  out->append(certificate.der());
}

// A DER TLV with a definite length.
std::string der(unsigned char tag, std::string_view content) {
  std::string out(1, static_cast<char>(tag));
  if (content.size() < 0x80) {
    out.push_back(static_cast<char>(content.size()));
  } else {
    std::string length;
    for (std::size_t n = content.size(); n > 0; n >>= 8U) {
      length.insert(length.begin(), static_cast<char>(n & 0xFFU));
    }
    out.push_back(static_cast<char>(0x80U | length.size()));
    out += length;
  }
  out.append(content);
  return out;
}

// The KeyProtector keystream (the "Sun proprietary" algorithm): d1 = SHA-1(p || salt),
// dn = SHA-1(p || dn-1), concatenated to the plaintext's length and XORed with it.
common::Status xor_keystream(std::string_view password, std::string_view salt, std::string* data) {
  std::string block(salt);
  for (std::size_t offset = 0; offset < data->size(); offset += kSha1Size) {
    auto next = sha1(password, block);
    if (!next) {
      return tl::unexpected(next.error());
    }
    block = std::move(*next);
    for (std::size_t i = 0; i < kSha1Size && offset + i < data->size(); ++i) {
      (*data)[offset + i] = static_cast<char>((*data)[offset + i] ^ block[i]);
    }
  }
  return common::ok();
}

// A bounds-checked big-endian reader over a JKS file.
class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}
  bool ok() const { return ok_; }
  std::size_t offset() const { return offset_; }
  std::uint64_t read(std::size_t width) {
    if (!ok_ || data_.size() - offset_ < width) {
      ok_ = false;
      return 0;
    }
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < width; ++i) {
      value = (value << 8U) | static_cast<unsigned char>(data_[offset_ + i]);
    }
    offset_ += width;
    return value;
  }
  std::string_view bytes(std::uint64_t length) {
    if (!ok_ || data_.size() - offset_ < length) {
      ok_ = false;
      return {};
    }
    std::string_view out = data_.substr(offset_, static_cast<std::size_t>(length));
    offset_ += static_cast<std::size_t>(length);
    return out;
  }

 private:
  std::string_view data_;
  std::size_t offset_ = 0;
  bool ok_ = true;
};

common::Result<std::vector<Certificate>> read_certificates(Reader* reader, std::uint64_t count) {
  std::vector<Certificate> certificates;
  for (std::uint64_t i = 0; i < count; ++i) {
    const std::string_view type = reader->bytes(reader->read(2));
    const std::string_view encoded = reader->bytes(reader->read(4));
    if (!reader->ok() || type != "X.509") {
      return make_error(ErrorCode::kInvalidArgument, "JKS: malformed certificate entry");
    }
    auto certificate = Certificate::from_der(encoded);
    if (!certificate) {
      return tl::unexpected(certificate.error().wrap("JKS"));
    }
    certificates.push_back(std::move(*certificate));
  }
  return certificates;
}

common::Result<PrivateKey> recover_key(std::string_view encrypted_info,
                                       std::string_view password_utf16) {
  const unsigned char* p = internal::bytes(encrypted_info);
  internal::UP<X509_SIG, X509_SIG_free> info(
      d2i_X509_SIG(nullptr, &p, static_cast<long>(encrypted_info.size())));  // NOLINT
  if (info == nullptr) {
    internal::clear_openssl_errors();
    return make_error(ErrorCode::kInvalidArgument, "JKS: malformed EncryptedPrivateKeyInfo");
  }
  const X509_ALGOR* algorithm = nullptr;
  const ASN1_OCTET_STRING* encrypted = nullptr;
  X509_SIG_get0(info.get(), &algorithm, &encrypted);
  const ASN1_OBJECT* oid = nullptr;
  X509_ALGOR_get0(&oid, nullptr, nullptr, algorithm);
  std::array<char, 64> text{};
  OBJ_obj2txt(text.data(), static_cast<int>(text.size()), oid, 1);
  if (std::string_view(text.data()) != "1.3.6.1.4.1.42.2.17.1.1") {
    return make_error(ErrorCode::kInvalidArgument, "JKS: key is not protected by KeyProtector");
  }
  const std::string protected_key = internal::asn1_bytes(encrypted);
  if (protected_key.size() < 2 * kSha1Size) {
    return make_error(ErrorCode::kInvalidArgument, "JKS: protected key too short");
  }
  const std::string_view all(protected_key);
  SecretBytes plain(std::string(all.substr(kSha1Size, all.size() - 2 * kSha1Size)));
  auto status = xor_keystream(password_utf16, all.substr(0, kSha1Size), &plain.get());
  if (!status) {
    return tl::unexpected(status.error());
  }
  auto check = sha1(password_utf16, plain.get());
  if (!check) {
    return tl::unexpected(check.error());
  }
  if (!constant_time_equal(*check, all.substr(all.size() - kSha1Size))) {
    return make_error(ErrorCode::kInvalidArgument, "JKS: wrong password for the private key");
  }
  auto key = PrivateKey::from_der(plain.get());
  if (!key) {
    return tl::unexpected(key.error().wrap("JKS private key"));
  }
  return key;
}

}  // namespace

std::string_view to_string(Pkcs12Profile profile) {
  switch (profile) {
    case Pkcs12Profile::kLegacyRc2:
      return "LegacyRC2";
    case Pkcs12Profile::kLegacyDes:
      return "LegacyDES";
    case Pkcs12Profile::kModern2023:
      return "Modern2023";
  }
  return "unknown";
}

common::Result<std::string> pkcs12(const PrivateKey& key, const Certificate& certificate,
                                   const std::vector<Certificate>& chain, std::string_view password,
                                   Pkcs12Profile profile) {
  internal::clear_openssl_errors();
  if (auto status = check_password(password); !status) {
    return tl::unexpected(status.error());
  }
  if (!certificate.matches(key)) {
    return make_error(ErrorCode::kInvalidArgument,
                      "PKCS#12: the certificate does not certify the private key");
  }
  const ProfileParameters parameters = parameters_of(profile);
  OSSL_LIB_CTX* context = nullptr;
  if (parameters.legacy) {
    context = LegacyContext::instance().get();
    if (context == nullptr) {
      return make_error(ErrorCode::kFailedPrecondition,
                        "PKCS#12 profile LegacyRC2 needs OpenSSL's legacy provider (RC2), which "
                        "could not be loaded; use LegacyDES or Modern2023");
    }
  }
  auto leaf = internal::x509_from_der(certificate.der());
  if (!leaf) {
    return tl::unexpected(leaf.error());
  }
  internal::X509StackPtr cas(sk_X509_new_null());
  if (cas == nullptr) {
    return tl::unexpected(openssl_error(ErrorCode::kInternal, "allocating a certificate stack"));
  }
  for (const Certificate& ca : chain) {
    auto x509 = internal::x509_from_der(ca.der());
    if (!x509) {
      return tl::unexpected(x509.error().wrap("PKCS#12 chain"));
    }
    if (sk_X509_push(cas.get(), x509->get()) == 0) {
      return tl::unexpected(openssl_error(ErrorCode::kInternal, "adding a chain certificate"));
    }
    static_cast<void>(x509->release());  // owned by the stack
  }
  const std::string pass(password);
  // mac_iter -1: no MAC yet; it is added below with the profile's digest (PKCS12_create would
  // pick SHA-256).
  Pkcs12Ptr p12(PKCS12_create_ex(pass.c_str(), nullptr, KeyAccess::get(key), leaf->get(), cas.get(),
                                 parameters.nid_key, parameters.nid_certificates, kPkcs12Iterations,
                                 -1, 0, context, nullptr));
  if (p12 == nullptr) {
    return tl::unexpected(
        openssl_error(ErrorCode::kInternal,
                      "building the PKCS#12 file (" + std::string(to_string(profile)) + ")"));
  }
  if (PKCS12_set_mac(p12.get(), pass.c_str(), -1, nullptr, 0, kPkcs12Iterations,
                     parameters.mac_digest()) != 1) {
    return tl::unexpected(openssl_error(ErrorCode::kInternal, "adding the PKCS#12 MAC"));
  }
  PKCS12* raw = p12.get();
  return internal::to_der([raw](unsigned char** out) { return i2d_PKCS12(raw, out); },
                          "encoding the PKCS#12 file");
}

common::Result<std::string> jks(const PrivateKey& key, const Certificate& certificate,
                                const std::vector<Certificate>& chain, std::string_view password,
                                std::string_view alias, const std::optional<Certificate>& ca,
                                std::chrono::system_clock::time_point created) {
  if (password.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "keystore password is empty");
  }
  if (alias.empty() || alias.size() > 0xFFFF) {
    return make_error(ErrorCode::kInvalidArgument, "JKS alias is empty or too long");
  }
  std::string lower_alias;
  for (const char c : alias) {
    if (c < 0x20 || c > 0x7E) {
      return make_error(ErrorCode::kInvalidArgument, "JKS alias must be printable ASCII");
    }
    lower_alias.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  if (ca.has_value() && lower_alias == "ca") {
    return make_error(ErrorCode::kInvalidArgument, "JKS alias \"ca\" is taken by the CA entry");
  }
  if (!certificate.matches(key)) {
    return make_error(ErrorCode::kInvalidArgument,
                      "JKS: the certificate does not certify the private key");
  }
  auto password_utf16 = utf16be(password);
  if (!password_utf16) {
    return tl::unexpected(password_utf16.error());
  }
  auto pkcs8 = key.to_der(KeyEncoding::kPkcs8);
  if (!pkcs8) {
    return tl::unexpected(pkcs8.error());
  }
  SecretBytes plain(std::move(*pkcs8));
  auto salt = random_bytes(kSha1Size);
  if (!salt) {
    return tl::unexpected(salt.error());
  }
  auto check = sha1(*password_utf16, plain.get());
  if (!check) {
    return tl::unexpected(check.error());
  }
  std::string masked = plain.get();
  auto status = xor_keystream(*password_utf16, *salt, &masked);
  if (!status) {
    return tl::unexpected(status.error());
  }
  // EncryptedPrivateKeyInfo (RFC 5208 §6): SEQUENCE { SEQUENCE { OID, NULL }, OCTET STRING }.
  const std::string algorithm =
      der(0x30, std::string(kKeyProtectorOidDer) + std::string("\x05\x00", 2));
  const std::string encrypted_info = der(0x30, algorithm + der(0x04, *salt + masked + *check));

  const auto millis = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(created.time_since_epoch()).count());
  std::string out;
  put_u32(&out, kJksMagic);
  put_u32(&out, kJksVersion);
  put_u32(&out, ca.has_value() ? 2 : 1);
  put_u32(&out, kPrivateKeyEntry);
  put_utf(&out, lower_alias);
  put_u64(&out, millis);
  put_u32(&out, encrypted_info.size());
  out += encrypted_info;
  put_u32(&out, chain.size() + 1);
  put_certificate(&out, certificate);
  for (const Certificate& c : chain) {
    put_certificate(&out, c);
  }
  if (ca.has_value()) {
    put_u32(&out, kTrustedCertEntry);
    put_utf(&out, "ca");
    put_u64(&out, millis);
    put_certificate(&out, *ca);
  }
  auto digest = sha1(*password_utf16, kIntegritySalt, out);
  if (!digest) {
    return tl::unexpected(digest.error());
  }
  return out + *digest;
}

common::Result<std::vector<JksEntry>> parse_jks(std::string_view data, std::string_view password) {
  auto password_utf16 = utf16be(password);
  if (!password_utf16) {
    return tl::unexpected(password_utf16.error());
  }
  if (data.size() < 12 + kSha1Size) {
    return make_error(ErrorCode::kInvalidArgument, "JKS: too short");
  }
  const std::string_view body = data.substr(0, data.size() - kSha1Size);
  auto digest = sha1(*password_utf16, kIntegritySalt, body);
  if (!digest) {
    return tl::unexpected(digest.error());
  }
  Reader reader(body);
  if (reader.read(4) != kJksMagic || reader.read(4) != kJksVersion) {
    return make_error(ErrorCode::kInvalidArgument, "JKS: bad magic or unsupported version");
  }
  if (!constant_time_equal(*digest, data.substr(body.size()))) {
    return make_error(ErrorCode::kInvalidArgument,
                      "JKS: integrity digest does not verify (tampered, or wrong password)");
  }
  const std::uint64_t count = reader.read(4);
  std::vector<JksEntry> entries;
  for (std::uint64_t i = 0; i < count && reader.ok(); ++i) {
    JksEntry entry;
    const std::uint64_t tag = reader.read(4);
    entry.alias = std::string(reader.bytes(reader.read(2)));
    entry.created = std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::system_clock::duration>(
            std::chrono::milliseconds(static_cast<std::int64_t>(reader.read(8)))));
    if (tag == kPrivateKeyEntry) {
      const std::string_view encrypted_info = reader.bytes(reader.read(4));
      if (!reader.ok()) {
        break;
      }
      auto key = recover_key(encrypted_info, *password_utf16);
      if (!key) {
        return tl::unexpected(key.error());
      }
      entry.key = std::move(*key);
      auto certificates = read_certificates(&reader, reader.read(4));
      if (!certificates) {
        return tl::unexpected(certificates.error());
      }
      entry.certificates = std::move(*certificates);
    } else if (tag == kTrustedCertEntry) {
      auto certificates = read_certificates(&reader, 1);
      if (!certificates) {
        return tl::unexpected(certificates.error());
      }
      entry.certificates = std::move(*certificates);
    } else {
      return make_error(ErrorCode::kInvalidArgument,
                        "JKS: unknown entry type " + std::to_string(tag));
    }
    entries.push_back(std::move(entry));
  }
  if (!reader.ok() || reader.offset() != body.size()) {
    return make_error(ErrorCode::kInvalidArgument, "JKS: truncated or trailing data");
  }
  return entries;
}

}  // namespace certkeeper::crypto
