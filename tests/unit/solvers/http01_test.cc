#include "controller/solvers/http01.h"

#include <gtest/gtest.h>

#include "lib/api/well_known.h"

namespace certkeeper::solvers {
namespace {

using nlohmann::json;

api::Challenge http_challenge(std::string dns_name = "www.example.test") {
  api::Challenge c;
  c.metadata.namespace_ = "apps";
  c.metadata.name = "www-1-123";
  c.metadata.uid = "uid-1";
  c.spec.dns_name = std::move(dns_name);
  c.spec.type = std::string(api::kChallengeTypeHttp01);
  c.spec.token = "tok-123";
  c.spec.key = "tok-123.thumb";
  c.spec.solver.http01 = api::AcmeHttp01{.ingress = api::AcmeHttp01Ingress{}};
  return c;
}

Http01Settings settings() {
  return {.image = "certkeeper:9.9.9",
          .request_cpu = "10m",
          .request_memory = "64Mi",
          .limit_cpu = "100m",
          .limit_memory = "64Mi",
          .run_as_non_root = true};
}

TEST(Adler32, MatchesZlib) {
  EXPECT_EQ(adler32(""), 1U);
  EXPECT_EQ(adler32("Wikipedia"), 0x11E60398U);  // the textbook example
  EXPECT_EQ(adler32("abc"), 0x024D0127U);
}

TEST(SolverLabels, AreAdlerOfDomainAndToken) {
  const auto labels = solver_labels(http_challenge());
  EXPECT_EQ(labels.at("acme.cert-manager.io/http-domain"),
            std::to_string(adler32("www.example.test")));
  EXPECT_EQ(labels.at("acme.cert-manager.io/http-token"), std::to_string(adler32("tok-123")));
  EXPECT_EQ(labels.at("acme.cert-manager.io/http01-solver"), "true");
  EXPECT_EQ(solver_label_selector(http_challenge()),
            "acme.cert-manager.io/http-domain=" + std::to_string(adler32("www.example.test")) +
                ",acme.cert-manager.io/http-token=" + std::to_string(adler32("tok-123")) +
                ",acme.cert-manager.io/http01-solver=true");
}

TEST(BuildPod, HasTheReferenceShape) {
  const json pod = build_pod(http_challenge(), settings());
  const json& md = pod["metadata"];
  EXPECT_EQ(md["generateName"], "cm-acme-http-solver-");
  EXPECT_EQ(md["namespace"], "apps");
  EXPECT_EQ(md["labels"], json(solver_labels(http_challenge())));
  EXPECT_EQ(md["annotations"], (json{{"sidecar.istio.io/inject", "false"},
                                     {"cluster-autoscaler.kubernetes.io/safe-to-evict", "true"}}));
  EXPECT_EQ(md["ownerReferences"], json::parse(R"([{"apiVersion":"acme.cert-manager.io/v1",
      "kind":"Challenge","name":"www-1-123","uid":"uid-1","controller":true,
      "blockOwnerDeletion":true}])"));
  const json& spec = pod["spec"];
  EXPECT_EQ(spec["nodeSelector"], (json{{"kubernetes.io/os", "linux"}}));
  EXPECT_EQ(spec["restartPolicy"], "OnFailure");
  EXPECT_EQ(spec["automountServiceAccountToken"], false);
  EXPECT_EQ(spec["enableServiceLinks"], false);
  EXPECT_EQ(spec["securityContext"],
            json::parse(R"({"runAsNonRoot":true,"seccompProfile":{"type":"RuntimeDefault"}})"));
  ASSERT_EQ(spec["containers"].size(), 1U);
  const json& c = spec["containers"][0];
  EXPECT_EQ(c["name"], "acmesolver");
  EXPECT_EQ(c["image"], "certkeeper:9.9.9");
  EXPECT_FALSE(c.contains("command"));  // the image's entrypoint is the certkeeper binary
  EXPECT_EQ(c["args"], (json{"acmesolver", "--listen-port=8089", "--domain=www.example.test",
                             "--token=tok-123", "--key=tok-123.thumb"}));
  EXPECT_EQ(c["ports"], json::parse(R"([{"name":"http","containerPort":8089}])"));
  EXPECT_EQ(c["resources"], json::parse(R"({"requests":{"cpu":"10m","memory":"64Mi"},
      "limits":{"cpu":"100m","memory":"64Mi"}})"));
  EXPECT_EQ(c["securityContext"], json::parse(R"({"readOnlyRootFilesystem":true,
      "allowPrivilegeEscalation":false,"capabilities":{"drop":["ALL"]}})"));
}

TEST(BuildPod, MergesThePodTemplate) {
  auto ch = http_challenge();
  ch.spec.solver.http01->ingress->pod_template = json::parse(R"({
    "metadata": {"labels": {"team": "web", "acme.cert-manager.io/http01-solver": "no"},
                 "annotations": {"note": "x"}},
    "spec": {"nodeSelector": {"zone": "a"}, "tolerations": [{"key": "k", "operator": "Exists"}],
             "priorityClassName": "high", "serviceAccountName": "solver",
             "securityContext": {"runAsUser": 1000},
             "resources": {"limits": {"memory": "128Mi"}}}})");
  auto s = settings();
  s.run_as_non_root = false;
  const json pod = build_pod(ch, s);
  EXPECT_EQ(pod["metadata"]["labels"]["team"], "web");
  EXPECT_EQ(pod["metadata"]["labels"]["acme.cert-manager.io/http01-solver"], "true");
  EXPECT_EQ(pod["metadata"]["annotations"]["note"], "x");
  EXPECT_EQ(pod["metadata"]["annotations"]["sidecar.istio.io/inject"], "false");
  EXPECT_EQ(pod["spec"]["nodeSelector"], (json{{"kubernetes.io/os", "linux"}, {"zone", "a"}}));
  EXPECT_EQ(pod["spec"]["tolerations"].size(), 1U);
  EXPECT_EQ(pod["spec"]["priorityClassName"], "high");
  EXPECT_EQ(pod["spec"]["serviceAccountName"], "solver");
  EXPECT_EQ(pod["spec"]["securityContext"]["runAsUser"], 1000);
  EXPECT_EQ(pod["spec"]["securityContext"]["runAsNonRoot"], false);
  EXPECT_EQ(pod["spec"]["containers"][0]["resources"]["limits"]["memory"], "128Mi");
  EXPECT_EQ(pod["spec"]["containers"][0]["resources"]["limits"]["cpu"], "100m");
}

