// controller/collectors: cert-manager's metrics computed from fake caches (lists of objects as
// the API server returns them), the clock metrics on a FakeClock, the ACME request observer, and
// the manager's sync counters.
#include "controller/collectors/collectors.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "controller/collectors/acme_metrics.h"
#include "controller/manager/sync_metrics.h"
#include "tests/support/fake_clock.h"

namespace certkeeper::collectors {
namespace {

using json = nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

// A cache the test fills and empties.
struct FakeCache {
  std::vector<kube::ObjectPtr> objects;
  ObjectLister lister() {
    return [this] { return objects; };
  }
  void add(json object) { objects.push_back(std::make_shared<const json>(std::move(object))); }
};

json certificate(const std::string& name, const std::string& ready_status) {
  json c = {{"apiVersion", "cert-manager.io/v1"},
            {"kind", "Certificate"},
            {"metadata", {{"name", name}, {"namespace", "apps"}}},
            {"spec",
             {{"secretName", name + "-tls"},
              {"dnsNames", {"a.example.com"}},
              {"issuerRef", {{"name", "ca"}, {"kind", "ClusterIssuer"}}}}}};
  if (!ready_status.empty()) {
    c["status"] = {{"conditions", {{{"type", "Ready"}, {"status", ready_status}}}},
                   {"notBefore", "2026-11-01T00:00:00Z"},
                   {"notAfter", "2027-01-30T00:00:00Z"},
                   {"renewalTime", "2026-12-31T00:00:00Z"}};
  }
  return c;
}

std::string scrape(const prometheus::Collectable& collector) {
  return metrics::to_text(collector.Collect());
}

TEST(CertificateCollector, TimestampsAndReadyStatusFromTheCache) {
  FakeCache cache;
  cache.add(certificate("web", "True"));
  cache.add(certificate("new", ""));  // no status yet
  const CertificateCollector collector(cache.lister());
  const std::string text = scrape(collector);

  const std::string web =
      R"(name="web",namespace="apps",issuer_name="ca",issuer_kind="ClusterIssuer",issuer_group="")";
  // 2027-01-30T00:00:00Z, 2026-11-01T00:00:00Z, 2026-12-31T00:00:00Z as Unix seconds.
  EXPECT_THAT(text, HasSubstr("certmanager_certificate_expiration_timestamp_seconds{" + web +
                              "} 1801267200\n"));
  EXPECT_THAT(text, HasSubstr("certmanager_certificate_not_after_timestamp_seconds{" + web +
                              "} 1801267200\n"));
  EXPECT_THAT(text, HasSubstr("certmanager_certificate_not_before_timestamp_seconds{" + web +
                              "} 1793491200\n"));
  EXPECT_THAT(text, HasSubstr("certmanager_certificate_renewal_timestamp_seconds{" + web +
                              "} 1798675200\n"));
  const std::string ready = R"(certmanager_certificate_ready_status{name="web",namespace="apps",)";
  const std::string issuer = R"(issuer_name="ca",issuer_kind="ClusterIssuer",issuer_group=""})";
  EXPECT_THAT(text, HasSubstr(ready + R"(condition="True",)" + issuer + " 1\n"));
  EXPECT_THAT(text, HasSubstr(ready + R"(condition="False",)" + issuer + " 0\n"));
  EXPECT_THAT(text, HasSubstr(ready + R"(condition="Unknown",)" + issuer + " 0\n"));
  // Without status: timestamps 0 and Ready Unknown, as cert-manager reports them.
  EXPECT_THAT(text, HasSubstr(R"(certmanager_certificate_expiration_timestamp_seconds{name="new",)"
                              R"(namespace="apps",)" +
                              issuer.substr(0, issuer.size() - 1) + "} 0\n"));
  EXPECT_THAT(text, HasSubstr(R"(certmanager_certificate_ready_status{name="new",namespace="apps",)"
                              R"(condition="Unknown",)" +
                              issuer + " 1\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE certmanager_certificate_ready_status gauge\n"));

  // A deleted Certificate's series go with it.
  cache.objects.erase(cache.objects.begin());
  EXPECT_THAT(scrape(collector), Not(HasSubstr(R"(name="web")")));
  EXPECT_THAT(scrape(collector), HasSubstr(R"(name="new")"));
}

TEST(CertificateCollector, FalseReadyAndObjectsTheCodecRefusesAreSkipped) {
  FakeCache cache;
  cache.add(certificate("bad", "False"));
  cache.add(json{{"metadata", {{"name", "broken"}}}, {"spec", {{"dnsNames", 5}}}});
  const std::string text = scrape(CertificateCollector(cache.lister()));
  EXPECT_THAT(text, HasSubstr(R"(name="bad",namespace="apps",condition="False")"));
  EXPECT_THAT(text, Not(HasSubstr("broken")));
}

TEST(IssuerReadyCollector, IssuersAndClusterIssuers) {
  FakeCache issuers;
  issuers.add({{"metadata", {{"name", "acme"}, {"namespace", "apps"}}},
               {"spec", {{"selfSigned", json::object()}}},
               {"status", {{"conditions", {{{"type", "Ready"}, {"status", "True"}}}}}}});
  issuers.add({{"metadata", {{"name", "pending"}, {"namespace", "apps"}}},
               {"spec", {{"selfSigned", json::object()}}}});
  const std::string text = scrape(IssuerReadyCollector(issuers.lister(), false));
  EXPECT_THAT(text, HasSubstr(R"(certmanager_issuer_ready_status{name="acme",namespace="apps",)"
                              R"(condition="True"} 1)"));
  EXPECT_THAT(text, HasSubstr(R"(certmanager_issuer_ready_status{name="acme",namespace="apps",)"
                              R"(condition="False"} 0)"));
  EXPECT_THAT(text, HasSubstr(R"(certmanager_issuer_ready_status{name="pending",)"
                              R"(namespace="apps",condition="Unknown"} 1)"));

  FakeCache cluster;
  cluster.add({{"metadata", {{"name", "le"}}},
               {"spec", {{"selfSigned", json::object()}}},
               {"status", {{"conditions", {{{"type", "Ready"}, {"status", "False"}}}}}}});
  const std::string ctext = scrape(IssuerReadyCollector(cluster.lister(), true));
  EXPECT_THAT(ctext, HasSubstr(R"(certmanager_clusterissuer_ready_status{name="le",)"
                               R"(condition="False"} 1)"));
  EXPECT_THAT(ctext, HasSubstr(R"(certmanager_clusterissuer_ready_status{name="le",)"
                               R"(condition="True"} 0)"));
  EXPECT_THAT(ctext, Not(HasSubstr("namespace=")));
}

TEST(ChallengeCollector, OneSeriesPerStateWithTheCurrentOneSet) {
  FakeCache cache;
  cache.add({{"metadata", {{"name", "web-1-2-3"}, {"namespace", "apps"}}},
             {"spec",
              {{"dnsName", "a.example.com"},
               {"type", "DNS-01"},
               {"url", "https://ca/chall/1"},
               {"authorizationURL", "https://ca/authz/1"},
               {"token", "t"},
               {"key", "k"},
               {"solver", {{"dns01", {{"webhook", {{"groupName", "g"}, {"solverName", "s"}}}}}}},
               {"issuerRef", {{"name", "acme"}}}}},
             {"status", {{"state", "pending"}, {"processing", true}, {"reason", "Waiting"}}}});
  const std::string text = scrape(ChallengeCollector(cache.lister()));
  const auto series = [](const std::string& status) {
    return R"(certmanager_certificate_challenge_status{status=")" + status +
           R"(",domain="a.example.com",reason="Waiting",processing="true",name="web-1-2-3",)"
           R"(namespace="apps",type="DNS-01"})";
  };
  EXPECT_THAT(text, HasSubstr(series("pending") + " 1\n"));
  for (const char* other : {"ready", "valid", "errored", "expired", "invalid", "processing", ""}) {
    EXPECT_THAT(text, HasSubstr(series(other) + " 0\n")) << other;
  }
}

