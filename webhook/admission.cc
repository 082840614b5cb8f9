#include "webhook/admission.h"

#include <utility>

#include <fmt/format.h>

#include "lib/api/codec.h"
#include "lib/common/encoding.h"

namespace certkeeper::webhook {

namespace {

using nlohmann::json;

common::Error bad(std::string_view field, std::string_view what) {
  return common::Error(common::ErrorCode::kInvalidArgument,
                       fmt::format("AdmissionReview {}: {}", field, what));
}

// An optional string member; a present member of another type is an error.
common::Status read_string(const json& object, const char* key, std::string_view path,
                           std::string& out) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) {
    return common::ok();
  }
  if (!it->is_string()) {
    return tl::unexpected(bad(fmt::format("{}.{}", path, key), "expected a string"));
  }
  out = it->get<std::string>();
  return common::ok();
}

common::Status read_strings(const json& object, const char* key, std::string_view path,
                            std::vector<std::string>& out) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) {
    return common::ok();
  }
  if (!it->is_array()) {
    return tl::unexpected(bad(fmt::format("{}.{}", path, key), "expected a list of strings"));
  }
  for (const auto& item : *it) {
    if (!item.is_string()) {
      return tl::unexpected(bad(fmt::format("{}.{}", path, key), "expected a list of strings"));
    }
    out.push_back(item.get<std::string>());
  }
  return common::ok();
}

template <typename... Fields>
common::Status read_all(const json& object, std::string_view path, Fields... fields) {
  common::Status status = common::ok();
  (
      [&] {
        if (status) {
          status = read_string(object, fields.first, path, *fields.second);
        }
      }(),
      ...);
  return status;
}

common::Status read_user_info(const json& object, UserInfo& out) {
  if (!object.is_object()) {
    return tl::unexpected(bad("request.userInfo", "expected an object"));
  }
  if (auto s = read_all(object, "request.userInfo", std::pair{"username", &out.username},
                        std::pair{"uid", &out.uid});
      !s) {
    return s;
  }
  if (auto s = read_strings(object, "groups", "request.userInfo", out.groups); !s) {
    return s;
  }
  auto extra = object.find("extra");
  if (extra != object.end() && !extra->is_null()) {
    if (!extra->is_object()) {
      return tl::unexpected(bad("request.userInfo.extra", "expected an object"));
    }
    for (const auto& [key, values] : extra->items()) {
      std::vector<std::string> list;
      if (auto s = read_strings(*extra, key.c_str(), "request.userInfo.extra", list); !s) {
        return s;
      }
      out.extra[key] = std::move(list);
    }
  }
  return common::ok();
}

json user_info_json(const UserInfo& user) {
  json out = json::object();
  out["username"] = user.username;
  if (!user.uid.empty()) {
    out["uid"] = user.uid;
  }
  if (!user.groups.empty()) {
    out["groups"] = user.groups;
  }
  if (!user.extra.empty()) {
    out["extra"] = user.extra;
  }
  return out;
}

common::Status check_envelope(const json& review) {
  if (!review.is_object()) {
    return tl::unexpected(bad("body", "expected a JSON object"));
  }
  auto api_version = review.find("apiVersion");
  if (api_version == review.end() || *api_version != kAdmissionApiVersion) {
    return tl::unexpected(bad("apiVersion", fmt::format("expected {}", kAdmissionApiVersion)));
  }
  auto kind = review.find("kind");
  if (kind == review.end() || *kind != "AdmissionReview") {
    return tl::unexpected(bad("kind", "expected AdmissionReview"));
  }
  return common::ok();
}

}  // namespace

common::Result<AdmissionRequest> decode_review(const json& review) {
  if (auto s = check_envelope(review); !s) {
    return tl::unexpected(s.error());
  }
  auto it = review.find("request");
  if (it == review.end() || !it->is_object()) {
    return common::make_error(bad("request", "missing"));
  }
  const json& r = *it;
  AdmissionRequest out;
  const json empty = json::object();
  const json& kind = r.contains("kind") && r["kind"].is_object() ? r["kind"] : empty;
  const json& resource =
      r.contains("resource") && r["resource"].is_object() ? r["resource"] : empty;
  for (auto status : {
           read_all(r, "request", std::pair{"uid", &out.uid},
                    std::pair{"subResource", &out.sub_resource}, std::pair{"name", &out.name},
                    std::pair{"namespace", &out.ns}, std::pair{"operation", &out.operation}),
           read_all(kind, "request.kind", std::pair{"group", &out.kind.group},
                    std::pair{"version", &out.kind.version}, std::pair{"kind", &out.kind.kind}),
           read_all(resource, "request.resource", std::pair{"group", &out.resource.group},
                    std::pair{"version", &out.resource.version},
                    std::pair{"resource", &out.resource.resource}),
       }) {
    if (!status) {
      return tl::unexpected(status.error());
    }
  }
  if (out.uid.empty()) {
    return common::make_error(bad("request.uid", "missing"));
  }
  if (auto user = r.find("userInfo"); user != r.end() && !user->is_null()) {
    if (auto s = read_user_info(*user, out.user_info); !s) {
      return tl::unexpected(s.error());
    }
  }
  if (auto object = r.find("object"); object != r.end()) {
    out.object = *object;
  }
  if (auto old = r.find("oldObject"); old != r.end()) {
    out.old_object = *old;
  }
  if (auto dry = r.find("dryRun"); dry != r.end() && dry->is_boolean()) {
    out.dry_run = dry->get<bool>();
  }
  return out;
}

