#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "controller/manager/controller.h"
#include "controller/manager/status_apply.h"
#include "lib/api/certificate.h"
#include "lib/common/error.h"
#include "lib/kube/client.h"
#include "lib/kube/events.h"
#include "lib/kube/informer.h"

namespace certkeeper::certificaterequests {

kube::ResourceRef requests_resource();

// The shared CertificateRequest informer (all namespaces, or --namespace).
kube::Informer& request_informer(manager::ControllerContext& context);

// Writes the owned part of `cr`'s status (its status as the controller wants it) with
// server-side apply under "certkeeper-<controller>". With `precondition`, the write carries
// cr's resourceVersion, so a decision made on a stale copy fails with kConflict instead of
// overwriting what happened since (a signer must never replace an issued certificate).
common::Status apply_request_status(kube::Client& client, const api::CertificateRequest& cr,
                                    const manager::StatusOwnership& owned,
                                    std::string_view controller, bool precondition);

// A cached request and its decoded form. nullopt when it is gone, or when it does not decode
// (then a Warning Event DecodeError says why: a terminal error for that object).
struct CachedRequest {
  kube::ObjectPtr object;
  api::CertificateRequest cr;
};
std::optional<CachedRequest> cached_request(const kube::Informer& requests, const std::string& key,
                                            kube::EventRecorder& events);

}  // namespace certkeeper::certificaterequests
