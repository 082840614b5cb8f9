#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

// The challenge scheduler (cert-manager-api.md §3.6, pkg/controller/acmechallenges/scheduler):
// which Challenges may start processing now. Pure, so that its rules are unit-tested.
namespace certkeeper::challenges {

// What the scheduler reads of one Challenge.
struct ScheduleInput {
  std::string key;  // "namespace/name"
  std::string dns_name;
  std::string type;  // HTTP-01 | DNS-01
  bool processing = false;
  bool final = false;     // status.state is valid, invalid, expired or errored
  bool deleting = false;  // deletionTimestamp set: never started
  std::optional<std::chrono::system_clock::time_point> created;
};

inline constexpr int kMaxSchedulePerPass = 20;

// The keys to mark processing, oldest first (creationTimestamp, then key for a stable order),
// such that:
//  - at most `max_concurrent` Challenges are processing in all;
//  - never two processing share (dnsName, type): an apex and a wildcard DNS-01 challenge share
//    the dnsName and the TXT name, so they are solved one after the other, as cert-manager does;
//  - at most `max_per_pass` are started per call;
//  - final and deleted Challenges are never started.
std::vector<std::string> schedule(const std::vector<ScheduleInput>& challenges, int max_concurrent,
                                  int max_per_pass = kMaxSchedulePerPass);

}  // namespace certkeeper::challenges
