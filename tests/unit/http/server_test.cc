#include "lib/http/server.h"

#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "lib/common/subprocess.h"
#include "lib/common/unique_fd.h"
#include "lib/http/curl_client.h"

namespace certkeeper::http {
namespace {

using namespace std::chrono_literals;

std::string url_of(const HttpServer& server, const std::string& path, bool tls = false) {
  return std::string(tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(server.port()) +
         path;
}

Response text(int status, std::string body) {
  Response r;
  r.status = status;
  r.headers.add("Content-Type", "text/plain");
  r.body = std::move(body);
  return r;
}

// A self-signed certificate for 127.0.0.1 that is its own trust anchor, made by the openssl CLI
// in a private temporary directory.
struct CertPair {
  std::string cert_pem;
  std::string key_pem;
};

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "ck-server-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) {
      throw std::runtime_error("mkdtemp failed");
    }
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

CertPair make_cert(const TempDir& dir, const std::string& name) {
  const auto key = dir.path() / (name + ".key");
  const auto crt = dir.path() / (name + ".crt");
  auto run = common::run_process(
      {"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
       "-keyout", key.string(), "-out", crt.string(), "-days", "1", "-subj", "/CN=" + name,
       "-addext", "subjectAltName=IP:127.0.0.1"},
      {.timeout = 30s});
  if (!run || !run->success()) {
    throw std::runtime_error("openssl req failed: " + (run ? run->stderr_data : ""));
  }
  return {read_file(crt), read_file(key)};
}

CurlHttpClient client_trusting(const std::string& ca_pem) {
  ClientOptions options;
  options.tls.ca_pem = ca_pem;
  return CurlHttpClient(options);
}

TEST(HttpServer, ServesRoutesAndAnswers404ForUnknownOnes) {
  HttpServer server({.address = "127.0.0.1", .port = 0});
  server.route("GET", "/healthz", [](const ServerRequest&) { return text(200, "ok"); });
  server.route("POST", "/echo", [](const ServerRequest& r) {
    Response res = text(201, r.method + " " + r.path + "?" + r.query + " " + r.body);
    res.headers.add("X-Peer", r.peer_address);
    res.headers.add("X-Type", r.headers.get("content-type").value_or(""));
    return res;
  });
  server.route(
      "GET", "/files/", [](const ServerRequest& r) { return text(200, "file " + r.path); },
      PathMatch::kPrefix);
  ASSERT_TRUE(server.start());
  ASSERT_NE(server.port(), 0);

  CurlHttpClient client;
  auto health = client.send({.url = url_of(server, "/healthz")});
  ASSERT_TRUE(health) << health.error().to_string();
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(health->body, "ok");

  Request post{.method = "POST", .url = url_of(server, "/echo?a=1&b=2"), .body = "hello"};
  post.headers.add("Content-Type", "application/json");
  auto echo = client.send(post);
  ASSERT_TRUE(echo) << echo.error().to_string();
  EXPECT_EQ(echo->status, 201);
  EXPECT_EQ(echo->body, "POST /echo?a=1&b=2 hello");
  EXPECT_EQ(echo->headers.get("x-peer"), "127.0.0.1");
  EXPECT_EQ(echo->headers.get("x-type"), "application/json");

  auto file = client.send({.url = url_of(server, "/files/a/b.txt")});
  ASSERT_TRUE(file);
  EXPECT_EQ(file->status, 200);
  EXPECT_EQ(file->body, "file /files/a/b.txt");

  for (const std::string path : {"/nothing", "/healthz/x", "/echo"}) {
    auto missing = client.send({.url = url_of(server, path)});
    ASSERT_TRUE(missing);
    EXPECT_EQ(missing->status, 404) << path;
  }
  server.stop();
}

TEST(HttpServer, ThrowingHandlerGives500AndTheServerKeepsServing) {
  HttpServer server({.address = "127.0.0.1"});
  server.route("GET", "/boom",
               [](const ServerRequest&) -> Response { throw std::runtime_error("boom"); });
  server.route("GET", "/int", [](const ServerRequest&) -> Response { throw 42; });
  server.route("GET", "/bad-status", [](const ServerRequest&) { return text(0, "?"); });
  server.route("GET", "/ok", [](const ServerRequest&) { return text(200, "ok"); });
  ASSERT_TRUE(server.start());
  CurlHttpClient client;
  for (const std::string path : {"/boom", "/int", "/bad-status"}) {
    auto r = client.send({.url = url_of(server, path)});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 500) << path;
  }
  auto ok = client.send({.url = url_of(server, "/ok")});
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
}

TEST(HttpServer, BodyOverTheLimitGets413) {
  HttpServer server({.address = "127.0.0.1", .body_limit = 16});
  server.route("POST", "/in", [](const ServerRequest& r) { return text(200, r.body); });
  ASSERT_TRUE(server.start());
  CurlHttpClient client;
  auto small = client.send({.method = "POST", .url = url_of(server, "/in"), .body = "0123456789"});
  ASSERT_TRUE(small);
  EXPECT_EQ(small->status, 200);
  auto big =
      client.send({.method = "POST", .url = url_of(server, "/in"), .body = std::string(200, 'x')});
  ASSERT_TRUE(big) << big.error().to_string();
  EXPECT_EQ(big->status, 413);
}

TEST(HttpServer, KeepAliveReusesTheConnection) {
  HttpServer server({.address = "127.0.0.1"});
  server.route("GET", "/a", [](const ServerRequest&) { return text(200, "a"); });
  ASSERT_TRUE(server.start());
  CurlHttpClient client;
  auto first = client.send({.url = url_of(server, "/a")});
  auto second = client.send({.url = url_of(server, "/a")});
  ASSERT_TRUE(first && second);
  EXPECT_FALSE(first->reused_connection);
  EXPECT_TRUE(second->reused_connection);
  EXPECT_EQ(second->body, "a");
}

TEST(HttpServer, BindErrorsNameTheAddress) {
  HttpServer first({.address = "127.0.0.1"});
  ASSERT_TRUE(first.start());
  HttpServer second({.address = "127.0.0.1", .port = first.port()});
  auto status = second.start();
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code(), common::ErrorCode::kUnavailable);
  EXPECT_NE(status.error().message().find("127.0.0.1:" + std::to_string(first.port())),
            std::string::npos)
      << status.error().message();

