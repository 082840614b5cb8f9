#include "lib/kube/config.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <yaml-cpp/yaml.h>

#include "lib/common/encoding.h"

namespace certkeeper::kube {
namespace {

using common::ErrorCode;
using common::make_error;
namespace fs = std::filesystem;

common::Result<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return make_error(
        ErrorCode::kInvalidArgument,
        fmt::format("cannot read {}: {}", path, std::generic_category().message(errno)));
  }
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// One named entry (cluster, user or context) and the file that defined it, so relative paths
// resolve against that file and errors can name it.
struct Entry {
  YAML::Node node;
  std::string file;
};

struct Merged {
  std::map<std::string, Entry> clusters;
  std::map<std::string, Entry> users;
  std::map<std::string, Entry> contexts;
  std::string current_context;
};

std::string str(const YAML::Node& node, const char* key) {
  const YAML::Node v = node[key];
  return v && v.IsScalar() ? v.as<std::string>() : std::string();
}

// Merges one kubeconfig file into `merged` with kubectl's rule: the first definition wins.
common::Status merge_file(const std::string& file, Merged& merged) {
  auto text = read_file(file);
  if (!text) {
    return make_error(text.error().wrap("kubeconfig"));
  }
  YAML::Node root;
  try {
    root = YAML::Load(*text);
  } catch (const YAML::Exception& e) {
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("kubeconfig {}: not valid YAML: {}", file, e.what()));
  }
  if (!root || root.IsNull()) {
    return common::ok();  // an empty file contributes nothing, as with kubectl
  }
  if (!root.IsMap()) {
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("kubeconfig {}: expected a mapping at the top level", file));
  }
  const auto take = [&](const char* list, const char* item,
                        std::map<std::string, Entry>& into) -> common::Status {
    const YAML::Node seq = root[list];
    if (!seq || seq.IsNull()) {
      return common::ok();
    }
    if (!seq.IsSequence()) {
      return make_error(ErrorCode::kInvalidArgument,
                        fmt::format("kubeconfig {}: {} must be a list", file, list));
    }
    for (std::size_t i = 0; i < seq.size(); ++i) {
      const std::string name = str(seq[i], "name");
      if (name.empty()) {
        return make_error(ErrorCode::kInvalidArgument,
                          fmt::format("kubeconfig {}: {}[{}].name is missing", file, list, i));
      }
      if (!seq[i][item] || !seq[i][item].IsMap()) {
        return make_error(
            ErrorCode::kInvalidArgument,
            fmt::format("kubeconfig {}: {}[{}].{} is missing", file, list, name, item));
      }
      into.try_emplace(name, Entry{seq[i][item], file});
    }
    return common::ok();
  };
  try {
    for (auto status :
         {take("clusters", "cluster", merged.clusters), take("users", "user", merged.users),
          take("contexts", "context", merged.contexts)}) {
      if (!status) {
        return status;
      }
    }
    if (merged.current_context.empty()) {
      merged.current_context = str(root, "current-context");
    }
  } catch (const YAML::Exception& e) {
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("kubeconfig {}: {}", file, e.what()));
  }
  return common::ok();
}

// A path as written in `file`: relative paths are relative to the file's directory.
std::string resolve(const std::string& path, const std::string& file) {
  if (path.empty() || fs::path(path).is_absolute()) {
    return path;
  }
  return (fs::path(file).parent_path() / path).lexically_normal().string();
}

// Reads `<key>-data` (inline base64) or `<key>` (a file) into PEM text; empty if neither is set.
common::Result<std::string> pem_field(const Entry& entry, const std::string& field_prefix,
                                      const char* key) {
  const std::string data = str(entry.node, fmt::format("{}-data", key).c_str());
  if (!data.empty()) {
    auto decoded = common::base64_decode(data);
    if (!decoded) {
      return make_error(decoded.error().wrap(
          fmt::format("kubeconfig {}: {}.{}-data", entry.file, field_prefix, key)));
    }
    return *decoded;
  }
  const std::string path = str(entry.node, key);
  if (path.empty()) {
    return std::string();
  }
  auto content = read_file(resolve(path, entry.file));
  if (!content) {
    return make_error(
        content.error().wrap(fmt::format("kubeconfig {}: {}.{}", entry.file, field_prefix, key)));
  }
  return *content;
}

