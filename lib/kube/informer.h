#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <shared_mutex>
#include <stop_token>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "lib/common/clock.h"
#include "lib/kube/client.h"

namespace certkeeper::kube {

using ObjectPtr = std::shared_ptr<const nlohmann::json>;

// "namespace/name", or "name" for cluster-scoped objects: the cache and work-queue key.
std::string object_key(const nlohmann::json& object);

// Splits a watch stream (newline-delimited JSON objects, split anywhere by the transport) into
// events. Pure; unit-tested.
class WatchDecoder {
 public:
  struct Event {
    std::string type;  // ADDED, MODIFIED, DELETED, BOOKMARK, ERROR
    nlohmann::json object;
  };
  // Feeds bytes; calls `on_event` for each complete event. A line that is not a JSON event is an
  // error (the stream is then restarted by the caller).
  common::Status feed(std::string_view bytes, const std::function<void(Event)>& on_event);

 private:
  std::string partial_;
};

struct InformerOptions {
  ResourceRef resource;  // a collection; ns empty = all namespaces
  std::string label_selector;
  std::string field_selector;
  // Cache PartialObjectMetadata (apiVersion, kind, metadata) instead of whole objects: for
  // objects whose body the controller does not read, e.g. every Secret in a cluster.
  bool metadata_only = false;
  // Applied to each object before it is cached: drop what the controllers never read.
  std::function<nlohmann::json(nlohmann::json)> transform;
  // metadata.managedFields (server-side apply bookkeeping) is dropped from cached objects unless
  // asked for: controllers never read it and it is often the largest part of the metadata.
  bool keep_managed_fields = false;
  int page_size = 500;
  // Server-side watch timeout; the watch is resumed from the last resourceVersion after it.
  std::chrono::seconds watch_timeout{300};
  // Every `resync`, on_update(obj, obj) is called for every cached object (0: never); the watch
  // is cut short to end when a resync is due.
  std::chrono::seconds resync{0};
  bool bookmarks = true;
};

struct EventHandlers {
  std::function<void(const ObjectPtr&)> on_add;
  std::function<void(const ObjectPtr& old_object, const ObjectPtr& new_object)> on_update;
  std::function<void(const ObjectPtr&)> on_delete;
};

// List-then-watch cache of one resource, as client-go's shared informer: a consistent list
// (paginated) fills the cache, a watch from its resourceVersion keeps it current, a watch that
// ends is resumed from the last resourceVersion seen (bookmarks keep that fresh), and a 410 Gone
// (the version was compacted away) triggers a relist whose differences are delivered as
// add/update/delete, so handlers see each change once. Errors back off from 1 s to 30 s.
//
// The cache holds each object as MessagePack, not as a parse tree (an order of magnitude less
// memory); get(), list() and by_index() decode on read, so a caller owns what it gets.
// Handlers run on the informer's thread, in order; they must be quick (enqueue a key). Reads of
// the cache are thread-safe at any time. Lifecycle: add handlers and indexes, start(), read,
// stop() (or destroy).
class Informer {
 public:
  Informer(Client& client, InformerOptions options, const common::Clock& clock);
  ~Informer();
  Informer(const Informer&) = delete;
  Informer& operator=(const Informer&) = delete;

  void add_handlers(EventHandlers handlers);
  // An index: `fn` maps an object to the values it is found under (e.g. its owners' UIDs).
  // The "namespace" index exists by default.
  void add_index(const std::string& name,
                 std::function<std::vector<std::string>(const nlohmann::json&)> fn);

  void start();
  // Asks the informer's thread to end without waiting for it: an open watch notices within about
  // a second (the HTTP client's progress check), so stopping many informers should ask them all
  // first and then stop() each, instead of paying that second once per informer.
  void request_stop();
  // request_stop(), then waits for the thread to end. Idempotent.
  void stop();

  // True once the first list has been applied (readiness of a controller waits for this).
  [[nodiscard]] bool has_synced() const { return synced_.load(); }
  // Waits up to `timeout` for has_synced().
  bool wait_for_sync(std::chrono::milliseconds timeout) const;

  [[nodiscard]] ObjectPtr get(const std::string& key) const;
  [[nodiscard]] std::vector<ObjectPtr> list() const;
  [[nodiscard]] std::vector<ObjectPtr> by_index(const std::string& index,
                                                const std::string& value) const;
  [[nodiscard]] std::size_t size() const;

  // How many full lists have been made (1 after the first sync; more after 410s). For tests.
  [[nodiscard]] int lists() const { return lists_.load(); }

 private:
  void run(std::stop_token stop);
  common::Status relist(std::stop_token stop);
  common::Status watch(std::stop_token stop, std::chrono::seconds timeout);
  void apply_event(const std::string& type, nlohmann::json object);
  // A cached object: MessagePack bytes (a fraction of a parse tree's size), decoded on read; its
  // resourceVersion and index values are kept beside it so a relist or an erase needs no decode.
  struct Stored {
    std::string resource_version;
    std::vector<std::uint8_t> packed;
    std::vector<std::pair<std::string, std::string>> index_values;
  };
  static ObjectPtr decode(const Stored& stored);
  void store_locked(const std::string& key, const nlohmann::json& object);
  void erase_locked(const std::string& key);
  void resync_all();
  std::string accept(bool list) const;

  Client& client_;
  InformerOptions options_;
  const common::Clock& clock_;
  std::vector<EventHandlers> handlers_;
  std::map<std::string, std::function<std::vector<std::string>(const nlohmann::json&)>> indexers_;

  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, Stored> items_;
  // index name → value → keys
  std::map<std::string, std::map<std::string, std::vector<std::string>>> indexes_;

  std::string resource_version_;  // informer thread only
  std::atomic<bool> synced_{false};
  std::atomic<int> lists_{0};
  std::jthread thread_;
};

}  // namespace certkeeper::kube
