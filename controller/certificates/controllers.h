#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "controller/issuers/acme_accounts.h"
#include "controller/manager/manager.h"

// The certificates pipeline (cert-manager-api.md §3.2, §3.3): six cooperating controllers, by
// cert-manager's names, driven by the Issuing condition, status.nextPrivateKeySecretName,
// status.revision and the requests' certificate-revision annotation.
namespace certkeeper::certificates {

inline constexpr std::string_view kTriggerName = "certificates-trigger";
inline constexpr std::string_view kKeyManagerName = "certificates-key-manager";
inline constexpr std::string_view kRequestManagerName = "certificates-request-manager";
inline constexpr std::string_view kIssuingName = "certificates-issuing";
inline constexpr std::string_view kReadinessName = "certificates-readiness";
inline constexpr std::string_view kRevisionManagerName = "certificates-revision-manager";

std::unique_ptr<manager::Controller> make_trigger(const common::Clock& clock,
                                                  const manager::ManagerOptions& options);
std::unique_ptr<manager::Controller> make_key_manager(const common::Clock& clock,
                                                      const manager::ManagerOptions& options);
std::unique_ptr<manager::Controller> make_request_manager(const common::Clock& clock,
                                                          const manager::ManagerOptions& options);
std::unique_ptr<manager::Controller> make_issuing(const common::Clock& clock,
                                                  const manager::ManagerOptions& options);
// `accounts`: the process's ACME clients (controller/registry.cc), for renewal information;
// null turns ARI off.
std::unique_ptr<manager::Controller> make_readiness(
    const common::Clock& clock, const manager::ManagerOptions& options,
    std::shared_ptr<issuers::AcmeAccounts> accounts);
std::unique_ptr<manager::Controller> make_revision_manager(const common::Clock& clock,
                                                           const manager::ManagerOptions& options);

// All six, in pipeline order, for controller/registry.cc.
std::vector<manager::ControllerRegistration> registrations(
    std::shared_ptr<issuers::AcmeAccounts> accounts = nullptr);

}  // namespace certkeeper::certificates
