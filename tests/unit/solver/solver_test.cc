// The built-in listeners on loopback with ephemeral ports, checked with independent clients:
// curl for HTTP-01, `openssl s_client` for TLS-ALPN-01.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lib/common/clock.h"
#include "lib/common/encoding.h"
#include "lib/common/subprocess.h"
#include "lib/crypto/certificate.h"
#include "lib/crypto/primitives.h"
#include "lib/solver/dns01.h"
#include "lib/solver/http01.h"
#include "lib/solver/tls_alpn01.h"

namespace certkeeper::solver {
namespace {

using ::testing::HasSubstr;

TEST(TlsAlpn01ServerName, DnsNamesAsTheyAreAndAddressesAsReverseNames) {
  EXPECT_EQ(*tls_alpn01_server_name(acme::Identifier::dns("a.example")), "a.example");
  EXPECT_EQ(*tls_alpn01_server_name(acme::Identifier::ip("127.0.0.1")), "1.0.0.127.in-addr.arpa");
  EXPECT_EQ(*tls_alpn01_server_name(acme::Identifier::ip("2001:db8::1")),
            "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa");
  EXPECT_FALSE(tls_alpn01_server_name(acme::Identifier::ip("not-an-ip")));
}

TEST(Dns01RecordName, IsUnderscoreAcmeChallengeOfTheBaseDomain) {
  EXPECT_EQ(dns01_record_name(acme::Identifier::dns("example.com")), "_acme-challenge.example.com");
}

std::string curl_get(std::uint16_t port, const std::string& path) {
  auto r = common::run_process(
      {"curl", "-s", "-w", "\n%{http_code}", "http://127.0.0.1:" + std::to_string(port) + path},
      {.timeout = std::chrono::seconds(10)});
  EXPECT_TRUE(r);
  return r ? r->stdout_data : "";
}

TEST(Http01Solver, ServesPresentedTokensOnlyUntilCleanup) {
  auto solver = Http01Solver::start({.address = "127.0.0.1", .port = 0});
  ASSERT_TRUE(solver) << solver.error().message();
  const auto id = acme::Identifier::dns("a.example");
  const std::string path = "/.well-known/acme-challenge/tok1";
  EXPECT_EQ(curl_get((*solver)->port(), path), "404 page not found\n\n404");
  ASSERT_TRUE((*solver)->present(id, "tok1", "tok1.thumb"));
  EXPECT_EQ(curl_get((*solver)->port(), path), "tok1.thumb\n200");
  EXPECT_THAT(curl_get((*solver)->port(), "/.well-known/acme-challenge/tok2"), HasSubstr("404"));
  ASSERT_TRUE((*solver)->cleanup(id, "tok1", "tok1.thumb"));
  EXPECT_THAT(curl_get((*solver)->port(), path), HasSubstr("404"));
}

TEST(Http01Solver, ATakenPortIsAnErrorNamingTheAddress) {
  auto first = Http01Solver::start({.address = "127.0.0.1", .port = 0});
  ASSERT_TRUE(first);
  auto second = Http01Solver::start({.address = "127.0.0.1", .port = (*first)->port()});
  ASSERT_FALSE(second);
  EXPECT_THAT(second.error().message(), HasSubstr("127.0.0.1:" + std::to_string((*first)->port())));
}

// A TLS handshake with `openssl s_client`; its stdout (with -showcerts) or nothing on failure.
common::ProcessResult handshake(std::uint16_t port, const std::string& sni,
                                const std::string& alpn) {
  auto r =
      common::run_process({"openssl", "s_client", "-connect", "127.0.0.1:" + std::to_string(port),
                           "-servername", sni, "-alpn", alpn, "-showcerts"},
                          {.stdin_data = "", .timeout = std::chrono::seconds(10)});
  EXPECT_TRUE(r);
  return r ? *r : common::ProcessResult{};
}

TEST(TlsAlpn01Solver, AnswersAcmeTlsWithTheIdentifiersCertificate) {
  auto solver =
      TlsAlpn01Solver::start({.address = "127.0.0.1", .port = 0}, common::SystemClock::instance());
  ASSERT_TRUE(solver) << solver.error().message();
  const auto id = acme::Identifier::dns("a.example");
  ASSERT_TRUE((*solver)->present(id, "tok", "tok.thumb"));

  auto ok = handshake((*solver)->port(), "a.example", "acme-tls/1");
  ASSERT_TRUE(ok.success()) << ok.stderr_data;
  EXPECT_THAT(ok.stdout_data, HasSubstr("ALPN protocol: acme-tls/1"));
  auto cert = crypto::Certificate::from_pem(ok.stdout_data);
  ASSERT_TRUE(cert) << cert.error().message();
  EXPECT_EQ(cert->sans().dns_names, std::vector<std::string>{"a.example"});
  auto ext = cert->extension("1.3.6.1.5.5.7.1.31");
  ASSERT_TRUE(ext);
  EXPECT_TRUE(ext->critical);
  // extnValue = OCTET STRING (32 bytes) of SHA-256(key authorization) (RFC 8737 §3).
  EXPECT_EQ(ext->value, std::string("\x04\x20", 2) + *crypto::sha256("tok.thumb"));

  EXPECT_FALSE(handshake((*solver)->port(), "a.example", "http/1.1").success())
      << "only acme-tls/1 may be negotiated";
  EXPECT_FALSE(handshake((*solver)->port(), "b.example", "acme-tls/1").success())
      << "an unknown SNI gets no certificate";
  ASSERT_TRUE((*solver)->cleanup(id, "tok", "tok.thumb"));
  EXPECT_FALSE(handshake((*solver)->port(), "a.example", "acme-tls/1").success())
      << "cleanup withdraws the certificate";
}

TEST(TlsAlpn01Solver, IpIdentifiersAreServedUnderTheirReverseName) {
  auto solver =
      TlsAlpn01Solver::start({.address = "127.0.0.1", .port = 0}, common::SystemClock::instance());
  ASSERT_TRUE(solver) << solver.error().message();
  ASSERT_TRUE((*solver)->present(acme::Identifier::ip("127.0.0.1"), "tok", "tok.thumb"));
  auto ok = handshake((*solver)->port(), "1.0.0.127.in-addr.arpa", "acme-tls/1");
  ASSERT_TRUE(ok.success()) << ok.stderr_data;
  auto cert = crypto::Certificate::from_pem(ok.stdout_data);
  ASSERT_TRUE(cert);
  EXPECT_EQ(cert->sans().ip_addresses, std::vector<std::string>{"127.0.0.1"});
}

}  // namespace
}  // namespace certkeeper::solver
