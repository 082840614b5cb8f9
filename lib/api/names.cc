#include "lib/api/names.h"

#include <fmt/format.h>

#include "lib/api/codec.h"

namespace certkeeper::api {

namespace {

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// The "spec" member of an encoded object, as compact JSON; "{}" when it encodes to nothing.
std::string spec_json(const nlohmann::json& encoded, std::string_view drop = {}) {
  const auto spec = encoded.find("spec");
  if (spec == encoded.end() || !spec->is_object()) {
    return "{}";
  }
  nlohmann::json copy = *spec;
  if (!drop.empty()) {
    copy.erase(std::string(drop));
  }
  return copy.dump();
}

}  // namespace

std::uint32_t fnv1_32(std::string_view data) {
  std::uint32_t hash = 2166136261U;
  for (const char c : data) {
    hash *= 16777619U;
    hash ^= static_cast<std::uint8_t>(c);
  }
  return hash;
}

std::string dns_safe_shorten_52(std::string_view name) {
  constexpr std::size_t kMax = 52;
  if (name.size() < kMax) {
    return std::string(name);
  }
  std::string_view cut = name.substr(0, kMax);
  while (!cut.empty() && !is_alnum(cut.back())) {
    cut.remove_suffix(1);
  }
  return std::string(cut);
}

std::string compute_name(std::string_view prefix, std::string_view hashed) {
  const std::uint32_t hash =
      prefix.size() >= 52 ? fnv1_32(std::string(prefix) + std::string(hashed)) : fnv1_32(hashed);
  return fmt::format("{}-{}", dns_safe_shorten_52(prefix), hash);
}

std::string order_name(std::string_view request_name, const OrderSpec& spec) {
  Order order;
  order.spec = spec;
  return compute_name(request_name, spec_json(encode(order), "request"));
}

std::string challenge_name(std::string_view order_name, const ChallengeSpec& spec) {
  Challenge challenge;
  challenge.spec = spec;
  return compute_name(order_name, spec_json(encode(challenge)));
}

}  // namespace certkeeper::api
