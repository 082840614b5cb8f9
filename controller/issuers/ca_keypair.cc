#include "controller/issuers/ca_keypair.h"

#include <algorithm>

#include <fmt/format.h>

#include "lib/api/conditions.h"
#include "lib/api/well_known.h"

namespace certkeeper::issuers {

namespace {

constexpr std::string_view kMessageErrorGetKeyPair = "Error getting keypair for CA issuer: ";

common::Error invalid(std::string message) {
  return {common::ErrorCode::kInvalidArgument, std::move(message)};
}

}  // namespace

common::Result<CaKeyPair> parse_ca_keypair(const std::map<std::string, std::string>& data,
                                           std::string_view ns, std::string_view name) {
  const auto key_data = data.find(std::string(api::kSecretTlsKey));
  if (key_data == data.end() || key_data->second.empty()) {
    return tl::unexpected(invalid(fmt::format("no private key data for \"{}\" in secret '{}/{}'",
                                              api::kSecretTlsKey, ns, name)));
  }
  auto key = crypto::PrivateKey::from_pem(key_data->second);
  if (!key) {
    return tl::unexpected(invalid(fmt::format("error decoding private key in secret '{}/{}': {}",
                                              ns, name, key.error().message())));
  }
  const auto cert_data = data.find(std::string(api::kSecretTlsCrt));
  if (cert_data == data.end() || cert_data->second.empty()) {
    return tl::unexpected(invalid(fmt::format("no certificate data for \"{}\" in secret '{}/{}'",
                                              api::kSecretTlsCrt, ns, name)));
  }
  auto chain = crypto::parse_pem_chain(cert_data->second);
  if (!chain) {
    return tl::unexpected(invalid(fmt::format("error decoding certificate in secret '{}/{}': {}",
                                              ns, name, chain.error().message())));
  }
  if (!chain->front().matches(*key)) {
    // Both parse but do not belong together: the pair is invalid, not unreadable.
    return tl::unexpected(invalid("private key does not match certificate")
                              .with_reason(std::string(api::kReasonErrInvalidKeyPair)));
  }
  return CaKeyPair{std::move(*chain), std::move(*key)};
}

std::string not_a_ca_reason(const crypto::Certificate& certificate) {
  if (!certificate.is_ca()) {
    return "certificate is not a CA";
  }
  const auto& usages = certificate.key_usages();
  if (!usages.empty() &&
      std::find(usages.begin(), usages.end(), crypto::KeyUsage::kKeyCertSign) == usages.end()) {
    return "certificate is not allowed to sign certificates (no keyCertSign key usage)";
  }
  return "";
}

Readiness self_signed_readiness() {
  return {api::ConditionStatus::kTrue, std::string(api::kReasonIsReady), ""};
}

Readiness ca_readiness(const api::CaIssuer& ca, std::string_view resource_namespace,
                       const std::optional<std::map<std::string, std::string>>& secret_data) {
  const auto get_error = [](std::string_view detail) {
    return Readiness{api::ConditionStatus::kFalse, std::string(api::kReasonErrGetKeyPair),
                     fmt::format("{}{}", kMessageErrorGetKeyPair, detail)};
  };
  const auto invalid_pair = [](std::string_view detail) {
    return Readiness{api::ConditionStatus::kFalse, std::string(api::kReasonErrInvalidKeyPair),
                     fmt::format("{}{}", kMessageErrorGetKeyPair, detail)};
  };
  if (!secret_data) {
    // The lister's NotFound error, as cert-manager quotes it.
    return get_error(fmt::format("secret \"{}\" not found", ca.secret_name));
  }
  auto pair = parse_ca_keypair(*secret_data, resource_namespace, ca.secret_name);
  if (!pair) {
    if (pair.error().reason() == api::kReasonErrInvalidKeyPair) {
      return invalid_pair(pair.error().message());
    }
    return get_error(pair.error().message());
  }
  if (auto why = not_a_ca_reason(pair->chain.front()); !why.empty()) {
    return invalid_pair(why);
  }
  return {api::ConditionStatus::kTrue, std::string(api::kReasonKeyPairVerified),
          std::string(api::kMessageKeyPairVerified)};
}

}  // namespace certkeeper::issuers
