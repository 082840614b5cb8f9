#pragma once

#include <functional>
#include <utility>

#include "lib/kube/informer.h"

namespace certkeeper::manager {

// Informer handlers that call `fn` with the object when it is added, updated (the new version)
// and, with `deletes`, deleted: what most controllers register to enqueue keys.
inline kube::EventHandlers on_change(std::function<void(const kube::ObjectPtr&)> fn,
                                     bool deletes = true) {
  kube::EventHandlers handlers;
  handlers.on_add = fn;
  handlers.on_update = [fn](const kube::ObjectPtr&, const kube::ObjectPtr& now) { fn(now); };
  if (deletes) {
    handlers.on_delete = std::move(fn);
  }
  return handlers;
}

}  // namespace certkeeper::manager