TEST(ClockCollector, CounterAndGaugeFollowTheClock) {
  testing::FakeClock clock(std::chrono::system_clock::time_point(std::chrono::seconds(1800000000)));
  const ClockCollector collector(clock);
  EXPECT_THAT(scrape(collector), HasSubstr("# TYPE certmanager_clock_time_seconds counter\n"
                                           "certmanager_clock_time_seconds 1800000000\n"));
  clock.advance(std::chrono::milliseconds(2500));
  EXPECT_THAT(scrape(collector), HasSubstr("# TYPE certmanager_clock_time_seconds_gauge gauge\n"
                                           "certmanager_clock_time_seconds_gauge 1800000002\n"));
}

TEST(AcmeRequestMetrics, CountsAndTimesRequestsBySchemeHostActionMethodStatus) {
  metrics::Registry registry;
  AcmeRequestMetrics observer(registry);
  for (int i = 0; i < 3; ++i) {
    observer.on_request({.action = "authorize_order",
                         .method = "POST",
                         .url = "https://pebble.test:14000/order-plz",
                         .status = 201,
                         .duration = std::chrono::milliseconds(100 * (i + 1))});
  }
  observer.on_request({.action = "discover",
                       .method = "GET",
                       .url = "http://user:pw@ca.test/dir?x=1",
                       .status = 999,
                       .duration = std::chrono::seconds(1)});
  const std::string text = registry.scrape();
  const std::string order =
      R"({action="authorize_order",host="pebble.test:14000",method="POST",scheme="https",)"
      R"(status="201")";
  EXPECT_THAT(text, HasSubstr("# TYPE certmanager_http_acme_client_request_count counter\n"));
  EXPECT_THAT(text, HasSubstr("certmanager_http_acme_client_request_count" + order + "} 3\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE certmanager_http_acme_client_request_duration_seconds "
                              "summary\n"));
  EXPECT_THAT(text, HasSubstr("certmanager_http_acme_client_request_duration_seconds_count" +
                              order + "} 3\n"));
  EXPECT_THAT(text, HasSubstr("certmanager_http_acme_client_request_duration_seconds_sum" + order +
                              "} 0.6"));
  for (const char* q : {"0.5", "0.9", "0.99"}) {
    EXPECT_THAT(text, HasSubstr("certmanager_http_acme_client_request_duration_seconds" + order +
                                R"(,quantile=")" + q + R"("} )"));
  }
  EXPECT_THAT(text, HasSubstr(R"(certmanager_http_acme_client_request_count{action="discover",)"
                              R"(host="ca.test",method="GET",scheme="http",status="999"} 1)"));
  EXPECT_THAT(text, Not(HasSubstr("pw")));
}

