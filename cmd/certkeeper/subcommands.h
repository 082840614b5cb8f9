#pragma once

#include <functional>

#include <CLI/CLI.hpp>

namespace certkeeper::cmd {

// Each subcommand registers its flags on `app` and returns the function that runs it; the
// function returns the process exit code. Subcommands stay thin: they parse flags, wire the
// libraries in lib/ and controller/, and report errors in one line.
using Runner = std::function<int()>;

Runner register_version(CLI::App& app);
// `acmesolver`: the HTTP-01 challenge server (cert-manager's flags).
Runner register_acmesolver(CLI::App& app);
// `controller`: the controller process (cert-manager's flags).
Runner register_controller(CLI::App& app);
// `acme`: the ACME client (register, issue, renew, revoke, rollover-key, deactivate).
Runner register_acme(CLI::App& app);
// `webhook`: the admission webhook server (validation, CertificateRequest identity, approval).
Runner register_webhook(CLI::App& app);

}  // namespace certkeeper::cmd
