// libFuzzer target: bytes from the API server — watch streams, Status bodies, timestamps,
// kubeconfig-style base64 — are parsed without crashing whatever arrives.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "lib/common/time_format.h"
#include "lib/http/client.h"
#include "lib/kube/client.h"
#include "lib/kube/informer.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace kube = certkeeper::kube;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  kube::WatchDecoder decoder;
  // Feed in two pieces split at the first byte's value, to exercise reassembly.
  const std::size_t cut = size == 0 ? 0 : data[0] % (size + 1);
  for (const auto piece : {input.substr(0, cut), input.substr(cut)}) {
    if (!decoder.feed(piece,
                      [](kube::WatchDecoder::Event e) { (void)kube::object_key(e.object); })) {
      break;
    }
  }
  certkeeper::http::Response response;
  response.status = 400 + static_cast<int>(size % 200);
  response.body = std::string(input);
  response.headers.add("Retry-After", std::string(input.substr(0, 12)));
  (void)kube::status_error(response, "fuzz");
  (void)certkeeper::common::parse_rfc3339(input);
  return 0;
}
