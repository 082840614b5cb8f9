#pragma once

#include <string>
#include <string_view>

#include "lib/common/encoding.h"

namespace certkeeper::crypto {

// The byte encodings live in lib/common/encoding.h (lib/kube needs them too and may not depend on
// crypto); lib/crypto uses them unqualified.
using common::base64_decode_lenient;
using common::base64_encode;
using common::base64url_decode;
using common::base64url_encode;
using common::hex_decode;
using common::hex_encode;

// A PEM block (RFC 7468): "-----BEGIN <label>-----", base64 in 64-column lines, "-----END ...".
std::string pem_encode(std::string_view label, std::string_view der);

}  // namespace certkeeper::crypto