json encode_review(const AdmissionRequest& request) {
  json r = {
      {"uid", request.uid},
      {"kind",
       {{"group", request.kind.group},
        {"version", request.kind.version},
        {"kind", request.kind.kind}}},
      {"resource",
       {{"group", request.resource.group},
        {"version", request.resource.version},
        {"resource", request.resource.resource}}},
      {"operation", request.operation},
      {"userInfo", user_info_json(request.user_info)},
      {"object", request.object},
      {"oldObject", request.old_object},
      {"dryRun", request.dry_run},
  };
  if (!request.sub_resource.empty()) {
    r["subResource"] = request.sub_resource;
  }
  if (!request.name.empty()) {
    r["name"] = request.name;
  }
  if (!request.ns.empty()) {
    r["namespace"] = request.ns;
  }
  return {{"apiVersion", kAdmissionApiVersion}, {"kind", "AdmissionReview"}, {"request", r}};
}

json encode_review_response(const AdmissionResponse& response) {
  json r = {{"uid", response.uid}, {"allowed", response.allowed}};
  if (!response.allowed || response.status_code != 0) {
    json status = {{"code", response.status_code}, {"message", response.status_message}};
    if (!response.status_reason.empty()) {
      status["reason"] = response.status_reason;
    }
    r["status"] = std::move(status);
  }
  if (!response.warnings.empty()) {
    r["warnings"] = response.warnings;
  }
  if (response.patch) {
    r["patchType"] = "JSONPatch";
    r["patch"] = common::base64_encode(response.patch->dump());
  }
  return {{"apiVersion", kAdmissionApiVersion}, {"kind", "AdmissionReview"}, {"response", r}};
}

common::Result<AdmissionResponse> decode_review_response(const json& review) {
  if (auto s = check_envelope(review); !s) {
    return tl::unexpected(s.error());
  }
  auto it = review.find("response");
  if (it == review.end() || !it->is_object()) {
    return common::make_error(bad("response", "missing"));
  }
  const json& r = *it;
  AdmissionResponse out;
  if (auto s = read_string(r, "uid", "response", out.uid); !s) {
    return tl::unexpected(s.error());
  }
  if (!r.contains("allowed") || !r["allowed"].is_boolean()) {
    return common::make_error(bad("response.allowed", "expected a boolean"));
  }
  out.allowed = r["allowed"].get<bool>();
  if (auto status = r.find("status"); status != r.end() && status->is_object()) {
    if (status->contains("code") && (*status)["code"].is_number_integer()) {
      out.status_code = (*status)["code"].get<int>();
    }
    if (auto s = read_all(*status, "response.status", std::pair{"reason", &out.status_reason},
                          std::pair{"message", &out.status_message});
        !s) {
      return tl::unexpected(s.error());
    }
  }
  if (auto s = read_strings(r, "warnings", "response", out.warnings); !s) {
    return tl::unexpected(s.error());
  }
  if (auto patch = r.find("patch"); patch != r.end() && patch->is_string()) {
    auto bytes = common::base64_decode(patch->get<std::string>());
    if (!bytes) {
      return common::make_error(bad("response.patch", "not base64"));
    }
    auto parsed = api::parse_json(*bytes);
    if (!parsed) {
      return common::make_error(bad("response.patch", parsed.error().message()));
    }
    out.patch = std::move(*parsed);
  }
  return out;
}

AdmissionResponse allow(std::string uid, std::vector<std::string> warnings) {
  AdmissionResponse out;
  out.uid = std::move(uid);
  out.warnings = std::move(warnings);
  return out;
}

AdmissionResponse deny(std::string uid, std::string message, std::vector<std::string> warnings) {
  AdmissionResponse out;
  out.uid = std::move(uid);
  out.allowed = false;
  out.status_code = 403;
  out.status_reason = "Forbidden";
  out.status_message = std::move(message);
  out.warnings = std::move(warnings);
  return out;
}

AdmissionResponse errored(std::string uid, int code, std::string message) {
  AdmissionResponse out;
  out.uid = std::move(uid);
  out.allowed = false;
  out.status_code = code;
  out.status_message = std::move(message);
  return out;
}

}  // namespace certkeeper::webhook
