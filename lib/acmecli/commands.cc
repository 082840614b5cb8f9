#include "lib/acmecli/commands.h"

#include <iostream>
#include <memory>
#include <optional>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "lib/acme/client.h"
#include "lib/acme/issuance.h"
#include "lib/acme/protocol.h"
#include "lib/acmecli/account_store.h"
#include "lib/acmecli/files.h"
#include "lib/acmecli/options.h"
#include "lib/acmecli/renewal.h"
#include "lib/common/clock.h"
#include "lib/common/log.h"
#include "lib/common/random.h"
#include "lib/common/time_format.h"
#include "lib/crypto/csr.h"
#include "lib/dns/rfc2136.h"
#include "lib/dns/server_address.h"
#include "lib/http/curl_client.h"
#include "lib/solver/dns01.h"
#include "lib/solver/http01.h"
#include "lib/solver/tls_alpn01.h"

namespace certkeeper::acmecli {

using common::ErrorCode;
using common::make_error;

namespace {

constexpr std::string_view kEabRequiredProblem = "externalAccountRequired";

// A badNonce retry costs one round trip and always carries a fresh nonce (RFC 8555 §6.5). The
// engine's default of 5 fails one request in 64 at a CA rejecting half of all nonces (Pebble's
// chaos setting); 20 makes that one in a million, while a CA that rejects every nonce still
// fails fast.
constexpr int kBadNonceRetries = 20;

common::Error flag_error(std::string message) {
  return {ErrorCode::kInvalidArgument, std::move(message)};
}

common::Status check_common(const CommonOptions& common) {
  if (common.server.empty()) {
    return make_error(flag_error("--server: empty directory URL"));
  }
  if (common.timeout.count() <= 0) {
    return make_error(flag_error("--timeout: must be a positive number of seconds"));
  }
  return common::ok();
}

// What a subcommand needs of the account.
enum class AccountNeed {
  kNone,      // only the directory (revoke with the certificate's key)
  kExisting,  // a registered account; registered on the spot with --agree-tos
  kRegister,  // `register`: (re)register and record it
};

// One ACME server and account for the duration of a subcommand. Owns the HTTP client, the
// AcmeClient and the account store; not thread-safe.
class Session {
 public:
  static common::Result<std::unique_ptr<Session>> open(
      const CommonOptions& common, const AccountOptions& account, AccountNeed need,
      const std::optional<crypto::PrivateKey>& fallback_key = std::nullopt) {
    auto session = std::unique_ptr<Session>(new Session(common));
    auto status = session->init(account, need, fallback_key);
    if (!status) {
      return make_error(status.error());
    }
    return session;
  }

  acme::AcmeClient& client() { return *client_; }
  const acme::Directory& directory() const { return directory_; }
  const AccountStore& store() const { return store_; }
  [[nodiscard]] std::chrono::steady_clock::time_point deadline() const { return deadline_; }

 private:
  explicit Session(const CommonOptions& common)
      : common_(common),
        store_(common.account_dir.empty() ? AccountStore::default_dir() : common.account_dir),
        http_(http::ClientOptions{.tls = {.ca_file = common.ca_bundle}}),
        deadline_(common::SystemClock::instance().steady_now() + common.timeout) {}

