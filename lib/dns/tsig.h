#pragma once

#include <string_view>

#include "lib/common/error.h"

namespace certkeeper::dns {

// TSIG MAC algorithms (RFC 8945 §6) that the cert-manager rfc2136 solver offers.
enum class TsigAlgorithm {
  kHmacMd5,
  kHmacSha1,
  kHmacSha256,
  kHmacSha512,
};

// Accepts the cert-manager spellings (HMACMD5, HMACSHA1, HMACSHA256, HMACSHA512) and the BIND /
// RFC 8945 names (hmac-md5, hmac-md5.sig-alg.reg.int, hmac-sha1, hmac-sha256, hmac-sha512, with or
// without a trailing dot), case-insensitively. Empty means cert-manager's default, HMACMD5.
// Anything else is kInvalidArgument naming `field`.
common::Result<TsigAlgorithm> parse_tsig_algorithm(std::string_view text,
                                                   std::string_view field = "tsigAlgorithm");

// The algorithm's domain name as it goes into the TSIG RR (RFC 8945 §6, table 1), with the
// trailing dot, e.g. "hmac-sha256.".
std::string_view tsig_algorithm_dname(TsigAlgorithm algorithm);

// The cert-manager spelling, e.g. "HMACSHA256".
std::string_view to_string(TsigAlgorithm algorithm);

}  // namespace certkeeper::dns