TEST(BuildService, HasTheReferenceShape) {
  auto ch = http_challenge();
  const json svc = build_service(ch);
  EXPECT_EQ(svc["metadata"]["generateName"], "cm-acme-http-solver-");
  EXPECT_EQ(svc["metadata"]["annotations"], (json{{"auth.istio.io/8089", "NONE"}}));
  EXPECT_EQ(svc["metadata"]["labels"], json(solver_labels(ch)));
  EXPECT_EQ(svc["spec"]["type"], "NodePort");
  EXPECT_EQ(svc["spec"]["ports"],
            json::parse(R"([{"name":"http","port":8089,"targetPort":8089}])"));
  EXPECT_EQ(svc["spec"]["selector"], json(solver_labels(ch)));
  ch.spec.solver.http01->ingress->service_type = "ClusterIP";
  EXPECT_EQ(build_service(ch)["spec"]["type"], "ClusterIP");
}

TEST(BuildIngress, ClassNameAnnotationAndIpHost) {
  auto ch = http_challenge();
  ch.spec.solver.http01->ingress->ingress_class_name = "nginx";
  ch.spec.solver.http01->ingress->ingress_template =
      json::parse(R"({"metadata":{"labels":{"l":"1"},"annotations":{"a":"2"}}})");
  json ing = build_ingress(ch, "cm-acme-http-solver-abc");
  EXPECT_EQ(ing["apiVersion"], "networking.k8s.io/v1");
  EXPECT_EQ(ing["metadata"]["generateName"], "cm-acme-http-solver-");
  EXPECT_EQ(
      ing["metadata"]["annotations"],
      (json{{"nginx.ingress.kubernetes.io/whitelist-source-range", "0.0.0.0/0,::/0"}, {"a", "2"}}));
  EXPECT_EQ(ing["metadata"]["labels"]["l"], "1");
  EXPECT_EQ(ing["spec"]["ingressClassName"], "nginx");
  EXPECT_EQ(ing["spec"]["rules"], json::parse(R"([{"host":"www.example.test","http":{"paths":[
      {"path":"/.well-known/acme-challenge/tok-123","pathType":"Exact",
       "backend":{"service":{"name":"cm-acme-http-solver-abc","port":{"number":8089}}}}]}}])"));

  auto by_class = http_challenge("192.0.2.7");
  by_class.spec.solver.http01->ingress->class_ = "traefik";
  ing = build_ingress(by_class, "svc");
  EXPECT_EQ(ing["metadata"]["annotations"]["kubernetes.io/ingress.class"], "traefik");
  EXPECT_FALSE(ing["spec"].contains("ingressClassName"));
  EXPECT_FALSE(ing["spec"]["rules"][0].contains("host"));  // IP identifier: no host
}