  common::Status init(const AccountOptions& account, AccountNeed need,
                      const std::optional<crypto::PrivateKey>& fallback_key) {
    auto log = common::logger("acme");
    auto key = store_.load_key();
    if (!key && key.error().code() == ErrorCode::kNotFound) {
      if (need == AccountNeed::kNone && fallback_key) {
        key = *fallback_key;
      } else if (need == AccountNeed::kRegister ||
                 (need == AccountNeed::kExisting && account.agree_tos)) {
        auto type = parse_account_key_type(account.account_key_type);
        if (!type) {
          return make_error(type.error());
        }
        key = crypto::PrivateKey::generate(type->algorithm, type->size);
        if (!key) {
          return make_error(key.error());
        }
        if (auto saved = store_.save_key(*key); !saved) {
          return saved;
        }
        log->info("created a new {} account key in {}", account.account_key_type,
                  store_.key_path());
      } else {
        return make_error(ErrorCode::kFailedPrecondition,
                          fmt::format("no account key in {}: run `certkeeper acme register "
                                      "--agree-tos` or pass --agree-tos",
                                      store_.dir()));
      }
    }
    if (!key) {
      return make_error(key.error());
    }
    const auto request_timeout =
        std::min<std::chrono::milliseconds>(common_.timeout, std::chrono::seconds(30));
    client_ = std::make_unique<acme::AcmeClient>(
        http_, common::SystemClock::instance(), *key,
        acme::AcmeClientOptions{.directory_url = common_.server,
                                .max_bad_nonce_retries = kBadNonceRetries,
                                .request_timeout = request_timeout});
    auto directory = client_->directory();
    if (!directory) {
      // AcmeClient names the directory URL and what failed.
      return make_error(directory.error());
    }
    directory_ = *directory;
    if (need == AccountNeed::kNone) {
      return common::ok();
    }
    if (need == AccountNeed::kExisting) {
      auto url = store_.account_url(common_.server);
      if (!url) {
        return make_error(url.error());
      }
      if (*url) {
        client_->set_account_url(**url);
        return common::ok();
      }
      if (!account.agree_tos) {
        auto found = client_->find_account();
        if (found) {
          return store_.save_account(common_.server, found->url, common_.email);
        }
        if (found.error().code() != ErrorCode::kNotFound) {
          return make_error(found.error().wrap("looking up the account"));
        }
        return make_error(ErrorCode::kFailedPrecondition,
                          fmt::format("no account at {} for the key in {}: pass --agree-tos "
                                      "to register one (or run `certkeeper acme register`)",
                                      common_.server, store_.dir()));
      }
    }
    return register_account(account);
  }

  common::Status register_account(const AccountOptions& account) {
    if (!account.eab_kid.empty() != !account.eab_hmac_key.empty()) {
      return make_error(flag_error("--eab-kid and --eab-hmac-key go together"));
    }
    if (directory_.external_account_required && account.eab_kid.empty()) {
      return make_error(ErrorCode::kFailedPrecondition,
                        fmt::format("{} requires External Account Binding (EAB): pass --eab-kid "
                                    "and --eab-hmac-key from the CA",
                                    common_.server));
    }
    acme::RegisterAccountRequest request{.terms_of_service_agreed = account.agree_tos,
                                         .eab_kid = account.eab_kid,
                                         .eab_hmac_key = account.eab_hmac_key};
    if (!common_.email.empty()) {
      request.contact.push_back("mailto:" + common_.email);
    }
    auto registered = client_->register_account(request);
    if (!registered) {
      if (registered.error().problem_type().ends_with(kEabRequiredProblem)) {
        return make_error(registered.error().wrap(
            "the CA requires External Account Binding (EAB): pass --eab-kid and --eab-hmac-key"));
      }
      return make_error(registered.error().wrap("registering the account"));
    }
    common::logger("acme")->info("account {} is {}", registered->url, registered->status);
    return store_.save_account(common_.server, registered->url, common_.email);
  }

