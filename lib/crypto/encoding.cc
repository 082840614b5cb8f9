#include "lib/crypto/encoding.h"

namespace certkeeper::crypto {

std::string pem_encode(std::string_view label, std::string_view der) {
  constexpr std::size_t kLineLength = 64;  // RFC 7468 §2
  const std::string body = base64_encode(der);
  std::string out;
  out.reserve(body.size() + body.size() / kLineLength + 2 * label.size() + 40);
  out.append("-----BEGIN ").append(label).append("-----\n");
  for (std::size_t i = 0; i < body.size(); i += kLineLength) {
    out.append(body, i, kLineLength).push_back('\n');
  }
  out.append("-----END ").append(label).append("-----\n");
  return out;
}

}  // namespace certkeeper::crypto
