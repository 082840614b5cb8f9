#include "lib/dns/propagation.h"

#include <algorithm>

namespace certkeeper::dns {

common::Result<bool> check_propagation(std::string_view fqdn, std::string_view value,
                                       const std::vector<std::string>& nameservers,
                                       const QueryOptions& options) {
  if (nameservers.empty()) {
    return common::make_error(common::ErrorCode::kInvalidArgument,
                              "check_propagation: no nameservers to check");
  }
  QueryOptions authoritative = options;
  authoritative.recursion_desired = false;
  for (const std::string& server : nameservers) {
    auto values = query_txt(server, fqdn, authoritative);
    if (!values) {
      if (values.error().code() == common::ErrorCode::kNotFound) {
        return false;
      }
      return common::make_error(values.error().wrap("propagation check"));
    }
    if (std::find(values->begin(), values->end(), value) == values->end()) {
      return false;
    }
  }
  return true;
}

}  // namespace certkeeper::dns
