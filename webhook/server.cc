#include "webhook/server.h"

#include <fstream>
#include <sstream>
#include <utility>

#include <fmt/format.h>

#include "lib/api/codec.h"
#include "lib/common/log.h"

namespace certkeeper::webhook {

namespace {

using Handler = AdmissionResponse (AdmissionHandler::*)(const AdmissionRequest&);

std::optional<std::string> read_whole_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return std::nullopt;
  }
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

http::Response json_response(int status, const nlohmann::json& body) {
  http::Response response;
  response.status = status;
  response.headers.add("Content-Type", "application/json");
  response.body = body.dump();
  return response;
}

using http::text_response;

// POST /validate and /mutate: an AdmissionReview in, an AdmissionReview out. A body that is not
// an AdmissionReview is a 400 (the API server then applies the webhook's failurePolicy).
http::RouteHandler review_route(AdmissionHandler& handler, Handler method) {
  return [&handler, method](const http::ServerRequest& request) {
    auto body = api::parse_json(request.body);
    if (!body) {
      return text_response(400, body.error().message() + "\n");
    }
    auto review = decode_review(*body);
    if (!review) {
      return text_response(400, review.error().message() + "\n");
    }
    AdmissionResponse response = (handler.*method)(*review);
    if (!response.allowed) {
      common::logger("webhook")->info("denied {} {} {}/{} by {}: {}", review->operation,
                                      review->kind.kind, review->ns, review->name,
                                      review->user_info.username, response.status_message);
    }
    return json_response(200, encode_review_response(response));
  };
}

}  // namespace

common::Status validate(const WebhookOptions& o) {
  auto invalid = [](std::string message) {
    return common::make_error(common::ErrorCode::kInvalidArgument, std::move(message));
  };
  if (o.tls_cert_file.empty() != o.tls_private_key_file.empty()) {
    return invalid("--tls-cert-file and --tls-private-key-file go together");
  }
  if (o.tls_cert_file.empty()) {
    if (o.ca_secret_namespace.empty() || o.ca_secret_name.empty() || o.dns_names.empty()) {
      return invalid(
          "without --tls-cert-file, --dynamic-serving-ca-secret-namespace, "
          "--dynamic-serving-ca-secret-name and --dynamic-serving-dns-names are required");
    }
    if (o.leaf_duration.count() <= 0) {
      return invalid("--dynamic-serving-leaf-duration must be positive");
    }
    // A leaf must fit well inside the CA's life (rotated at two thirds), or no CA is ever usable
    // and a new one would be made on every pass.
    if (o.leaf_duration >
        std::chrono::duration_cast<decltype(o.leaf_duration)>(kDefaultCaDuration / 3)) {
      return invalid(
          fmt::format("--dynamic-serving-leaf-duration must be at most {}h (a third of "
                      "the webhook CA's {}h lifetime)",
                      (kDefaultCaDuration / 3).count(), kDefaultCaDuration.count()));
    }
  }
  if (o.secure_port == o.healthz_port && o.secure_port != 0) {
    return invalid("--secure-port and --healthz-port must differ");
  }
  return common::ok();
}

WebhookServer::WebhookServer(kube::Client& client, const common::Clock& clock,
                             WebhookOptions options)
    : client_(client),
      clock_(clock),
      options_(std::move(options)),
      reviewer_(client),
      resolver_(client, clock),
      handler_(reviewer_, &resolver_) {
  if (options_.tls_cert_file.empty()) {
    store_ = std::make_unique<KubeCaSecretStore>(client_, options_.ca_secret_namespace,
                                                 options_.ca_secret_name);
    dynamic_ = std::make_unique<DynamicServingCertificate>(
        *store_, clock_,
        DynamicServingOptions{.dns_names = options_.dns_names,
                              .leaf_duration = options_.leaf_duration});
  }
}

WebhookServer::~WebhookServer() { stop(); }

common::Status WebhookServer::tls_pass() {
  auto log = common::logger("webhook");
  std::optional<KeyPairPem> wanted;
  if (dynamic_) {
    if (auto refreshed = dynamic_->refresh(); !refreshed) {
      return tl::unexpected(refreshed.error());
    }
    // The API server must trust a new CA before a leaf it signed is served: write the bundle
    // (which keeps the previous CA too) first, and switch the leaf only once that succeeded, so
    // a failed write leaves the old, still trusted pair in use and is retried on the next pass.
    if (auto injected = inject_ca_bundle(client_, options_.injection, dynamic_->ca_bundle());
        !injected) {
      return tl::unexpected(injected.error());
    }
    wanted = dynamic_->leaf();
  } else {
    auto cert = read_whole_file(options_.tls_cert_file);
    auto key = read_whole_file(options_.tls_private_key_file);
    if (!cert || !key) {
      return common::make_error(common::ErrorCode::kUnavailable,
                                "cannot read --tls-cert-file or --tls-private-key-file");
    }
    wanted = KeyPairPem{std::move(*cert), std::move(*key)};
  }
  if (!wanted || (applied_ && *applied_ == *wanted)) {
    return common::ok();
  }
  if (secure_) {
    // On failure applied_ stays as it was, so the next pass tries this pair again.
    if (auto status = secure_->set_tls(wanted->cert_pem, wanted->key_pem); !status) {
      return tl::unexpected(status.error().wrap("loading the serving certificate"));
    }
    log->info("serving certificate loaded{}",
              dynamic_ ? fmt::format(" (renewal due in {}s)",
                                     std::chrono::duration_cast<std::chrono::seconds>(
                                         dynamic_->next_refresh() - clock_.now())
                                         .count())
                       : std::string(" from files"));
  }
  applied_ = std::move(wanted);
  return common::ok();
}

