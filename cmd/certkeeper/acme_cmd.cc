// `certkeeper acme <register|issue|renew|revoke|rollover-key|deactivate>`: an ACME client on the
// command line. Flags only; the work is in lib/acmecli. Errors are one line on stderr,
// "certkeeper acme <sub>: <what>", and exit code 1.
#include <chrono>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <string>

#include "cmd/certkeeper/subcommands.h"
#include "lib/acmecli/commands.h"

namespace certkeeper::cmd {
namespace {

struct AcmeFlags {
  acmecli::CommonOptions common;
  int timeout_seconds = 300;
  acmecli::IssueOptions issue;
  bool force = false;
  std::string cert_file;
  std::string cert_key_file;
  std::string reason;
  bool yes = false;
};

void add_common_flags(CLI::App* sub, AcmeFlags& f) {
  sub->add_option("--server", f.common.server, "ACME directory URL")->capture_default_str();
  sub->add_option("--ca-bundle", f.common.ca_bundle,
                  "PEM bundle to trust for the ACME server's TLS (default: the system store)");
  sub->add_option("--account-dir", f.common.account_dir,
                  "Account directory (account.key, account.json); default "
                  "$XDG_CONFIG_HOME/certkeeper/acme or ~/.config/certkeeper/acme");
  sub->add_option("--email", f.common.email, "Contact address of the account");
  sub->add_option("--timeout", f.timeout_seconds, "Seconds for the whole operation")
      ->capture_default_str();
}

void add_account_flags(CLI::App* sub, AcmeFlags& f) {
  sub->add_flag("--agree-tos", f.issue.account.agree_tos,
                "Agree to the CA's terms of service (registers the account on first use)");
  sub->add_option("--account-key-type", f.issue.account.account_key_type,
                  "Key type of a new account key: ec256, ec384, rsa2048, rsa3072, rsa4096")
      ->capture_default_str();
}

void add_issue_flags(CLI::App* sub, AcmeFlags& f) {
  auto& i = f.issue;
  auto& s = i.solver;
  sub->add_option("-d,--domain", i.names, "DNS name (wildcards allowed) or IP address; repeat")
      ->required();
  sub->add_flag("--http-01", s.http01, "Answer HTTP-01 with a built-in listener");
  sub->add_option("--http-address", s.http_address, "HTTP-01 listen address")
      ->capture_default_str();
  sub->add_option("--http-port", s.http_port, "HTTP-01 listen port")->capture_default_str();
  sub->add_flag("--tls-alpn-01", s.tls_alpn01, "Answer TLS-ALPN-01 with a built-in listener");
  sub->add_option("--tls-address", s.tls_address, "TLS-ALPN-01 listen address")
      ->capture_default_str();
  sub->add_option("--tls-port", s.tls_port, "TLS-ALPN-01 listen port")->capture_default_str();
  sub->add_flag("--dns-01-rfc2136", s.dns01_rfc2136,
                "Answer DNS-01 with RFC 2136 dynamic updates (TSIG)");
  sub->add_option("--dns-server", s.dns_server, "host:port of the primary that takes updates");
  sub->add_option("--tsig-key-name", s.tsig_key_name, "TSIG key name");
  sub->add_option("--tsig-algorithm", s.tsig_algorithm, "TSIG algorithm")->capture_default_str();
  sub->add_option("--tsig-secret", s.tsig_secret, "TSIG secret, base64");
  sub->add_option("--tsig-secret-file", s.tsig_secret_file, "File holding the TSIG secret");
  sub->add_option("--dns-resolver", s.dns_resolver,
                  "host:port to check propagation at (default: the zone's authoritative servers)");
  sub->add_option("--key-type", i.key_type,
                  "Certificate key: ec256, ec384, ec521, ed25519, rsa2048, rsa3072, rsa4096, "
                  "rsa8192")
      ->capture_default_str();
  sub->add_option("--profile", i.profile, "Certificate profile (e.g. shortlived)");
  sub->add_option("--preferred-chain", i.preferred_chain,
                  "Issuer CN of the top certificate of the chain to prefer");
  sub->add_option("--out-dir", i.out_dir,
                  "Where to write <name>.crt, .issuer.crt, "
                  ".fullchain.crt and .key")
      ->capture_default_str();
  sub->add_option("--eab-kid", i.account.eab_kid, "External Account Binding key id");
  sub->add_option("--eab-hmac-key", i.account.eab_hmac_key,
                  "External Account Binding MAC key, base64url");
  add_account_flags(sub, f);
}

// The runner of one sub: prints the error as one line.
Runner report(const std::string& name, std::function<common::Status()> run) {
  return [name, run = std::move(run)] {
    if (auto status = run(); !status) {
      std::cerr << "certkeeper acme " << name << ": " << status.error().message() << '\n';
      return 1;
    }
    return 0;
  };
}

}  // namespace

Runner register_acme(CLI::App& app) {
  auto* acme = app.add_subcommand("acme", "ACME client: accounts, issuance, renewal, revocation");
  acme->require_subcommand(1);
  auto f = std::make_shared<AcmeFlags>();
  auto sync = [f] { f->common.timeout = std::chrono::seconds(f->timeout_seconds); };
  std::map<std::string, Runner> runners;

  auto* reg = acme->add_subcommand("register", "Create (or find) the account");
  add_common_flags(reg, *f);
  add_account_flags(reg, *f);
  reg->add_option("--eab-kid", f->issue.account.eab_kid, "External Account Binding key id");
  reg->add_option("--eab-hmac-key", f->issue.account.eab_hmac_key,
                  "External Account Binding MAC key, base64url");
  runners["register"] = report("register", [f, sync] {
    sync();
    return acmecli::run_register(f->common, f->issue.account);
  });

  auto* issue = acme->add_subcommand("issue", "Obtain a certificate");
  add_common_flags(issue, *f);
  add_issue_flags(issue, *f);
  runners["issue"] = report("issue", [f, sync] {
    sync();
    return acmecli::run_issue(f->common, f->issue);
  });

  auto* renew = acme->add_subcommand("renew", "Renew the certificate in --out-dir when due");
  add_common_flags(renew, *f);
  add_issue_flags(renew, *f);
  renew->add_flag("--force", f->force, "Renew even when not due");
  runners["renew"] = report("renew", [f, sync] {
    sync();
    return acmecli::run_renew(f->common, f->issue, f->force);
  });

  auto* revoke = acme->add_subcommand("revoke", "Revoke a certificate");
  add_common_flags(revoke, *f);
  revoke->add_option("--cert", f->cert_file, "The certificate (PEM)")->required();
  revoke->add_option("--cert-key", f->cert_key_file,
                     "Sign with this certificate key instead of the account key");
  revoke->add_option("--reason", f->reason,
                     "unspecified, keyCompromise, superseded or cessationOfOperation");
  runners["revoke"] = report("revoke", [f, sync] {
    sync();
    return acmecli::run_revoke(f->common, f->cert_file, f->cert_key_file, f->reason);
  });

  auto* rollover = acme->add_subcommand("rollover-key", "Replace the account key");
  add_common_flags(rollover, *f);
  rollover
      ->add_option("--account-key-type", f->issue.account.account_key_type,
                   "Type of the new key: ec256, ec384, rsa2048, rsa3072, rsa4096")
      ->capture_default_str();
  runners["rollover-key"] = report("rollover-key", [f, sync] {
    sync();
    return acmecli::run_rollover_key(f->common, f->issue.account.account_key_type);
  });

  auto* deactivate = acme->add_subcommand("deactivate", "Deactivate the account (permanent)");
  add_common_flags(deactivate, *f);
  deactivate->add_flag("--yes", f->yes, "Confirm");
  runners["deactivate"] = report("deactivate", [f, sync] {
    sync();
    return acmecli::run_deactivate(f->common, f->yes);
  });

  return [acme, runners = std::move(runners)] {
    for (const auto* sub : acme->get_subcommands()) {
      return runners.at(sub->get_name())();
    }
    return 2;
  };
}

}  // namespace certkeeper::cmd
