// certificates-key-manager (cert-manager-api.md §3.2, §3.3 step 2): while a Certificate is
// Issuing, keeps exactly one "next private key" Secret that fits spec.privateKey and names it in
// status.nextPrivateKeySecretName; afterwards removes it.

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "controller/certificates/base.h"
#include "controller/certificates/controllers.h"
#include "controller/certificates/pki.h"
#include "lib/api/conditions.h"
#include "lib/api/defaults.h"
#include "lib/api/well_known.h"
#include "lib/common/encoding.h"
#include "lib/crypto/keys.h"

namespace certkeeper::certificates {
namespace {

using json = nlohmann::json;

std::optional<crypto::PrivateKey> key_of_secret(const SecretView& secret) {
  auto pem = secret.get(api::kSecretTlsKey);
  if (!pem) {
    return std::nullopt;
  }
  auto key = crypto::PrivateKey::from_pem(*pem);
  if (!key) {
    return std::nullopt;
  }
  return *key;
}

class KeyManager final : public CertificatesController {
 public:
  KeyManager(const common::Clock& clock, const manager::ManagerOptions& options)
      : CertificatesController(std::string(kKeyManagerName), clock, options,
                               {.requests = false, .secrets = true}) {}

 protected:
  kube::ReconcileResult reconcile(const std::string& key) override {
    auto certificate = caches().certificate(key);
    if (!certificate) {
      return kube::ReconcileResult::done();  // owned key Secrets go with it (garbage collector)
    }
    auto secrets = caches().next_key_secrets(*certificate);
    std::sort(secrets.begin(), secrets.end(), [](const SecretView& a, const SecretView& b) {
      return a.metadata.name < b.metadata.name;
    });
    const bool issuing = api::has_condition(certificate->status.conditions, api::kConditionIssuing,
                                            api::ConditionStatus::kTrue) &&
                         !certificate->metadata.deletion_timestamp.has_value();
    if (!issuing) {
      return clean_up(*certificate, secrets);
    }

    // rotationPolicy Never: the next key is the key already in the target Secret, if it fits.
    std::optional<crypto::PrivateKey> reuse;
    if (api::effective_rotation_policy(certificate->spec) == api::kRotationPolicyNever) {
      auto target =
          caches().secret(certificate->metadata.namespace_, certificate->spec.secret_name);
      if (target) {
        reuse = key_of_secret(*target);
      }
      if (reuse) {
        if (auto fields = private_key_mismatches(certificate->spec, reuse->public_key());
            !fields.empty()) {
          events().event(
              event_object(*certificate), kube::EventType::kWarning, "CannotRegenerateKey",
              fmt::format("User intervention required: existing private key in Secret \"{}\" does "
                          "not match requirements on Certificate resource, mismatching fields: "
                          "{}, but cert-manager cannot create new private key as the "
                          "Certificate's .spec.privateKey.rotationPolicy is unset or set to Never",
                          certificate->spec.secret_name, field_list(fields)));
          return kube::ReconcileResult::done();
        }
      }
    }
    const auto fits = [&](const SecretView& s) {
      auto k = key_of_secret(s);
      return k && private_key_mismatches(certificate->spec, k->public_key()).empty() &&
             (!reuse || reuse->matches(k->public_key()));
    };

    const auto& named = certificate->status.next_private_key_secret_name;
    std::optional<std::string> keep;
    if (named.has_value()) {
      auto it = std::find_if(secrets.begin(), secrets.end(),
                             [&](const SecretView& s) { return s.metadata.name == *named; });
      if (it != secrets.end()) {
        if (fits(*it)) {
          keep = *named;
        }
      } else {
        // Not in the cache yet (we may have just created it): ask the API server.
        auto fresh = fetch_secret(client(), certificate->metadata.namespace_, *named);
        if (!fresh) {
          return after_error(fresh.error());
        }
        if (fresh->has_value() && fits(**fresh)) {
          keep = *named;
        }
      }
    }
    if (!keep) {
      for (const auto& s : secrets) {
        if (fits(s)) {
          keep = s.metadata.name;
          break;
        }
      }
    }
    for (const auto& s : secrets) {
      if (s.metadata.name != keep) {
        if (auto r = delete_secret(*certificate, s); r.kind != kube::ReconcileResult::Kind::kDone) {
          return r;
        }
      }
    }
    if (keep) {
      if (named == keep) {
        return kube::ReconcileResult::done();
      }
      return set_name(*certificate, *keep);
    }
    return create_key(*certificate, reuse);
  }

