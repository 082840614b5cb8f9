// certkeeper: one multi-call binary. `certkeeper <subcommand> [flags]`; later issues add
// controller, webhook and status beside `version`, `acmesolver` and `acme`.
#include <exception>
#include <iostream>
#include <map>
#include <string>

#include <CLI/CLI.hpp>

#include "cmd/certkeeper/subcommands.h"
#include "lib/common/log.h"
#include "lib/common/version.h"

namespace {

int run(int argc, char** argv) {
  using certkeeper::common::LogFormat;
  CLI::App app{"certkeeper: certificates for Kubernetes over ACME, CA and self-signed issuers"};
  app.require_subcommand(1);
  // Flag errors in one line naming the command, like the errors the subcommands report:
  // "certkeeper acme issue: --domain is required (see --help)".
  app.failure_message([](const CLI::App* top, const CLI::Error& e) {
    std::string path = "certkeeper";
    for (const CLI::App* current = top; !current->get_subcommands().empty();) {
      current = current->get_subcommands().front();
      path += " " + current->get_name();
    }
    return path + ": " + e.what() + " (see --help)\n";
  });
  app.set_version_flag("--version", std::string(certkeeper::common::build_info().version));

  certkeeper::common::LogOptions log_options;
  std::string log_format = "text";
  app.add_option("--log-level", log_options.level, "trace, debug, info, warn, error or off")
      ->capture_default_str();
  app.add_option("--log-format", log_format, "Log line format")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();

  std::map<std::string, certkeeper::cmd::Runner> runners;
  runners["version"] = certkeeper::cmd::register_version(app);
  runners["acmesolver"] = certkeeper::cmd::register_acmesolver(app);
  runners["controller"] = certkeeper::cmd::register_controller(app);
  runners["acme"] = certkeeper::cmd::register_acme(app);
  runners["webhook"] = certkeeper::cmd::register_webhook(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }

  log_options.format = log_format == "json" ? LogFormat::kJson : LogFormat::kText;
  if (auto status = certkeeper::common::init_logging(log_options); !status) {
    std::cerr << "certkeeper: " << status.error().message() << '\n';
    return 2;
  }
  for (const auto* sub : app.get_subcommands()) {
    return runners.at(sub->get_name())();
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    // Errors are values inside; anything thrown this far is a bug, reported in one line.
    std::cerr << "certkeeper: internal error: " << e.what() << '\n';
  } catch (...) {
    std::cerr << "certkeeper: internal error: unknown exception\n";
  }
  return 70;  // EX_SOFTWARE
}
