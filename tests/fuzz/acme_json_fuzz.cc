// libFuzzer target: every ACME response body and header a CA (or anything pretending to be one)
// can send — problem documents, directory, account, order, authorization, challenge, renewal
// info, Link and Retry-After headers — parses to a value or an Error, never a crash.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "lib/acme/protocol.h"
#include "lib/acme/types.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace acme = certkeeper::acme;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  (void)acme::parse_problem(input);
  (void)acme::parse_directory(input);
  (void)acme::parse_account(input);
  (void)acme::parse_order(input);
  (void)acme::parse_authorization(input);
  (void)acme::parse_challenge(input);
  (void)acme::parse_renewal_info(input);
  (void)acme::parse_http_date(input);
  (void)acme::parse_retry_after(input, std::chrono::system_clock::time_point{});
  (void)acme::parse_link_headers({std::string(input)});
  return 0;
}