std::vector<std::string> kubeconfig_paths(const KubeconfigOptions& options) {
  if (!options.path.empty()) {
    return {options.path};
  }
  std::vector<std::string> paths;
  // Read at start-up, before threads exist.
  const char* env = std::getenv("KUBECONFIG");  // NOLINT(concurrency-mt-unsafe)
  if (env != nullptr && *env != '\0') {
    std::stringstream list(env);
    std::string item;
    while (std::getline(list, item, ':')) {
      if (!item.empty()) {
        paths.push_back(item);
      }
    }
    return paths;
  }
  const char* home = std::getenv("HOME");  // NOLINT(concurrency-mt-unsafe)
  if (home != nullptr) {
    paths.push_back(std::string(home) + "/.kube/config");
  }
  return paths;
}

common::Result<ExecConfig> exec_config(const Entry& user, const std::string& prefix) {
  const YAML::Node exec = user.node["exec"];
  ExecConfig config;
  config.origin = fmt::format("kubeconfig {}: {}.exec", user.file, prefix);
  config.api_version = str(exec, "apiVersion");
  config.command = str(exec, "command");
  if (config.command.empty()) {
    return make_error(ErrorCode::kInvalidArgument, config.origin + ".command is missing");
  }
  // A bare command name is looked up on PATH; a relative path is relative to the kubeconfig.
  if (config.command.find('/') != std::string::npos) {
    config.command = resolve(config.command, user.file);
  }
  if (const YAML::Node args = exec["args"]; args && args.IsSequence()) {
    for (const auto& a : args) {
      config.args.push_back(a.as<std::string>());
    }
  }
  if (const YAML::Node env = exec["env"]; env && env.IsSequence()) {
    for (const auto& e : env) {
      config.env.emplace_back(str(e, "name"), str(e, "value"));
    }
  }
  return config;
}

}  // namespace

common::Result<RestConfig> load_kubeconfig(const KubeconfigOptions& options,
                                           const common::Clock& clock) {
  const std::vector<std::string> paths = kubeconfig_paths(options);
  if (paths.empty()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "no kubeconfig: pass --kubeconfig, set KUBECONFIG, or create ~/.kube/config");
  }
  Merged merged;
  for (const auto& path : paths) {
    // With several paths kubectl skips missing files; a single explicit one must exist.
    if (paths.size() > 1 && !fs::exists(path)) {
      continue;
    }
    if (auto status = merge_file(path, merged); !status) {
      return make_error(status.error());
    }
  }
  const std::string where = paths.size() == 1 ? paths[0] : fmt::format("{}", fmt::join(paths, ":"));
  const std::string context_name =
      options.context.empty() ? merged.current_context : options.context;
  if (context_name.empty()) {
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("kubeconfig {}: current-context is not set and no --context "
                                  "was given",
                                  where));
  }
  const auto context = merged.contexts.find(context_name);
  if (context == merged.contexts.end()) {
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("kubeconfig {}: context '{}' not found", where, context_name));
  }
  const Entry& ctx = context->second;
  const std::string cluster_name = str(ctx.node, "cluster");
  const std::string user_name = str(ctx.node, "user");
  const auto cluster = merged.clusters.find(cluster_name);
  if (cluster == merged.clusters.end()) {
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("kubeconfig {}: contexts[{}].cluster: cluster '{}' not found",
                                  ctx.file, context_name, cluster_name));
  }

  RestConfig config;
  const Entry& cl = cluster->second;
  const std::string cluster_field = fmt::format("clusters[{}]", cluster_name);
  config.server = str(cl.node, "server");
  if (config.server.empty()) {
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("kubeconfig {}: {}.server is missing", cl.file, cluster_field));
  }
  while (config.server.ends_with('/')) {
    config.server.pop_back();
  }
  auto ca = pem_field(cl, cluster_field, "certificate-authority");
  if (!ca) {
    return make_error(ca.error());
  }
  config.tls.ca_pem = *ca;
  config.tls.insecure_skip_verify = str(cl.node, "insecure-skip-tls-verify") == "true";
  if (const std::string ns = str(ctx.node, "namespace"); !ns.empty()) {
    config.default_namespace = ns;
  }

  if (user_name.empty()) {
    return config;  // anonymous
  }
  const auto user = merged.users.find(user_name);
  if (user == merged.users.end()) {
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("kubeconfig {}: contexts[{}].user: user '{}' not found", ctx.file,
                                  context_name, user_name));
  }
  const Entry& u = user->second;
  const std::string user_field = fmt::format("users[{}]", user_name);
  auto cert = pem_field(u, user_field, "client-certificate");
  if (!cert) {
    return make_error(cert.error());
  }
  auto key = pem_field(u, user_field, "client-key");
  if (!key) {
    return make_error(key.error());
  }
  if (cert->empty() != key->empty()) {
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("kubeconfig {}: {}: client-certificate and client-key must be "
                                  "given together",
                                  u.file, user_field));
  }
  config.tls.client_cert_pem = *cert;
  config.tls.client_key_pem = *key;

  if (const std::string token = str(u.node, "token"); !token.empty()) {
    config.token = std::make_shared<StaticTokenSource>(token);
  } else if (const std::string file = str(u.node, "tokenFile"); !file.empty()) {
    config.token = std::make_shared<FileTokenSource>(resolve(file, u.file), clock);
    if (auto t = config.token->token(); !t) {
      return make_error(
          t.error().wrap(fmt::format("kubeconfig {}: {}.tokenFile", u.file, user_field)));
    }
  } else if (u.node["exec"]) {
    auto exec = exec_config(u, user_field);
    if (!exec) {
      return make_error(exec.error());
    }
    config.token = std::make_shared<ExecTokenSource>(std::move(*exec), clock);
  } else if (u.node["auth-provider"] || u.node["username"]) {
    return make_error(
        ErrorCode::kInvalidArgument,
        fmt::format("kubeconfig {}: {}: {} is not supported (use a client "
                    "certificate, a token, a tokenFile or an exec plugin)",
                    u.file, user_field, u.node["auth-provider"] ? "auth-provider" : "basic auth"));
  }
  return config;
}

