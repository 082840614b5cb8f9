#include "lib/http/tls_alpn_server.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <fmt/format.h>
#include <openssl/ssl.h>

#include "lib/common/log.h"
#include "lib/http/server_util.h"

namespace certkeeper::http {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;
using common::ErrorCode;
using common::make_error;

namespace {

std::string lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// The ALPN protocol list in wire form: one length octet, then the name.
const unsigned char kAlpnWire[] = {10, 'a', 'c', 'm', 'e', '-', 't', 'l', 's', '/', '1'};

// RFC 8737 §4: the server MUST NOT use anything but acme-tls/1 here; a client that does not offer
// it gets the fatal no_application_protocol alert (RFC 7301 §3.2).
int select_alpn(SSL* /*ssl*/, const unsigned char** out, unsigned char* outlen,
                const unsigned char* in, unsigned int inlen, void* /*arg*/) {
  unsigned char* selected = nullptr;
  if (SSL_select_next_proto(&selected, outlen, kAlpnWire, sizeof(kAlpnWire), in, inlen) !=
      OPENSSL_NPN_NEGOTIATED) {
    return SSL_TLSEXT_ERR_ALERT_FATAL;
  }
  *out = selected;
  return SSL_TLSEXT_ERR_OK;
}

// One accepted connection: the handshake (which picks the certificate by SNI), then a close.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(tcp::socket socket, ssl::context& ctx, std::chrono::milliseconds timeout)
      : timer_(socket.get_executor()), stream_(std::move(socket), ctx), timeout_(timeout) {}

  void run() {
    timer_.expires_after(timeout_);
    timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (!ec) {
        self->close();
      }
    });
    stream_.async_handshake(
        ssl::stream_base::server, [self = shared_from_this()](boost::system::error_code ec) {
          if (ec) {
            common::logger("tls-alpn")->debug("handshake: {}", ec.message());
            self->finish();
            return;
          }
          self->stream_.async_shutdown([self](boost::system::error_code) { self->finish(); });
        });
  }

 private:
  void finish() {
    timer_.cancel();
    close();
  }
  void close() {
    boost::system::error_code ignored;
    stream_.lowest_layer().close(ignored);
  }

  net::steady_timer timer_;
  ssl::stream<tcp::socket> stream_;
  std::chrono::milliseconds timeout_;
};

}  // namespace

struct TlsAlpnServer::Impl {
  explicit Impl(TlsAlpnServerOptions o) : options(std::move(o)) {}

  // SNI (RFC 6066 §3): switch the handshake to the context of that name.
  static int on_server_name(SSL* ssl, int* alert, void* arg) {
    auto* self = static_cast<Impl*>(arg);
    const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    if (name == nullptr) {
      *alert = SSL_AD_UNRECOGNIZED_NAME;
      return SSL_TLSEXT_ERR_ALERT_FATAL;
    }
    const std::lock_guard lock(self->mu);
    const auto it = self->contexts.find(lowercase(name));
    if (it == self->contexts.end()) {
      self->log->info("no challenge certificate for SNI {}", name);
      *alert = SSL_AD_UNRECOGNIZED_NAME;
      return SSL_TLSEXT_ERR_ALERT_FATAL;
    }
    // SSL_set_SSL_CTX takes its own reference, so removing the name mid-handshake is safe.
    SSL_set_SSL_CTX(ssl, it->second->native_handle());
    self->log->info("answering TLS-ALPN-01 for SNI {}", name);
    return SSL_TLSEXT_ERR_OK;
  }

  void do_accept() {
    acceptor.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
      if (ec == net::error::operation_aborted || stopping.load()) {
        return;
      }
      if (!ec) {
        std::make_shared<Connection>(std::move(socket), *default_ctx, options.handshake_timeout)
            ->run();
      } else {
        log->warn("accept: {}", ec.message());
      }
      do_accept();
    });
  }

  TlsAlpnServerOptions options;
  std::shared_ptr<spdlog::logger> log = common::logger("tls-alpn");
  net::io_context ioc;
  tcp::acceptor acceptor{ioc};
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  std::thread thread;
  std::shared_ptr<ssl::context> default_ctx;
  std::atomic<std::uint16_t> bound_port{0};
  std::atomic<bool> stopping{false};

  std::mutex mu;  // guards the members below
  std::map<std::string, std::shared_ptr<ssl::context>> contexts;
  bool started = false;
  bool stopped = false;
};

TlsAlpnServer::TlsAlpnServer(TlsAlpnServerOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

TlsAlpnServer::~TlsAlpnServer() { stop(); }

common::Status TlsAlpnServer::add_certificate(const std::string& server_name,
                                              const std::string& cert_pem,
                                              const std::string& key_pem) {
  auto ctx = make_tls_context(cert_pem, key_pem);
  if (!ctx) {
    return make_error(ctx.error().wrap("tls-alpn-01 certificate for " + server_name));
  }
  SSL_CTX_set_alpn_select_cb((*ctx)->native_handle(), select_alpn, nullptr);
  const std::lock_guard lock(impl_->mu);
  impl_->contexts[lowercase(server_name)] = std::move(*ctx);
  return common::ok();
}

void TlsAlpnServer::remove_certificate(const std::string& server_name) {
  const std::lock_guard lock(impl_->mu);
  impl_->contexts.erase(lowercase(server_name));
}

common::Status TlsAlpnServer::start() {
  Impl& impl = *impl_;
  {
    const std::lock_guard lock(impl.mu);
    if (impl.started) {
      return make_error(ErrorCode::kFailedPrecondition, "tls-alpn server: start() called twice");
    }
    impl.started = true;
  }
  auto ctx = make_bare_tls_context();
  if (!ctx) {
    return make_error(ctx.error());
  }
  impl.default_ctx = std::move(*ctx);
  SSL_CTX* native = impl.default_ctx->native_handle();
  // The SSL_CTX_set_tlsext_servername_* macros expand to C casts (-Wold-style-cast).
  SSL_CTX_callback_ctrl(native, SSL_CTRL_SET_TLSEXT_SERVERNAME_CB,
                        reinterpret_cast<void (*)()>(&Impl::on_server_name));
  SSL_CTX_ctrl(native, SSL_CTRL_SET_TLSEXT_SERVERNAME_ARG, 0, &impl);
  SSL_CTX_set_alpn_select_cb(native, select_alpn, nullptr);

  auto bound = open_listener(impl.acceptor, impl.options.address, impl.options.port);
  if (!bound) {
    return make_error(bound.error());
  }
  impl.bound_port = *bound;
  impl.work.emplace(impl.ioc.get_executor());
  impl.do_accept();
  impl.thread = std::thread([&impl] {
    for (;;) {
      try {
        impl.ioc.run();
        return;
      } catch (const std::exception& e) {
        impl.log->error("tls-alpn server loop: {}", e.what());
      }
    }
  });
  impl.log->info("TLS-ALPN-01 listener on {}", endpoint_string(impl.options.address, port()));
  return common::ok();
}

void TlsAlpnServer::stop() {
  Impl& impl = *impl_;
  {
    const std::lock_guard lock(impl.mu);
    if (!impl.started || impl.stopped) {
      impl.stopped = true;
      return;
    }
    impl.stopped = true;
  }
  impl.stopping = true;
  // Connections live only for a handshake; stopping the loop drops any that are still open.
  impl.work.reset();
  impl.ioc.stop();
  if (impl.thread.joinable()) {
    impl.thread.join();
  }
}

std::uint16_t TlsAlpnServer::port() const { return impl_->bound_port.load(); }

}  // namespace certkeeper::http
