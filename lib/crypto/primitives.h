#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "lib/common/error.h"

// Digests, MACs and randomness on OpenSSL. Free functions without state; thread-safe.
// Binary inputs and outputs are byte strings in std::string.
namespace certkeeper::crypto {

enum class HashAlgorithm {
  kSha256,
  kSha384,
  kSha512,
};

std::string_view to_string(HashAlgorithm algorithm);  // "SHA-256", "SHA-384", "SHA-512"

// The raw digest of `data` (32, 48 or 64 bytes).
common::Result<std::string> digest(HashAlgorithm algorithm, std::string_view data);
common::Result<std::string> sha256(std::string_view data);

// HMAC (RFC 2104) of `data` under `key`. An empty key is kInvalidArgument.
common::Result<std::string> hmac(HashAlgorithm algorithm, std::string_view key,
                                 std::string_view data);

// `count` bytes from OpenSSL's CSPRNG (RAND_bytes). Key material, serial numbers and tokens come
// from here, never from common::Random.
common::Result<std::string> random_bytes(std::size_t count);

// Compares two byte strings in time that depends only on their lengths (for MACs).
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace certkeeper::crypto
