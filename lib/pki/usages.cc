#include "lib/pki/usages.h"

#include <algorithm>
#include <map>
#include <string_view>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace certkeeper::pki {

namespace {

using crypto::ExtendedKeyUsage;
using crypto::KeyUsage;

const std::map<std::string_view, KeyUsage>& key_usage_names() {
  static const std::map<std::string_view, KeyUsage> names{
      {"signing", KeyUsage::kDigitalSignature},
      {"digital signature", KeyUsage::kDigitalSignature},
      {"content commitment", KeyUsage::kContentCommitment},
      {"key encipherment", KeyUsage::kKeyEncipherment},
      {"key agreement", KeyUsage::kKeyAgreement},
      {"data encipherment", KeyUsage::kDataEncipherment},
      {"cert sign", KeyUsage::kKeyCertSign},
      {"crl sign", KeyUsage::kCrlSign},
      {"encipher only", KeyUsage::kEncipherOnly},
      {"decipher only", KeyUsage::kDecipherOnly},
  };
  return names;
}

const std::map<std::string_view, ExtendedKeyUsage>& extended_key_usage_names() {
  static const std::map<std::string_view, ExtendedKeyUsage> names{
      {"any", ExtendedKeyUsage::kAny},
      {"server auth", ExtendedKeyUsage::kServerAuth},
      {"client auth", ExtendedKeyUsage::kClientAuth},
      {"code signing", ExtendedKeyUsage::kCodeSigning},
      {"email protection", ExtendedKeyUsage::kEmailProtection},
      {"s/mime", ExtendedKeyUsage::kEmailProtection},
      {"ipsec end system", ExtendedKeyUsage::kIpsecEndSystem},
      {"ipsec tunnel", ExtendedKeyUsage::kIpsecTunnel},
      {"ipsec user", ExtendedKeyUsage::kIpsecUser},
      {"timestamping", ExtendedKeyUsage::kTimeStamping},
      {"ocsp signing", ExtendedKeyUsage::kOcspSigning},
      {"microsoft sgc", ExtendedKeyUsage::kMicrosoftSgc},
      {"netscape sgc", ExtendedKeyUsage::kNetscapeSgc},
  };
  return names;
}

template <typename T>
void add_once(std::vector<T>& list, T value) {
  if (std::find(list.begin(), list.end(), value) == list.end()) {
    list.push_back(value);
  }
}

}  // namespace

common::Result<KeyUsages> parse_usages(const std::vector<std::string>& usages) {
  KeyUsages out;
  std::vector<std::string> unknown;
  for (const auto& usage : usages) {
    if (const auto ku = key_usage_names().find(usage); ku != key_usage_names().end()) {
      add_once(out.key_usages, ku->second);
    } else if (const auto eku = extended_key_usage_names().find(usage);
               eku != extended_key_usage_names().end()) {
      add_once(out.extended_key_usages, eku->second);
    } else {
      unknown.push_back(usage);
    }
  }
  if (!unknown.empty()) {
    return common::make_error(common::ErrorCode::kInvalidArgument,
                              fmt::format("unknown key usages: [{}]", fmt::join(unknown, " ")));
  }
  std::sort(out.key_usages.begin(), out.key_usages.end());
  return out;
}

}  // namespace certkeeper::pki