TEST(NamedIngress, AddsAndRemovesOnlyOurPath) {
  auto ch = http_challenge();
  const json existing = json::parse(R"({"metadata":{"name":"web"},"spec":{"rules":[
      {"host":"www.example.test","http":{"paths":[{"path":"/","pathType":"Prefix",
       "backend":{"service":{"name":"web","port":{"number":80}}}}]}}]}})");
  const json added = add_challenge_path(existing, ch, "svc");
  EXPECT_TRUE(has_challenge_path(added, ch));
  EXPECT_EQ(added["spec"]["rules"].size(), 1U);
  EXPECT_EQ(added["spec"]["rules"][0]["http"]["paths"].size(), 2U);
  EXPECT_EQ(add_challenge_path(added, ch, "svc"), added);  // idempotent
  EXPECT_EQ(remove_challenge_path(added, ch), existing);

  // A host the Ingress lacks gets its own rule, removed with our path.
  auto other = http_challenge("api.example.test");
  const json with_rule = add_challenge_path(existing, other, "svc");
  EXPECT_EQ(with_rule["spec"]["rules"].size(), 2U);
  EXPECT_EQ(remove_challenge_path(with_rule, other), existing);
}

// An HttpClient answering every request with one canned result, remembering the last request.
class CannedHttp final : public http::HttpClient {
 public:
  explicit CannedHttp(common::Result<http::Response> answer) : answer_(std::move(answer)) {}
  common::Result<http::Response> send(const http::Request& request) override {
    last = request;
    return answer_;
  }
  common::Result<http::Response> send_streaming(const http::Request& request,
                                                const http::BodyChunkHandler&) override {
    return send(request);
  }
  http::Request last;

 private:
  common::Result<http::Response> answer_;
};

http::Response response(int status, std::string body) {
  http::Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

TEST(Http01SelfCheck, PassesOnlyOnTheKey) {
  CannedHttp ok(response(200, "tok-123.thumb"));
  const auto passed = http01_self_check(http_challenge(), {}, ok);
  EXPECT_TRUE(passed.passed);
  EXPECT_EQ(ok.last.url, "http://www.example.test/.well-known/acme-challenge/tok-123");
  EXPECT_FALSE(ok.last.headers.get("Host"));

  CannedHttp wrong(response(200, "something else"));
  const auto mismatch = http01_self_check(http_challenge(), {}, wrong);
  EXPECT_FALSE(mismatch.passed);
  EXPECT_EQ(mismatch.reason,
            "did not get expected response when querying endpoint "
            "'http://www.example.test/.well-known/acme-challenge/tok-123'");
}

TEST(Http01SelfCheck, ReasonsAreStable) {
  CannedHttp not_found(response(404, "404 page not found at 12:00:01"));
  const auto first = http01_self_check(http_challenge(), {}, not_found);
  EXPECT_FALSE(first.passed);
  EXPECT_EQ(first.reason, "wrong status code '404', expected '200'");

  // A transport error names the URL and the error's code, not its changing details.
  CannedHttp refused(common::make_error(common::ErrorCode::kUnavailable,
                                        "connect to 127.0.0.1 port 80 after 3 ms: refused"));
  const auto a = http01_self_check(http_challenge(), {}, refused);
  EXPECT_FALSE(a.passed);
  EXPECT_EQ(a.reason.find("3 ms"), std::string::npos);
  EXPECT_NE(a.reason.find("'http://www.example.test/.well-known/acme-challenge/tok-123'"),
            std::string::npos);
}

TEST(Http01SelfCheck, IpIdentifiersAreBracketed) {
  CannedHttp ok(response(200, "tok-123.thumb"));
  // An IP is never looked up, even with nameservers configured.
  EXPECT_TRUE(http01_self_check(http_challenge("2001:db8::1"), {"192.0.2.53:53"}, ok).passed);
  EXPECT_EQ(ok.last.url, "http://[2001:db8::1]/.well-known/acme-challenge/tok-123");
}

TEST(IsIpAddress, V4AndV6) {
  EXPECT_TRUE(is_ip_address("192.0.2.1"));
  EXPECT_TRUE(is_ip_address("2001:db8::1"));
  EXPECT_FALSE(is_ip_address("example.test"));
}

}  // namespace
}  // namespace certkeeper::solvers
