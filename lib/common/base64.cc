#include "lib/common/base64.h"

#include <array>
#include <cstdint>

#include <fmt/format.h>

namespace certkeeper::common {
namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<std::int8_t, 256> make_table() {
  std::array<std::int8_t, 256> table{};
  for (auto& entry : table) {
    entry = -1;
  }
  for (std::size_t i = 0; i < kAlphabet.size(); ++i) {
    table[static_cast<unsigned char>(kAlphabet[i])] = static_cast<std::int8_t>(i);
  }
  return table;
}
constexpr auto kTable = make_table();

bool is_space(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

}  // namespace

std::string base64_encode(std::string_view data) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  std::uint32_t acc = 0;
  int bits = 0;
  for (const char c : data) {
    acc = (acc << 8U) | static_cast<unsigned char>(c);
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kAlphabet[(acc >> static_cast<unsigned>(bits)) & 0x3FU]);
    }
  }
  if (bits > 0) {
    out.push_back(kAlphabet[(acc << static_cast<unsigned>(6 - bits)) & 0x3FU]);
  }
  while (out.size() % 4 != 0) {
    out.push_back('=');
  }
  return out;
}

Result<std::string> base64_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size() / 4 * 3);
  std::uint32_t acc = 0;
  int bits = 0;
  bool padding = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (is_space(c)) {
      continue;
    }
    if (c == '=') {
      padding = true;
      continue;
    }
    const std::int8_t v = kTable[static_cast<unsigned char>(c)];
    if (v < 0 || padding) {
      return make_error(ErrorCode::kInvalidArgument,
                        fmt::format("invalid base64 at position {}", i));
    }
    acc = (acc << 6U) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> static_cast<unsigned>(bits)) & 0xFFU));
    }
  }
  // Leftover bits must be the zero padding of the last group (at most 4 bits).
  if (bits >= 6 || (acc & ((1U << static_cast<unsigned>(bits)) - 1U)) != 0) {
    return make_error(ErrorCode::kInvalidArgument, "invalid base64: truncated final group");
  }
  return out;
}

}  // namespace certkeeper::common
