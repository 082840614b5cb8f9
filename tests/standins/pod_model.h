#pragma once

// The pure half of the pod runner stand-in (tests/standins/README.md): what a Pod asks to run,
// how its process's life maps to the Pod's status, and how addresses are handed out. No I/O, so
// every decision is unit-tested (tests/unit/standins/).

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "lib/common/error.h"

namespace certkeeper::standins {

// The string member `key` of a JSON object, or empty when the object has no such string member
// (the forgiving read both stand-ins use on Pods, Services and Ingresses).
std::string string_at(const nlohmann::json& object, const char* key);

// The --image table: image repository (the reference without its tag or digest) → the local
// binary that stands in for that image's entrypoint.
using ImageTable = std::map<std::string, std::string>;

// "REPO=BINARY" from one --image flag. kInvalidArgument naming the flag value when malformed.
common::Result<std::pair<std::string, std::string>> parse_image_flag(std::string_view flag);

// The repository part of an image reference: "quay.io/x/y:v1" → "quay.io/x/y",
// "x@sha256:..." → "x", "registry:5000/x:tag" → "registry:5000/x" (a ':' before the last '/'
// is a registry port, not a tag).
std::string image_repository(std::string_view image);

// What the runner starts for a Pod: its first container as a local process.
struct LaunchPlan {
  std::string container_name;
  std::string image;
  std::vector<std::string> argv;  // the binary first
  // The container's literal env values (valueFrom is not modelled), plus HOSTNAME as a kubelet
  // sets it; nothing from the runner's own environment except PATH.
  std::vector<std::pair<std::string, std::string>> env;
  std::optional<std::uint16_t> port;  // the first containerPort (readiness probe target)
  std::string restart_policy;         // Always (the API default), OnFailure or Never
};

// Builds the plan for `pod` (a core/v1 Pod as JSON):
//  - the first container; its image's repository is looked up in `images`: that binary is the
//    entrypoint;
//  - container.command, when set, replaces the entrypoint: command[0] is then looked up in
//    `images` too (as a repository, or by its base name), since the stand-in only runs binaries
//    it was given;
//  - argv = entrypoint (or the mapped command[0] + command[1..]) + container.args.
// kNotFound when the image (or command[0]) has no binary in the table: the Pod then stays
// Pending with this message. kInvalidArgument for a Pod without containers.
common::Result<LaunchPlan> plan_launch(const nlohmann::json& pod, const ImageTable& images);

// One /30 per Pod inside the --subnet: the host side of the veth pair gets .1 of the /30 and the
// Pod .2, so each Pod has its own point-to-point link and no bridge is needed.
struct PodAddresses {
  int slot = 0;
  std::string host_ip;
  std::string pod_ip;
  int prefix = 30;
};

// Hands out /30 slots of an IPv4 subnet ("10.250.1.0/24" has 64). Not thread-safe; owned by the
// runner's control loop.
class SubnetAllocator {
 public:
  // kInvalidArgument unless `cidr` is an IPv4 network with a prefix of at most 30 bits.
  static common::Result<SubnetAllocator> parse(std::string_view cidr);

  // The lowest free slot, or nullopt when the subnet is full.
  std::optional<PodAddresses> acquire();
  void release(int slot);
  // Whether `ip` lies inside the subnet.
  [[nodiscard]] bool contains(std::string_view ip) const;

 private:
  SubnetAllocator(std::uint32_t base, int prefix) : base_(base), prefix_(prefix) {}
  std::uint32_t base_ = 0;
  int prefix_ = 24;
  std::vector<bool> used_;
};

// What the runner knows about one Pod's container, the input of pod_status().
struct ContainerRun {
  enum class State {
    kUnrunnable,  // no binary for the image: Pending with `message`
    kRunning,     // the process is alive
    kBackOff,     // it exited and will be restarted after a delay (CrashLoopBackOff)
    kTerminated,  // it exited and will not be restarted (restartPolicy Never, or OnFailure + 0)
  };
  State state = State::kRunning;
  std::string message;
  bool ready = false;  // the process accepted a connection on the container port
  int restart_count = 0;
  std::chrono::system_clock::time_point pod_started;        // status.startTime
  std::chrono::system_clock::time_point container_started;  // this run's start
  // The last exit (kBackOff, kTerminated): code (128 + signal when killed) and when.
  int exit_code = 0;
  std::chrono::system_clock::time_point finished;
  std::string host_ip;
  std::string pod_ip;
};

// What happens after the container exits with `exit_code` under `restart_policy`, as a kubelet
// decides it: Always restarts; OnFailure restarts unless the code is 0; Never does not.
bool restarts_after_exit(std::string_view restart_policy, int exit_code);

// The whole status the runner writes for a Pod (phase, conditions, IPs, containerStatuses), as
// a kubelet would report it for the same state (qosClass is left alone: the apiserver sets it
// at creation and refuses to change it). Pure; the caller writes it with a merge patch
// to the status subresource and only when it differs from what it wrote last.
nlohmann::json pod_status(const LaunchPlan& plan, const ContainerRun& run);

// The Pending status of a Pod the stand-in cannot run (image not in the table).
nlohmann::json unrunnable_pod_status(const nlohmann::json& pod, std::string_view message,
                                     std::chrono::system_clock::time_point now);

// Delay before restart number `restart_count` + 1: 1 s doubling up to 20 s (a kubelet starts at
// 10 s and caps at 5 min; shorter here so that tests stay quick).
std::chrono::milliseconds restart_backoff(int restart_count);

// The first 8 hex digits of a Pod's UID, the suffix of its netns and interface names (Linux
// caps interface names at 15 characters).
std::string short_uid(std::string_view uid);

}  // namespace certkeeper::standins
