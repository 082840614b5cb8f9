#include "lib/http/curl_client.h"

#include <array>
#include <mutex>
#include <string_view>
#include <vector>

#include <curl/curl.h>
#include <fmt/format.h>

#include "lib/common/version.h"

namespace certkeeper::http {
namespace {

using common::ErrorCode;
using common::make_error;

struct EasyDeleter {
  void operator()(CURL* h) const { curl_easy_cleanup(h); }
};
using EasyHandle = std::unique_ptr<CURL, EasyDeleter>;

struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// Where body bytes go: collected into a string, or handed to the caller's handler.
struct BodySink {
  std::string* collect = nullptr;
  const BodyChunkHandler* handler = nullptr;
  bool stopped_by_handler = false;
};

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* sink = static_cast<BodySink*>(user);
  const std::size_t n = size * count;
  if (sink->collect != nullptr) {
    sink->collect->append(data, n);
    return n;
  }
  if (!(*sink->handler)(std::string_view(data, n))) {
    sink->stopped_by_handler = true;
    return CURL_WRITEFUNC_ERROR;  // ends the transfer; reported as success below
  }
  return n;
}

// Polled by libcurl about once a second (and on every transfer progress): a stop request on the
// Request's stop_token aborts the transfer.
int on_progress(void* user, curl_off_t /*dltotal*/, curl_off_t /*dlnow*/, curl_off_t /*ultotal*/,
                curl_off_t /*ulnow*/) {
  const auto* stop = static_cast<const std::stop_token*>(user);
  return stop->stop_requested() ? 1 : 0;
}

// Header lines arrive one at a time, including each status line. A new status line (after a
// 100 Continue, say) starts a fresh header set so only the final response's headers remain.
std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto* headers = static_cast<Headers*>(user);
  std::string_view line(data, size * count);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) {
    line.remove_suffix(1);
  }
  if (line.starts_with("HTTP/")) {
    *headers = Headers();
  } else if (const auto colon = line.find(':'); colon != std::string_view::npos) {
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
      value.remove_prefix(1);
    }
    headers->add(std::string(line.substr(0, colon)), std::string(value));
  }
  return size * count;
}

curl_blob blob_of(const std::string& pem) {
  // CURL_BLOB_COPY: libcurl keeps its own copy, so the option outlives nothing of ours.
  return curl_blob{const_cast<char*>(pem.data()), pem.size(), CURL_BLOB_COPY};  // NOLINT
}

ErrorCode code_for(CURLcode rc) {
  switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
      return ErrorCode::kTimeout;
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return ErrorCode::kInvalidArgument;
    default:
      return ErrorCode::kUnavailable;
  }
}

}  // namespace

struct CurlHttpClient::Impl {
  ClientOptions options;
  std::mutex mu;
  std::vector<EasyHandle> idle;  // handles not in use; each keeps its connection cache

  EasyHandle borrow() {
    {
      std::lock_guard lock(mu);
      if (!idle.empty()) {
        EasyHandle h = std::move(idle.back());
        idle.pop_back();
        return h;
      }
    }
    return EasyHandle(curl_easy_init());
  }

  void give_back(EasyHandle h) {
    std::lock_guard lock(mu);
    idle.push_back(std::move(h));
  }

  void apply_tls(CURL* h) const {
    const TlsOptions& tls = options.tls;
    if (!tls.ca_pem.empty()) {
      curl_blob b = blob_of(tls.ca_pem);
      curl_easy_setopt(h, CURLOPT_CAINFO_BLOB, &b);
    } else if (!tls.ca_file.empty()) {
      curl_easy_setopt(h, CURLOPT_CAINFO, tls.ca_file.c_str());
    }
    if (!tls.client_cert_pem.empty()) {
      curl_blob b = blob_of(tls.client_cert_pem);
      curl_easy_setopt(h, CURLOPT_SSLCERT_BLOB, &b);
      curl_easy_setopt(h, CURLOPT_SSLCERTTYPE, "PEM");
    } else if (!tls.client_cert_file.empty()) {
      curl_easy_setopt(h, CURLOPT_SSLCERT, tls.client_cert_file.c_str());
    }
    if (!tls.client_key_pem.empty()) {
      curl_blob b = blob_of(tls.client_key_pem);
      curl_easy_setopt(h, CURLOPT_SSLKEY_BLOB, &b);
      curl_easy_setopt(h, CURLOPT_SSLKEYTYPE, "PEM");
    } else if (!tls.client_key_file.empty()) {
      curl_easy_setopt(h, CURLOPT_SSLKEY, tls.client_key_file.c_str());
    }
    if (tls.insecure_skip_verify) {
      curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
      curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
    }
  }
};

