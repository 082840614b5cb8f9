#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "lib/http/client.h"

namespace certkeeper::http {

// TLS settings of a client. PEM blobs and file paths are alternatives; a blob wins.
struct TlsOptions {
  std::string ca_file;  // trust only this bundle (empty: the system store)
  std::string ca_pem;
  std::string client_cert_file;  // mTLS client certificate and key
  std::string client_key_file;
  std::string client_cert_pem;
  std::string client_key_pem;
  bool insecure_skip_verify = false;  // for skipTLSVerify issuers only; logged by callers
};

struct ClientOptions {
  TlsOptions tls;
  std::string user_agent;  // defaults to common::user_agent()
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(10)};
  bool http2 = true;  // negotiate HTTP/2 over TLS when the server offers it (ALPN)
};

// HttpClient on libcurl. Keeps a pool of easy handles whose connections stay open between
// requests (keep-alive reuse), so a reconciler talking to one server pays for TLS once.
// Proxies come from the environment as libcurl reads them (HTTPS_PROXY, HTTP_PROXY, NO_PROXY).
//
// Thread-safe: each request borrows a handle from the pool for its duration; a streaming request
// holds its handle (and connection) until the stream ends.
class CurlHttpClient final : public HttpClient {
 public:
  explicit CurlHttpClient(ClientOptions options = {});
  ~CurlHttpClient() override;
  CurlHttpClient(const CurlHttpClient&) = delete;
  CurlHttpClient& operator=(const CurlHttpClient&) = delete;

  common::Result<Response> send(const Request& request) override;
  common::Result<Response> send_streaming(const Request& request,
                                          const BodyChunkHandler& on_chunk) override;

 private:
  common::Result<Response> perform(const Request& request, const BodyChunkHandler* on_chunk);

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace certkeeper::http
