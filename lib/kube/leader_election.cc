#include "lib/kube/leader_election.h"

#include <thread>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include "lib/common/log.h"
#include "lib/common/stop.h"

namespace certkeeper::kube {
namespace {

using common::ErrorCode;
using common::make_error;
using nlohmann::json;

int seconds_ceil(std::chrono::milliseconds d) {
  return static_cast<int>(std::chrono::ceil<std::chrono::seconds>(d).count());
}

}  // namespace

std::string format_micro_time(std::chrono::system_clock::time_point t) {
  const auto secs = std::chrono::floor<std::chrono::seconds>(t);
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(t - secs).count();
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:06}Z", secs, micros);
}

LeaderElector::LeaderElector(Client& client, LeaderElectionConfig config,
                             const common::Clock& clock)
    : client_(client),
      config_(std::move(config)),
      clock_(clock),
      lease_ref_{"coordination.k8s.io", "v1", "leases", config_.lease_namespace,
                 config_.lease_name} {}

bool LeaderElector::try_acquire_or_renew() {
  auto log = common::logger("leader-election");
  const auto now_wall = clock_.now();
  const auto now = clock_.steady_now();
  const json our_spec = {
      {"holderIdentity", config_.identity},
      {"leaseDurationSeconds", seconds_ceil(config_.lease_duration)},
      {"renewTime", format_micro_time(now_wall)},
  };

  auto current = client_.get(lease_ref_);
  if (!current) {
    if (current.error().code() != ErrorCode::kNotFound) {
      log->warn("reading lease {}/{}: {}", config_.lease_namespace, config_.lease_name,
                current.error().message());
      return false;
    }
    json lease = {
        {"apiVersion", "coordination.k8s.io/v1"},
        {"kind", "Lease"},
        {"metadata", {{"name", config_.lease_name}, {"namespace", config_.lease_namespace}}},
        {"spec", our_spec}};
    lease["spec"]["acquireTime"] = format_micro_time(now_wall);
    lease["spec"]["leaseTransitions"] = 0;
    auto created = client_.create(lease_ref_, lease);
    if (!created) {
      return false;  // someone else created it first (AlreadyExists), or a transient error
    }
    observed_spec_ = (*created)["spec"];
    observed_rv_ = (*created)["metadata"].value("resourceVersion", "");
    observed_at_ = now;
    return true;
  }

  const json spec = (*current).value("spec", json::object());
  const std::string rv = (*current)["metadata"].value("resourceVersion", "");
  if (rv != observed_rv_) {
    observed_spec_ = spec;
    observed_rv_ = rv;
    observed_at_ = now;
  }
  const std::string holder = spec.value("holderIdentity", "");
  const auto duration = std::chrono::seconds(spec.value("leaseDurationSeconds", 0));
  const bool ours = holder == config_.identity;
  if (!holder.empty() && !ours && now < observed_at_ + duration) {
    return false;  // held by someone else and not yet expired in our own observation
  }

  json lease = *current;
  lease["spec"]["holderIdentity"] = config_.identity;
  lease["spec"]["leaseDurationSeconds"] = our_spec["leaseDurationSeconds"];
  lease["spec"]["renewTime"] = our_spec["renewTime"];
  if (!ours) {
    lease["spec"]["acquireTime"] = format_micro_time(now_wall);
    lease["spec"]["leaseTransitions"] = spec.value("leaseTransitions", 0) + 1;
  }
  // The resourceVersion in `lease` makes this a compare-and-swap: a 409 means another
  // candidate wrote first.
  auto updated = client_.update(lease_ref_, lease);
  if (!updated) {
    if (updated.error().code() != ErrorCode::kConflict) {
      log->warn("updating lease: {}", updated.error().message());
    }
    return false;
  }
  observed_spec_ = (*updated)["spec"];
  observed_rv_ = (*updated)["metadata"].value("resourceVersion", "");
  observed_at_ = now;
  return true;
}

void LeaderElector::release() {
  auto current = client_.get(lease_ref_);
  if (!current || (*current)["spec"].value("holderIdentity", "") != config_.identity) {
    return;
  }
  json lease = *current;
  lease["spec"]["holderIdentity"] = nullptr;
  lease["spec"]["leaseDurationSeconds"] = 1;
  lease["spec"]["renewTime"] = format_micro_time(clock_.now());
  if (auto r = client_.update(lease_ref_, lease); !r) {
    common::logger("leader-election")->warn("releasing lease: {}", r.error().message());
  }
}

common::Status LeaderElector::run(std::stop_token stop,
                                  const std::function<void(std::stop_token)>& lead) {
  if (config_.lease_name.empty() || config_.lease_namespace.empty() || config_.identity.empty()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "leader election: lease namespace, lease name and identity are required");
  }
  if (config_.renew_deadline >= config_.lease_duration ||
      config_.retry_period >= config_.renew_deadline) {
    return make_error(ErrorCode::kInvalidArgument,
                      "leader election: need retry-period < renew-deadline < lease-duration");
  }
  auto log = common::logger("leader-election");

  // Acquire.
  while (!try_acquire_or_renew()) {
    if (stop.stop_requested()) {
      return common::ok();
    }
    common::sleep_unless_stopped(stop, config_.retry_period);
    if (stop.stop_requested()) {
      return common::ok();
    }
  }
  log->info("became leader of lease {}/{} as {}", config_.lease_namespace, config_.lease_name,
            config_.identity);
  leading_ = true;

  std::stop_source work_stop;
  std::jthread work([&lead, token = work_stop.get_token()] { lead(token); });

  // Renew until stopped or until renewals have failed for renew_deadline.
  bool lost = false;
  auto last_renew = clock_.steady_now();
  while (!stop.stop_requested()) {
    common::sleep_unless_stopped(stop, config_.retry_period);
    if (stop.stop_requested()) {
      break;
    }
    if (try_acquire_or_renew()) {
      last_renew = clock_.steady_now();
    } else if (clock_.steady_now() - last_renew >= config_.renew_deadline) {
      lost = true;
      break;
    }
  }
  // Stop the work and wait for it before anything else: leadership must not overlap.
  work_stop.request_stop();
  work.join();
  leading_ = false;
  if (lost) {
    log->error("lost lease {}/{}: could not renew within {} ms", config_.lease_namespace,
               config_.lease_name, config_.renew_deadline.count());
    return make_error(ErrorCode::kFailedPrecondition, "leader election lost");
  }
  if (config_.release_on_stop) {
    release();
  }
  return common::ok();
}

}  // namespace certkeeper::kube
