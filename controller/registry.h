#pragma once

#include <vector>

#include "controller/manager/manager.h"

namespace certkeeper::controller {

// Every controller `certkeeper controller` can run, in start order, with cert-manager's names
// (cert-manager-api.md §3.2) so that `--controllers=*,-certificaterequests-approver` means what
// it means there.
std::vector<manager::ControllerRegistration> registrations();

}  // namespace certkeeper::controller
