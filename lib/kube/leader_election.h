#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <stop_token>
#include <string>

#include <nlohmann/json.hpp>

#include "lib/common/clock.h"
#include "lib/common/error.h"
#include "lib/kube/client.h"

namespace certkeeper::kube {

struct LeaderElectionConfig {
  std::string lease_namespace;
  std::string lease_name;
  std::string identity;  // unique per process: hostname + random suffix
  // A follower may take over once it has seen the same lease record unchanged this long.
  std::chrono::milliseconds lease_duration{std::chrono::seconds(15)};
  // The leader gives up (stops its work) if it could not renew for this long. Must be shorter
  // than lease_duration: the gap is the time the work has to stop before anyone else may start.
  std::chrono::milliseconds renew_deadline{std::chrono::seconds(10)};
  // How often to try to acquire, and to renew.
  std::chrono::milliseconds retry_period{std::chrono::seconds(2)};
  // On a clean stop, clear the holder so a successor need not wait out the lease.
  bool release_on_stop = true;
};

// Leader election on a coordination.k8s.io/v1 Lease, with client-go's semantics: expiry is judged
// by how long *this* process has seen the record unchanged (never by comparing clocks across
// machines), writes use optimistic concurrency so two candidates cannot both win, and the
// leader's work is stopped (and waited for) before it stops renewing, so leadership never
// overlaps as long as the work stops within lease_duration − renew_deadline.
//
// Thread-safe accessors; run() is called once.
class LeaderElector {
 public:
  LeaderElector(Client& client, LeaderElectionConfig config, const common::Clock& clock);

  // Blocks until `stop` is requested or leadership is lost. While leading, `lead` runs on its own
  // thread with a stop_token that is triggered when leadership ends; run() returns only after
  // `lead` has returned. Returns kInvalidArgument for a bad config, kFailedPrecondition when
  // leadership was lost (the caller should exit, as client-go controllers do), ok on a clean stop.
  common::Status run(std::stop_token stop, const std::function<void(std::stop_token)>& lead);

  [[nodiscard]] bool is_leader() const { return leading_.load(); }

 private:
  // One attempt to acquire or renew. True when we hold the lease afterwards.
  bool try_acquire_or_renew();
  void release();

  Client& client_;
  LeaderElectionConfig config_;
  const common::Clock& clock_;
  ResourceRef lease_ref_;
  std::atomic<bool> leading_{false};

  // The last record seen and when (local steady time) it last changed.
  nlohmann::json observed_spec_;
  std::string observed_rv_;
  std::chrono::steady_clock::time_point observed_at_{};
};

// "2026-11-28T17:08:27.123456Z": metav1.MicroTime, used by Leases.
std::string format_micro_time(std::chrono::system_clock::time_point t);

}  // namespace certkeeper::kube
