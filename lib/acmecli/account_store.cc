#include "lib/acmecli/account_store.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <system_error>

#include <nlohmann/json.hpp>

#include "lib/acmecli/files.h"

namespace certkeeper::acmecli {

using common::ErrorCode;
using common::make_error;

namespace {

constexpr mode_t kSecretMode = 0600;

common::Status write_key(const std::string& path, const crypto::PrivateKey& key) {
  auto pem = key.to_pem(crypto::KeyEncoding::kPkcs8);
  if (!pem) {
    return make_error(pem.error());
  }
  return write_file_atomic(path, *pem, kSecretMode);
}

}  // namespace

std::string AccountStore::default_dir() {
  // Read once, from main's thread, before anything else runs.
  const char* xdg = std::getenv("XDG_CONFIG_HOME");  // NOLINT(concurrency-mt-unsafe)
  if (xdg != nullptr && *xdg != '\0') {
    return std::string(xdg) + "/certkeeper/acme";
  }
  const char* home = std::getenv("HOME");  // NOLINT(concurrency-mt-unsafe)
  return std::string(home != nullptr ? home : ".") + "/.config/certkeeper/acme";
}

common::Result<crypto::PrivateKey> AccountStore::load_key() const {
  auto pem = read_file(key_path());
  if (!pem) {
    return make_error(pem.error());
  }
  auto key = crypto::PrivateKey::from_pem(*pem);
  if (!key) {
    return make_error(key.error().wrap(key_path()));
  }
  return key;
}

common::Status AccountStore::save_key(const crypto::PrivateKey& key) const {
  return write_key(key_path(), key);
}

common::Result<std::optional<std::string>> AccountStore::account_url(
    const std::string& directory_url) const {
  const std::string path = dir_ + "/account.json";
  auto text = read_file(path);
  if (!text) {
    if (text.error().code() == ErrorCode::kNotFound) {
      return std::optional<std::string>();
    }
    return make_error(text.error());
  }
  const auto doc = nlohmann::json::parse(*text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    return make_error(ErrorCode::kInvalidArgument, path + ": not a JSON object");
  }
  const auto accounts = doc.find("accounts");
  if (accounts == doc.end() || !accounts->is_object()) {
    return std::optional<std::string>();
  }
  const auto entry = accounts->find(directory_url);
  if (entry == accounts->end() || !entry->is_object() || !entry->contains("url") ||
      !(*entry)["url"].is_string()) {
    return std::optional<std::string>();
  }
  return std::optional<std::string>((*entry)["url"].get<std::string>());
}

common::Status AccountStore::save_account(const std::string& directory_url,
                                          const std::string& account_url,
                                          const std::string& email) const {
  const std::string path = dir_ + "/account.json";
  nlohmann::json doc = nlohmann::json::object();
  if (auto text = read_file(path); text) {
    doc = nlohmann::json::parse(*text, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) {
      doc = nlohmann::json::object();
    }
  }
  doc["accounts"][directory_url] = {{"url", account_url}, {"email", email}};
  return write_file_atomic(path, doc.dump(2) + "\n", kSecretMode);
}

common::Status AccountStore::stage_next_key(const crypto::PrivateKey& key) const {
  return write_key(key_path() + ".next", key);
}

common::Status AccountStore::commit_next_key() const {
  const std::string current = key_path();
  if (std::rename(current.c_str(), (current + ".old").c_str()) != 0) {
    return make_error(ErrorCode::kUnavailable, "keeping the old key as " + current + ".old: " +
                                                   std::system_category().message(errno));
  }
  if (std::rename((current + ".next").c_str(), current.c_str()) != 0) {
    return make_error(ErrorCode::kUnavailable, "installing the new key " + current + ".next as " +
                                                   current + ": " +
                                                   std::system_category().message(errno));
  }
  return common::ok();
}

void AccountStore::discard_next_key() const { std::remove((key_path() + ".next").c_str()); }

}  // namespace certkeeper::acmecli