common::Result<RestConfig> in_cluster_config(const common::Clock& clock,
                                             const std::string& sa_dir) {
  // Read at start-up, before threads exist.
  const char* host = std::getenv("KUBERNETES_SERVICE_HOST");  // NOLINT(concurrency-mt-unsafe)
  const char* port = std::getenv("KUBERNETES_SERVICE_PORT");  // NOLINT(concurrency-mt-unsafe)
  if (host == nullptr || port == nullptr || *host == '\0' || *port == '\0') {
    return make_error(ErrorCode::kFailedPrecondition,
                      "not running in a cluster: KUBERNETES_SERVICE_HOST and "
                      "KUBERNETES_SERVICE_PORT must be set");
  }
  RestConfig config;
  const std::string h = host;
  // An IPv6 service address needs brackets in a URL.
  config.server = h.find(':') != std::string::npos ? fmt::format("https://[{}]:{}", h, port)
                                                   : fmt::format("https://{}:{}", h, port);
  auto ca = read_file(sa_dir + "/ca.crt");
  if (!ca) {
    return make_error(ca.error().wrap("in-cluster config"));
  }
  config.tls.ca_pem = *ca;
  config.token = std::make_shared<FileTokenSource>(sa_dir + "/token", clock);
  if (auto t = config.token->token(); !t) {
    return make_error(t.error().wrap("in-cluster config"));
  }
  if (auto ns = read_file(sa_dir + "/namespace"); ns && !ns->empty()) {
    std::string value = *ns;
    while (!value.empty() && (value.back() == '\n' || value.back() == ' ')) {
      value.pop_back();
    }
    config.default_namespace = value;
  }
  return config;
}

common::Result<RestConfig> load_config(const KubeconfigOptions& options,
                                       const common::Clock& clock) {
  // Read at start-up, before threads exist.
  const char* host = std::getenv("KUBERNETES_SERVICE_HOST");  // NOLINT(concurrency-mt-unsafe)
  if (options.path.empty() && host != nullptr) {
    return in_cluster_config(clock);
  }
  return load_kubeconfig(options, clock);
}

}  // namespace certkeeper::kube
