#pragma once

#include <memory>
#include <string>

#include "lib/http/server.h"
#include "lib/metrics/registry.h"

namespace certkeeper::metrics {

// Routes GET `path` on `server` to a scrape of `registry` in the text exposition format. The
// route holds the registry. Call before or after server.start().
void serve(http::HttpServer& server, std::shared_ptr<const Registry> registry,
           std::string path = "/metrics");

}  // namespace certkeeper::metrics
