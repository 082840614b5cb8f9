#include <gtest/gtest.h>

#include "lib/http/client.h"

namespace certkeeper::http {
namespace {

TEST(Headers, LookupIgnoresCaseAndKeepsOrder) {
  Headers h;
  h.add("Replay-Nonce", "abc");
  h.add("Link", "<https://ca/alt/1>;rel=\"alternate\"");
  h.add("link", "<https://ca/dir>;rel=\"index\"");
  EXPECT_EQ(h.get("replay-nonce"), "abc");
  EXPECT_EQ(h.get("REPLAY-NONCE"), "abc");
  EXPECT_FALSE(h.get("Retry-After").has_value());
  const auto links = h.get_all("LINK");
  ASSERT_EQ(links.size(), 2U);
  EXPECT_EQ(links[1], "<https://ca/dir>;rel=\"index\"");
}

}  // namespace
}  // namespace certkeeper::http