CurlHttpClient::CurlHttpClient(ClientOptions options) : impl_(std::make_unique<Impl>()) {
  global_init();
  if (options.user_agent.empty()) {
    options.user_agent = common::user_agent();
  }
  impl_->options = std::move(options);
}

CurlHttpClient::~CurlHttpClient() = default;

common::Result<Response> CurlHttpClient::send(const Request& request) {
  return perform(request, nullptr);
}

common::Result<Response> CurlHttpClient::send_streaming(const Request& request,
                                                        const BodyChunkHandler& on_chunk) {
  return perform(request, &on_chunk);
}

common::Result<Response> CurlHttpClient::perform(const Request& request,
                                                 const BodyChunkHandler* on_chunk) {
  EasyHandle handle = impl_->borrow();
  if (!handle) {
    return make_error(ErrorCode::kInternal, "curl_easy_init failed");
  }
  CURL* h = handle.get();
  // reset() clears options but keeps the handle's open connections for reuse.
  curl_easy_reset(h);

  Response response;
  BodySink sink;
  if (on_chunk != nullptr) {
    sink.handler = on_chunk;
  } else {
    sink.collect = &response.body;
  }
  std::array<char, CURL_ERROR_SIZE> errbuf{};
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf.data());
  curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_USERAGENT, impl_->options.user_agent.c_str());
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(impl_->options.connect_timeout.count()));
  curl_easy_setopt(h, CURLOPT_HTTP_VERSION,
                   impl_->options.http2 ? CURL_HTTP_VERSION_2TLS : CURL_HTTP_VERSION_1_1);
  curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");  // whatever libcurl can decode
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
  if (request.stop.stop_possible()) {
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, &request.stop);
  }
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &response.headers);
  impl_->apply_tls(h);

  if (request.method == "HEAD") {
    curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  } else if (request.method != "GET" || !request.body.empty()) {
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  }

  Slist header_list;
  for (const auto& [name, value] : request.headers.fields()) {
    const std::string line = fmt::format("{}: {}", name, value);
    curl_slist* appended = curl_slist_append(header_list.get(), line.c_str());
    if (appended == nullptr) {
      return make_error(ErrorCode::kInternal, "curl_slist_append failed");
    }
    (void)header_list.release();
    header_list.reset(appended);
  }
  // No "Expect: 100-continue" round trip before bodies.
  curl_slist* appended = curl_slist_append(header_list.get(), "Expect:");
  (void)header_list.release();
  header_list.reset(appended);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, header_list.get());

  const CURLcode rc = curl_easy_perform(h);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, nullptr);
  if (rc == CURLE_ABORTED_BY_CALLBACK) {
    impl_->give_back(std::move(handle));
    return make_error(ErrorCode::kCancelled,
                      fmt::format("{} {}: cancelled", request.method, request.url));
  }
  if (rc != CURLE_OK && !(rc == CURLE_WRITE_ERROR && sink.stopped_by_handler)) {
    const std::string detail = errbuf[0] != '\0' ? errbuf.data() : curl_easy_strerror(rc);
    impl_->give_back(std::move(handle));
    return make_error(code_for(rc), fmt::format("{} {}: {}", request.method, request.url, detail));
  }
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  response.status = static_cast<int>(status);
  long version = 0;
  curl_easy_getinfo(h, CURLINFO_HTTP_VERSION, &version);
  switch (version) {
    case CURL_HTTP_VERSION_1_0:
      response.http_version = 10;
      break;
    case CURL_HTTP_VERSION_1_1:
      response.http_version = 11;
      break;
    case CURL_HTTP_VERSION_2_0:
      response.http_version = 20;
      break;
    case CURL_HTTP_VERSION_3:
      response.http_version = 30;
      break;
    default:
      break;
  }
  long connects = 0;
  curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &connects);
  response.reused_connection = connects == 0;
  impl_->give_back(std::move(handle));
  return response;
}

}  // namespace certkeeper::http