  CommonOptions common_;
  AccountStore store_;
  http::CurlHttpClient http_;
  std::unique_ptr<acme::AcmeClient> client_;
  acme::Directory directory_;
  std::chrono::steady_clock::time_point deadline_;
};

common::Result<std::uint16_t> checked_port(int port, std::string_view flag) {
  if (port < 0 || port > 65535) {
    return make_error(flag_error(fmt::format("{}: {} is not a port (0-65535)", flag, port)));
  }
  return static_cast<std::uint16_t>(port);
}

// The solver's settings, checked; what make_solver needs beyond them.
struct SolverPlan {
  SolverOptions options;
  std::optional<dns::Rfc2136Provider> provider;
};

common::Result<SolverPlan> plan_solver(const SolverOptions& options) {
  const int chosen = int{options.http01} + int{options.tls_alpn01} + int{options.dns01_rfc2136};
  if (chosen != 1) {
    return make_error(
        flag_error("choose exactly one of --http-01, --tls-alpn-01 and --dns-01-rfc2136"));
  }
  if (auto port = checked_port(options.http_port, "--http-port"); !port) {
    return make_error(port.error());
  }
  if (auto port = checked_port(options.tls_port, "--tls-port"); !port) {
    return make_error(port.error());
  }
  SolverPlan plan{options, std::nullopt};
  if (!options.dns01_rfc2136) {
    return plan;
  }
  if (options.dns_server.empty()) {
    return make_error(flag_error("--dns-server: required with --dns-01-rfc2136"));
  }
  if (auto server = dns::parse_server_address(options.dns_server, "--dns-server"); !server) {
    return make_error(server.error());
  }
  if (!options.dns_resolver.empty()) {
    if (auto r = dns::parse_server_address(options.dns_resolver, "--dns-resolver"); !r) {
      return make_error(r.error());
    }
  }
  if (!options.tsig_secret.empty() && !options.tsig_secret_file.empty()) {
    return make_error(flag_error("--tsig-secret and --tsig-secret-file: give only one"));
  }
  std::string secret = options.tsig_secret;
  if (!options.tsig_secret_file.empty()) {
    auto text = read_file(options.tsig_secret_file);
    if (!text) {
      return make_error(text.error().wrap("--tsig-secret-file"));
    }
    secret = *text;
    while (!secret.empty() &&
           (secret.back() == '\n' || secret.back() == '\r' || secret.back() == ' ')) {
      secret.pop_back();
    }
  }
  if (options.tsig_key_name.empty() || secret.empty()) {
    return make_error(
        flag_error("--tsig-key-name and --tsig-secret (or --tsig-secret-file): required with "
                   "--dns-01-rfc2136"));
  }
  auto provider = dns::Rfc2136Provider::create({.nameserver = options.dns_server,
                                                .tsig_key_name = options.tsig_key_name,
                                                .tsig_algorithm = options.tsig_algorithm,
                                                .tsig_secret = secret});
  if (!provider) {
    // Field names of cert-manager's API; the message never echoes the secret.
    return make_error(provider.error().wrap("--dns-01-rfc2136 settings"));
  }
  plan.provider.emplace(std::move(*provider));
  return plan;
}

common::Result<std::unique_ptr<acme::ChallengeSolver>> make_solver(SolverPlan& plan) {
  const auto& o = plan.options;
  if (o.http01) {
    auto s = solver::Http01Solver::start(
        {.address = o.http_address, .port = static_cast<std::uint16_t>(o.http_port)});
    if (!s) {
      return make_error(s.error());
    }
    return std::unique_ptr<acme::ChallengeSolver>(std::move(*s));
  }
  if (o.tls_alpn01) {
    auto s = solver::TlsAlpn01Solver::start(
        {.address = o.tls_address, .port = static_cast<std::uint16_t>(o.tls_port)},
        common::SystemClock::instance());
    if (!s) {
      return make_error(s.error());
    }
    return std::unique_ptr<acme::ChallengeSolver>(std::move(*s));
  }
  return std::unique_ptr<acme::ChallengeSolver>(std::make_unique<solver::Dns01Solver>(
      *plan.provider,
      solver::Dns01Options{.resolver = o.dns_resolver, .discovery_server = o.dns_server},
      common::SystemClock::instance()));
}

// Everything issue and renew check before the network.
struct IssuePlan {
  std::vector<std::string> names;
  KeyType key_type;
  SolverPlan solver;
  OutputPaths paths;
};

common::Result<IssuePlan> plan_issue(const CommonOptions& common, const IssueOptions& issue) {
  if (auto status = check_common(common); !status) {
    return make_error(status.error());
  }
  auto names = normalize_names(issue.names);
  if (!names) {
    return make_error(names.error());
  }
  auto key_type = parse_key_type(issue.key_type);
  if (!key_type) {
    return make_error(key_type.error());
  }
  if (auto t = parse_account_key_type(issue.account.account_key_type); !t) {
    return make_error(t.error());
  }
  auto solver_plan = plan_solver(issue.solver);
  if (!solver_plan) {
    return make_error(solver_plan.error());
  }
  if (issue.out_dir.empty()) {
    return make_error(flag_error("--out-dir: empty"));
  }
  OutputPaths paths = output_paths(issue.out_dir, names->front());
  return IssuePlan{std::move(*names), *key_type, std::move(*solver_plan), std::move(paths)};
}

common::Status write_outputs(const OutputPaths& paths, const crypto::PrivateKey& key,
                             const acme::CertificateChain& chain) {
  if (chain.certificates.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "the CA returned an empty chain");
  }
  auto key_pem = key.to_pem(crypto::KeyEncoding::kPkcs8);
  if (!key_pem) {
    return make_error(key_pem.error());
  }
  const std::string leaf = chain.certificates.front().pem();
  std::string issuers;
  for (std::size_t i = 1; i < chain.certificates.size(); ++i) {
    issuers += chain.certificates[i].pem();
  }
  for (const auto& [path, content, mode] :
       {std::tuple<std::string, std::string, mode_t>{paths.key, *key_pem, 0600},
        {paths.leaf, leaf, 0644},
        {paths.issuer, issuers, 0644},
        {paths.fullchain, leaf + issuers, 0644}}) {
    if (auto status = write_file_atomic(path, content, mode); !status) {
      return status;
    }
  }
  return common::ok();
}

// Issues for `plan` (a new key each time) and writes the files.
common::Status issue_and_write(Session& session, IssuePlan& plan, const IssueOptions& issue,
                               const std::string& replaces) {
  auto log = common::logger("acme");
  auto key = crypto::PrivateKey::generate(plan.key_type.algorithm, plan.key_type.size);
  if (!key) {
    return make_error(key.error());
  }
  crypto::CsrSpec spec;
  for (const auto& name : plan.names) {
    const auto ids = acme::identifiers_from_names({name});
    (ids.front().type == "ip" ? spec.sans.ip_addresses : spec.sans.dns_names).push_back(name);
  }
  // A CN is optional for ACME (RFC 8555 §7.4); the first DNS name when it fits (RFC 5280 ub 64).
  if (!spec.sans.dns_names.empty() && spec.sans.dns_names.front().size() <= 64) {
    spec.subject.common_name = spec.sans.dns_names.front();
  }
  auto csr = crypto::create_csr(spec, *key);
  if (!csr) {
    return make_error(csr.error());
  }
  auto solver = make_solver(plan.solver);
  if (!solver) {
    return make_error(solver.error());
  }
  log->info("ordering a certificate for {} ({})", fmt::join(plan.names, ", "), (*solver)->type());
  auto issued = acme::obtain_certificate(session.client(),
                                         {.identifiers = acme::identifiers_from_names(plan.names),
                                          .csr_der = *csr,
                                          .profile = issue.profile,
                                          .replaces = replaces,
                                          .preferred_chain = issue.preferred_chain,
                                          .deadline = session.deadline()},
                                         **solver);
  if (!issued) {
    return make_error(issued.error());
  }
  if (auto status = write_outputs(plan.paths, *key, issued->chain); !status) {
    return status;
  }
  const auto& leaf = issued->chain.certificates.front();
  log->info("wrote {} (serial {}, valid until {}) and {}, {}, {}", plan.paths.leaf,
            leaf.serial_hex(), common::format_rfc3339(leaf.not_after()), plan.paths.issuer,
            plan.paths.fullchain, plan.paths.key);
  return common::ok();
}

}  // namespace

