// Pure parts of lib/kube: paths, Status → Error mapping, the token bucket.
#include <gtest/gtest.h>

#include "lib/kube/client.h"
#include "lib/kube/rate_limiter.h"
#include "tests/support/fake_clock.h"

namespace certkeeper::kube {
namespace {

using common::ErrorCode;
using std::chrono::milliseconds;

TEST(ResourceRef, BuildsCoreGroupedNamespacedAndSubresourcePaths) {
  const ResourceRef secrets{"", "v1", "secrets", "default"};
  EXPECT_EQ(secrets.path(), "/api/v1/namespaces/default/secrets");
  EXPECT_EQ(secrets.with_name("tls").path(), "/api/v1/namespaces/default/secrets/tls");
  const ResourceRef certs{"cert-manager.io", "v1", "certificates"};
  EXPECT_EQ(certs.path(), "/apis/cert-manager.io/v1/certificates");
  EXPECT_EQ(certs.with_namespace("apps").with_name("web").with_subresource("status").path(),
            "/apis/cert-manager.io/v1/namespaces/apps/certificates/web/status");
  // A subresource without a name is meaningless and is not rendered.
  EXPECT_EQ(certs.with_subresource("status").path(), "/apis/cert-manager.io/v1/certificates");
}

http::Response status_response(int code, const std::string& reason, const std::string& message) {
  http::Response r;
  r.status = code;
  r.body = nlohmann::json{{"kind", "Status"},   {"apiVersion", "v1"}, {"status", "Failure"},
                          {"message", message}, {"reason", reason},   {"code", code}}
               .dump();
  return r;
}

TEST(StatusError, MapsEachStatusToItsCodeAndKeepsReasonAndMessage) {
  const struct {
    int status;
    const char* reason;
    ErrorCode code;
  } cases[] = {
      {400, "BadRequest", ErrorCode::kInvalidArgument},
      {401, "Unauthorized", ErrorCode::kUnauthenticated},
      {403, "Forbidden", ErrorCode::kPermissionDenied},
      {404, "NotFound", ErrorCode::kNotFound},
      {409, "AlreadyExists", ErrorCode::kAlreadyExists},
      {409, "Conflict", ErrorCode::kConflict},
      {410, "Expired", ErrorCode::kGone},
      {422, "Invalid", ErrorCode::kInvalidArgument},
      {429, "TooManyRequests", ErrorCode::kRateLimited},
      {500, "InternalError", ErrorCode::kUnavailable},
      {503, "ServiceUnavailable", ErrorCode::kUnavailable},
      {504, "Timeout", ErrorCode::kTimeout},
  };
  for (const auto& c : cases) {
    const auto e = status_error(status_response(c.status, c.reason, "the message"), "get x");
    EXPECT_EQ(e.code(), c.code) << c.status << " " << c.reason;
    EXPECT_EQ(e.reason(), c.reason);
    EXPECT_EQ(e.http_status(), c.status);
    EXPECT_EQ(e.message(), "get x: the message");
  }
}

TEST(StatusError, CarriesRetryAfterOf429) {
  http::Response r = status_response(429, "TooManyRequests", "slow down");
  r.headers.add("Retry-After", "7");
  EXPECT_EQ(status_error(r, "list").retry_after(), std::chrono::seconds(7));
}

TEST(StatusError, NonStatusBodyIsQuotedShortly) {
  http::Response r;
  r.status = 502;
  r.body = std::string(1000, 'x');
  const auto e = status_error(r, "get y");
  EXPECT_EQ(e.code(), ErrorCode::kUnavailable);
  EXPECT_LT(e.message().size(), 220U);
}

TEST(TokenBucket, AllowsTheBurstThenPacesAtQps) {
  testing::FakeClock clock;
  TokenBucket bucket(10.0, 3, clock);  // 10/s, burst 3
  EXPECT_EQ(bucket.reserve(), milliseconds(0));
  EXPECT_EQ(bucket.reserve(), milliseconds(0));
  EXPECT_EQ(bucket.reserve(), milliseconds(0));
  // The fourth and fifth queue behind each other: 100 ms, then 200 ms.
  EXPECT_EQ(std::chrono::duration_cast<milliseconds>(bucket.reserve()), milliseconds(100));
  EXPECT_EQ(std::chrono::duration_cast<milliseconds>(bucket.reserve()), milliseconds(200));
  // After a quiet second the bucket is full again (but never above the burst).
  clock.advance(std::chrono::seconds(5));
  EXPECT_EQ(bucket.reserve(), milliseconds(0));
  EXPECT_EQ(bucket.reserve(), milliseconds(0));
  EXPECT_EQ(bucket.reserve(), milliseconds(0));
  EXPECT_GT(bucket.reserve(), milliseconds(0));
}

TEST(TokenBucket, TryTakeNeverGoesIntoDebt) {
  testing::FakeClock clock;
  TokenBucket bucket(1.0, 2, clock);
  EXPECT_TRUE(bucket.try_take());
  EXPECT_TRUE(bucket.try_take());
  for (int i = 0; i < 100; ++i) {
    EXPECT_FALSE(bucket.try_take());  // refused, and refusing costs nothing...
  }
  clock.advance(std::chrono::seconds(1));
  EXPECT_TRUE(bucket.try_take());  // ...so one second later a token is there
  EXPECT_FALSE(bucket.try_take());
}

TEST(TokenBucket, NonPositiveQpsIsUnlimited) {
  testing::FakeClock clock;
  TokenBucket bucket(0, 1, clock);
  for (int i = 0; i < 1000; ++i) {
    ASSERT_EQ(bucket.reserve(), milliseconds(0));
  }
}

}  // namespace
}  // namespace certkeeper::kube
