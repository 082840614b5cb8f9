#include "tests/standins/pod_runner.h"

#include "lib/common/log.h"

namespace certkeeper::standins {
namespace {

using nlohmann::json;

std::string meta(const json& pod, const char* key) {
  const auto& metadata = pod.contains("metadata") ? pod["metadata"] : json::object();
  const auto it = metadata.find(key);
  return it != metadata.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool being_deleted(const json& pod) {
  return pod.contains("metadata") && pod["metadata"].contains("deletionTimestamp") &&
         !pod["metadata"]["deletionTimestamp"].is_null();
}

}  // namespace

common::Result<std::unique_ptr<PodRunner>> PodRunner::create(kube::Client& client,
                                                             PodRunnerOptions options,
                                                             const common::Clock& clock) {
  auto subnet = SubnetAllocator::parse(options.subnet);
  if (!subnet) {
    return common::make_error(subnet.error());
  }
  remove_leftovers(options.state_dir / "netns");
  return std::unique_ptr<PodRunner>(
      new PodRunner(client, std::move(options), std::move(*subnet), clock));
}

PodRunner::PodRunner(kube::Client& client, PodRunnerOptions options, SubnetAllocator subnet,
                     const common::Clock& clock)
    : client_(client),
      options_(std::move(options)),
      subnet_(std::move(subnet)),
      clock_(clock),
      informer_(client,
                {.resource = {.group = "", .version = "v1", .resource = "pods", .ns = options_.ns},
                 .label_selector = options_.label_selector},
                clock) {
  const auto poke = [this] {
    std::lock_guard lock(mu_);
    dirty_ = true;
    wake_.notify_all();
  };
  informer_.add_handlers(
      {.on_add = [poke](const kube::ObjectPtr&) { poke(); },
       .on_update = [poke](const kube::ObjectPtr&, const kube::ObjectPtr&) { poke(); },
       .on_delete = [poke](const kube::ObjectPtr&) { poke(); }});
}

PodRunner::~PodRunner() { stop(); }

void PodRunner::start() {
  informer_.start();
  thread_ = std::jthread([this](const std::stop_token& stop) { loop(stop); });
}

bool PodRunner::wait_for_sync(std::chrono::milliseconds timeout) const {
  return informer_.wait_for_sync(timeout);
}

void PodRunner::stop() {
  if (thread_.joinable()) {
    thread_.request_stop();
    thread_.join();
  }
  informer_.stop();
  for (auto& [uid, entry] : entries_) {
    release(entry);
  }
  entries_.clear();
}

void PodRunner::loop(const std::stop_token& stop) {
  while (!stop.stop_requested()) {
    if (informer_.has_synced()) {
      sync_once();
    }
    std::unique_lock lock(mu_);
    wake_.wait_for(lock, stop, options_.tick, [this] { return dirty_; });
    dirty_ = false;
  }
}

void PodRunner::sync_once() {
  auto log = common::logger("pod-runner");
  std::map<std::string, kube::ObjectPtr> live;
  for (const auto& pod : informer_.list()) {
    // A Pod being deleted is treated as gone: its process is stopped now. Pods here are never
    // bound to a node, so the apiserver removes them at once anyway (README.md).
    if (!being_deleted(*pod)) {
      live.emplace(meta(*pod, "uid"), pod);
    }
  }
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (live.count(it->first) == 0) {
      log->info("pod {}/{} is gone: stopping its process and removing its network", options_.ns,
                it->second.name);
      release(it->second);
      it = entries_.erase(it);
    } else {
      ++it;
    }
  }
  for (const auto& [uid, pod] : live) {
    if (entries_.count(uid) == 0) {
      admit(*pod);
    }
  }
  for (auto& [uid, entry] : entries_) {
    step(entry);
  }
}

void PodRunner::admit(const json& pod) {
  auto log = common::logger("pod-runner");
  const std::string uid = meta(pod, "uid");
  Entry& entry = entries_[uid];
  entry.name = meta(pod, "name");
  // A Pod that already ended (under an earlier runner) is not run again, as a kubelet never
  // restarts a Pod in a terminal phase; the apiserver would refuse the way back to Running.
  const std::string phase =
      pod.contains("status") ? pod["status"].value("phase", std::string()) : std::string();
  if (phase == "Failed" || phase == "Succeeded") {
    entry.unrunnable = "already " + phase;
    return;
  }
  auto plan = plan_launch(pod, options_.images);
  if (!plan) {
    entry.unrunnable = plan.error().message();
    log->warn("pod {}/{} stays Pending: {}", options_.ns, entry.name, *entry.unrunnable);
    entry.pending_status = unrunnable_pod_status(pod, *entry.unrunnable, clock_.now());
    return;
  }
  entry.plan = std::move(*plan);
  entry.run.pod_started = clock_.now();
  auto addresses = subnet_.acquire();
  if (!addresses) {
    entry.unrunnable = "the pod runner stand-in's subnet " + options_.subnet + " is full";
    entry.pending_status = unrunnable_pod_status(pod, *entry.unrunnable, clock_.now());
    return;
  }
  const std::string suffix = short_uid(uid);
  auto network =
      PodNetwork::create("ck-" + suffix, "ckh" + suffix, *addresses, options_.state_dir / "netns");
  if (!network) {
    subnet_.release(addresses->slot);
    entry.unrunnable = network.error().message();
    log->error("pod {}/{}: {}", options_.ns, entry.name, *entry.unrunnable);
    entry.pending_status = unrunnable_pod_status(pod, *entry.unrunnable, clock_.now());
    return;
  }
  entry.network = std::move(*network);
  entry.run.host_ip = entry.network->addresses().host_ip;
  entry.run.pod_ip = entry.network->addresses().pod_ip;
  if (auto status = launch(entry); !status) {
    entry.unrunnable = status.error().message();
    release(entry);
    entry.pending_status = unrunnable_pod_status(pod, *entry.unrunnable, clock_.now());
  }
}

common::Status PodRunner::launch(Entry& entry) {
  const auto log_path = options_.state_dir / (options_.ns + "_" + entry.name + ".log");
  auto process = PodProcess::spawn(entry.network->netns(), entry.plan, log_path);
  if (!process) {
    return common::make_error(process.error());
  }
  entry.process = std::move(*process);
  entry.run.state = ContainerRun::State::kRunning;
  entry.run.ready = false;
  entry.run.container_started = clock_.now();
  common::logger("pod-runner")
      ->info("pod {}/{}: started pid {} in netns {} with IP {} (restart {})", options_.ns,
             entry.name, entry.process->pid(), entry.network->netns(), entry.run.pod_ip,
             entry.run.restart_count);
  return common::ok();
}

void PodRunner::step(Entry& entry) {
  if (entry.unrunnable) {
    if (!entry.pending_status.is_null()) {
      write_status(entry, entry.pending_status);  // until it is written once
    }
    return;
  }
  auto log = common::logger("pod-runner");
  using State = ContainerRun::State;
  if (entry.run.state == State::kRunning && entry.process) {
    if (const auto code = entry.process->poll_exit()) {
      entry.process.reset();
      entry.run.exit_code = *code;
      entry.run.finished = clock_.now();
      entry.run.ready = false;
      if (restarts_after_exit(entry.plan.restart_policy, *code)) {
        entry.run.state = State::kBackOff;
        entry.restart_at = entry.run.finished + restart_backoff(entry.run.restart_count);
        log->info("pod {}/{}: process exited with {}; restarting (restartPolicy {})", options_.ns,
                  entry.name, *code, entry.plan.restart_policy);
      } else {
        entry.run.state = State::kTerminated;
        log->info("pod {}/{}: process exited with {}; not restarted (restartPolicy {})",
                  options_.ns, entry.name, *code, entry.plan.restart_policy);
        // As a kubelet tears down a finished Pod's sandbox; the status keeps its IP.
        release(entry);
      }
    } else if (!entry.run.ready) {
      entry.run.ready = !entry.plan.port || port_accepts(entry.run.pod_ip, *entry.plan.port,
                                                         std::chrono::milliseconds(100));
      if (entry.run.ready) {
        log->info("pod {}/{} is ready at {}:{}", options_.ns, entry.name, entry.run.pod_ip,
                  entry.plan.port.value_or(0));
      }
    }
  }
  if (entry.run.state == State::kBackOff && clock_.now() >= entry.restart_at) {
    entry.run.restart_count++;
    if (auto status = launch(entry); !status) {
      log->error("pod {}/{}: restart failed: {}", options_.ns, entry.name,
                 status.error().message());
      entry.restart_at = clock_.now() + restart_backoff(entry.run.restart_count);
    }
  }
  write_status(entry, pod_status(entry.plan, entry.run));
}

void PodRunner::release(Entry& entry) {
  entry.process.reset();
  if (entry.network) {
    const int slot = entry.network->addresses().slot;
    entry.network.reset();
    subnet_.release(slot);
  }
}

void PodRunner::write_status(Entry& entry, const json& status) {
  if (status == entry.written) {
    return;
  }
  const kube::ResourceRef ref{.group = "",
                              .version = "v1",
                              .resource = "pods",
                              .ns = options_.ns,
                              .name = entry.name,
                              .subresource = "status"};
  // A merge patch of the whole status: the runner is the only writer of these members, as a
  // kubelet is of a bound Pod's status. Lists (conditions, containerStatuses) are replaced.
  auto result = client_.patch(ref, kube::PatchType::kMerge, {{"status", status}});
  if (!result) {
    // Retried on the next pass; a Pod that is gone is dropped when the cache catches up.
    common::logger("pod-runner")
        ->warn("pod {}/{}: writing status failed: {}", options_.ns, entry.name,
               result.error().message());
    return;
  }
  entry.written = status;
}

}  // namespace certkeeper::standins
