#pragma once

#include <string>
#include <string_view>

#include "lib/common/error.h"

namespace certkeeper::common {

// Standard base64 with padding (RFC 4648 §4): Kubernetes Secret data, kubeconfig *-data fields.
std::string base64_encode(std::string_view data);

// Decodes standard base64. Padding is optional and ASCII whitespace (line breaks in pasted
// values) is skipped; any other character outside the alphabet is an InvalidArgument naming its
// position. Never includes the input in the message (it may be a key).
Result<std::string> base64_decode(std::string_view text);

}  // namespace certkeeper::common
