// CurlHttpClient against real servers: the kube-apiserver (mTLS, HTTP/2, a streaming watch) and
// Pebble (a second TLS server with its own CA).
#include <fstream>
#include <future>
#include <iterator>
#include <string>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "lib/http/curl_client.h"
#include "tests/support/kubectl.h"
#include "tests/support/testenv.h"

namespace certkeeper::http {
namespace {

using ::testing::HasSubstr;
using testing::TestEnv;

ClientOptions admin_options() {
  const TestEnv& env = TestEnv::get();
  ClientOptions options;
  options.tls.ca_file = env.at("CK_KUBE_CA_FILE");
  options.tls.client_cert_file = env.at("CK_KUBE_ADMIN_CERT_FILE");
  options.tls.client_key_file = env.at("CK_KUBE_ADMIN_KEY_FILE");
  return options;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(CurlHttpClient, NegotiatesHttp2AndReusesTheConnection) {
  CurlHttpClient client(admin_options());
  const std::string url = TestEnv::get().apiserver_url() + "/api/v1/namespaces/default";
  auto first = client.send({.url = url});
  ASSERT_TRUE(first) << first.error().to_string();
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(first->http_version, 20);
  auto second = client.send({.url = url});
  ASSERT_TRUE(second) << second.error().to_string();
  EXPECT_TRUE(second->reused_connection);
}

TEST(CurlHttpClient, HttpOneOnlyWhenAsked) {
  ClientOptions options = admin_options();
  options.http2 = false;
  CurlHttpClient client(options);
  auto r = client.send({.url = TestEnv::get().apiserver_url() + "/version"});
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->http_version, 11);
}

TEST(CurlHttpClient, AcceptsPemBlobsInsteadOfFiles) {
  const TestEnv& env = TestEnv::get();
  ClientOptions options;
  options.tls.ca_pem = read_file(env.at("CK_KUBE_CA_FILE"));
  options.tls.client_cert_pem = read_file(env.at("CK_KUBE_ADMIN_CERT_FILE"));
  options.tls.client_key_pem = read_file(env.at("CK_KUBE_ADMIN_KEY_FILE"));
  CurlHttpClient client(options);
  auto r = client.send({.url = env.apiserver_url() + "/api/v1/namespaces"});
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->status, 200);
}

TEST(CurlHttpClient, UntrustedServerIsUnavailableNamingTheCause) {
  // Pebble's HTTPS certificate is signed by the testenv CA; trust the Pebble *issuing* root
  // instead, which did not sign it.
  ClientOptions options;
  options.tls.ca_file = TestEnv::get().at("CK_PEBBLE_ROOT_FILE");
  CurlHttpClient client(options);
  auto r = client.send({.url = TestEnv::get().acme_directory()});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), common::ErrorCode::kUnavailable);
  EXPECT_THAT(r.error().message(), HasSubstr("certificate"));
}

TEST(CurlHttpClient, ConnectionRefusedIsUnavailable) {
  CurlHttpClient client;
  // Port 1 on loopback: nothing listens there.
  auto r = client.send({.url = "http://127.0.0.1:1/", .timeout = std::chrono::seconds(5)});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), common::ErrorCode::kUnavailable);
}

TEST(CurlHttpClient, StreamsAWatchUntilTheHandlerHasWhatItWants) {
  const TestEnv& env = TestEnv::get();
  CurlHttpClient client(admin_options());
  auto list = client.send({.url = env.apiserver_url() + "/api/v1/namespaces"});
  ASSERT_TRUE(list && list->status == 200);
  const std::string rv =
      nlohmann::json::parse(list->body).at("metadata").at("resourceVersion").get<std::string>();

  const std::string ns = testing::unique_name("watched");
  std::string received;
  auto result = std::async(std::launch::async, [&] {
    Request watch{.url = env.apiserver_url() + "/api/v1/namespaces?watch=1&resourceVersion=" + rv +
                         "&timeoutSeconds=60",
                  .timeout = std::chrono::seconds(70)};
    return client.send_streaming(watch, [&](std::string_view chunk) {
      received.append(chunk);
      return received.find("\"name\":\"" + ns + "\"") == std::string::npos;
    });
  });
  // The watch from `rv` replays anything after it, so creating now is race-free.
  auto created = testing::kubectl({"create", "namespace", ns});
  ASSERT_TRUE(created && created->success());
  ASSERT_EQ(result.wait_for(std::chrono::seconds(30)), std::future_status::ready)
      << "no watch event for " << ns;
  auto response = result.get();
  ASSERT_TRUE(response) << response.error().to_string();
  EXPECT_EQ(response->status, 200);
  EXPECT_TRUE(response->body.empty()) << "streamed bodies are not collected";
  EXPECT_THAT(received, HasSubstr("\"type\":\"ADDED\""));
  (void)testing::kubectl({"delete", "namespace", ns, "--wait=false"});
}

TEST(CurlHttpClient, StopTokenCancelsABlockedWatch) {
  const TestEnv& env = TestEnv::get();
  CurlHttpClient client(admin_options());
  std::stop_source stop;
  auto result = std::async(std::launch::async, [&] {
    // A watch on a namespace nobody touches: the server sends nothing for 60 s.
    Request watch{.url = env.apiserver_url() +
                         "/api/v1/namespaces/kube-public/configmaps?watch=1&timeoutSeconds=60",
                  .timeout = std::chrono::seconds(70),
                  .stop = stop.get_token()};
    return client.send_streaming(watch, [](std::string_view) { return true; });
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  stop.request_stop();
  ASSERT_EQ(result.wait_for(std::chrono::seconds(5)), std::future_status::ready)
      << "the stop request did not end the watch";
  auto r = result.get();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), common::ErrorCode::kCancelled);
}

TEST(CurlHttpClient, TimeoutIsReportedAsTimeout) {
  const TestEnv& env = TestEnv::get();
  CurlHttpClient client(admin_options());
  auto r = client.send_streaming(
      {.url = env.apiserver_url() + "/api/v1/namespaces/kube-public/configmaps?watch=1",
       .timeout = std::chrono::milliseconds(500)},
      [](std::string_view) { return true; });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), common::ErrorCode::kTimeout);
}

}  // namespace
}  // namespace certkeeper::http
