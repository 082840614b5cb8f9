#include "lib/kube/informer.h"

#include <malloc.h>

#include <algorithm>
#include <mutex>
#include <unordered_set>

#include <fmt/format.h>

#include "lib/common/backoff.h"
#include "lib/common/log.h"
#include "lib/common/stop.h"

namespace certkeeper::kube {
namespace {

using common::ErrorCode;
using common::make_error;
using nlohmann::json;

constexpr const char* kNamespaceIndex = "namespace";

std::string selector_query(const InformerOptions& o) {
  std::string q;
  const auto add = [&q](std::string_view k, const std::string& v) {
    if (!v.empty()) {
      q += fmt::format("&{}={}", k, v);
    }
  };
  // Selectors are passed through as typed by the caller; escape the few characters that matter.
  std::string label = o.label_selector;
  std::string field = o.field_selector;
  for (auto* s : {&label, &field}) {
    std::string escaped;
    for (const char c : *s) {
      switch (c) {
        case '=':
          escaped += "%3D";
          break;
        case ',':
          escaped += "%2C";
          break;
        case '!':
          escaped += "%21";
          break;
        case ' ':
          escaped += "%20";
          break;
        default:
          escaped.push_back(c);
      }
    }
    *s = escaped;
  }
  add("labelSelector", label);
  add("fieldSelector", field);
  return q;
}

std::string rv_of(const json& object) {
  const auto md = object.find("metadata");
  if (md == object.end() || !md->is_object()) {
    return "";
  }
  return md->value("resourceVersion", "");
}

}  // namespace

std::string object_key(const json& object) {
  const auto md = object.find("metadata");
  if (md == object.end() || !md->is_object()) {
    return "";
  }
  const std::string ns = md->value("namespace", "");
  const std::string name = md->value("name", "");
  return ns.empty() ? name : ns + "/" + name;
}

common::Status WatchDecoder::feed(std::string_view bytes,
                                  const std::function<void(Event)>& on_event) {
  partial_.append(bytes);
  std::size_t start = 0;
  while (true) {
    const std::size_t nl = partial_.find('\n', start);
    if (nl == std::string::npos) {
      break;
    }
    std::string_view line(partial_.data() + start, nl - start);
    start = nl + 1;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) {
      line.remove_suffix(1);
    }
    if (line.empty()) {
      continue;
    }
    auto doc = json::parse(line, nullptr, false);
    if (doc.is_discarded() || !doc.is_object() || !doc.contains("type") ||
        !doc["type"].is_string() || !doc.contains("object")) {
      partial_.clear();
      return make_error(ErrorCode::kUnavailable, "watch stream: malformed event");
    }
    on_event(Event{doc["type"].get<std::string>(), std::move(doc["object"])});
  }
  partial_.erase(0, start);
  return common::ok();
}

Informer::Informer(Client& client, InformerOptions options, const common::Clock& clock)
    : client_(client), options_(std::move(options)), clock_(clock) {
  indexers_[kNamespaceIndex] = [](const json& o) {
    return std::vector<std::string>{o["metadata"].value("namespace", "")};
  };
}

Informer::~Informer() { stop(); }

void Informer::add_handlers(EventHandlers handlers) { handlers_.push_back(std::move(handlers)); }

void Informer::add_index(const std::string& name,
                         std::function<std::vector<std::string>(const json&)> fn) {
  indexers_[name] = std::move(fn);
}

void Informer::start() {
  thread_ = std::jthread([this](std::stop_token stop) { run(std::move(stop)); });
}

void Informer::request_stop() {
  if (thread_.joinable()) {
    thread_.request_stop();
  }
}

void Informer::stop() {
  if (thread_.joinable()) {
    thread_.request_stop();
    thread_.join();
  }
}

