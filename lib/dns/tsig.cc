#include "lib/dns/tsig.h"

#include <cctype>
#include <string>

#include <fmt/format.h>

namespace certkeeper::dns {

common::Result<TsigAlgorithm> parse_tsig_algorithm(std::string_view text, std::string_view field) {
  std::string name;
  name.reserve(text.size());
  for (char c : text) {
    name.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  if (!name.empty() && name.back() == '.') {
    name.pop_back();
  }
  if (name.empty() || name == "hmacmd5" || name == "hmac-md5" ||
      name == "hmac-md5.sig-alg.reg.int") {
    return TsigAlgorithm::kHmacMd5;
  }
  if (name == "hmacsha1" || name == "hmac-sha1") {
    return TsigAlgorithm::kHmacSha1;
  }
  if (name == "hmacsha256" || name == "hmac-sha256") {
    return TsigAlgorithm::kHmacSha256;
  }
  if (name == "hmacsha512" || name == "hmac-sha512") {
    return TsigAlgorithm::kHmacSha512;
  }
  return common::make_error(
      common::ErrorCode::kInvalidArgument,
      fmt::format("{}: unsupported TSIG algorithm '{}' (want HMACMD5, HMACSHA1, HMACSHA256 or "
                  "HMACSHA512)",
                  field, text.substr(0, 64)));
}

std::string_view tsig_algorithm_dname(TsigAlgorithm algorithm) {
  switch (algorithm) {
    case TsigAlgorithm::kHmacMd5:
      return "hmac-md5.sig-alg.reg.int.";
    case TsigAlgorithm::kHmacSha1:
      return "hmac-sha1.";
    case TsigAlgorithm::kHmacSha256:
      return "hmac-sha256.";
    case TsigAlgorithm::kHmacSha512:
      return "hmac-sha512.";
  }
  return "hmac-md5.sig-alg.reg.int.";
}

std::string_view to_string(TsigAlgorithm algorithm) {
  switch (algorithm) {
    case TsigAlgorithm::kHmacMd5:
      return "HMACMD5";
    case TsigAlgorithm::kHmacSha1:
      return "HMACSHA1";
    case TsigAlgorithm::kHmacSha256:
      return "HMACSHA256";
    case TsigAlgorithm::kHmacSha512:
      return "HMACSHA512";
  }
  return "HMACMD5";
}

}  // namespace certkeeper::dns
