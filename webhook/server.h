#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "lib/common/clock.h"
#include "lib/common/error.h"
#include "lib/http/server.h"
#include "lib/kube/client.h"
#include "lib/kube/informer.h"
#include "webhook/handlers.h"
#include "webhook/kube_seams.h"
#include "webhook/serving_tls.h"

namespace certkeeper::webhook {

// What `certkeeper webhook` is told by its flags.
struct WebhookOptions {
  std::string bind_address = "0.0.0.0";
  std::uint16_t secure_port = 6443;
  std::uint16_t healthz_port = 6080;
  // Static serving certificate (reloaded when the files change); when set, no dynamic CA.
  std::string tls_cert_file;
  std::string tls_private_key_file;
  // Dynamic serving: the CA Secret and the names of the serving certificate.
  std::string ca_secret_namespace;
  std::string ca_secret_name;
  std::vector<std::string> dns_names;
  std::chrono::seconds leaf_duration = kDefaultLeafDuration;
  InjectionTargets injection;
  // How often the CA Secret, the static files and the webhook configurations are re-checked
  // when nothing else wakes the TLS loop.
  std::chrono::seconds resync{30};
  // How often --tls-cert-file and --tls-private-key-file are re-read (two small files; a
  // rotated Secret volume shows up within this).
  std::chrono::seconds static_files_poll{5};
};

// Flag combinations that cannot work: static files half given; neither static files nor a
// complete dynamic setup; a non-positive leaf duration. kInvalidArgument naming the flags.
common::Status validate(const WebhookOptions& options);

// The admission webhook process: HTTPS /validate and /mutate on the secure port, plain HTTP
// /healthz and /livez on the healthz port, and a TLS thread that keeps the serving certificate
// fresh (dynamic CA or static files) and the CA in the webhook configurations' caBundle.
//
// Owns both servers, the TLS thread and the informers on the webhook configurations. Not
// thread-safe (one owner); the handlers it serves are. Lifecycle: construct, start() once,
// stop() once (also by the destructor).
class WebhookServer {
 public:
  WebhookServer(kube::Client& client, const common::Clock& clock, WebhookOptions options);
  ~WebhookServer();
  WebhookServer(const WebhookServer&) = delete;
  WebhookServer& operator=(const WebhookServer&) = delete;

  // Gets the first serving certificate (retrying while `stop` is not requested: the API server
  // may not be reachable yet), then starts listening and the TLS thread.
  common::Status start(std::stop_token stop);
  void stop();

  [[nodiscard]] std::uint16_t secure_port() const;
  [[nodiscard]] std::uint16_t healthz_port() const;

 private:
  // One pass of the TLS loop: refresh the serving certificate, hot-swap it, inject the CA.
  common::Status tls_pass();
  void tls_loop(std::stop_token stop);
  void wake();
  std::chrono::steady_clock::time_point next_wakeup() const;

  kube::Client& client_;
  const common::Clock& clock_;
  WebhookOptions options_;
  KubeSubjectAccessReviewer reviewer_;
  KubeIssuerKindResolver resolver_;
  AdmissionHandler handler_;
  std::unique_ptr<KubeCaSecretStore> store_;
  std::unique_ptr<DynamicServingCertificate> dynamic_;
  // The pair the HTTPS server was last given (dynamic or from files).
  std::optional<KeyPairPem> applied_;
  std::unique_ptr<http::HttpServer> secure_;
  std::unique_ptr<http::HttpServer> health_;
  std::vector<std::unique_ptr<kube::Informer>> informers_;
  std::mutex mu_;
  std::condition_variable_any cv_;
  bool woken_ = false;
  std::jthread tls_thread_;
};

}  // namespace certkeeper::webhook