bool Informer::wait_for_sync(std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!synced_.load()) {
    if (std::chrono::steady_clock::now() >= deadline) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

ObjectPtr Informer::decode(const Stored& stored) {
  // Our own encoding of an object that parsed once: it cannot fail short of memory corruption.
  return std::make_shared<const json>(json::from_msgpack(stored.packed, true, false));
}

ObjectPtr Informer::get(const std::string& key) const {
  std::shared_lock lock(mu_);
  auto it = items_.find(key);
  return it == items_.end() ? nullptr : decode(it->second);
}

std::vector<ObjectPtr> Informer::list() const {
  std::shared_lock lock(mu_);
  std::vector<ObjectPtr> out;
  out.reserve(items_.size());
  for (const auto& [_, stored] : items_) {
    out.push_back(decode(stored));
  }
  return out;
}

std::vector<ObjectPtr> Informer::by_index(const std::string& index,
                                          const std::string& value) const {
  std::shared_lock lock(mu_);
  std::vector<ObjectPtr> out;
  auto idx = indexes_.find(index);
  if (idx == indexes_.end()) {
    return out;
  }
  auto keys = idx->second.find(value);
  if (keys == idx->second.end()) {
    return out;
  }
  for (const auto& k : keys->second) {
    if (auto it = items_.find(k); it != items_.end()) {
      out.push_back(decode(it->second));
    }
  }
  return out;
}

std::size_t Informer::size() const {
  std::shared_lock lock(mu_);
  return items_.size();
}

std::string Informer::accept(bool list) const {
  if (!options_.metadata_only) {
    return "application/json";
  }
  return list ? "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1"
              : "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1";
}

void Informer::erase_locked(const std::string& key) {
  auto it = items_.find(key);
  if (it == items_.end()) {
    return;
  }
  for (const auto& [name, value] : it->second.index_values) {
    auto& keys = indexes_[name][value];
    keys.erase(std::remove(keys.begin(), keys.end(), key), keys.end());
    if (keys.empty()) {
      indexes_[name].erase(value);
    }
  }
  items_.erase(it);
}

void Informer::store_locked(const std::string& key, const json& object) {
  erase_locked(key);
  Stored stored;
  stored.resource_version = rv_of(object);
  for (const auto& [name, fn] : indexers_) {
    for (auto& value : fn(object)) {
      indexes_[name][value].push_back(key);
      stored.index_values.emplace_back(name, std::move(value));
    }
  }
  stored.packed = json::to_msgpack(object);
  stored.packed.shrink_to_fit();
  items_[key] = std::move(stored);
}

void Informer::apply_event(const std::string& type, json object) {
  if (!options_.keep_managed_fields) {
    if (auto md = object.find("metadata"); md != object.end() && md->is_object()) {
      md->erase("managedFields");
    }
  }
  if (options_.transform) {
    object = options_.transform(std::move(object));
  }
  const std::string key = object_key(object);
  auto ptr = std::make_shared<const json>(std::move(object));
  ObjectPtr old;
  {
    std::unique_lock lock(mu_);
    if (auto it = items_.find(key); it != items_.end()) {
      old = decode(it->second);
    }
    if (type == "DELETED") {
      erase_locked(key);
    } else {
      store_locked(key, *ptr);
    }
  }
  for (const auto& h : handlers_) {
    if (type == "DELETED") {
      if (h.on_delete) {
        h.on_delete(old ? old : ptr);
      }
    } else if (old) {
      if (h.on_update) {
        h.on_update(old, ptr);
      }
    } else if (h.on_add) {
      h.on_add(ptr);
    }
  }
}

common::Status Informer::relist(std::stop_token stop) {
  // Page by page: each page's items are folded into the cache (as events where they differ) and
  // its parse tree freed before the next page is fetched, so a relist of 10,000 objects never
  // holds more than one page of parse trees.
  std::unordered_set<std::string> seen;
  std::string cont;
  std::string rv;
  do {
    std::string path = options_.resource.path() + "?limit=" + std::to_string(options_.page_size) +
                       selector_query(options_);
    if (!cont.empty()) {
      path += "&continue=" + cont;
    }
    auto response = client_.request({.path = path, .accept = accept(true), .stop = stop});
    if (!response) {
      return make_error(response.error().wrap("list " + options_.resource.path()));
    }
    if (response->status != 200) {
      return make_error(status_error(*response, "list " + options_.resource.path()));
    }
    auto page = json::parse(response->body, nullptr, false);
    response->body = std::string();
    if (page.is_discarded() || !page.is_object()) {
      return make_error(ErrorCode::kUnavailable, "list: invalid JSON");
    }
    // List items carry no kind; restore it so cached objects look like watched ones.
    const std::string list_kind = page.value("kind", "");
    const std::string kind =
        list_kind.ends_with("List") ? list_kind.substr(0, list_kind.size() - 4) : list_kind;
    const std::string api_version = page.value("apiVersion", "");
    for (auto& item : page["items"]) {
      if (!item.contains("kind")) {
        item["kind"] = kind;
        item["apiVersion"] = api_version;
      }
      std::string key = object_key(item);
      bool known = false;
      bool unchanged = false;
      {
        std::shared_lock lock(mu_);
        if (auto it = items_.find(key); it != items_.end()) {
          known = true;
          unchanged = it->second.resource_version == rv_of(item);
        }
      }
      seen.insert(std::move(key));
      if (!unchanged) {  // an unchanged object produces no event: a relist never duplicates one
        apply_event(known ? "MODIFIED" : "ADDED", std::move(item));
      }
    }
    cont = page["metadata"].value("continue", "");
    rv = page["metadata"].value("resourceVersion", "");
  } while (!cont.empty() && !stop.stop_requested());
  if (stop.stop_requested()) {
    return make_error(ErrorCode::kCancelled, "list cancelled");
  }

  // Objects that vanished while we were not watching.
  std::vector<std::string> gone;
  {
    std::shared_lock lock(mu_);
    for (const auto& [key, _] : items_) {
      if (!seen.contains(key)) {
        gone.push_back(key);
      }
    }
  }
  for (const auto& key : gone) {
    if (ObjectPtr old = get(key)) {
      apply_event("DELETED", *old);
    }
  }
  resource_version_ = rv;
  lists_.fetch_add(1);
  synced_.store(true);
  return common::ok();
}

common::Status Informer::watch(std::stop_token stop, std::chrono::seconds timeout) {
  const std::string path =
      fmt::format("{}?watch=1&resourceVersion={}&timeoutSeconds={}{}{}", options_.resource.path(),
                  resource_version_, timeout.count(),
                  options_.bookmarks ? "&allowWatchBookmarks=true" : "", selector_query(options_));
  WatchDecoder decoder;
  common::Status stream_status = common::ok();
  bool gone = false;
  const http::BodyChunkHandler handler = [&](std::string_view chunk) {
    auto status = decoder.feed(chunk, [&](WatchDecoder::Event event) {
      if (gone) {
        return;
      }
      if (event.type == "ERROR") {
        // A Status object; 410 means our resourceVersion was compacted away.
        if (event.object.value("code", 0) == 410) {
          gone = true;
        } else {
          stream_status = make_error(ErrorCode::kUnavailable,
                                     "watch error: " + event.object.value("message", ""));
        }
        return;
      }
      const std::string rv = rv_of(event.object);
      if (event.type != "BOOKMARK") {
        apply_event(event.type, std::move(event.object));
      }
      if (!rv.empty()) {
        resource_version_ = rv;
      }
    });
    if (!status) {
      stream_status = status;
    }
    return stream_status.has_value() && !gone;
  };
  auto response = client_.request({.path = path,
                                   .accept = accept(false),
                                   .timeout = timeout + std::chrono::seconds(30),
                                   .stop = stop},
                                  &handler);
  if (gone) {
    return make_error(ErrorCode::kGone, "watch: resourceVersion too old");
  }
  if (!response) {
    return make_error(response.error().wrap("watch " + options_.resource.path()));
  }
  if (response->status == 410) {
    return make_error(ErrorCode::kGone, "watch: resourceVersion too old");
  }
  if (response->status != 200) {
    return make_error(status_error(*response, "watch " + options_.resource.path()));
  }
  return stream_status;
}

void Informer::resync_all() {
  for (const auto& object : list()) {
    for (const auto& h : handlers_) {
      if (h.on_update) {
        h.on_update(object, object);
      }
    }
  }
}

void Informer::run(std::stop_token stop) {
  auto log = common::logger("informer");
  const common::BackoffPolicy backoff{std::chrono::seconds(1), std::chrono::seconds(30)};
  int failures = 0;
  bool need_list = true;
  auto next_resync = clock_.steady_now() + options_.resync;
  while (!stop.stop_requested()) {
    if (need_list) {
      if (auto status = relist(stop); !status) {
        if (stop.stop_requested()) {
          break;
        }
        ++failures;
        log->warn("{}; retrying", status.error().message());
        common::sleep_unless_stopped(stop, common::backoff_delay(backoff, failures));
        continue;
      }
      need_list = false;
      failures = 0;
      // A full list briefly holds every page and its parse tree (freed by now); hand that heap
      // back to the system rather than keep the peak resident for the life of the process.
      ::malloc_trim(0);
    }
    // With a resync period the watch is cut to end when the resync is due.
    auto timeout = options_.watch_timeout;
    if (options_.resync.count() > 0) {
      const auto left = std::chrono::ceil<std::chrono::seconds>(next_resync - clock_.steady_now());
      timeout = std::clamp(left, std::chrono::seconds(1), timeout);
    }
    auto status = watch(stop, timeout);
    if (stop.stop_requested()) {
      break;
    }
    if (options_.resync.count() > 0 && clock_.steady_now() >= next_resync) {
      resync_all();
      next_resync = clock_.steady_now() + options_.resync;
    }
    if (status) {
      failures = 0;  // the server ended the watch (timeoutSeconds): resume from where we are
      continue;
    }
    if (status.error().code() == ErrorCode::kGone) {
      log->info("{}: relisting", status.error().message());
      need_list = true;
      continue;
    }
    ++failures;
    log->warn("{}; retrying", status.error().message());
    common::sleep_unless_stopped(stop, common::backoff_delay(backoff, failures));
  }
}

}  // namespace certkeeper::kube
