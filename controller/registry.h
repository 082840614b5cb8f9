#pragma once

#include <memory>
#include <vector>

#include "controller/manager/manager.h"

namespace certkeeper::issuers {
class AcmeAccounts;
}  // namespace certkeeper::issuers

namespace certkeeper::controller {

// Every controller `certkeeper controller` can run, in start order, with cert-manager's names
// (cert-manager-api.md §3.2) so that `--controllers=*,-certificaterequests-approver` means what
// it means there.
std::vector<manager::ControllerRegistration> registrations();
// The same with the given registry of ACME clients, so that a test can use the clients the
// issuers controllers set up (it plays the orders controller).
std::vector<manager::ControllerRegistration> registrations(
    const std::shared_ptr<issuers::AcmeAccounts>& accounts);

}  // namespace certkeeper::controller
