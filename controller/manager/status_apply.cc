#include "controller/manager/status_apply.h"

#include <algorithm>

#include <fmt/format.h>

#include "lib/common/log.h"

namespace certkeeper::manager {

using nlohmann::json;

json status_apply_body(const json& encoded, const StatusOwnership& owned) {
  json body = json::object();
  body["apiVersion"] = encoded.value("apiVersion", "");
  body["kind"] = encoded.value("kind", "");
  json metadata = json::object();
  if (const auto md = encoded.find("metadata"); md != encoded.end() && md->is_object()) {
    metadata["name"] = md->value("name", "");
    if (const auto ns = md->find("namespace"); ns != md->end() && ns->is_string()) {
      metadata["namespace"] = *ns;
    }
  }
  body["metadata"] = std::move(metadata);

  json status = json::object();
  const auto in = encoded.find("status");
  if (in != encoded.end() && in->is_object()) {
    json conditions = json::array();
    if (const auto list = in->find("conditions"); list != in->end() && list->is_array()) {
      for (const auto& condition : *list) {
        const std::string type = condition.value("type", "");
        if (std::find(owned.condition_types.begin(), owned.condition_types.end(), type) !=
            owned.condition_types.end()) {
          conditions.push_back(condition);
        }
      }
    }
    if (!conditions.empty()) {
      status["conditions"] = std::move(conditions);
    }
    for (const auto field : owned.fields) {
      if (const auto it = in->find(std::string(field)); it != in->end()) {
        status[std::string(field)] = *it;
      }
    }
  }
  body["status"] = std::move(status);
  return body;
}

common::Status apply_status(kube::Client& client, const kube::ResourceRef& object_ref,
                            const json& body, std::string_view controller) {
  auto applied =
      client.apply(object_ref.with_subresource("status"), body,
                   {.field_manager = fmt::format("certkeeper-{}", controller), .force = true});
  if (!applied) {
    return tl::unexpected(applied.error().wrap(
        fmt::format("applying the status of {}/{}", object_ref.ns, object_ref.name)));
  }
  return common::ok();
}

kube::ReconcileResult write_result(const common::Status& status, std::string_view controller,
                                   std::string_view key) {
  if (status) {
    return kube::ReconcileResult::done();
  }
  if (status.error().code() == common::ErrorCode::kConflict) {
    return kube::ReconcileResult::conflict();
  }
  common::logger(controller)->warn("{}: {}", key, status.error().to_string());
  return kube::ReconcileResult::retry();
}

}  // namespace certkeeper::manager
