#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>

#include "lib/common/clock.h"
#include "lib/common/error.h"
#include "lib/http/client.h"
#include "lib/http/server.h"
#include "lib/kube/client.h"
#include "lib/kube/informer.h"

namespace certkeeper::standins {

struct IngressRouterOptions {
  std::string ns;
  std::string listen_address = "127.0.0.1";
  std::uint16_t port = 80;
  std::string ingress_class;  // empty: every Ingress
};

// The ingress controller stand-in (README.md): an HTTP/1.1 listener that routes each request by
// the Ingresses, Services and Pods of one namespace (routing.h) and proxies it to a ready Pod.
// No match → 404, no ready Pod → 503, upstream failure → 502. One log line per request.
//
// Owns three informers, the listener and an HTTP client. Thread-safe handlers (the informer
// caches are). Lifecycle: construct, start() (waits for the caches, then listens), stop().
class IngressRouter {
 public:
  IngressRouter(kube::Client& client, IngressRouterOptions options, const common::Clock& clock);
  ~IngressRouter();
  IngressRouter(const IngressRouter&) = delete;
  IngressRouter& operator=(const IngressRouter&) = delete;

  // kUnavailable when the caches do not sync in `sync_timeout` or the address cannot be bound.
  common::Status start(std::chrono::milliseconds sync_timeout);
  void stop();

 private:
  http::Response handle(const http::ServerRequest& request);

  IngressRouterOptions options_;
  kube::Informer ingresses_;
  kube::Informer services_;
  kube::Informer pods_;
  std::unique_ptr<http::HttpClient> upstream_;
  std::unique_ptr<http::HttpServer> server_;
  std::atomic<unsigned> next_{0};  // round robin over ready endpoints
};

}  // namespace certkeeper::standins
