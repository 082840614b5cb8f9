#include "controller/certificaterequests/request_status.h"

#include "lib/api/codec.h"

namespace certkeeper::certificaterequests {

kube::ResourceRef requests_resource() {
  return {"cert-manager.io", "v1", "certificaterequests", "", "", ""};
}

kube::Informer& request_informer(manager::ControllerContext& context) {
  return context.informers.informer(
      {.resource = requests_resource().with_namespace(context.options.namespace_)});
}

common::Status apply_request_status(kube::Client& client, const api::CertificateRequest& cr,
                                    const manager::StatusOwnership& owned,
                                    std::string_view controller, bool precondition) {
  auto body = manager::status_apply_body(api::encode(cr), owned);
  if (precondition && !cr.metadata.resource_version.empty()) {
    body["metadata"]["resourceVersion"] = cr.metadata.resource_version;
  }
  return manager::apply_status(
      client,
      requests_resource().with_namespace(cr.metadata.namespace_).with_name(cr.metadata.name), body,
      controller);
}

std::optional<CachedRequest> cached_request(const kube::Informer& requests, const std::string& key,
                                            kube::EventRecorder& events) {
  auto object = requests.get(key);
  if (!object) {
    return std::nullopt;
  }
  auto cr = api::decode_certificate_request(*object);
  if (!cr) {
    events.event(*object, kube::EventType::kWarning, "DecodeError", cr.error().message());
    return std::nullopt;
  }
  return CachedRequest{std::move(object), std::move(*cr)};
}

}  // namespace certkeeper::certificaterequests
