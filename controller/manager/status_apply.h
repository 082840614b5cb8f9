#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "lib/common/error.h"
#include "lib/kube/client.h"
#include "lib/kube/workqueue.h"

namespace certkeeper::manager {

// What one controller owns in an object's status (docs/design/20261128-controllers.md,
// "Writing"): the condition types it sets and the other status members it writes.
struct StatusOwnership {
  std::vector<std::string_view> condition_types;
  std::vector<std::string_view> fields;  // e.g. "certificate", "ca", "failureTime"
};

// The server-side apply body for the status subresource: apiVersion, kind, metadata name and
// namespace of `encoded` (an object as lib/api encodes it), and from its status only the owned
// conditions and fields. A member that is absent from `encoded` is left out, so applying the
// body releases it. Pure.
nlohmann::json status_apply_body(const nlohmann::json& encoded, const StatusOwnership& owned);

// Applies `body` to the status subresource of `object_ref` (a named object) with the field
// manager "certkeeper-<controller>" and force, as every controller writes status.
common::Status apply_status(kube::Client& client, const kube::ResourceRef& object_ref,
                            const nlohmann::json& body, std::string_view controller);

// What a reconcile returns after a write: done; conflict() for a 409 (a stale copy; the cache
// catches up); otherwise retry() with the error logged under the controller's name.
kube::ReconcileResult write_result(const common::Status& status, std::string_view controller,
                                   std::string_view key);

}  // namespace certkeeper::manager
