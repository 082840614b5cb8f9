#include "lib/common/encoding.h"

#include <array>
#include <cstdint>

namespace certkeeper::common {
namespace {

constexpr std::string_view kStdAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kUrlAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::int8_t kInvalid = -1;

using DecodeTable = std::array<std::int8_t, 256>;

constexpr DecodeTable make_table(std::string_view alphabet) {
  DecodeTable table{};
  for (auto& entry : table) {
    entry = kInvalid;
  }
  for (std::size_t i = 0; i < alphabet.size(); ++i) {
    table[static_cast<unsigned char>(alphabet[i])] = static_cast<std::int8_t>(i);
  }
  return table;
}

constexpr DecodeTable kStdTable = make_table(kStdAlphabet);
constexpr DecodeTable kUrlTable = make_table(kUrlAlphabet);

std::string encode(std::string_view data, std::string_view alphabet, bool pad) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  std::size_t i = 0;
  const auto byte = [&data](std::size_t k) {
    return static_cast<std::uint32_t>(static_cast<unsigned char>(data[k]));
  };
  for (; i + 3 <= data.size(); i += 3) {
    const std::uint32_t v = (byte(i) << 16U) | (byte(i + 1) << 8U) | byte(i + 2);
    out.push_back(alphabet[(v >> 18U) & 0x3FU]);
    out.push_back(alphabet[(v >> 12U) & 0x3FU]);
    out.push_back(alphabet[(v >> 6U) & 0x3FU]);
    out.push_back(alphabet[v & 0x3FU]);
  }
  const std::size_t rest = data.size() - i;
  if (rest == 1) {
    const std::uint32_t v = byte(i) << 16U;
    out.push_back(alphabet[(v >> 18U) & 0x3FU]);
    out.push_back(alphabet[(v >> 12U) & 0x3FU]);
    if (pad) {
      out.append("==");
    }
  } else if (rest == 2) {
    const std::uint32_t v = (byte(i) << 16U) | (byte(i + 1) << 8U);
    out.push_back(alphabet[(v >> 18U) & 0x3FU]);
    out.push_back(alphabet[(v >> 12U) & 0x3FU]);
    out.push_back(alphabet[(v >> 6U) & 0x3FU]);
    if (pad) {
      out.push_back('=');
    }
  }
  return out;
}

// Decodes unpadded text with one alphabet. `what` names the encoding in error messages; the
// input itself is never echoed, since it may be a secret (an EAB HMAC key).
Result<std::string> decode_unpadded(std::string_view text, const DecodeTable& table,
                                    std::string_view what) {
  if (text.size() % 4 == 1) {
    return make_error(ErrorCode::kInvalidArgument,
                      std::string(what) + ": invalid length " + std::to_string(text.size()));
  }
  std::string out;
  out.reserve(text.size() / 4 * 3 + 2);
  std::uint32_t acc = 0;
  unsigned bits = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const std::int8_t v = table[static_cast<unsigned char>(text[i])];
    if (v == kInvalid) {
      return make_error(ErrorCode::kInvalidArgument,
                        std::string(what) + ": invalid character at offset " + std::to_string(i));
    }
    acc = (acc << 6U) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFFU));
    }
  }
  // The 2 or 4 bits left over must be zero, or two different strings would decode to the same
  // bytes (RFC 4648 §3.5 allows decoders to reject such non-canonical encodings; we do).
  if ((acc & ((1U << bits) - 1U)) != 0) {
    return make_error(ErrorCode::kInvalidArgument,
                      std::string(what) + ": non-zero trailing bits (not a canonical encoding)");
  }
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

}  // namespace

std::string base64url_encode(std::string_view data) { return encode(data, kUrlAlphabet, false); }

Result<std::string> base64url_decode(std::string_view text) {
  return decode_unpadded(text, kUrlTable, "base64url");
}

std::string base64_encode(std::string_view data) { return encode(data, kStdAlphabet, true); }

Result<std::string> base64_decode_lenient(std::string_view text) {
  std::string_view body = text;
  if (text.size() % 4 == 0) {
    // Padding only ever appears as one or two '=' at the very end of a multiple of 4.
    for (int i = 0; i < 2 && !body.empty() && body.back() == '='; ++i) {
      body.remove_suffix(1);
    }
  }
  const bool has_std = body.find_first_of("+/") != std::string_view::npos;
  const bool has_url = body.find_first_of("-_") != std::string_view::npos;
  if (has_std && has_url) {
    return make_error(ErrorCode::kInvalidArgument, "base64: mixes the standard and URL alphabets");
  }
  return decode_unpadded(body, has_std ? kStdTable : kUrlTable, "base64");
}

std::string hex_encode(std::string_view data) {
  constexpr std::string_view kDigits = "0123456789abcdef";
  std::string out;
  out.reserve(data.size() * 2);
  for (const char c : data) {
    const auto b = static_cast<unsigned char>(c);
    out.push_back(kDigits[b >> 4U]);
    out.push_back(kDigits[b & 0x0FU]);
  }
  return out;
}

Result<std::string> hex_decode(std::string_view text) {
  if (text.size() % 2 != 0) {
    return make_error(ErrorCode::kInvalidArgument, "hex: odd length");
  }
  std::string out;
  out.reserve(text.size() / 2);
  for (std::size_t i = 0; i < text.size(); i += 2) {
    const int hi = hex_value(text[i]);
    const int lo = hex_value(text[i + 1]);
    if (hi < 0 || lo < 0) {
      return make_error(ErrorCode::kInvalidArgument,
                        "hex: invalid character at offset " + std::to_string(hi < 0 ? i : i + 1));
    }
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return out;
}

Result<std::string> base64_decode(std::string_view text) {
  std::string compact;
  compact.reserve(text.size());
  for (const char ch : text) {
    if (ch != ' ' && ch != '\n' && ch != '\r' && ch != '\t') {
      compact.push_back(ch);
    }
  }
  // Padding is optional in what people paste; the lenient decoder checks the rest.
  if (compact.find_first_of("-_") != std::string::npos) {
    return make_error(ErrorCode::kInvalidArgument, "invalid base64: URL-safe characters");
  }
  return base64_decode_lenient(compact);
}

}  // namespace certkeeper::common
