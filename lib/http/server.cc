#include "lib/http/server.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <fmt/format.h>
#include <openssl/ssl.h>

#include "lib/common/log.h"
#include "lib/http/server_util.h"

namespace certkeeper::http {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;
using common::ErrorCode;
using common::make_error;

// The strand-side interface stop() uses to reach every live connection.
class SessionBase {
 public:
  virtual ~SessionBase() = default;
  // Posts the stop to the session's strand: an idle connection closes now, a busy one after
  // its response is written.
  virtual void request_stop() = 0;
};

struct Route {
  std::string method;
  std::string path;
  PathMatch match;
  RouteHandler handler;
};

// The server's state; HttpServer::Impl is this under the name the header declares.
struct ServerState {
  explicit ServerState(ServerOptions opts) : options(std::move(opts)) {}

  ServerOptions options;
  net::io_context ioc;
  tcp::acceptor acceptor{net::make_strand(ioc)};
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  std::vector<std::thread> threads;
  std::atomic<bool> stopping{false};
  std::atomic<std::uint16_t> bound_port{0};
  std::shared_ptr<spdlog::logger> log = common::logger("http-server");

  std::mutex mu;  // guards everything below
  std::vector<Route> routes;
  std::shared_ptr<ssl::context> tls;
  std::vector<std::weak_ptr<SessionBase>> sessions;
  bool started = false;
  bool stopped = false;

  std::shared_ptr<ssl::context> current_tls() {
    const std::lock_guard lock(mu);
    return tls;
  }

  void add_session(const std::shared_ptr<SessionBase>& session) {
    const std::lock_guard lock(mu);
    std::erase_if(sessions, [](const auto& w) { return w.expired(); });
    sessions.push_back(session);
  }

  // Finds the handler: an exact route first, then the longest matching prefix.
  std::optional<RouteHandler> find_route(const std::string& method, const std::string& path) {
    const std::lock_guard lock(mu);
    const Route* best = nullptr;
    for (const auto& r : routes) {
      if (r.method != method) {
        continue;
      }
      if (r.match == PathMatch::kExact && r.path == path) {
        return r.handler;
      }
      if (r.match == PathMatch::kPrefix && path.starts_with(r.path) &&
          (best == nullptr || r.path.size() > best->path.size())) {
        best = &r;
      }
    }
    if (best == nullptr) {
      return std::nullopt;
    }
    return best->handler;
  }

  Response dispatch(const ServerRequest& request) {
    auto handler = find_route(request.method, request.path);
    if (!handler) {
      Response r;
      r.status = 404;
      r.headers.add("Content-Type", "text/plain; charset=utf-8");
      r.body = "404 page not found\n";
      return r;
    }
    try {
      Response response = (*handler)(request);
      if (response.status >= 100 && response.status <= 599) {
        return response;
      }
      log->error("handler for {} {} returned status {}", request.method, request.path,
                 response.status);
    } catch (const std::exception& e) {
      log->error("handler for {} {} threw: {}", request.method, request.path, e.what());
    } catch (...) {
      log->error("handler for {} {} threw a non-standard exception", request.method, request.path);
    }
    Response r;
    r.status = 500;
    r.headers.add("Content-Type", "text/plain; charset=utf-8");
    r.body = "internal server error\n";
    return r;
  }

  void do_accept();
  void on_accept(boost::system::error_code ec, tcp::socket socket);
};

// One connection. Stream is beast::tcp_stream or beast::ssl_stream<beast::tcp_stream>. Every
// member is touched only on the connection's strand.
template <class Stream>
class Session final : public SessionBase, public std::enable_shared_from_this<Session<Stream>> {
 public:
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

  Session(ServerState* impl, Stream stream, std::shared_ptr<ssl::context> tls,
          std::string peer_address, std::uint16_t peer_port)
      : impl_(impl),
        tls_(std::move(tls)),
        stream_(std::move(stream)),
        peer_address_(std::move(peer_address)),
        peer_port_(peer_port) {}

  void run() {
    net::dispatch(stream_.get_executor(), [self = this->shared_from_this()] { self->begin(); });
  }

  void request_stop() override {
    net::post(stream_.get_executor(), [self = this->shared_from_this()] {
      self->stop_requested_ = true;
      if (!self->busy_) {
        self->close();
      }
    });
  }

 private:
  tcp::socket& socket() { return beast::get_lowest_layer(stream_).socket(); }
  beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }

  bool stopping() const { return stop_requested_ || impl_->stopping.load(); }

