#pragma once

#include <string>
#include <vector>

#include "lib/common/error.h"
#include "lib/crypto/x509_types.h"

namespace certkeeper::pki {

// cert-manager's usage names ("digital signature", "server auth", …) split into keyUsage bits
// and extKeyUsage purposes. A plain value.
struct KeyUsages {
  std::vector<crypto::KeyUsage> key_usages;
  std::vector<crypto::ExtendedKeyUsage> extended_key_usages;
};

// Maps cert-manager's usage strings (cert-manager-api.md §1.2, apiutil.KeyUsageType /
// ExtKeyUsageType; "signing" is digital signature, "s/mime" email protection). Duplicates are
// dropped; key usages come out in bit order. An unknown name is kInvalidArgument listing them
// ("unknown key usages: [foo]"), as cert-manager says it. Pure.
common::Result<KeyUsages> parse_usages(const std::vector<std::string>& usages);

}  // namespace certkeeper::pki
