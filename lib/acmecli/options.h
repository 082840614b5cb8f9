#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/acme/client.h"
#include "lib/common/error.h"
#include "lib/crypto/keys.h"

// Parsing and checking of `certkeeper acme` flag values. Every error is kInvalidArgument and
// starts with the flag's name ("--key-type: ..."), so the CLI can print it as it is.
namespace certkeeper::acmecli {

struct KeyType {
  crypto::KeyAlgorithm algorithm;
  int size;  // as crypto::PrivateKey::generate takes it
};

// --key-type: ec256 | ec384 | ec521 | ed25519 | rsa2048 | rsa3072 | rsa4096 | rsa8192.
common::Result<KeyType> parse_key_type(std::string_view text, std::string_view flag = "--key-type");
// --account-key-type: ec256 | ec384 | rsa2048 | rsa3072 | rsa4096 (what ACME servers accept for
// JWS: ES256/ES384/RS256; acme.md §1.2).
common::Result<KeyType> parse_account_key_type(std::string_view text);

// --reason: unspecified | keyCompromise | superseded | cessationOfOperation (RFC 5280 §5.3.1).
common::Result<acme::RevocationReason> parse_revocation_reason(std::string_view text);

// -d values: DNS names (wildcards "*.x" allowed) and IP addresses, lowercased, duplicates
// dropped, first one first. An empty list or an empty or malformed name is an error naming -d.
common::Result<std::vector<std::string>> normalize_names(const std::vector<std::string>& names);

// The file stem for the first name: "*.example.com" → "_.example.com" (no '*' in file names),
// IPv6 ':' → '-'.
std::string file_stem(std::string_view first_name);

}  // namespace certkeeper::acmecli