TEST(SchemeAndHost, SplitsUrls) {
  EXPECT_EQ(scheme_and_host("https://a.test/x/y").host, "a.test");
  EXPECT_EQ(scheme_and_host("https://a.test").host, "a.test");
  EXPECT_EQ(scheme_and_host("https://[::1]:14000/dir").host, "[::1]:14000");
  EXPECT_EQ(scheme_and_host("https://[::1]:14000/dir").scheme, "https");
  EXPECT_EQ(scheme_and_host("not a url").host, "");
}

TEST(SyncMetrics, CountsCallsAndErrorsPerController) {
  metrics::Registry registry;
  auto observer = manager::make_sync_metrics(registry);
  observer->on_sync("orders", false);
  observer->on_sync("orders", true);
  observer->on_sync("issuers", false);
  const std::string text = registry.scrape();
  EXPECT_THAT(text, HasSubstr("# TYPE certmanager_controller_sync_call_count counter\n"));
  EXPECT_THAT(text, HasSubstr(R"(certmanager_controller_sync_call_count{controller="orders"} 2)"));
  EXPECT_THAT(text, HasSubstr(R"(certmanager_controller_sync_call_count{controller="issuers"} 1)"));
  EXPECT_THAT(text, HasSubstr(R"(certmanager_controller_sync_error_count{controller="orders"} 1)"));
  EXPECT_THAT(text,
              Not(HasSubstr(R"(certmanager_controller_sync_error_count{controller="issuers")")));
}

}  // namespace
}  // namespace certkeeper::collectors
