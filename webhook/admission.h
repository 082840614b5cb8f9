#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lib/common/error.h"

// The admission.k8s.io/v1 AdmissionReview wire format: what the API server POSTs to /validate
// and /mutate, and what it expects back. Plain values and pure functions; thread-safe.
namespace certkeeper::webhook {

// metav1.GroupVersionKind / GroupVersionResource as the request names them.
struct GroupVersionKind {
  std::string group;
  std::string version;
  std::string kind;
  friend bool operator==(const GroupVersionKind&, const GroupVersionKind&) = default;
};
struct GroupVersionResource {
  std::string group;
  std::string version;
  std::string resource;
  friend bool operator==(const GroupVersionResource&, const GroupVersionResource&) = default;
};

// authentication/v1 UserInfo of whoever made the request.
struct UserInfo {
  std::string username;
  std::string uid;
  std::vector<std::string> groups;
  std::map<std::string, std::vector<std::string>> extra;
  friend bool operator==(const UserInfo&, const UserInfo&) = default;
};

struct AdmissionRequest {
  std::string uid;
  GroupVersionKind kind;
  GroupVersionResource resource;
  std::string sub_resource;  // "status" for status updates
  std::string name;
  std::string ns;
  std::string operation;  // CREATE, UPDATE, DELETE, CONNECT
  UserInfo user_info;
  nlohmann::json object;      // null when absent (DELETE)
  nlohmann::json old_object;  // null when absent (CREATE)
  bool dry_run = false;
  friend bool operator==(const AdmissionRequest&, const AdmissionRequest&) = default;
};

struct AdmissionResponse {
  std::string uid;
  bool allowed = true;
  // For a denial: metav1.Status code, reason and message (kubectl prints the message after
  // `admission webhook "..." denied the request: `).
  int status_code = 0;
  std::string status_reason;
  std::string status_message;
  std::vector<std::string> warnings;
  // RFC 6902 operations (mutating only); sent base64-encoded with patchType JSONPatch.
  std::optional<nlohmann::json> patch;
  friend bool operator==(const AdmissionResponse&, const AdmissionResponse&) = default;
};

inline constexpr std::string_view kAdmissionApiVersion = "admission.k8s.io/v1";

// The request inside an AdmissionReview. kInvalidArgument naming the field when the body is not
// an admission.k8s.io/v1 AdmissionReview with a request.
common::Result<AdmissionRequest> decode_review(const nlohmann::json& review);
// The request as an AdmissionReview (tests and tools send it; round-trips with decode_review).
nlohmann::json encode_review(const AdmissionRequest& request);

// The AdmissionReview carrying `response`.
nlohmann::json encode_review_response(const AdmissionResponse& response);
// The response inside an AdmissionReview (for tests; round-trips with encode_review_response).
common::Result<AdmissionResponse> decode_review_response(const nlohmann::json& review);

// Responses.
AdmissionResponse allow(std::string uid, std::vector<std::string> warnings = {});
// 403 Forbidden with `message`, as controller-runtime's admission.Denied.
AdmissionResponse deny(std::string uid, std::string message,
                       std::vector<std::string> warnings = {});
// A request the webhook could not process (malformed body, API server unreachable).
AdmissionResponse errored(std::string uid, int code, std::string message);

}  // namespace certkeeper::webhook