  HttpServer bad({.address = "not-an-ip"});
  auto bad_status = bad.start();
  ASSERT_FALSE(bad_status);
  EXPECT_EQ(bad_status.error().code(), common::ErrorCode::kInvalidArgument);
  EXPECT_NE(bad_status.error().message().find("not-an-ip"), std::string::npos);
}

TEST(HttpServer, ServesTlsAndHotReloadsTheCertificate) {
  const TempDir dir;
  const CertPair one = make_cert(dir, "one");
  const CertPair two = make_cert(dir, "two");

  HttpServer server({.address = "127.0.0.1", .tls = ServerTls{one.cert_pem, one.key_pem}});
  server.route("GET", "/x", [](const ServerRequest&) { return text(200, "secure"); });
  ASSERT_TRUE(server.start());

  auto trusts_one = client_trusting(one.cert_pem);
  auto r = trusts_one.send({.url = url_of(server, "/x", true)});
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "secure");
  auto again = trusts_one.send({.url = url_of(server, "/x", true)});
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->reused_connection);

  // A key that does not belong to the certificate is refused and the old pair stays.
  auto mismatch = server.set_tls(two.cert_pem, one.key_pem);
  ASSERT_FALSE(mismatch);
  EXPECT_EQ(mismatch.error().code(), common::ErrorCode::kInvalidArgument);
  auto garbage = server.set_tls("not a pem", two.key_pem);
  ASSERT_FALSE(garbage);
  auto still_one = client_trusting(one.cert_pem).send({.url = url_of(server, "/x", true)});
  ASSERT_TRUE(still_one) << still_one.error().to_string();

  ASSERT_TRUE(server.set_tls(two.cert_pem, two.key_pem));
  auto trusts_two = client_trusting(two.cert_pem);
  auto r2 = trusts_two.send({.url = url_of(server, "/x", true)});
  ASSERT_TRUE(r2) << r2.error().to_string();
  EXPECT_EQ(r2->status, 200);
  // A new connection from a client that trusts only the old certificate now fails.
  auto old = client_trusting(one.cert_pem).send({.url = url_of(server, "/x", true)});
  EXPECT_FALSE(old);
}

TEST(HttpServer, SetTlsBeforeStartTurnsTlsOn) {
  const TempDir dir;
  const CertPair one = make_cert(dir, "one");
  HttpServer server({.address = "127.0.0.1"});
  server.route("GET", "/x", [](const ServerRequest&) { return text(200, "secure"); });
  ASSERT_TRUE(server.set_tls(one.cert_pem, one.key_pem));
  ASSERT_TRUE(server.start());
  auto r = client_trusting(one.cert_pem).send({.url = url_of(server, "/x", true)});
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->body, "secure");
}

