#include "lib/common/error.h"

#include <gtest/gtest.h>

namespace certkeeper::common {
namespace {

Result<int> parse_positive(int v) {
  if (v <= 0) {
    return make_error(ErrorCode::kInvalidArgument, "must be positive");
  }
  return v;
}

TEST(Error, CarriesCodeMessageAndOptionalDetails) {
  Error e = Error(ErrorCode::kRateLimited, "too many new orders")
                .with_reason("RateLimited")
                .with_http_status(429)
                .with_problem_type("urn:ietf:params:acme:error:rateLimited")
                .with_retry_after(std::chrono::seconds(30));
  EXPECT_EQ(e.code(), ErrorCode::kRateLimited);
  EXPECT_EQ(e.message(), "too many new orders");
  EXPECT_EQ(e.reason(), "RateLimited");
  EXPECT_EQ(e.http_status(), 429);
  EXPECT_EQ(e.retry_after(), std::chrono::seconds(30));
  EXPECT_EQ(e.to_string(),
            "RateLimited: too many new orders (HTTP 429) [urn:ietf:params:acme:error:rateLimited]");
}

TEST(Error, PlainErrorHasNoOptionalDetails) {
  Error e(ErrorCode::kNotFound, "secret default/tls not found");
  EXPECT_FALSE(e.http_status().has_value());
  EXPECT_FALSE(e.retry_after().has_value());
  EXPECT_TRUE(e.reason().empty());
  EXPECT_EQ(e.to_string(), "NotFound: secret default/tls not found");
}

TEST(Error, WrapPrependsContextAndKeepsEverythingElse) {
  Error inner = Error(ErrorCode::kUnavailable, "connection refused").with_http_status(503);
  Error outer = inner.wrap("fetching ACME directory");
  EXPECT_EQ(outer.message(), "fetching ACME directory: connection refused");
  EXPECT_EQ(outer.code(), ErrorCode::kUnavailable);
  EXPECT_EQ(outer.http_status(), 503);
  EXPECT_EQ(inner.message(), "connection refused");
}

TEST(Error, ResultPropagatesValueOrError) {
  auto good = parse_positive(3);
  ASSERT_TRUE(good.has_value());
  EXPECT_EQ(*good, 3);
  auto bad = parse_positive(-1);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code(), ErrorCode::kInvalidArgument);
}

TEST(Error, EveryCodeHasAName) {
  for (int c = static_cast<int>(ErrorCode::kInvalidArgument);
       c <= static_cast<int>(ErrorCode::kInternal); ++c) {
    EXPECT_NE(to_string(static_cast<ErrorCode>(c)), "Unknown") << c;
  }
}

}  // namespace
}  // namespace certkeeper::common
