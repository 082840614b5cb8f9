#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "controller/issuers/generic_issuer.h"
#include "controller/manager/controller.h"
#include "lib/api/meta.h"
#include "lib/common/error.h"
#include "lib/kube/informer.h"

namespace certkeeper::issuers {

// The Issuer and ClusterIssuer caches a controller resolves an issuerRef against: what the
// signers and the orders and challenges controllers share. Borrowed informers from the factory
// (ClusterIssuers only in all-namespaces mode); valid while the controller runs. Reads are
// thread-safe.
struct IssuerLookup {
  kube::Informer* issuers = nullptr;
  kube::Informer* cluster_issuers = nullptr;  // null in single-namespace mode
  std::string cluster_resource_namespace;

  // The issuer `ref` names for an object in `ns` (an Issuer there, or a ClusterIssuer): nullopt
  // when it is not in the cache (or names another kind), an error when it does not decode.
  [[nodiscard]] common::Result<std::optional<GenericIssuer>> resolve(
      const api::IssuerReference& ref, const std::string& ns) const;
};

// Gets the issuer informers and calls `on_issuer` with the issuer's index key
// (issuer_index_key) whenever an Issuer or ClusterIssuer is added, changed or deleted, so a
// controller can re-queue the objects that name it (index the objects with issuer_ref_key).
IssuerLookup watch_issuers(manager::ControllerContext& context,
                           const std::function<void(const std::string&)>& on_issuer);

// The index key of the issuer a raw object's spec.issuerRef names (CertificateRequests, Orders
// and Challenges have the same shape): "Issuer/<object's namespace>/<name>" or
// "ClusterIssuer/<name>"; an empty kind means Issuer.
std::string issuer_ref_key(const nlohmann::json& object);

// The acme.cert-manager.io/v1 resources the ACME signer and the orders and challenges
// controllers share.
kube::ResourceRef orders_resource();
kube::ResourceRef challenges_resource();

// An index function: the UID of a raw object's controller owner (ownerReferences entry with
// controller: true), if any. Finds the Orders of a request and the Challenges of an Order.
std::vector<std::string> controller_owner_uid(const nlohmann::json& object);

}  // namespace certkeeper::issuers
