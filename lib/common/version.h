#pragma once

#include <string>
#include <string_view>

namespace certkeeper::common {

// Build identity, stamped by CMake into version.cc only (so a new commit rebuilds one file).
struct BuildInfo {
  std::string_view version;     // semantic version, e.g. "0.1.0"
  std::string_view git_commit;  // short commit hash, "unknown" outside a git checkout
  std::string_view build_type;  // CMake build type
  std::string_view compiler;    // e.g. "GNU 12.2.0"
};

const BuildInfo& build_info();

// "certkeeper/<version> (<commit>)": the User-Agent of every HTTP client we make.
std::string user_agent();

}  // namespace certkeeper::common
