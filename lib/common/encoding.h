#pragma once

#include <string>
#include <string_view>

#include "lib/common/error.h"

// Byte-string encodings: base64 (Kubernetes Secret data, kubeconfig *-data, PEM bodies), base64url
// (JOSE, ACME) and hex. Binary data is carried in std::string (any byte value). Pure functions:
// no state, thread-safe, no OpenSSL.
namespace certkeeper::common {

// base64url without padding (RFC 4648 §5, as RFC 7515 §2 and RFC 8555 §6.1 require).
std::string base64url_encode(std::string_view data);

// Strict inverse of base64url_encode: only the URL-safe alphabet, no padding, no whitespace, and
// the unused low bits of the last character must be zero (a canonical encoding). Anything else is
// kInvalidArgument. RFC 8555 §6.1: padded values MUST be rejected.
Result<std::string> base64url_decode(std::string_view text);

// Standard base64 with padding (RFC 4648 §4), as in PEM bodies and Kubernetes Secret data.
std::string base64_encode(std::string_view data);

// Standard base64 as Kubernetes and kubeconfig files carry it: padding optional, line breaks and
// other ASCII whitespace skipped (pasted values). Errors never echo the input (it may be a key).
Result<std::string> base64_decode(std::string_view text);

// Accepts base64 in either alphabet (standard or URL-safe), with or without '=' padding. Meant
// for secrets handed out by third parties, such as ACME EAB HMAC keys: some CAs pad them, and
// Kubernetes users paste standard base64 (acme.md, "External Account Binding"). Whitespace and
// mixed alphabets are still rejected.
Result<std::string> base64_decode_lenient(std::string_view text);

// Lowercase hexadecimal, two digits per byte, no separators.
std::string hex_encode(std::string_view data);

// Hexadecimal (either case, even length, no separators) to bytes.
Result<std::string> hex_decode(std::string_view text);

}  // namespace certkeeper::common
