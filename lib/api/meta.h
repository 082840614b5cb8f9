#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace certkeeper::api {

// Kubernetes metav1.Time: RFC 3339 in UTC with seconds precision on the wire.
using Time = std::chrono::system_clock::time_point;

// A Go time.Duration as metav1.Duration carries it ("2160h", "1h30m", "1.5h"). `text` keeps what
// the user wrote so that decode → encode gives the same string back; `value` is what it means.
// A value built in code has empty `text` and is written with format_go_duration (duration.h).
struct GoDuration {
  std::chrono::nanoseconds value{0};
  std::string text;

  static GoDuration of(std::chrono::nanoseconds v) { return GoDuration{v, {}}; }
  friend bool operator==(const GoDuration& a, const GoDuration& b) { return a.value == b.value; }
};

// metav1.OwnerReference.
struct OwnerReference {
  std::string api_version;
  std::string kind;
  std::string name;
  std::string uid;
  std::optional<bool> controller;
  std::optional<bool> block_owner_deletion;
  friend bool operator==(const OwnerReference&, const OwnerReference&) = default;
};

// The part of metav1.ObjectMeta certkeeper reads and writes. Other members (managedFields, …)
// are dropped on decode; an update that omits them leaves them as they are on the server.
struct ObjectMeta {
  std::string name;
  std::string generate_name;
  std::string namespace_;
  std::string uid;
  std::string resource_version;
  std::optional<std::int64_t> generation;
  std::optional<Time> creation_timestamp;
  std::optional<Time> deletion_timestamp;
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
  std::vector<OwnerReference> owner_references;
  std::vector<std::string> finalizers;
  friend bool operator==(const ObjectMeta&, const ObjectMeta&) = default;
};

enum class ConditionStatus { kTrue, kFalse, kUnknown };

// One entry of status.conditions (cert-manager's CertificateCondition, IssuerCondition and
// CertificateRequestCondition; the last has no observedGeneration, so it stays empty there).
struct Condition {
  std::string type;
  ConditionStatus status = ConditionStatus::kUnknown;
  std::optional<Time> last_transition_time;
  std::string reason;
  std::string message;
  std::optional<std::int64_t> observed_generation;
  friend bool operator==(const Condition&, const Condition&) = default;
};

// cert-manager meta/v1 IssuerReference. Empty kind means "Issuer" and empty group means
// "cert-manager.io" (defaults.h); they are never filled in on the object.
struct IssuerReference {
  std::string name;
  std::string kind;
  std::string group;
  friend bool operator==(const IssuerReference&, const IssuerReference&) = default;
};

struct LocalObjectReference {
  std::string name;
  friend bool operator==(const LocalObjectReference&, const LocalObjectReference&) = default;
};

// A key in a Secret in the object's namespace (for ClusterIssuers: the cluster resource
// namespace). An empty key means the consumer's documented default.
struct SecretKeySelector {
  std::string name;
  std::string key;
  friend bool operator==(const SecretKeySelector&, const SecretKeySelector&) = default;
};

}  // namespace certkeeper::api