  void begin() {
    if (stopping()) {
      close();
      return;
    }
    if constexpr (kTls) {
      lowest().expires_after(impl_->options.read_timeout);
      stream_.async_handshake(ssl::stream_base::server, [self = this->shared_from_this()](
                                                            boost::system::error_code ec) {
        if (ec) {
          self->impl_->log->debug("tls handshake with {}: {}", self->peer_address_, ec.message());
          self->close();
          return;
        }
        self->do_read();
      });
    } else {
      do_read();
    }
  }

  void do_read() {
    busy_ = false;
    if (stopping()) {
      close();
      return;
    }
    parser_.emplace();
    parser_->body_limit(impl_->options.body_limit);
    lowest().expires_after(impl_->options.read_timeout);
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = this->shared_from_this()](boost::system::error_code ec, std::size_t) {
                        self->on_read(ec);
                      });
  }

  void on_read(boost::system::error_code ec) {
    busy_ = true;
    if (ec == bhttp::error::body_limit) {
      Response r;
      r.status = 413;
      r.headers.add("Content-Type", "text/plain; charset=utf-8");
      r.body = "request body too large\n";
      write(r, /*version=*/11, /*keep_alive=*/false);
      return;
    }
    if (ec) {
      // end_of_stream (the client closed), a timeout, a stop, or a malformed request.
      close();
      return;
    }
    auto req = parser_->release();
    ServerRequest request;
    request.method = std::string(req.method_string());
    const std::string_view target(req.target().data(), req.target().size());
    const auto q = target.find('?');
    request.path = std::string(target.substr(0, q));
    if (q != std::string_view::npos) {
      request.query = std::string(target.substr(q + 1));
    }
    for (const auto& field : req) {
      request.headers.add(std::string(field.name_string()), std::string(field.value()));
    }
    request.body = std::move(req.body());
    request.peer_address = peer_address_;
    request.peer_port = peer_port_;
    const Response response = impl_->dispatch(request);
    impl_->log->debug("{} {} from {}: {}", request.method, request.path, peer_address_,
                      response.status);
    write(response, req.version(), req.keep_alive());
  }

  void write(const Response& response, unsigned version, bool keep_alive) {
    res_.emplace();
    res_->version(version);
    res_->result(static_cast<unsigned>(response.status));
    for (const auto& [name, value] : response.headers.fields()) {
      res_->insert(beast::string_view(name), beast::string_view(value));
    }
    res_->body() = response.body;
    res_->keep_alive(keep_alive && !stopping());
    res_->prepare_payload();
    lowest().expires_after(impl_->options.write_timeout);
    bhttp::async_write(
        stream_, *res_,
        [self = this->shared_from_this()](boost::system::error_code ec, std::size_t) {
          if (ec || !self->res_->keep_alive()) {
            self->close();
            return;
          }
          self->do_read();
        });
  }

  // Closes without a TLS close_notify: the peer has its complete response (Content-Length), and
  // waiting for its close_notify would let a slow client hold stop() up.
  void close() {
    if (closed_) {
      return;
    }
    closed_ = true;
    boost::system::error_code ec;
    socket().shutdown(tcp::socket::shutdown_send, ec);
    lowest().close();
  }

  ServerState* impl_;  // outlives every session: stop() joins the loop before it goes
  std::shared_ptr<ssl::context> tls_;  // keeps the context of this connection alive
  Stream stream_;
  std::string peer_address_;
  std::uint16_t peer_port_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::optional<bhttp::response<bhttp::string_body>> res_;
  bool busy_ = false;  // a request is being handled or its response written
  bool stop_requested_ = false;
  bool closed_ = false;
};

void ServerState::do_accept() {
  // Handlers run on the acceptor's strand, the only place that touches the acceptor.
  acceptor.async_accept(net::make_strand(ioc),
                        [this](boost::system::error_code ec, tcp::socket socket) {
                          on_accept(ec, std::move(socket));
                        });
}

void ServerState::on_accept(boost::system::error_code ec, tcp::socket socket) {
  if (ec == net::error::operation_aborted || stopping.load()) {
    return;
  }
  if (ec) {
    // e.g. EMFILE: keep serving the connections we have; try again.
    log->warn("accept: {}", ec.message());
    do_accept();
    return;
  }
  boost::system::error_code peer_ec;
  const auto peer = socket.remote_endpoint(peer_ec);
  std::string peer_address = peer_ec ? std::string() : peer.address().to_string();
  const std::uint16_t peer_port = peer_ec ? std::uint16_t{0} : peer.port();
  if (auto ctx = current_tls()) {
    auto session = std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(
        this, beast::ssl_stream<beast::tcp_stream>(std::move(socket), *ctx), ctx,
        std::move(peer_address), peer_port);
    add_session(session);
    session->run();
  } else {
    auto session = std::make_shared<Session<beast::tcp_stream>>(
        this, beast::tcp_stream(std::move(socket)), nullptr, std::move(peer_address), peer_port);
    add_session(session);
    session->run();
  }
  do_accept();
}

}  // namespace

