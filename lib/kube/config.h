#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "lib/common/clock.h"
#include "lib/common/error.h"
#include "lib/http/curl_client.h"

namespace certkeeper::kube {

// A bearer token, and until when it may be used (nullopt: until the server rejects it).
struct Token {
  std::string value;
  std::optional<std::chrono::system_clock::time_point> expires;
};

// Where a client's bearer token comes from. The REST client asks before every request and calls
// invalidate() after a 401 so that a rotated token is picked up at once.
//
// Implementations are thread-safe.
class TokenSource {
 public:
  virtual ~TokenSource() = default;
  virtual common::Result<Token> token() = 0;
  virtual void invalidate() = 0;
};

// A fixed token from the kubeconfig (`user.token`).
class StaticTokenSource final : public TokenSource {
 public:
  explicit StaticTokenSource(std::string token) : token_(std::move(token)) {}
  common::Result<Token> token() override { return Token{token_, std::nullopt}; }
  void invalidate() override {}

 private:
  std::string token_;
};

// A token file (`user.tokenFile`, or the in-cluster service-account token), re-read when it is
// older than `refresh` or after invalidate(): the kubelet rotates projected tokens in place.
class FileTokenSource final : public TokenSource {
 public:
  FileTokenSource(std::string path, const common::Clock& clock,
                  std::chrono::seconds refresh = std::chrono::minutes(1));
  common::Result<Token> token() override;
  void invalidate() override;

 private:
  struct State;
  std::string path_;
  const common::Clock& clock_;
  std::chrono::seconds refresh_;
  std::shared_ptr<State> state_;
};

// A client-go credential plugin (`user.exec`, client.authentication.k8s.io/v1 or v1beta1), as
// EKS, GKE and AKS kubeconfigs use: runs the command, reads the ExecCredential it prints, and
// caches the token until its expirationTimestamp (or invalidate()).
struct ExecConfig {
  std::string api_version;
  std::string command;
  std::vector<std::string> args;
  std::vector<std::pair<std::string, std::string>> env;
  std::string origin;  // "kubeconfig FILE: users[NAME].exec", for error messages
};

class ExecTokenSource final : public TokenSource {
 public:
  ExecTokenSource(ExecConfig config, const common::Clock& clock);
  common::Result<Token> token() override;
  void invalidate() override;

 private:
  struct State;
  ExecConfig config_;
  const common::Clock& clock_;
  std::shared_ptr<State> state_;
};

// Everything needed to talk to one API server as one identity.
struct RestConfig {
  std::string server;  // https://host:port, no trailing slash
  http::TlsOptions tls;
  std::shared_ptr<TokenSource> token;  // null when authentication is by client certificate only
  std::string default_namespace = "default";
  double qps = 50.0;  // client-side rate limit; <= 0 turns it off
  int burst = 100;
  std::string user_agent;  // empty: common::user_agent()
};

struct KubeconfigOptions {
  // An explicit file (--kubeconfig). Empty: $KUBECONFIG (several paths separated by ':'), and
  // when that is unset too, ~/.kube/config.
  std::string path;
  std::string context;  // --context; empty: the kubeconfig's current-context
};

// Loads a kubeconfig as kubectl does: files merged in order (the first to define a cluster, user
// or context name wins; the first non-empty current-context wins), relative paths resolved
// against the file that names them, inline *-data fields decoded. Every error names the file and
// field at fault, e.g. "kubeconfig /a/b: users[admin].client-key: cannot read key.pem: ...".
common::Result<RestConfig> load_kubeconfig(const KubeconfigOptions& options,
                                           const common::Clock& clock);

// The in-cluster configuration of a Pod: KUBERNETES_SERVICE_HOST/PORT, the service-account token
// (re-read as it rotates), CA and namespace under `sa_dir`.
common::Result<RestConfig> in_cluster_config(
    const common::Clock& clock,
    const std::string& sa_dir = "/var/run/secrets/kubernetes.io/serviceaccount");

// What the binaries use: in a Pod (KUBERNETES_SERVICE_HOST set) with no explicit --kubeconfig,
// in_cluster_config(); otherwise load_kubeconfig(options).
common::Result<RestConfig> load_config(const KubeconfigOptions& options,
                                       const common::Clock& clock);

}  // namespace certkeeper::kube
