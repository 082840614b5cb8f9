// Informer memory and sync-time benchmark (bench/informer/run.sh drives it, beside the client-go
// peer in bench/informer/clientgo).
//
//   informer_bench populate KUBECONFIG crd|secrets COUNT LABEL   create the objects (8 threads)
//   informer_bench measure KUBECONFIG crd|secrets-metadata LABEL  sync an informer, print JSON
//
// measure prints {"objects":N,"sync_ms":T,"rss_kb":R,"hwm_kb":H,"base_rss_kb":B}: RSS after the
// cache is synced (and half a second of quiet), the peak, and the RSS before the informer
// started (the process's fixed cost).
#include <atomic>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "lib/common/clock.h"
#include "lib/common/log.h"
#include "lib/kube/client.h"
#include "lib/kube/informer.h"

namespace {

using certkeeper::common::SystemClock;
using nlohmann::json;
namespace kube = certkeeper::kube;

long status_kb(const std::string& field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) {
      return std::stol(line.substr(field.size() + 1));
    }
  }
  return -1;
}

const kube::ResourceRef kWidgets{"bench.certkeeper.test", "v1", "widgets"};
const kube::ResourceRef kSecrets{"", "v1", "secrets"};

json object_for(const std::string& kind, int i, const std::string& label) {
  const std::string name = fmt::format("{}-{}", label, i);
  json o = {
      {"metadata", {{"name", name}, {"namespace", "default"}, {"labels", {{"bench", label}}}}}};
  if (kind == "crd") {
    o["apiVersion"] = "bench.certkeeper.test/v1";
    o["kind"] = "Widget";
    // Roughly the size of a Certificate: a handful of names and settings.
    o["spec"] = {{"secretName", name + "-tls"},
                 {"dnsNames", {name + ".example.test", "www." + name + ".example.test"}},
                 {"issuerRef", {{"name", "letsencrypt"}, {"kind", "ClusterIssuer"}}},
                 {"duration", "2160h"},
                 {"renewBefore", "720h"}};
  } else {
    o["apiVersion"] = "v1";
    o["kind"] = "Secret";
    o["type"] = "Opaque";
    o["stringData"] = {{"payload", std::string(4096, static_cast<char>('a' + i % 26))}};
  }
  return o;
}

int populate(kube::Client& client, const std::string& kind, int count, const std::string& label) {
  std::atomic<int> next{0};
  std::atomic<int> failed{0};
  std::vector<std::thread> threads;
  const kube::ResourceRef ref = (kind == "crd" ? kWidgets : kSecrets).with_namespace("default");
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = next++; i < count; i = next++) {
        auto r = client.create(ref, object_for(kind, i, label));
        if (!r && r.error().code() != certkeeper::common::ErrorCode::kAlreadyExists) {
          if (failed++ < 3) {
            std::cerr << r.error().to_string() << '\n';
          }
        }
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  return failed.load() == 0 ? 0 : 1;
}

int measure(kube::Client& client, const std::string& mode, const std::string& label) {
  const long base = status_kb("VmRSS");
  kube::InformerOptions options;
  options.resource = mode == "crd" ? kWidgets : kSecrets;
  options.label_selector = "bench=" + label;
  options.metadata_only = mode == "secrets-metadata";
  kube::Informer informer(client, options, SystemClock::instance());
  const auto start = std::chrono::steady_clock::now();
  informer.start();
  if (!informer.wait_for_sync(std::chrono::minutes(5))) {
    std::cerr << "informer did not sync\n";
    return 1;
  }
  const auto sync_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::steady_clock::now() - start)
                           .count();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  std::cout << json{{"objects", informer.size()},
                    {"sync_ms", sync_ms},
                    {"rss_kb", status_kb("VmRSS")},
                    {"hwm_kb", status_kb("VmHWM")},
                    {"base_rss_kb", base}}
                   .dump()
            << std::endl;
  informer.stop();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  (void)certkeeper::common::init_logging({"warn", certkeeper::common::LogFormat::kText});
  if (argc < 5) {
    std::cerr << "usage: informer_bench populate|measure KUBECONFIG MODE ...\n";
    return 2;
  }
  const std::string cmd = argv[1];
  auto config = kube::load_kubeconfig({.path = argv[2]}, SystemClock::instance());
  if (!config) {
    std::cerr << config.error().message() << '\n';
    return 1;
  }
  config->qps = 0;  // the peer runs unthrottled too (QPS 1000)
  auto client = kube::Client::create(std::move(*config), SystemClock::instance());
  if (cmd == "populate" && argc == 6) {
    return populate(*client, argv[3], std::stoi(argv[4]), argv[5]);
  }
  if (cmd == "measure") {
    return measure(*client, argv[3], argv[4]);
  }
  std::cerr << "bad arguments\n";
  return 2;
}
