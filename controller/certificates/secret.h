#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "lib/api/certificate.h"
#include "lib/common/error.h"
#include "lib/crypto/certificate.h"
#include "lib/crypto/keys.h"

// The Certificate's target Secret: reading it (a typed view of a core/v1 Secret) and building
// what the issuing controller applies to it (cert-manager-api.md §1.9, §1.10). Pure; thread-safe.
namespace certkeeper::certificates {

// A core/v1 Secret with its data base64-decoded.
struct SecretView {
  api::ObjectMeta metadata;
  std::string type;
  std::map<std::string, std::string> data;

  // The value of a data key, or nullopt.
  [[nodiscard]] std::optional<std::string> get(std::string_view key) const;
};

// Decodes a Secret as the API returns it; bad base64 or metadata is kInvalidArgument.
common::Result<SecretView> decode_secret(const nlohmann::json& object);

// What the issuing controller writes, besides what the issuer returned.
struct SecretInputs {
  const api::Certificate* certificate = nullptr;
  std::string certificate_pem;  // tls.crt: leaf first, then the chain the issuer returned
  std::string ca_pem;           // ca.crt, empty when the issuer returned none
  // Passwords of the keystores the spec asks for, already read from passwordSecretRef or taken
  // from the literal password.
  std::optional<std::string> jks_password;
  std::optional<std::string> pkcs12_password;
  // The type of the Secret if it exists (kept: type is immutable); empty → kubernetes.io/tls.
  std::string existing_type;
};

// The Secret's content as applied: type, data (raw bytes), labels and annotations.
struct SecretContents {
  std::string type;
  std::map<std::string, std::string> data;
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
};

// tls.crt, tls.key (spec.privateKey.encoding), ca.crt when known, keystore.jks / keystore.p12
// when asked for, key.der and tls-combined.pem for additionalOutputFormats; labels: the
// secretTemplate's plus controller.cert-manager.io/fao; annotations: the secretTemplate's plus
// certificate-name, issuer-name/-kind/-group and what the issued certificate holds
// (common-name, alt-names, ip-sans, uri-sans always; email-sans and subject-* when non-empty).
common::Result<SecretContents> build_secret(const SecretInputs& inputs,
                                            const crypto::PrivateKey& key);

// The server-side apply body for `contents` (data base64-encoded).
nlohmann::json secret_apply_body(const std::string& ns, const std::string& name,
                                 const SecretContents& contents);

// Labels and annotations the issuing controller manages, derived from the spec and the issued
// certificate alone (no key material): used both to build the Secret and to detect drift.
std::map<std::string, std::string> managed_annotations(const api::Certificate& certificate,
                                                       const crypto::Certificate& leaf);
std::map<std::string, std::string> managed_labels(const api::Certificate& certificate);

// Why an issued Secret's metadata or outputs no longer match what the spec asks for
// (SecretTemplateMismatch, SecretManagedMetadataMismatch, AdditionalOutputFormatsMismatch, or
// "KeystoresMismatch"), comparing `existing` with freshly built `desired` contents: labels and
// annotations must be present with the same values, DER/CombinedPEM outputs must be equal,
// keystores present exactly when asked for. nullopt when nothing needs repair.
std::optional<std::string> secret_drift(const api::Certificate& certificate,
                                        const SecretView& existing, const SecretContents& desired);

// Go encoding/csv for one record: fields joined with ',', quoted when they contain ',', '"',
// '\r', '\n' or start with a space (the form of cert-manager's alt-names annotations).
std::string csv_join(const std::vector<std::string>& fields);

}  // namespace certkeeper::certificates
