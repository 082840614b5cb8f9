#include "lib/crypto/primitives.h"

#include <limits>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "lib/crypto/internal/openssl_util.h"

namespace certkeeper::crypto {

using common::ErrorCode;
using common::make_error;
using internal::openssl_error;

namespace {

// OpenSSL's digest names for EVP_Q_digest / EVP_Q_mac.
const char* openssl_name(HashAlgorithm algorithm) {
  switch (algorithm) {
    case HashAlgorithm::kSha256:
      return "SHA256";
    case HashAlgorithm::kSha384:
      return "SHA384";
    case HashAlgorithm::kSha512:
      return "SHA512";
  }
  return "SHA256";
}

}  // namespace

std::string_view to_string(HashAlgorithm algorithm) {
  switch (algorithm) {
    case HashAlgorithm::kSha256:
      return "SHA-256";
    case HashAlgorithm::kSha384:
      return "SHA-384";
    case HashAlgorithm::kSha512:
      return "SHA-512";
  }
  return "unknown";
}

common::Result<std::string> digest(HashAlgorithm algorithm, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  std::size_t length = 0;
  if (EVP_Q_digest(nullptr, openssl_name(algorithm), nullptr, data.data(), data.size(), out,
                   &length) != 1) {
    return tl::unexpected(openssl_error(
        ErrorCode::kInternal, "computing a " + std::string(to_string(algorithm)) + " digest"));
  }
  return std::string(reinterpret_cast<const char*>(out), length);  // NOLINT: bytes as chars
}

common::Result<std::string> sha256(std::string_view data) {
  return digest(HashAlgorithm::kSha256, data);
}

common::Result<std::string> hmac(HashAlgorithm algorithm, std::string_view key,
                                 std::string_view data) {
  if (key.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "HMAC key is empty");
  }
  unsigned char out[EVP_MAX_MD_SIZE];
  std::size_t length = 0;
  if (EVP_Q_mac(nullptr, "HMAC", nullptr, openssl_name(algorithm), nullptr, key.data(), key.size(),
                internal::bytes(data), data.size(), out, sizeof(out), &length) == nullptr) {
    return tl::unexpected(openssl_error(ErrorCode::kInternal,
                                        "computing an HMAC-" + std::string(to_string(algorithm))));
  }
  return std::string(reinterpret_cast<const char*>(out), length);  // NOLINT: bytes as chars
}

common::Result<std::string> random_bytes(std::size_t count) {
  if (count > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    return make_error(ErrorCode::kInvalidArgument, "too many random bytes requested");
  }
  std::string out(count, '\0');
  if (count == 0) {
    return out;
  }
  // NOLINTNEXTLINE: byte view of char data
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(count)) != 1) {
    return tl::unexpected(openssl_error(ErrorCode::kInternal, "reading the CSPRNG"));
  }
  return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace certkeeper::crypto
