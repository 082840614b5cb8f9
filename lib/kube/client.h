#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lib/common/clock.h"
#include "lib/common/error.h"
#include "lib/http/client.h"
#include "lib/kube/config.h"
#include "lib/kube/rate_limiter.h"

namespace certkeeper::kube {

// Names a collection or one object: group "" is the core API. `ns` empty means cluster-scoped
// (or, for a list, all namespaces); `name` empty means the collection.
struct ResourceRef {
  std::string group;
  std::string version;
  std::string resource;  // plural, lower case: "secrets", "certificates"
  std::string ns;
  std::string name;
  std::string subresource;  // "status", "token", ...

  // "/api/v1/namespaces/default/secrets/tls" and friends.
  [[nodiscard]] std::string path() const;
  [[nodiscard]] ResourceRef with_name(std::string n) const;
  [[nodiscard]] ResourceRef with_namespace(std::string n) const;
  [[nodiscard]] ResourceRef with_subresource(std::string s) const;
};

struct ListOptions {
  std::string label_selector;
  std::string field_selector;
  int limit = 0;  // 0: no pagination
  std::string continue_token;
  std::string resource_version;
};

struct WriteOptions {
  bool dry_run = false;  // dryRun=All: validated and admitted, not persisted
  std::string field_manager;
};

struct DeleteOptions {
  bool dry_run = false;
  std::optional<std::string> precondition_uid;
  std::optional<std::string> precondition_resource_version;
  std::string propagation_policy;  // "", "Orphan", "Background", "Foreground"
};

enum class PatchType {
  kMerge,           // RFC 7386 JSON merge patch
  kJson,            // RFC 6902 JSON patch
  kStrategicMerge,  // built-in types only
};

struct ApplyOptions {
  std::string field_manager;  // required: server-side apply records ownership under it
  bool force = false;         // take over fields another manager owns instead of a 409
  bool dry_run = false;
};

// What discovery says about a kind.
struct ResourceInfo {
  std::string resource;  // plural
  bool namespaced = false;
  std::vector<std::string> verbs;
};

// Turns a non-2xx API response into an Error: the Status body's reason and message, the HTTP
// status, and the Retry-After of a 429. 404 → kNotFound, 409 → kConflict (kAlreadyExists for
// reason AlreadyExists), 410 → kGone, 400/422 → kInvalidArgument, 401 → kUnauthenticated,
// 403 → kPermissionDenied, 429 → kRateLimited, 5xx → kUnavailable. Pure; unit-tested.
common::Error status_error(const http::Response& response, std::string_view what);

// Whether the API server runs API Priority and Fairness (server-side flow control, on by default
// since Kubernetes 1.20, GA in 1.29): it then names the FlowSchema that classified a request in
// the X-Kubernetes-PF-FlowSchema-UID response header. One GET /version. Controllers turn their
// client-side rate limiter off when it does, as cert-manager 1.21 and controller-runtime do.
class Client;
common::Result<bool> server_has_priority_and_fairness(Client& client);

// A REST client for one API server and identity. Objects are nlohmann::json as the server sends
// them; typed views live in lib/api. Requests pass the client-side rate limiter, carry the
// current bearer token (refreshed once after a 401) and have a 30 s timeout by default.
//
// Thread-safe; share one per process.
class Client {
 public:
  Client(RestConfig config, std::shared_ptr<http::HttpClient> http, const common::Clock& clock);

  // The usual way: a CurlHttpClient built from the config's TLS settings.
  static std::unique_ptr<Client> create(RestConfig config, const common::Clock& clock);

  common::Result<nlohmann::json> get(const ResourceRef& ref);
  // One page; the result's metadata.continue names the next.
  common::Result<nlohmann::json> list(const ResourceRef& ref, const ListOptions& options = {});
  // Every page (options.limit is the page size), items concatenated in one List.
  common::Result<nlohmann::json> list_all(const ResourceRef& ref, ListOptions options = {});
  // POSTs to the collection of `ref` (its name is ignored), or, when `ref` has a subresource,
  // to that subresource of the named object (e.g. a TokenRequest).
  common::Result<nlohmann::json> create(const ResourceRef& ref, const nlohmann::json& object,
                                        const WriteOptions& options = {});
  // PUT: optimistic concurrency through metadata.resourceVersion (409 → kConflict when stale).
  common::Result<nlohmann::json> update(const ResourceRef& ref, const nlohmann::json& object,
                                        const WriteOptions& options = {});
  common::Result<nlohmann::json> patch(const ResourceRef& ref, PatchType type,
                                       const nlohmann::json& patch,
                                       const WriteOptions& options = {});
  // Server-side apply (PATCH application/apply-patch+yaml with a JSON body).
  common::Result<nlohmann::json> apply(const ResourceRef& ref, const nlohmann::json& object,
                                       const ApplyOptions& options);
  // Returns the Status or the object as the server answers (it may still have finalizers).
  common::Result<nlohmann::json> remove(const ResourceRef& ref, const DeleteOptions& options = {});

  // Finds the plural and scope of `kind` in group/version (discovery).
  common::Result<ResourceInfo> discover(const std::string& group, const std::string& version,
                                        const std::string& kind);

  // The raw exchange underneath every call, for watches and the odd endpoint. Returns the
  // response whatever its status; with `stream`, the body goes to it as it arrives.
  struct RawRequest {
    std::string method = "GET";
    std::string path;  // path and query, appended to the server URL
    std::string body;
    std::string content_type;
    std::string accept = "application/json";
    std::chrono::milliseconds timeout{std::chrono::seconds(30)};
    std::stop_token stop;
  };
  common::Result<http::Response> request(const RawRequest& raw,
                                         const http::BodyChunkHandler* stream = nullptr);

  [[nodiscard]] const RestConfig& config() const { return config_; }

 private:
  common::Result<nlohmann::json> call(const std::string& method, const std::string& path,
                                      const std::string& body, const std::string& content_type,
                                      std::string_view what);

  RestConfig config_;
  std::shared_ptr<http::HttpClient> http_;
  const common::Clock& clock_;
  TokenBucket limiter_;
};

}  // namespace certkeeper::kube