OutputPaths output_paths(const std::string& out_dir, const std::string& first_name) {
  const std::string base = out_dir + "/" + file_stem(first_name);
  return {base + ".key", base + ".crt", base + ".issuer.crt", base + ".fullchain.crt"};
}

common::Status run_register(const CommonOptions& common, const AccountOptions& account) {
  if (auto status = check_common(common); !status) {
    return status;
  }
  if (auto t = parse_account_key_type(account.account_key_type); !t) {
    return make_error(t.error());
  }
  auto session = Session::open(common, account, AccountNeed::kRegister);
  if (!session) {
    return make_error(session.error());
  }
  std::cout << (*session)->client().account_url() << '\n';
  return common::ok();
}

common::Status run_issue(const CommonOptions& common, const IssueOptions& issue) {
  auto plan = plan_issue(common, issue);
  if (!plan) {
    return make_error(plan.error());
  }
  auto session = Session::open(common, issue.account, AccountNeed::kExisting);
  if (!session) {
    return make_error(session.error());
  }
  return issue_and_write(**session, *plan, issue, "");
}

common::Status run_renew(const CommonOptions& common, const IssueOptions& issue, bool force) {
  auto log = common::logger("acme");
  auto plan = plan_issue(common, issue);
  if (!plan) {
    return make_error(plan.error());
  }
  auto pem = read_file(plan->paths.leaf);
  if (!pem) {
    return make_error(pem.error().wrap("the certificate to renew (issue it first)"));
  }
  auto current = crypto::Certificate::from_pem(*pem);
  if (!current) {
    return make_error(current.error().wrap(plan->paths.leaf));
  }
  auto session = Session::open(common, issue.account, AccountNeed::kExisting);
  if (!session) {
    return make_error(session.error());
  }
  std::optional<acme::RenewalInfo> info;
  std::string replaces;
  if (!(*session)->directory().renewal_info.empty()) {
    if (auto id = crypto::ari_cert_id(*current); id) {
      replaces = *id;
    }
    if (auto ri = (*session)->client().get_renewal_info(*current); ri) {
      info = *ri;
    } else {
      log->warn("renewal information unavailable, using the lifetime: {}", ri.error().message());
    }
  }
  common::SystemRandom random;
  const auto decision =
      decide_renewal(*current, info, common::SystemClock::instance().now(), random, force);
  if (!decision.renew) {
    std::cout << "not renewed: " << decision.reason << '\n';
    return common::ok();
  }
  log->info("renewing {} (serial {}): {}", plan->paths.leaf, current->serial_hex(),
            decision.reason);
  if (auto status = issue_and_write(**session, *plan, issue, replaces); !status) {
    return status;
  }
  std::cout << "renewed: " << decision.reason
            << (replaces.empty() ? "" : "; the order replaces " + replaces) << '\n';
  return common::ok();
}

