#pragma once

#include <optional>
#include <string>

#include "lib/common/error.h"
#include "lib/crypto/keys.h"

namespace certkeeper::acmecli {

// The account directory of `certkeeper acme` (--account-dir):
//   account.key       the account's private key, PEM, mode 0600
//   account.json      {"accounts": {"<directory URL>": {"url": "<account URL>", ...}}}
//   account.key.old   the previous key after a successful rollover-key
//   account.key.next  the key being rolled over to; only exists while a rollover runs (or after
//                     one that was interrupted: then the server may hold either key)
// One key may have accounts at several ACME servers; each is remembered by directory URL.
//
// Owns nothing but the path; every method reads or writes the files. Not thread-safe (one CLI
// process at a time per directory).
class AccountStore {
 public:
  explicit AccountStore(std::string dir) : dir_(std::move(dir)) {}

  // The default: $XDG_CONFIG_HOME/certkeeper/acme, else ~/.config/certkeeper/acme.
  static std::string default_dir();

  [[nodiscard]] const std::string& dir() const { return dir_; }
  [[nodiscard]] std::string key_path() const { return dir_ + "/account.key"; }

  // kNotFound when there is no account.key yet.
  [[nodiscard]] common::Result<crypto::PrivateKey> load_key() const;
  common::Status save_key(const crypto::PrivateKey& key) const;

  // The account URL recorded for this directory URL; nullopt when none.
  [[nodiscard]] common::Result<std::optional<std::string>> account_url(
      const std::string& directory_url) const;
  common::Status save_account(const std::string& directory_url, const std::string& account_url,
                              const std::string& email) const;

  // Rollover in three steps so that no key is ever lost: stage_next_key writes account.key.next;
  // once the server accepted it, commit_next_key moves account.key to account.key.old and
  // account.key.next to account.key; after a refusal, discard_next_key removes account.key.next.
  common::Status stage_next_key(const crypto::PrivateKey& key) const;
  common::Status commit_next_key() const;
  void discard_next_key() const;

 private:
  std::string dir_;
};

}  // namespace certkeeper::acmecli
