#include "lib/acmecli/options.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

#include <arpa/inet.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

namespace certkeeper::acmecli {

using common::ErrorCode;
using common::make_error;

namespace {

struct NamedKeyType {
  std::string_view name;
  KeyType type;
};

constexpr std::array<NamedKeyType, 8> kKeyTypes{{
    {"ec256", {crypto::KeyAlgorithm::kEcdsa, 256}},
    {"ec384", {crypto::KeyAlgorithm::kEcdsa, 384}},
    {"ec521", {crypto::KeyAlgorithm::kEcdsa, 521}},
    {"ed25519", {crypto::KeyAlgorithm::kEd25519, 0}},
    {"rsa2048", {crypto::KeyAlgorithm::kRsa, 2048}},
    {"rsa3072", {crypto::KeyAlgorithm::kRsa, 3072}},
    {"rsa4096", {crypto::KeyAlgorithm::kRsa, 4096}},
    {"rsa8192", {crypto::KeyAlgorithm::kRsa, 8192}},
}};

common::Result<KeyType> lookup_key_type(std::string_view text, std::string_view flag,
                                        const std::vector<std::string_view>& allowed) {
  if (std::find(allowed.begin(), allowed.end(), text) != allowed.end()) {
    for (const auto& k : kKeyTypes) {
      if (k.name == text) {
        return k.type;
      }
    }
  }
  return make_error(
      ErrorCode::kInvalidArgument,
      fmt::format("{}: unknown key type '{}' (one of {})", flag, text, fmt::join(allowed, ", ")));
}

bool is_ip(const std::string& text) {
  std::array<unsigned char, 16> buffer{};
  return inet_pton(AF_INET, text.c_str(), buffer.data()) == 1 ||
         inet_pton(AF_INET6, text.c_str(), buffer.data()) == 1;
}

// RFC 1123 host names, with an optional leading "*." label (RFC 8555 §7.1.3).
bool is_dns_name(std::string_view name) {
  if (name.starts_with("*.")) {
    name.remove_prefix(2);
  }
  if (name.empty() || name.size() > 253 || name.back() == '.') {
    return false;
  }
  std::size_t label = 0;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    if (c == '.') {
      if (label == 0 || name[i - 1] == '-') {
        return false;
      }
      label = 0;
      continue;
    }
    const bool ok = std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_';
    if (!ok || label >= 63 || (label == 0 && c == '-')) {
      return false;
    }
    ++label;
  }
  return name.back() != '-';
}

}  // namespace

common::Result<KeyType> parse_key_type(std::string_view text, std::string_view flag) {
  return lookup_key_type(
      text, flag,
      {"ec256", "ec384", "ec521", "ed25519", "rsa2048", "rsa3072", "rsa4096", "rsa8192"});
}

common::Result<KeyType> parse_account_key_type(std::string_view text) {
  return lookup_key_type(text, "--account-key-type",
                         {"ec256", "ec384", "rsa2048", "rsa3072", "rsa4096"});
}

common::Result<acme::RevocationReason> parse_revocation_reason(std::string_view text) {
  using acme::RevocationReason;
  if (text == "unspecified") {
    return RevocationReason::kUnspecified;
  }
  if (text == "keyCompromise") {
    return RevocationReason::kKeyCompromise;
  }
  if (text == "superseded") {
    return RevocationReason::kSuperseded;
  }
  if (text == "cessationOfOperation") {
    return RevocationReason::kCessationOfOperation;
  }
  return make_error(ErrorCode::kInvalidArgument,
                    fmt::format("--reason: unknown reason '{}' (one of unspecified, "
                                "keyCompromise, superseded, cessationOfOperation)",
                                text));
}

common::Result<std::vector<std::string>> normalize_names(const std::vector<std::string>& names) {
  if (names.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "-d: at least one name is required");
  }
  std::vector<std::string> out;
  for (std::string name : names) {
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (!is_ip(name) && !is_dns_name(name)) {
      return make_error(ErrorCode::kInvalidArgument,
                        fmt::format("-d: '{}' is neither a DNS name nor an IP address", name));
    }
    if (std::find(out.begin(), out.end(), name) == out.end()) {
      out.push_back(std::move(name));
    }
  }
  return out;
}

std::string file_stem(std::string_view first_name) {
  std::string stem(first_name);
  std::replace(stem.begin(), stem.end(), '*', '_');
  std::replace(stem.begin(), stem.end(), ':', '-');
  return stem;
}

}  // namespace certkeeper::acmecli
