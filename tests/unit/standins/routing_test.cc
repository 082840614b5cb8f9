#include "tests/standins/routing.h"

#include <gtest/gtest.h>

namespace certkeeper::standins {
namespace {

using nlohmann::json;

json ingress(const std::string& name, const std::string& host, const std::string& path,
             const std::string& type, const std::string& service, int port = 8089) {
  json rule = {
      {"http",
       {{"paths",
         json::array(
             {{{"path", path},
               {"pathType", type},
               {"backend", {{"service", {{"name", service}, {"port", {{"number", port}}}}}}}}})}}}};
  if (!host.empty()) {
    rule["host"] = host;
  }
  return {{"metadata", {{"name", name}}}, {"spec", {{"rules", json::array({rule})}}}};
}

json with_class(json object, const std::string& cls) {
  object["spec"]["ingressClassName"] = cls;
  return object;
}

constexpr const char* kChallenge = "/.well-known/acme-challenge/T";

TEST(StandinsPathMatches, ExactAndElementWisePrefix) {
  EXPECT_TRUE(path_matches("Exact", "/a/b", "/a/b"));
  EXPECT_FALSE(path_matches("Exact", "/a/b", "/a/b/"));
  EXPECT_TRUE(path_matches("Prefix", "/foo", "/foo"));
  EXPECT_TRUE(path_matches("Prefix", "/foo", "/foo/"));
  EXPECT_TRUE(path_matches("Prefix", "/foo/", "/foo/bar"));
  EXPECT_FALSE(path_matches("Prefix", "/foo", "/foobar"));
  EXPECT_TRUE(path_matches("ImplementationSpecific", "/", "/anything"));
}

TEST(StandinsNormalizeHost, DropsPortAndCase) {
  EXPECT_EQ(normalize_host("App.Example.TEST:80"), "app.example.test");
  EXPECT_EQ(normalize_host("app.example.test"), "app.example.test");
  EXPECT_EQ(normalize_host("[::1]:80"), "::1");
  EXPECT_EQ(normalize_host("10.0.0.1:8080"), "10.0.0.1");
}

TEST(StandinsMatchRoute, HostAndExactPath) {
  const std::vector<json> all = {ingress("a", "app.example.test", kChallenge, "Exact", "svc-a")};
  auto match = match_route(all, "", "app.example.test", kChallenge);
  ASSERT_TRUE(match);
  EXPECT_EQ(match->service, "svc-a");
  EXPECT_EQ(match->port_number, 8089);
  EXPECT_FALSE(match_route(all, "", "other.example.test", kChallenge));
  EXPECT_FALSE(match_route(all, "", "app.example.test", "/.well-known/acme-challenge/U"));
}

TEST(StandinsMatchRoute, RuleWithoutHostMatchesAnyHost) {
  const std::vector<json> all = {ingress("ip", "", kChallenge, "Exact", "svc-ip")};
  EXPECT_EQ(match_route(all, "", "10.1.2.3", kChallenge)->service, "svc-ip");
}

TEST(StandinsMatchRoute, SpecificHostBeatsWildcardBeatsNoHost) {
  const std::vector<json> all = {ingress("none", "", "/", "Prefix", "svc-none"),
                                 ingress("wild", "*.example.test", "/", "Prefix", "svc-wild"),
                                 ingress("exact", "app.example.test", "/", "Prefix", "svc-exact")};
  EXPECT_EQ(match_route(all, "", "app.example.test", "/x")->service, "svc-exact");
  EXPECT_EQ(match_route(all, "", "b.example.test", "/x")->service, "svc-wild");
  EXPECT_EQ(match_route(all, "", "a.b.example.test", "/x")->service, "svc-none");
}

TEST(StandinsMatchRoute, LongestPathWinsExactBeforePrefix) {
  const std::vector<json> all = {
      ingress("root", "h", "/", "Prefix", "svc-root"),
      ingress("wk", "h", "/.well-known", "ImplementationSpecific", "svc-wk"),
      ingress("tok-prefix", "h", kChallenge, "Prefix", "svc-prefix"),
      ingress("tok-exact", "h", kChallenge, "Exact", "svc-exact")};
  EXPECT_EQ(match_route(all, "", "h", kChallenge)->service, "svc-exact");
  EXPECT_EQ(match_route(all, "", "h", std::string(kChallenge) + "/more")->service, "svc-prefix");
  EXPECT_EQ(match_route(all, "", "h", "/.well-known/other")->service, "svc-wk");
  EXPECT_EQ(match_route(all, "", "h", "/index.html")->service, "svc-root");
}

TEST(StandinsMatchRoute, IngressClassFilter) {
  auto annotated = ingress("b", "h", "/", "Prefix", "svc-b");
  annotated["metadata"]["annotations"] = {{"kubernetes.io/ingress.class", "standin"}};
  const std::vector<json> all = {with_class(ingress("a", "h", "/a", "Prefix", "svc-a"), "nginx"),
                                 annotated};
  EXPECT_EQ(match_route(all, "standin", "h", "/a")->service, "svc-b");
  EXPECT_EQ(match_route(all, "nginx", "h", "/a")->service, "svc-a");
  EXPECT_FALSE(match_route(all, "nginx", "h", "/b"));
  EXPECT_EQ(match_route(all, "", "h", "/a")->service, "svc-a");  // no filter
}

json service(const json& target_port) {
  json port = {{"name", "http"}, {"port", 8089}};
  if (!target_port.is_null()) {
    port["targetPort"] = target_port;
  }
  return {{"metadata", {{"name", "svc"}}},
          {"spec", {{"selector", {{"app", "solver"}}}, {"ports", json::array({port})}}}};
}

json pod(const std::string& name, const std::string& ip, bool ready,
         const std::string& app = "solver") {
  return {
      {"metadata", {{"name", name}, {"labels", {{"app", app}, {"extra", "x"}}}}},
      {"spec",
       {{"containers",
         json::array({{{"ports", json::array({{{"name", "web"}, {"containerPort", 9000}}})}}})}}},
      {"status",
       {{"phase", "Running"},
        {"podIP", ip},
        {"conditions", json::array({{{"type", "Ready"}, {"status", ready ? "True" : "False"}}})}}}};
}

TEST(StandinsReadyEndpoints, SelectorReadinessAndTargetPorts) {
  RouteMatch match{.service = "svc", .port_number = 8089};
  const std::vector<json> pods = {pod("a", "10.0.0.2", true), pod("b", "10.0.0.6", false),
                                  pod("c", "10.0.0.10", true, "other")};
  auto endpoints = ready_endpoints(match, service(8089), pods);
  ASSERT_TRUE(endpoints);
  ASSERT_EQ(endpoints->size(), 1u);
  EXPECT_EQ((*endpoints)[0].ip, "10.0.0.2");
  EXPECT_EQ((*endpoints)[0].port, 8089);

  endpoints = ready_endpoints(match, service("web"), pods);
  ASSERT_TRUE(endpoints);
  EXPECT_EQ((*endpoints)[0].port, 9000);
  endpoints = ready_endpoints(match, service(nullptr), pods);
  EXPECT_EQ((*endpoints)[0].port, 8089);

  RouteMatch by_name{.service = "svc", .port_name = "http"};
  EXPECT_EQ(ready_endpoints(by_name, service(8089), pods)->size(), 1u);
  RouteMatch wrong{.service = "svc", .port_number = 80};
  EXPECT_FALSE(ready_endpoints(wrong, service(8089), pods));
}

TEST(StandinsReadyEndpoints, NoReadyPodIsAnEmptyList) {
  RouteMatch match{.service = "svc", .port_number = 8089};
  auto deleting = pod("a", "10.0.0.2", true);
  deleting["metadata"]["deletionTimestamp"] = "2026-11-28T00:00:00Z";
  auto pending = pod("b", "10.0.0.6", true);
  pending["status"]["phase"] = "Pending";
  auto endpoints = ready_endpoints(match, service(8089), {deleting, pending});
  ASSERT_TRUE(endpoints);
  EXPECT_TRUE(endpoints->empty());
}

}  // namespace
}  // namespace certkeeper::standins
