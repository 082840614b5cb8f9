#include <iostream>
#include <memory>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cmd/certkeeper/subcommands.h"
#include "lib/common/version.h"

namespace certkeeper::cmd {

Runner register_version(CLI::App& app) {
  auto* sub = app.add_subcommand("version", "Print the version of certkeeper");
  auto output = std::make_shared<std::string>("text");
  sub->add_option("-o,--output", *output, "Output format")->check(CLI::IsMember({"text", "json"}));
  return [output] {
    const auto& info = common::build_info();
    if (*output == "json") {
      const nlohmann::json doc = {
          {"version", info.version},
          {"gitCommit", info.git_commit},
          {"buildType", info.build_type},
          {"compiler", info.compiler},
      };
      std::cout << doc.dump(2) << '\n';
    } else {
      std::cout << fmt::format("certkeeper {} (commit {}, {} build, {})\n", info.version,
                               info.git_commit, info.build_type, info.compiler);
    }
    return 0;
  };
}

}  // namespace certkeeper::cmd