struct HttpServer::Impl : ServerState {
  using ServerState::ServerState;
};

HttpServer::HttpServer(ServerOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

HttpServer::~HttpServer() { stop(); }

void HttpServer::route(std::string method, std::string path, RouteHandler handler,
                       PathMatch match) {
  const std::lock_guard lock(impl_->mu);
  auto& routes = impl_->routes;
  std::erase_if(routes, [&](const Route& r) {
    return r.method == method && r.path == path && r.match == match;
  });
  routes.push_back(Route{std::move(method), std::move(path), match, std::move(handler)});
}

Response text_response(int status, std::string body) {
  Response response;
  response.status = status;
  response.headers.add("Content-Type", "text/plain; charset=utf-8");
  response.body = std::move(body);
  return response;
}

common::Status HttpServer::start() {
  Impl& impl = *impl_;
  const auto& options = impl.options;
  std::shared_ptr<ssl::context> ctx;
  if (options.tls) {
    auto made = make_tls_context(options.tls->cert_pem, options.tls->key_pem);
    if (!made) {
      return make_error(made.error().wrap("http server"));
    }
    ctx = std::move(*made);
  }
  {
    const std::lock_guard lock(impl.mu);
    if (impl.started) {
      return make_error(ErrorCode::kFailedPrecondition, "http server: start() called twice");
    }
    impl.started = true;
    if (ctx != nullptr) {
      impl.tls = std::move(ctx);
    }
  }
  auto bound = open_listener(impl.acceptor, options.address, options.port);
  if (!bound) {
    return make_error(bound.error());
  }
  impl.bound_port = *bound;
  impl.work.emplace(impl.ioc.get_executor());
  net::dispatch(impl.acceptor.get_executor(), [&impl] { impl.do_accept(); });
  const int threads = std::max(1, options.threads);
  for (int i = 0; i < threads; ++i) {
    impl.threads.emplace_back([&impl] {
      // Handler exceptions are caught per request; anything else reaching here is logged and
      // the loop resumes so the server never dies.
      for (;;) {
        try {
          impl.ioc.run();
          return;
        } catch (const std::exception& e) {
          impl.log->error("http server loop: {}", e.what());
        }
      }
    });
  }
  impl.log->info("listening on {}{}", endpoint_string(options.address, impl.bound_port),
                 impl.current_tls() != nullptr ? " (TLS)" : "");
  return common::ok();
}

void HttpServer::stop() {
  Impl& impl = *impl_;
  std::vector<std::weak_ptr<SessionBase>> sessions;
  {
    const std::lock_guard lock(impl.mu);
    if (!impl.started || impl.stopped) {
      impl.stopped = true;
      return;
    }
    impl.stopped = true;
    // Set under the lock: a session registered after the copy below sees it when it begins.
    impl.stopping = true;
    sessions = impl.sessions;
  }
  net::post(impl.acceptor.get_executor(), [&impl] {
    boost::system::error_code ignored;
    impl.acceptor.close(ignored);
  });
  for (const auto& weak : sessions) {
    if (auto session = weak.lock()) {
      session->request_stop();
    }
  }
  // The loop returns once the acceptor and every connection are closed.
  impl.work.reset();
  for (auto& t : impl.threads) {
    t.join();
  }
  impl.threads.clear();
}

std::uint16_t HttpServer::port() const { return impl_->bound_port.load(); }

common::Status HttpServer::set_tls(const std::string& cert_pem, const std::string& key_pem) {
  auto ctx = make_tls_context(cert_pem, key_pem);
  if (!ctx) {
    return make_error(ctx.error().wrap("http server"));
  }
  const std::lock_guard lock(impl_->mu);
  if (impl_->started && impl_->tls == nullptr) {
    return make_error(ErrorCode::kFailedPrecondition,
                      "http server: set_tls on a server started without TLS");
  }
  impl_->tls = std::move(*ctx);
  return common::ok();
}

}  // namespace certkeeper::http
