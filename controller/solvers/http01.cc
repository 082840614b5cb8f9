#include "controller/solvers/http01.h"

#include <arpa/inet.h>
#include <fmt/format.h>

#include "lib/api/well_known.h"
#include "lib/common/version.h"
#include "lib/dns/resolver.h"

namespace certkeeper::solvers {

using nlohmann::json;

namespace {

constexpr std::string_view kIngressClassAnnotation = "kubernetes.io/ingress.class";

const api::AcmeHttp01Ingress* ingress_solver(const api::Challenge& challenge) {
  const auto& http01 = challenge.spec.solver.http01;
  return http01 && http01->ingress ? &*http01->ingress : nullptr;
}

json owner_reference(const api::Challenge& challenge) {
  return {{"apiVersion", std::string(api::kAcmeApiVersion)},
          {"kind", std::string(api::kKindChallenge)},
          {"name", challenge.metadata.name},
          {"uid", challenge.metadata.uid},
          {"controller", true},
          {"blockOwnerDeletion", true}};
}

json base_metadata(const api::Challenge& challenge, const json& annotations) {
  return {{"generateName", std::string(kSolverGenerateName)},
          {"namespace", challenge.metadata.namespace_},
          {"labels", solver_labels(challenge)},
          {"annotations", annotations},
          {"ownerReferences", json::array({owner_reference(challenge)})}};
}

// Adds template labels/annotations under `key` without replacing the identity labels.
void merge_string_map(json& target, const json& source, bool keep_existing) {
  if (!source.is_object()) {
    return;
  }
  for (const auto& [k, v] : source.items()) {
    if (!v.is_string() || (keep_existing && target.contains(k))) {
      continue;
    }
    target[k] = v;
  }
}

void merge_template_metadata(json& metadata, const json& tmpl) {
  if (!tmpl.is_object()) {
    return;
  }
  const auto md = tmpl.find("metadata");
  if (md == tmpl.end() || !md->is_object()) {
    return;
  }
  if (md->contains("labels")) {
    merge_string_map(metadata["labels"], md->at("labels"), /*keep_existing=*/true);
  }
  if (md->contains("annotations")) {
    merge_string_map(metadata["annotations"], md->at("annotations"), /*keep_existing=*/false);
  }
}

void append_array(json& spec, const json& from, const char* key) {
  const auto it = from.find(key);
  if (it == from.end() || !it->is_array()) {
    return;
  }
  json& target = spec[key];
  if (!target.is_array()) {
    target = json::array();
  }
  for (const auto& item : *it) {
    target.push_back(item);
  }
}

void merge_pod_template(json& pod, const json& tmpl) {
  merge_template_metadata(pod["metadata"], tmpl);
  const auto spec_it = tmpl.find("spec");
  if (spec_it == tmpl.end() || !spec_it->is_object()) {
    return;
  }
  const json& from = *spec_it;
  json& spec = pod["spec"];
  if (from.contains("nodeSelector")) {
    merge_string_map(spec["nodeSelector"], from.at("nodeSelector"), /*keep_existing=*/false);
  }
  append_array(spec, from, "tolerations");
  append_array(spec, from, "imagePullSecrets");
  for (const char* key : {"affinity", "priorityClassName", "serviceAccountName"}) {
    if (from.contains(key) && !from.at(key).is_null()) {
      spec[key] = from.at(key);
    }
  }
  if (from.contains("securityContext") && from.at("securityContext").is_object()) {
    for (const auto& [k, v] : from.at("securityContext").items()) {
      spec["securityContext"][k] = v;
    }
  }
  // v1.19: resources in the template override the flags' requests and limits.
  if (from.contains("resources") && from.at("resources").is_object()) {
    json& resources = spec["containers"][0]["resources"];
    for (const char* kind : {"requests", "limits"}) {
      if (from.at("resources").contains(kind)) {
        merge_string_map(resources[kind], from.at("resources").at(kind), false);
      }
    }
  }
}

std::string challenge_path(const api::Challenge& challenge) {
  return std::string(kChallengePathPrefix) + challenge.spec.token;
}

json ingress_path(const api::Challenge& challenge, const std::string& service_name) {
  return {
      {"path", challenge_path(challenge)},
      {"pathType", "Exact"},
      {"backend", {{"service", {{"name", service_name}, {"port", {{"number", kSolverPort}}}}}}}};
}

std::string rule_host(const api::Challenge& challenge) {
  return is_ip_address(challenge.spec.dns_name) ? "" : challenge.spec.dns_name;
}

std::string name_of(const json& object) {
  return object.value("/metadata/name"_json_pointer, std::string());
}

bool is_not_found(const common::Error& error) {
  return error.code() == common::ErrorCode::kNotFound;
}

}  // namespace

kube::ResourceRef pods_resource() { return {"", "v1", "pods", "", "", ""}; }
kube::ResourceRef services_resource() { return {"", "v1", "services", "", "", ""}; }
kube::ResourceRef ingresses_resource() {
  return {"networking.k8s.io", "v1", "ingresses", "", "", ""};
}

Http01Settings http01_settings(const manager::ManagerOptions& options) {
  Http01Settings settings{
      .image = options.acme_http01_solver_image,
      .request_cpu = options.acme_http01_solver_resource_request_cpu,
      .request_memory = options.acme_http01_solver_resource_request_memory,
      .limit_cpu = options.acme_http01_solver_resource_limits_cpu,
      .limit_memory = options.acme_http01_solver_resource_limits_memory,
      .run_as_non_root = options.acme_http01_solver_run_as_non_root,
  };
  if (settings.image.empty()) {
    settings.image = fmt::format("certkeeper:{}", common::build_info().version);
  }
  return settings;
}

std::uint32_t adler32(std::string_view data) {
  constexpr std::uint32_t kMod = 65521;
  std::uint32_t a = 1;
  std::uint32_t b = 0;
  for (const char c : data) {
    a = (a + static_cast<unsigned char>(c)) % kMod;
    b = (b + a) % kMod;
  }
  return (b << 16) | a;
}

std::map<std::string, std::string> solver_labels(const api::Challenge& challenge) {
  return {{std::string(api::kLabelHttpDomain), std::to_string(adler32(challenge.spec.dns_name))},
          {std::string(api::kLabelHttpToken), std::to_string(adler32(challenge.spec.token))},
          {std::string(api::kLabelHttp01Solver), "true"}};
}

std::string solver_label_selector(const api::Challenge& challenge) {
  std::string out;
  for (const auto& [k, v] : solver_labels(challenge)) {
    if (!out.empty()) {
      out += ',';
    }
    out.append(k).append("=").append(v);
  }
  return out;
}

bool is_ip_address(std::string_view text) {
  std::string s(text);
  unsigned char buf[sizeof(in6_addr)];
  return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

json build_pod(const api::Challenge& challenge, const Http01Settings& settings) {
  json pod = {
      {"apiVersion", "v1"},
      {"kind", "Pod"},
      {"metadata",
       base_metadata(challenge, {{"sidecar.istio.io/inject", "false"},
                                 {"cluster-autoscaler.kubernetes.io/safe-to-evict", "true"}})},
      {"spec",
       {{"nodeSelector", {{"kubernetes.io/os", "linux"}}},
        {"restartPolicy", "OnFailure"},
        {"automountServiceAccountToken", false},
        {"enableServiceLinks", false},
        {"securityContext",
         {{"runAsNonRoot", settings.run_as_non_root},
          {"seccompProfile", {{"type", "RuntimeDefault"}}}}},
        {"containers",
         json::array(
             {{{"name", "acmesolver"},
               {"image", settings.image},
               {"imagePullPolicy", "IfNotPresent"},
               // No command: the image's entrypoint is the certkeeper binary.
               {"args",
                json::array({"acmesolver", fmt::format("--listen-port={}", kSolverPort),
                             "--domain=" + challenge.spec.dns_name,
                             "--token=" + challenge.spec.token, "--key=" + challenge.spec.key})},
               {"ports", json::array({{{"name", "http"}, {"containerPort", kSolverPort}}})},
               {"resources",
                {{"requests", {{"cpu", settings.request_cpu}, {"memory", settings.request_memory}}},
                 {"limits", {{"cpu", settings.limit_cpu}, {"memory", settings.limit_memory}}}}},
               {"securityContext",
                {{"readOnlyRootFilesystem", true},
                 {"allowPrivilegeEscalation", false},
                 {"capabilities", {{"drop", json::array({"ALL"})}}}}}}})}}}};
  if (const auto* ingress = ingress_solver(challenge); ingress && ingress->pod_template) {
    merge_pod_template(pod, *ingress->pod_template);
  }
  return pod;
}

json build_service(const api::Challenge& challenge) {
  const auto* ingress = ingress_solver(challenge);
  const std::string type = ingress && ingress->service_type && !ingress->service_type->empty()
                               ? *ingress->service_type
                               : "NodePort";
  return {{"apiVersion", "v1"},
          {"kind", "Service"},
          {"metadata", base_metadata(challenge, {{"auth.istio.io/8089", "NONE"}})},
          {"spec",
           {{"type", type},
            {"ports",
             json::array({{{"name", "http"}, {"port", kSolverPort}, {"targetPort", kSolverPort}}})},
            {"selector", solver_labels(challenge)}}}};
}

json build_ingress(const api::Challenge& challenge, const std::string& service_name) {
  json annotations = {{"nginx.ingress.kubernetes.io/whitelist-source-range", "0.0.0.0/0,::/0"}};
  const auto* solver = ingress_solver(challenge);
  if (solver && solver->class_ && !solver->class_->empty()) {
    annotations[std::string(kIngressClassAnnotation)] = *solver->class_;
  }
  json rule = {{"http", {{"paths", json::array({ingress_path(challenge, service_name)})}}}};
  if (const auto host = rule_host(challenge); !host.empty()) {
    rule["host"] = host;
  }
  json ingress = {{"apiVersion", "networking.k8s.io/v1"},
                  {"kind", "Ingress"},
                  {"metadata", base_metadata(challenge, annotations)},
                  {"spec", {{"rules", json::array({rule})}}}};
  if (solver && solver->ingress_class_name && !solver->ingress_class_name->empty()) {
    ingress["spec"]["ingressClassName"] = *solver->ingress_class_name;
  }
  if (solver && solver->ingress_template) {
    merge_template_metadata(ingress["metadata"], *solver->ingress_template);
  }
  return ingress;
}

bool has_challenge_path(const json& ingress, const api::Challenge& challenge) {
  const std::string path = challenge_path(challenge);
  const auto rules = ingress.value("/spec/rules"_json_pointer, json::array());
  for (const auto& rule : rules) {
    for (const auto& p : rule.value("/http/paths"_json_pointer, json::array())) {
      if (p.value("path", "") == path) {
        return true;
      }
    }
  }
  return false;
}

json add_challenge_path(json ingress, const api::Challenge& challenge,
                        const std::string& service_name) {
  if (has_challenge_path(ingress, challenge)) {
    return ingress;
  }
  const std::string host = rule_host(challenge);
  json& rules = ingress["spec"]["rules"];
  if (!rules.is_array()) {
    rules = json::array();
  }
  for (auto& rule : rules) {
    if (rule.value("host", "") == host) {
      json& paths = rule["http"]["paths"];
      if (!paths.is_array()) {
        paths = json::array();
      }
      paths.push_back(ingress_path(challenge, service_name));
      return ingress;
    }
  }
  json rule = {{"http", {{"paths", json::array({ingress_path(challenge, service_name)})}}}};
  if (!host.empty()) {
    rule["host"] = host;
  }
  rules.push_back(std::move(rule));
  return ingress;
}

json remove_challenge_path(json ingress, const api::Challenge& challenge) {
  const std::string path = challenge_path(challenge);
  auto rules_it = ingress.find("spec");
  if (rules_it == ingress.end() || !rules_it->contains("rules")) {
    return ingress;
  }
  json kept = json::array();
  for (auto rule : (*rules_it)["rules"]) {
    const bool had_paths = rule.contains("http") && rule["http"].contains("paths");
    if (had_paths) {
      json paths = json::array();
      for (const auto& p : rule["http"]["paths"]) {
        if (p.value("path", "") != path) {
          paths.push_back(p);
        }
      }
      if (paths.empty()) {
        continue;  // the rule only served our path
      }
      rule["http"]["paths"] = std::move(paths);
    }
    kept.push_back(std::move(rule));
  }
  (*rules_it)["rules"] = std::move(kept);
  return ingress;
}

Http01Resources::Http01Resources(kube::Client& client, kube::Informer& pods,
                                 kube::Informer& services, kube::Informer& ingresses,
                                 Http01Settings settings)
    : client_(client),
      pods_(pods),
      services_(services),
      ingresses_(ingresses),
      settings_(std::move(settings)) {}

std::vector<kube::ObjectPtr> Http01Resources::find(const kube::Informer& informer,
                                                   const api::Challenge& challenge) const {
  const auto labels = solver_labels(challenge);
  std::vector<kube::ObjectPtr> out;
  for (auto& object : informer.by_index("namespace", challenge.metadata.namespace_)) {
    const auto have = object->value("/metadata/labels"_json_pointer, json::object());
    bool match = true;
    for (const auto& [k, v] : labels) {
      if (!have.contains(k) || have[k] != v) {
        match = false;
        break;
      }
    }
    if (match && !object->contains("/metadata/deletionTimestamp"_json_pointer)) {
      out.push_back(object);
    }
  }
  return out;
}

common::Result<std::string> Http01Resources::ensure_one(const kube::ResourceRef& resource,
                                                        const kube::Informer& informer,
                                                        const api::Challenge& challenge,
                                                        const json& object) {
  const auto ns = challenge.metadata.namespace_;
  const auto existing = find(informer, challenge);
  if (existing.size() == 1) {
    return name_of(*existing.front());
  }
  if (existing.size() > 1) {
    for (const auto& o : existing) {
      auto removed = client_.remove(resource.with_namespace(ns).with_name(name_of(*o)));
      if (!removed && !is_not_found(removed.error())) {
        return common::make_error(removed.error());
      }
    }
    return common::make_error(
        common::ErrorCode::kFailedPrecondition,
        fmt::format("found {} solver {} for the challenge; deleted them to create one again",
                    existing.size(), resource.resource));
  }
  auto created = client_.create(resource.with_namespace(ns), object);
  if (!created) {
    return common::make_error(
        created.error().wrap(fmt::format("creating the solver {}", resource.resource)));
  }
  return name_of(*created);
}

common::Status Http01Resources::present_named_ingress(const api::Challenge& challenge,
                                                      const std::string& ingress_name,
                                                      const std::string& service_name) {
  const auto ref = ingresses_resource().with_namespace(challenge.metadata.namespace_);
  auto current = client_.get(ref.with_name(ingress_name));
  if (!current) {
    return common::make_error(current.error().wrap(
        fmt::format("reading the Ingress \"{}\" named by the solver", ingress_name)));
  }
  if (has_challenge_path(*current, challenge)) {
    return common::ok();
  }
  // An update carries the resourceVersion read, so a concurrent edit is a 409 and a retry.
  auto updated = client_.update(ref.with_name(ingress_name),
                                add_challenge_path(*current, challenge, service_name));
  if (!updated) {
    return common::make_error(updated.error().wrap(
        fmt::format("adding the challenge path to Ingress \"{}\"", ingress_name)));
  }
  return common::ok();
}

common::Status Http01Resources::present(const api::Challenge& challenge) {
  auto pod = ensure_one(pods_resource(), pods_, challenge, build_pod(challenge, settings_));
  if (!pod) {
    return tl::unexpected(pod.error());
  }
  auto service = ensure_one(services_resource(), services_, challenge, build_service(challenge));
  if (!service) {
    return tl::unexpected(service.error());
  }
  const auto* solver = ingress_solver(challenge);
  if (solver && solver->name && !solver->name->empty()) {
    return present_named_ingress(challenge, *solver->name, *service);
  }
  auto ingress =
      ensure_one(ingresses_resource(), ingresses_, challenge, build_ingress(challenge, *service));
  if (!ingress) {
    return tl::unexpected(ingress.error());
  }
  return common::ok();
}

common::Status Http01Resources::cleanup(const api::Challenge& challenge) {
  const auto ns = challenge.metadata.namespace_;
  for (const auto& resource : {pods_resource(), services_resource(), ingresses_resource()}) {
    auto listed = client_.list(resource.with_namespace(ns),
                               {.label_selector = solver_label_selector(challenge)});
    if (!listed) {
      return tl::unexpected(listed.error().wrap("listing solver " + resource.resource));
    }
    for (const auto& item : listed->value("items", json::array())) {
      auto removed = client_.remove(resource.with_namespace(ns).with_name(name_of(item)));
      if (!removed && !is_not_found(removed.error())) {
        return tl::unexpected(removed.error().wrap("deleting solver " + resource.resource));
      }
    }
  }
  const auto* solver = ingress_solver(challenge);
  if (solver && solver->name && !solver->name->empty()) {
    const auto ref = ingresses_resource().with_namespace(ns).with_name(*solver->name);
    auto current = client_.get(ref);
    if (!current) {
      return is_not_found(current.error()) ? common::ok() : tl::unexpected(current.error());
    }
    if (has_challenge_path(*current, challenge)) {
      auto updated = client_.update(ref, remove_challenge_path(*current, challenge));
      if (!updated) {
        return tl::unexpected(updated.error().wrap(
            fmt::format("removing the challenge path from Ingress \"{}\"", *solver->name)));
      }
    }
  }
  return common::ok();
}

SelfCheck http01_self_check(const api::Challenge& challenge,
                            const std::vector<std::string>& nameservers, http::HttpClient& http) {
  const std::string& name = challenge.spec.dns_name;
  const auto bracket = [](const std::string& host) {
    return host.find(':') != std::string::npos ? "[" + host + "]" : host;
  };
  std::string address = name;
  if (!nameservers.empty() && !is_ip_address(name)) {
    std::optional<common::Error> last;
    address.clear();
    for (const auto& server : nameservers) {
      auto found = dns::query_addresses(server, name);
      if (found) {
        address = found->front();
        break;
      }
      last = found.error();
    }
    if (address.empty()) {
      return {false, fmt::format("failed to resolve {}: {}", name,
                                 last ? std::string(common::to_string(last->code())) : "")};
    }
  }
  const std::string url =
      fmt::format("http://{}{}{}", bracket(name), kChallengePathPrefix, challenge.spec.token);
  http::Request request;
  request.url =
      fmt::format("http://{}{}{}", bracket(address), kChallengePathPrefix, challenge.spec.token);
  request.timeout = std::chrono::seconds(10);
  if (address != name) {
    request.headers.add("Host", bracket(name));
  }
  auto response = http.send(request);
  if (!response) {
    return {false, fmt::format("failed to perform self check GET request '{}': {}", url,
                               common::to_string(response.error().code()))};
  }
  if (response->status != 200) {
    return {false, fmt::format("wrong status code '{}', expected '200'", response->status)};
  }
  if (response->body != challenge.spec.key) {
    return {false, fmt::format("did not get expected response when querying endpoint '{}'", url)};
  }
  return {true, ""};
}

}  // namespace certkeeper::solvers
