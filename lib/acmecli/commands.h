#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "lib/common/error.h"

// The `certkeeper acme` subcommands as library functions: cmd/certkeeper/acme_cmd.cc only fills
// these option structs from flags and prints the returned error as one line. Each function
// validates its options before touching the network (errors name the flag), logs progress at
// info level through common::logger and never logs or returns key material.
namespace certkeeper::acmecli {

inline constexpr char kLetsEncryptDirectory[] = "https://acme-v02.api.letsencrypt.org/directory";

// Flags every subcommand has.
struct CommonOptions {
  std::string server = kLetsEncryptDirectory;  // --server: the ACME directory URL
  std::string ca_bundle;                       // --ca-bundle: trust for the server's TLS
  std::string account_dir;                     // --account-dir; empty: AccountStore::default_dir()
  std::string email;                           // --email: the account's contact
  std::chrono::seconds timeout{300};           // --timeout: the whole operation
};

// How a new account is created (register, and issue/renew with --agree-tos on first use).
struct AccountOptions {
  bool agree_tos = false;
  std::string eab_kid;
  std::string eab_hmac_key;
  std::string account_key_type = "ec256";
};

// Exactly one of the three challenge types.
struct SolverOptions {
  bool http01 = false;
  std::string http_address = "0.0.0.0";
  int http_port = 80;
  bool tls_alpn01 = false;
  std::string tls_address = "0.0.0.0";
  int tls_port = 443;
  bool dns01_rfc2136 = false;
  std::string dns_server;  // host:port of the RFC 2136 primary
  std::string tsig_key_name;
  std::string tsig_algorithm = "hmac-sha256";
  std::string tsig_secret;
  std::string tsig_secret_file;
  std::string dns_resolver;  // host:port; empty: the zone's authoritative servers
};

struct IssueOptions {
  std::vector<std::string> names;  // -d
  SolverOptions solver;
  AccountOptions account;
  std::string key_type = "ec256";
  std::string profile;
  std::string preferred_chain;
  std::string out_dir = ".";
};

// What issue writes to --out-dir, for the first name's file stem (options.h file_stem):
//   <stem>.key (0600), <stem>.crt (leaf), <stem>.issuer.crt (the issuers, leaf excluded),
//   <stem>.fullchain.crt (leaf then issuers).
struct OutputPaths {
  std::string key;
  std::string leaf;
  std::string issuer;
  std::string fullchain;
};
OutputPaths output_paths(const std::string& out_dir, const std::string& first_name);

common::Status run_register(const CommonOptions& common, const AccountOptions& account);
common::Status run_issue(const CommonOptions& common, const IssueOptions& issue);
// Renews the certificate at output_paths(...).leaf when due (or with `force`); writes a one-line
// verdict ("renewed: ..." / "not renewed: ...") to stdout.
common::Status run_renew(const CommonOptions& common, const IssueOptions& issue, bool force);
common::Status run_revoke(const CommonOptions& common, const std::string& cert_file,
                          const std::string& cert_key_file, const std::string& reason);
common::Status run_rollover_key(const CommonOptions& common, const std::string& account_key_type);
common::Status run_deactivate(const CommonOptions& common, bool yes);

}  // namespace certkeeper::acmecli
