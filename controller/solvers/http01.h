#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "controller/manager/options.h"
#include "lib/api/acme_types.h"
#include "lib/common/error.h"
#include "lib/http/client.h"
#include "lib/kube/client.h"
#include "lib/kube/informer.h"

// The Kubernetes side of the HTTP-01 solver (cert-manager-api.md §3.7, §3.8): the solver Pod,
// Service and Ingress of a Challenge as pure builders, the I/O that creates and deletes them,
// and the self-check that fetches the challenge URL.
namespace certkeeper::solvers {

kube::ResourceRef pods_resource();
kube::ResourceRef services_resource();
kube::ResourceRef ingresses_resource();

// The solver Pod's port and the path prefix the ACME server fetches (RFC 8555 §8.3).
inline constexpr int kSolverPort = 8089;
inline constexpr std::string_view kChallengePathPrefix = "/.well-known/acme-challenge/";
inline constexpr std::string_view kSolverGenerateName = "cm-acme-http-solver-";

// What the solver resources take from the process's flags (§7.1).
struct Http01Settings {
  std::string image;
  std::string request_cpu = "10m";
  std::string request_memory = "64Mi";
  std::string limit_cpu = "100m";
  std::string limit_memory = "64Mi";
  bool run_as_non_root = true;
};

// From the manager's flags; an empty --acme-http01-solver-image becomes
// "certkeeper:<version>" (the image whose entrypoint is our binary).
Http01Settings http01_settings(const manager::ManagerOptions& options);

// zlib's Adler-32 of `data` (RFC 1950 §8.2), as cert-manager labels solver resources with it.
std::uint32_t adler32(std::string_view data);

// The labels that identify a Challenge's solver resources: acme.cert-manager.io/http-domain =
// adler32(dnsName), http-token = adler32(token), http01-solver = "true" (decimal, as
// cert-manager writes them). They are also the Service's selector.
std::map<std::string, std::string> solver_labels(const api::Challenge& challenge);
// The same as a label selector ("k=v,k=v").
std::string solver_label_selector(const api::Challenge& challenge);

// True for an IPv4 or IPv6 literal: the Ingress rule then has no host (§3.7).
bool is_ip_address(std::string_view text);

// The solver Pod (§3.7, exactly: generateName, labels, annotations, ownerRef → Challenge, the
// acmesolver container, securityContext, resources, nodeSelector, restartPolicy OnFailure, no
// service account token, no service links), with the solver's podTemplate merged: labels and
// annotations added (the identity labels win, so the Pod stays findable), nodeSelector merged
// key by key, tolerations and imagePullSecrets appended, affinity, priorityClassName and
// serviceAccountName replaced, securityContext fields overlaid, resources overlaid. Pure.
nlohmann::json build_pod(const api::Challenge& challenge, const Http01Settings& settings);

// The solver Service: NodePort (or the solver's serviceType), port "http" 8089 → 8089,
// selector = the identity labels. Pure.
nlohmann::json build_service(const api::Challenge& challenge);

// The solver Ingress for `service_name`: one rule, host = dnsName (none for an IP), path
// /.well-known/acme-challenge/<token>, pathType Exact; ingressClassName or the
// kubernetes.io/ingress.class annotation from the solver; ingressTemplate labels and
// annotations merged. Pure.
nlohmann::json build_ingress(const api::Challenge& challenge, const std::string& service_name);

// Edit-in-place (`ingress.name`): `ingress` with our path rule added for dnsName (to the rule
// with that host if there is one), or unchanged when it is there. Pure.
nlohmann::json add_challenge_path(nlohmann::json ingress, const api::Challenge& challenge,
                                  const std::string& service_name);
// `ingress` without the path rule for the Challenge's token (a rule left with no path is
// removed). Pure.
nlohmann::json remove_challenge_path(nlohmann::json ingress, const api::Challenge& challenge);
// Whether `ingress` has the path rule for the Challenge's token.
bool has_challenge_path(const nlohmann::json& ingress, const api::Challenge& challenge);

// The solver's resources in the apiserver, found by their labels in the Challenge's namespace.
//
// present() is idempotent: it looks the resources up in the informer caches (solver Pods and
// Services metadata-only, Ingresses whole), creates what is missing, and when more than one Pod
// (or Service, or Ingress) matches it deletes them all and fails, so the next attempt recreates
// one of each (cert-manager #7768). cleanup() lists by label at the API server (not the cache,
// which may not have seen a create yet), deletes every match and removes our path from a named
// Ingress; the ownerReference lets the garbage collector catch anything left.
//
// Holds references only; thread-safe as the client and informers are. Lives as long as the
// challenges controller.
class Http01Resources {
 public:
  Http01Resources(kube::Client& client, kube::Informer& pods, kube::Informer& services,
                  kube::Informer& ingresses, Http01Settings settings);

  common::Status present(const api::Challenge& challenge);
  common::Status cleanup(const api::Challenge& challenge);

 private:
  // The cached objects of `informer` in the Challenge's namespace with its identity labels.
  std::vector<kube::ObjectPtr> find(const kube::Informer& informer,
                                    const api::Challenge& challenge) const;
  // Ensures exactly one object: the name of the existing or created one.
  common::Result<std::string> ensure_one(const kube::ResourceRef& resource,
                                         const kube::Informer& informer,
                                         const api::Challenge& challenge,
                                         const nlohmann::json& object);
  common::Status present_named_ingress(const api::Challenge& challenge,
                                       const std::string& ingress_name,
                                       const std::string& service_name);

  kube::Client& client_;
  kube::Informer& pods_;
  kube::Informer& services_;
  kube::Informer& ingresses_;
  Http01Settings settings_;
};

// The outcome of a self-check: passed, or not yet with a reason that does not change between
// attempts that fail the same way (it becomes status.reason; a changing one would rewrite status
// every retry).
struct SelfCheck {
  bool passed = false;
  std::string reason;
};

// The HTTP-01 self-check (§3.8): GET http://<dnsName>/.well-known/acme-challenge/<token> on port
// 80 (IPv6 literals bracketed) must answer 200 with the key as body. With `nameservers`
// ("host:port"), the name is resolved there (A, then AAAA) and the request goes to that address
// with Host: <dnsName>; else the system resolver is used. One attempt; the caller retries after
// --dns01-check-retry-period. Blocks for up to 10 s.
SelfCheck http01_self_check(const api::Challenge& challenge,
                            const std::vector<std::string>& nameservers, http::HttpClient& http);

}  // namespace certkeeper::solvers
