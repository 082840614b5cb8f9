#include "lib/kube/client.h"

#include <thread>

#include <fmt/format.h>

#include "lib/http/curl_client.h"

namespace certkeeper::kube {
namespace {

using common::ErrorCode;
using common::make_error;
using nlohmann::json;

// Percent-encodes a query value (RFC 3986 unreserved characters pass through).
std::string query_escape(std::string_view value) {
  std::string out;
  for (const char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if ((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out.push_back(c);
    } else {
      out += fmt::format("%{:02X}", u);
    }
  }
  return out;
}

// Collects "k=v" query parameters and renders "?a=b&c=d" (or nothing).
class Query {
 public:
  Query& add(std::string_view key, std::string_view value) {
    if (!value.empty()) {
      text_ += text_.empty() ? '?' : '&';
      text_ += key;
      text_ += '=';
      text_ += query_escape(value);
    }
    return *this;
  }
  [[nodiscard]] const std::string& str() const { return text_; }

 private:
  std::string text_;
};

std::string write_query(const WriteOptions& options) {
  return Query()
      .add("dryRun", options.dry_run ? "All" : "")
      .add("fieldManager", options.field_manager)
      .str();
}

}  // namespace

std::string ResourceRef::path() const {
  std::string p =
      group.empty() ? fmt::format("/api/{}", version) : fmt::format("/apis/{}/{}", group, version);
  if (!ns.empty()) {
    p += fmt::format("/namespaces/{}", ns);
  }
  p += "/" + resource;
  if (!name.empty()) {
    p += "/" + name;
    if (!subresource.empty()) {
      p += "/" + subresource;
    }
  }
  return p;
}

ResourceRef ResourceRef::with_name(std::string n) const {
  ResourceRef r = *this;
  r.name = std::move(n);
  return r;
}
ResourceRef ResourceRef::with_namespace(std::string n) const {
  ResourceRef r = *this;
  r.ns = std::move(n);
  return r;
}
ResourceRef ResourceRef::with_subresource(std::string s) const {
  ResourceRef r = *this;
  r.subresource = std::move(s);
  return r;
}

common::Error status_error(const http::Response& response, std::string_view what) {
  std::string reason;
  std::string message;
  const auto body = json::parse(response.body, nullptr, false);
  if (!body.is_discarded() && body.is_object() && body.value("kind", "") == "Status") {
    reason = body.value("reason", "");
    message = body.value("message", "");
  }
  if (message.empty()) {
    message = response.body.substr(0, 200);
  }
  ErrorCode code = ErrorCode::kUnavailable;
  switch (response.status) {
    case 400:
    case 422:
      code = ErrorCode::kInvalidArgument;
      break;
    case 401:
      code = ErrorCode::kUnauthenticated;
      break;
    case 403:
      code = ErrorCode::kPermissionDenied;
      break;
    case 404:
      code = ErrorCode::kNotFound;
      break;
    case 409:
      code = reason == "AlreadyExists" ? ErrorCode::kAlreadyExists : ErrorCode::kConflict;
      break;
    case 410:
      code = ErrorCode::kGone;
      break;
    case 429:
      code = ErrorCode::kRateLimited;
      break;
    case 504:
      code = ErrorCode::kTimeout;
      break;
    default:
      code = response.status >= 500 ? ErrorCode::kUnavailable : ErrorCode::kInternal;
      break;
  }
  common::Error error(code, fmt::format("{}: {}", what, message));
  error.with_http_status(response.status);
  if (!reason.empty()) {
    error.with_reason(reason);
  }
  if (const auto retry = response.headers.get("Retry-After")) {
    try {
      error.with_retry_after(std::chrono::seconds(std::stoll(*retry)));
    } catch (const std::exception&) {
      // An HTTP-date Retry-After from an apiserver does not happen; ignore anything unparsable.
    }
  }
  return error;
}

Client::Client(RestConfig config, std::shared_ptr<http::HttpClient> http,
               const common::Clock& clock)
    : config_(std::move(config)),
      http_(std::move(http)),
      clock_(clock),
      limiter_(config_.qps, config_.burst, clock) {}

std::unique_ptr<Client> Client::create(RestConfig config, const common::Clock& clock) {
  http::ClientOptions options;
  options.tls = config.tls;
  options.user_agent = config.user_agent;
  auto http = std::make_shared<http::CurlHttpClient>(options);
  return std::make_unique<Client>(std::move(config), std::move(http), clock);
}

common::Result<http::Response> Client::request(const RawRequest& raw,
                                               const http::BodyChunkHandler* stream) {
  http::Request req;
  req.method = raw.method;
  req.url = config_.server + raw.path;
  req.body = raw.body;
  req.timeout = raw.timeout;
  req.stop = raw.stop;
  req.headers.add("Accept", raw.accept);
  if (!raw.content_type.empty()) {
    req.headers.add("Content-Type", raw.content_type);
  }
  // One retry after a 401 with a freshly read token: projected tokens rotate under us.
  for (int attempt = 0;; ++attempt) {
    if (const auto delay = limiter_.reserve(); delay.count() > 0) {
      std::this_thread::sleep_for(delay);
    }
    http::Request sent = req;
    if (config_.token) {
      auto token = config_.token->token();
      if (!token) {
        return make_error(token.error());
      }
      sent.headers.add("Authorization", "Bearer " + token->value);
    }
    auto response = stream != nullptr ? http_->send_streaming(sent, *stream) : http_->send(sent);
    if (response && response->status == 401 && config_.token && attempt == 0) {
      config_.token->invalidate();
      continue;
    }
    return response;
  }
}

common::Result<json> Client::call(const std::string& method, const std::string& path,
                                  const std::string& body, const std::string& content_type,
                                  std::string_view what) {
  auto response =
      request({.method = method, .path = path, .body = body, .content_type = content_type});
  if (!response) {
    return make_error(response.error().wrap(what));
  }
  if (response->status < 200 || response->status >= 300) {
    return make_error(status_error(*response, what));
  }
  auto doc = json::parse(response->body, nullptr, false);
  if (doc.is_discarded()) {
    return make_error(ErrorCode::kUnavailable,
                      fmt::format("{}: the API server answered with invalid JSON", what));
  }
  return doc;
}

common::Result<json> Client::get(const ResourceRef& ref) {
  return call("GET", ref.path(), "", "", fmt::format("get {}", ref.path()));
}

common::Result<json> Client::list(const ResourceRef& ref, const ListOptions& options) {
  const std::string query =
      Query()
          .add("labelSelector", options.label_selector)
          .add("fieldSelector", options.field_selector)
          .add("limit", options.limit > 0 ? std::to_string(options.limit) : std::string())
          .add("continue", options.continue_token)
          .add("resourceVersion", options.resource_version)
          .str();
  return call("GET", ref.path() + query, "", "", fmt::format("list {}", ref.path()));
}

common::Result<json> Client::list_all(const ResourceRef& ref, ListOptions options) {
  json all;
  while (true) {
    auto page = list(ref, options);
    if (!page) {
      return page;
    }
    if (all.is_null()) {
      all = std::move(*page);
      if (!all.contains("items") || all["items"].is_null()) {
        all["items"] = json::array();
      }
    } else {
      for (auto& item : (*page)["items"]) {
        all["items"].push_back(std::move(item));
      }
      all["metadata"]["resourceVersion"] = (*page)["metadata"].value("resourceVersion", "");
      all["metadata"]["continue"] = (*page)["metadata"].value("continue", "");
    }
    options.continue_token = all["metadata"].value("continue", "");
    if (options.continue_token.empty()) {
      all["metadata"].erase("continue");
      return all;
    }
  }
}

common::Result<json> Client::create(const ResourceRef& ref, const json& object,
                                    const WriteOptions& options) {
  // POST goes to the collection, or to a named object's subresource (serviceaccounts/x/token).
  const std::string path = ref.subresource.empty() ? ref.with_name("").path() : ref.path();
  return call("POST", path + write_query(options), object.dump(), "application/json",
              fmt::format("create {}", path));
}

common::Result<json> Client::update(const ResourceRef& ref, const json& object,
                                    const WriteOptions& options) {
  return call("PUT", ref.path() + write_query(options), object.dump(), "application/json",
              fmt::format("update {}", ref.path()));
}

common::Result<json> Client::patch(const ResourceRef& ref, PatchType type, const json& patch,
                                   const WriteOptions& options) {
  const char* content_type = type == PatchType::kMerge  ? "application/merge-patch+json"
                             : type == PatchType::kJson ? "application/json-patch+json"
                                                        : "application/strategic-merge-patch+json";
  return call("PATCH", ref.path() + write_query(options), patch.dump(), content_type,
              fmt::format("patch {}", ref.path()));
}

common::Result<json> Client::apply(const ResourceRef& ref, const json& object,
                                   const ApplyOptions& options) {
  if (options.field_manager.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "apply: a field manager is required");
  }
  const std::string query = Query()
                                .add("fieldManager", options.field_manager)
                                .add("force", options.force ? "true" : "")
                                .add("dryRun", options.dry_run ? "All" : "")
                                .str();
  // YAML is a superset of JSON, so a JSON body is a valid apply patch.
  return call("PATCH", ref.path() + query, object.dump(), "application/apply-patch+yaml",
              fmt::format("apply {}", ref.path()));
}

common::Result<json> Client::remove(const ResourceRef& ref, const DeleteOptions& options) {
  json body = {{"apiVersion", "v1"}, {"kind", "DeleteOptions"}};
  if (options.dry_run) {
    body["dryRun"] = json::array({"All"});
  }
  if (!options.propagation_policy.empty()) {
    body["propagationPolicy"] = options.propagation_policy;
  }
  if (options.precondition_uid) {
    body["preconditions"]["uid"] = *options.precondition_uid;
  }
  if (options.precondition_resource_version) {
    body["preconditions"]["resourceVersion"] = *options.precondition_resource_version;
  }
  return call("DELETE", ref.path(), body.dump(), "application/json",
              fmt::format("delete {}", ref.path()));
}

common::Result<ResourceInfo> Client::discover(const std::string& group, const std::string& version,
                                              const std::string& kind) {
  const std::string path =
      group.empty() ? fmt::format("/api/{}", version) : fmt::format("/apis/{}/{}", group, version);
  auto doc = call("GET", path, "", "", fmt::format("discover {}", path));
  if (!doc) {
    return make_error(doc.error());
  }
  for (const auto& r : doc->value("resources", json::array())) {
    const std::string name = r.value("name", "");
    // Subresources ("secrets/status") share the kind; the collection has no slash.
    if (r.value("kind", "") == kind && name.find('/') == std::string::npos) {
      ResourceInfo info{name, r.value("namespaced", false), {}};
      for (const auto& v : r.value("verbs", json::array())) {
        info.verbs.push_back(v.get<std::string>());
      }
      return info;
    }
  }
  return make_error(ErrorCode::kNotFound,
                    fmt::format("discover: no kind {} in {}", kind,
                                group.empty() ? version : group + "/" + version));
}

common::Result<bool> server_has_priority_and_fairness(Client& client) {
  // /version is readable by everyone (system:public-info-viewer); the header is set by the flow
  // control filter, which runs before authorization, so even a refusal would carry it.
  auto response = client.request({.path = "/version", .timeout = std::chrono::seconds(10)});
  if (!response) {
    return tl::unexpected(response.error());
  }
  return response->headers.get("X-Kubernetes-PF-FlowSchema-UID").has_value();
}

}  // namespace certkeeper::kube