 private:
  kube::ReconcileResult clean_up(const api::Certificate& certificate,
                                 const std::vector<SecretView>& secrets) {
    for (const auto& s : secrets) {
      if (auto r = delete_secret(certificate, s); r.kind != kube::ReconcileResult::Kind::kDone) {
        return r;
      }
    }
    if (certificate.status.next_private_key_secret_name.has_value()) {
      // Applying without the field drops it: this manager was its only owner.
      if (auto s = apply_status(client(), certificate, json::object(), field_manager(), true); !s) {
        return after_error(s.error());
      }
    }
    return kube::ReconcileResult::done();
  }

  kube::ReconcileResult delete_secret(const api::Certificate& certificate, const SecretView& s) {
    auto r = client().remove(secrets_resource(s.metadata.namespace_).with_name(s.metadata.name),
                             {.precondition_uid = s.metadata.uid});
    if (!r && r.error().code() != common::ErrorCode::kNotFound) {
      return after_error(r.error());
    }
    events().event(event_object(certificate), kube::EventType::kNormal, "Deleted",
                   fmt::format("Deleted next private key Secret \"{}\"", s.metadata.name));
    return kube::ReconcileResult::done();
  }

  kube::ReconcileResult set_name(const api::Certificate& certificate, const std::string& name) {
    const json status = {{"nextPrivateKeySecretName", name}};
    if (auto s = apply_status(client(), certificate, status, field_manager(), true); !s) {
      return after_error(s.error());
    }
    return kube::ReconcileResult::done();
  }

  kube::ReconcileResult create_key(const api::Certificate& certificate,
                                   const std::optional<crypto::PrivateKey>& reuse) {
    std::optional<crypto::PrivateKey> key = reuse;
    if (!key) {
      auto algorithm = key_algorithm_for(certificate.spec);
      if (!algorithm) {
        log().warn("{}: {}", key_of(certificate.metadata), algorithm.error().message());
        return kube::ReconcileResult::done();  // a spec error: wait for the next change
      }
      auto generated = crypto::PrivateKey::generate(
          *algorithm, static_cast<int>(api::effective_private_key_size(certificate.spec)));
      if (!generated) {
        log().warn("{}: {}", key_of(certificate.metadata), generated.error().message());
        return kube::ReconcileResult::done();
      }
      key = *generated;
    }
    auto pem = key->to_pem(crypto::KeyEncoding::kPkcs8);
    if (!pem) {
      return kube::ReconcileResult::retry();
    }
    const auto& meta = certificate.metadata;
    const json secret = {
        {"apiVersion", "v1"},
        {"kind", "Secret"},
        {"metadata",
         {{"generateName", meta.name + "-"},
          {"namespace", meta.namespace_},
          {"labels", {{api::kLabelNextPrivateKey, "true"}, {api::kLabelFao, "true"}}},
          {"ownerReferences", json::array({{{"apiVersion", api::kApiVersion},
                                            {"kind", api::kKindCertificate},
                                            {"name", meta.name},
                                            {"uid", meta.uid},
                                            {"controller", true},
                                            {"blockOwnerDeletion", true}}})}}},
        {"type", "Opaque"},
        {"data", {{api::kSecretTlsKey, common::base64_encode(*pem)}}}};
    auto created = client().create(secrets_resource(meta.namespace_), secret);
    if (!created) {
      return after_error(created.error());
    }
    const auto name = created->value("metadata", json::object()).value("name", "");
    events().event(
        event_object(certificate), kube::EventType::kNormal, reuse ? "Reused" : "Generated",
        reuse ? fmt::format("Reused private key from Secret \"{}\"", certificate.spec.secret_name)
              : fmt::format("Stored new private key in temporary Secret resource "
                            "\"{}\"",
                            name));
    return set_name(certificate, name);
  }
};

}  // namespace

std::unique_ptr<manager::Controller> make_key_manager(const common::Clock& clock,
                                                      const manager::ManagerOptions& options) {
  return std::make_unique<KeyManager>(clock, options);
}

}  // namespace certkeeper::certificates
