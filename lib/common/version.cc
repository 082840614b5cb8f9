#include "lib/common/version.h"

#include <fmt/format.h>

namespace certkeeper::common {

const BuildInfo& build_info() {
  static const BuildInfo info{
      CK_VERSION,
      CK_GIT_COMMIT,
      CK_BUILD_TYPE,
      CK_COMPILER,
  };
  return info;
}

std::string user_agent() {
  return fmt::format("certkeeper/{} ({})", build_info().version, build_info().git_commit);
}

}  // namespace certkeeper::common