common::Status WebhookServer::start(std::stop_token stop) {
  auto log = common::logger("webhook");
  // The first certificate, before listening: the API server may not be reachable yet.
  std::chrono::seconds delay{1};
  for (;;) {
    auto status = tls_pass();
    // Serving needs only the certificate; a caBundle that could not be written yet is retried
    // by the TLS loop.
    const bool have_certificate = dynamic_ ? dynamic_->leaf().has_value() : applied_.has_value();
    if (status || have_certificate) {
      if (!status) {
        log->warn("{}; retrying in the background", status.error().message());
      }
      break;
    }
    log->warn("serving certificate not ready: {}; retrying in {}s", status.error().message(),
              delay.count());
    std::mutex m;
    std::unique_lock lock(m);
    std::condition_variable_any cv;
    if (cv.wait_for(lock, stop, delay, [] { return false; }); stop.stop_requested()) {
      return common::make_error(common::ErrorCode::kCancelled, "stopped before serving");
    }
    delay = std::min(delay * 2, std::chrono::seconds(30));
  }
  const KeyPairPem first = dynamic_ ? *dynamic_->leaf() : *applied_;
  applied_ = first;
  secure_ = std::make_unique<http::HttpServer>(
      http::ServerOptions{.address = options_.bind_address,
                          .port = options_.secure_port,
                          .tls = http::ServerTls{first.cert_pem, first.key_pem},
                          // Handlers block on SubjectAccessReviews and discovery.
                          .threads = 4});
  secure_->route("POST", "/validate", review_route(handler_, &AdmissionHandler::validate));
  secure_->route("POST", "/mutate", review_route(handler_, &AdmissionHandler::mutate));
  if (auto status = secure_->start(); !status) {
    return status;
  }
  health_ = std::make_unique<http::HttpServer>(
      http::ServerOptions{.address = options_.bind_address, .port = options_.healthz_port});
  for (const char* path : {"/healthz", "/livez"}) {
    health_->route("GET", path,
                   [](const http::ServerRequest&) { return text_response(200, "ok"); });
  }
  if (auto status = health_->start(); !status) {
    return status;
  }
  // A change to a webhook configuration (e.g. `helm upgrade` resetting caBundle) wakes the TLS
  // loop at once instead of at the next resync.
  if (dynamic_) {
    for (const auto& [name, collection] :
         {std::pair{options_.injection.validating, kValidatingWebhookConfigurations},
          std::pair{options_.injection.mutating, kMutatingWebhookConfigurations}}) {
      if (name.empty()) {
        continue;
      }
      auto informer = std::make_unique<kube::Informer>(
          client_,
          kube::InformerOptions{.resource = collection, .field_selector = "metadata.name=" + name},
          clock_);
      informer->add_handlers(
          {.on_add = [this](const kube::ObjectPtr&) { wake(); },
           .on_update = [this](const kube::ObjectPtr&, const kube::ObjectPtr&) { wake(); },
           .on_delete = nullptr});
      informer->start();
      informers_.push_back(std::move(informer));
    }
  }
  tls_thread_ = std::jthread([this](std::stop_token token) { tls_loop(std::move(token)); });
  log->info("serving /validate and /mutate on {}:{}, /healthz and /livez on port {}",
            options_.bind_address, secure_->port(), health_->port());
  return common::ok();
}

void WebhookServer::wake() {
  {
    std::lock_guard lock(mu_);
    woken_ = true;
  }
  cv_.notify_all();
}

std::chrono::steady_clock::time_point WebhookServer::next_wakeup() const {
  auto next = clock_.steady_now() + (dynamic_ ? options_.resync : options_.static_files_poll);
  if (dynamic_) {
    const auto until_renewal = dynamic_->next_refresh() - clock_.now();
    if (until_renewal < options_.resync) {
      next = clock_.steady_now() + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                       std::max<std::chrono::system_clock::duration>(
                                           until_renewal, std::chrono::seconds(0)));
    }
  }
  return next;
}

void WebhookServer::tls_loop(std::stop_token stop) {
  auto log = common::logger("webhook");
  while (!stop.stop_requested()) {
    {
      std::unique_lock lock(mu_);
      cv_.wait_until(lock, stop, next_wakeup(), [this] { return woken_; });
      woken_ = false;
    }
    if (stop.stop_requested()) {
      break;
    }
    if (auto status = tls_pass(); !status) {
      log->warn("serving TLS check failed: {}", status.error().message());
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, stop, std::chrono::seconds(2), [] { return false; });
    }
  }
}

void WebhookServer::stop() {
  if (tls_thread_.joinable()) {
    tls_thread_.request_stop();
    tls_thread_.join();
  }
  for (auto& informer : informers_) {
    informer->stop();
  }
  informers_.clear();
  if (secure_) {
    secure_->stop();
  }
  if (health_) {
    health_->stop();
  }
}

std::uint16_t WebhookServer::secure_port() const { return secure_ ? secure_->port() : 0; }
std::uint16_t WebhookServer::healthz_port() const { return health_ ? health_->port() : 0; }

}  // namespace certkeeper::webhook
