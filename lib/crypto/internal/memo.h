#pragma once

#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace certkeeper::crypto::internal {

// Parsed keys by the exact bytes they were parsed from. Controllers read the same Secrets and
// certificates on every reconcile, and OpenSSL 3.0 turns each PEM/SPKI key into an EVP_PKEY
// through its provider decoder and encoder framework, which takes global locks: with 1,000
// Certificates that was most of the controller's CPU profile. Keys are immutable and share their
// EVP_PKEY, so a hit is a copy. Bounded: cleared when full (the working set is the live
// objects). Thread-safe.
template <typename Key>
class Memo {
 public:
  std::optional<Key> find(std::string_view bytes) {
    const std::lock_guard lock(mu_);
    auto it = keys_.find(std::string(bytes));
    if (it == keys_.end()) {
      return std::nullopt;
    }
    return it->second;
  }
  void add(std::string_view bytes, const Key& key) {
    const std::lock_guard lock(mu_);
    if (keys_.size() >= kMaxEntries) {
      keys_.clear();
    }
    keys_.emplace(std::string(bytes), key);
  }

 private:
  static constexpr std::size_t kMaxEntries = 8192;
  std::mutex mu_;
  std::unordered_map<std::string, Key> keys_;
};

}  // namespace certkeeper::crypto::internal