common::Status run_revoke(const CommonOptions& common, const std::string& cert_file,
                          const std::string& cert_key_file, const std::string& reason) {
  if (auto status = check_common(common); !status) {
    return status;
  }
  if (cert_file.empty()) {
    return make_error(flag_error("--cert: required"));
  }
  std::optional<acme::RevocationReason> code;
  if (!reason.empty()) {
    auto parsed = parse_revocation_reason(reason);
    if (!parsed) {
      return make_error(parsed.error());
    }
    code = *parsed;
  }
  auto pem = read_file(cert_file);
  if (!pem) {
    return make_error(pem.error().wrap("--cert"));
  }
  auto certificate = crypto::Certificate::from_pem(*pem);
  if (!certificate) {
    return make_error(certificate.error().wrap("--cert " + cert_file));
  }
  std::optional<crypto::PrivateKey> cert_key;
  if (!cert_key_file.empty()) {
    auto key_pem = read_file(cert_key_file);
    if (!key_pem) {
      return make_error(key_pem.error().wrap("--cert-key"));
    }
    auto key = crypto::PrivateKey::from_pem(*key_pem);
    if (!key) {
      return make_error(key.error().wrap("--cert-key " + cert_key_file));
    }
    if (!certificate->matches(*key)) {
      return make_error(flag_error("--cert-key: the key does not belong to --cert"));
    }
    cert_key = *key;
  }
  auto session =
      Session::open(common, {}, cert_key ? AccountNeed::kNone : AccountNeed::kExisting, cert_key);
  if (!session) {
    return make_error(session.error());
  }
  auto revoked =
      cert_key ? (*session)->client().revoke_certificate_with_key(*certificate, *cert_key, code)
               : (*session)->client().revoke_certificate(*certificate, code);
  if (!revoked) {
    return make_error(revoked.error().wrap("revoking serial " + certificate->serial_hex()));
  }
  common::logger("acme")->info("revoked serial {} (signed with the {} key)",
                               certificate->serial_hex(), cert_key ? "certificate" : "account");
  return common::ok();
}

common::Status run_rollover_key(const CommonOptions& common, const std::string& account_key_type) {
  if (auto status = check_common(common); !status) {
    return status;
  }
  auto type = parse_account_key_type(account_key_type);
  if (!type) {
    return make_error(type.error());
  }
  auto session = Session::open(common, {}, AccountNeed::kExisting);
  if (!session) {
    return make_error(session.error());
  }
  auto key = crypto::PrivateKey::generate(type->algorithm, type->size);
  if (!key) {
    return make_error(key.error());
  }
  const AccountStore& store = (*session)->store();
  if (auto staged = store.stage_next_key(*key); !staged) {
    return staged;
  }
  if (auto rolled = (*session)->client().rollover_key(*key); !rolled) {
    store.discard_next_key();
    return make_error(rolled.error().wrap("key rollover (the old key stays in use)"));
  }
  if (auto committed = store.commit_next_key(); !committed) {
    return make_error(committed.error().wrap("the server now uses the new key, which is in " +
                                             store.key_path() + ".next"));
  }
  common::logger("acme")->info("account {} now uses a new {} key; the old one is {}.old",
                               (*session)->client().account_url(), account_key_type,
                               store.key_path());
  return common::ok();
}

common::Status run_deactivate(const CommonOptions& common, bool yes) {
  if (auto status = check_common(common); !status) {
    return status;
  }
  if (!yes) {
    return make_error(flag_error("--yes: deactivation cannot be undone; pass --yes to confirm"));
  }
  auto session = Session::open(common, {}, AccountNeed::kExisting);
  if (!session) {
    return make_error(session.error());
  }
  auto account = (*session)->client().deactivate_account();
  if (!account) {
    return make_error(account.error().wrap("deactivating the account"));
  }
  common::logger("acme")->info("account {} is {}", account->url, account->status);
  return common::ok();
}

}  // namespace certkeeper::acmecli
