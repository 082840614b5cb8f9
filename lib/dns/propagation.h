#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "lib/common/error.h"
#include "lib/dns/resolver.h"

namespace certkeeper::dns {

// Whether the DNS-01 TXT value has reached every authoritative nameserver (acme.md §5.6): true
// only when each server in `nameservers` ("host:port") answers `value` among the TXT strings at
// `fqdn`, asked without recursion. Other values at the same name are allowed (apex + wildcard
// share `_acme-challenge.<domain>`). A server that answers NXDOMAIN or lacks the value gives
// false ("not yet" is not an error); an unreachable or failing server is an error (kUnavailable),
// and an empty list is kInvalidArgument. Thread-safe; blocks for the queries.
common::Result<bool> check_propagation(std::string_view fqdn, std::string_view value,
                                       const std::vector<std::string>& nameservers,
                                       const QueryOptions& options = {});

}  // namespace certkeeper::dns