TEST(HttpServer, StartTwiceIsRefused) {
  HttpServer server({.address = "127.0.0.1"});
  ASSERT_TRUE(server.start());
  auto again = server.start();
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code(), common::ErrorCode::kFailedPrecondition);
}

TEST(HttpServer, SetTlsOnAPlainServerIsRefused) {
  const TempDir dir;
  const CertPair one = make_cert(dir, "one");
  HttpServer server({.address = "127.0.0.1"});
  ASSERT_TRUE(server.start());
  auto status = server.set_tls(one.cert_pem, one.key_pem);
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code(), common::ErrorCode::kFailedPrecondition);
}

TEST(HttpServer, StopLetsARunningHandlerFinish) {
  HttpServer server({.address = "127.0.0.1", .threads = 2});
  std::promise<void> entered;
  std::atomic<bool> finished{false};
  server.route("GET", "/slow", [&](const ServerRequest&) {
    entered.set_value();
    std::this_thread::sleep_for(500ms);
    finished = true;
    return text(200, "done");
  });
  ASSERT_TRUE(server.start());
  const std::string url = url_of(server, "/slow");
  auto response = std::async(std::launch::async, [&] {
    CurlHttpClient client;
    return client.send({.url = url});
  });
  ASSERT_EQ(entered.get_future().wait_for(10s), std::future_status::ready);
  server.stop();
  EXPECT_TRUE(finished);
  auto r = response.get();
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "done");

  // Nothing is accepted after stop().
  CurlHttpClient client;
  auto after = client.send({.url = url, .timeout = 5s});
  EXPECT_FALSE(after);
}

TEST(HttpServer, StopClosesIdleKeepAliveConnectionsPromptly) {
  HttpServer server({.address = "127.0.0.1", .read_timeout = 60s});
  server.route("GET", "/a", [](const ServerRequest&) { return text(200, "a"); });
  ASSERT_TRUE(server.start());
  CurlHttpClient client;
  ASSERT_TRUE(client.send({.url = url_of(server, "/a")}));
  const auto begin = std::chrono::steady_clock::now();
  server.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - begin, 5s);
}

TEST(HttpServer, ReadTimeoutClosesASilentConnection) {
  HttpServer server({.address = "127.0.0.1", .read_timeout = 200ms});
  ASSERT_TRUE(server.start());
  const common::UniqueFd fd(::socket(AF_INET, SOCK_STREAM, 0));
  ASSERT_TRUE(fd.valid());
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(server.port());
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)), 0);
  // A safety net so that a server that never times out fails the test instead of hanging it.
  const timeval limit{.tv_sec = 10, .tv_usec = 0};
  ASSERT_EQ(::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof(limit)), 0);
  const auto begin = std::chrono::steady_clock::now();
  char byte = 0;
  EXPECT_EQ(::recv(fd.get(), &byte, 1, 0), 0);  // orderly close by the server
  EXPECT_LT(std::chrono::steady_clock::now() - begin, 5s);
}

TEST(HttpServer, ServesConcurrentClientsOnSeveralThreads) {
  HttpServer server({.address = "127.0.0.1", .threads = 4});
  std::atomic<int> handled{0};
  server.route("POST", "/n", [&](const ServerRequest& r) {
    ++handled;
    return text(200, r.body);
  });
  ASSERT_TRUE(server.start());
  const std::string url = url_of(server, "/n");
  std::vector<std::future<int>> clients;
  for (int c = 0; c < 6; ++c) {
    clients.push_back(std::async(std::launch::async, [&url, c] {
      CurlHttpClient client;
      int ok = 0;
      for (int i = 0; i < 20; ++i) {
        const std::string body = std::to_string(c) + "-" + std::to_string(i);
        auto r = client.send({.method = "POST", .url = url, .body = body});
        ok += (r && r->status == 200 && r->body == body) ? 1 : 0;
      }
      return ok;
    }));
  }
  int ok = 0;
  for (auto& f : clients) {
    ok += f.get();
  }
  EXPECT_EQ(ok, 120);
  EXPECT_EQ(handled.load(), 120);
}

}  // namespace
}  // namespace certkeeper::http
