#include "lib/metrics/serve.h"

namespace certkeeper::metrics {

void serve(http::HttpServer& server, std::shared_ptr<const Registry> registry, std::string path) {
  server.route("GET", std::move(path),
               [registry = std::move(registry)](const http::ServerRequest&) {
                 http::Response response;
                 response.status = 200;
                 response.headers.add("Content-Type", std::string(kTextContentType));
                 response.body = registry->scrape();
                 return response;
               });
}

}  // namespace certkeeper::metrics
