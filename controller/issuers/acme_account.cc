#include "controller/issuers/acme_account.h"

#include <fmt/format.h>

#include "lib/api/defaults.h"
#include "lib/common/encoding.h"
#include "lib/crypto/primitives.h"

namespace certkeeper::issuers {

using common::ErrorCode;

common::Result<crypto::PrivateKey> parse_account_key(const std::map<std::string, std::string>& data,
                                                     std::string_view key, std::string_view ns,
                                                     std::string_view name) {
  const auto found = data.find(std::string(key));
  if (found == data.end() || found->second.empty()) {
    return common::make_error(ErrorCode::kInvalidArgument,
                              fmt::format("no data for \"{}\" in secret '{}/{}'", key, ns, name));
  }
  auto parsed = crypto::PrivateKey::from_pem(found->second);
  if (!parsed) {
    return common::make_error(
        ErrorCode::kInvalidArgument,
        fmt::format("\"{}\" in secret '{}/{}' is not a PEM private key", key, ns, name));
  }
  // ACME servers sign-check RS256 and ES256/384/512 (RFC 8555 §6.2); Ed25519 is not accepted by
  // the CAs in use.
  if (parsed->algorithm() == crypto::KeyAlgorithm::kEd25519) {
    return common::make_error(
        ErrorCode::kInvalidArgument,
        fmt::format("ACME private key in secret '{}/{}' is Ed25519; use RSA or ECDSA", ns, name));
  }
  return parsed;
}

common::Result<std::string> account_key_hash(const crypto::PrivateKey& key) {
  auto der = key.to_der(crypto::KeyEncoding::kPkcs1);
  if (!der) {
    return tl::unexpected(der.error());
  }
  auto digest = crypto::sha256(*der);
  if (!digest) {
    return tl::unexpected(digest.error());
  }
  return common::base64_encode(*digest);
}

std::string url_host(std::string_view url) {
  std::string_view rest;
  if (url.starts_with("https://")) {
    rest = url.substr(8);
  } else if (url.starts_with("http://")) {
    rest = url.substr(7);
  } else {
    return "";
  }
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (const auto at = rest.rfind('@'); at != std::string_view::npos) {
    rest = rest.substr(at + 1);
  }
  return std::string(rest);
}

std::vector<std::string> account_contact(const std::optional<std::string>& email) {
  if (!email || email->empty()) {
    return {};
  }
  return {"mailto:" + *email};
}

AccountAction account_action(const api::AcmeIssuer& acme,
                             const std::optional<api::AcmeIssuerStatus>& status,
                             std::string_view key_hash) {
  if (!status || !status->uri || status->uri->empty()) {
    return AccountAction::kRegister;
  }
  // The account URL names the server it lives on: another server means another account.
  const std::string host = url_host(*status->uri);
  if (host.empty() || host != url_host(acme.server)) {
    return AccountAction::kRegister;
  }
  if (status->last_private_key_hash.value_or("") != key_hash) {
    return AccountAction::kRegister;
  }
  if (status->last_registered_email.value_or("") != acme.email.value_or("")) {
    return AccountAction::kUpdateContact;
  }
  return AccountAction::kNone;
}

common::Result<std::string> decode_eab_hmac_key(std::string_view text, std::string_view where) {
  constexpr std::string_view kSpace = " \t\r\n";
  const auto first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos) {
    return common::make_error(
        ErrorCode::kInvalidArgument,
        fmt::format("the external account binding HMAC key in {} is empty", where));
  }
  text = text.substr(first, text.find_last_not_of(kSpace) - first + 1);
  auto decoded = common::base64_decode_lenient(text);
  if (!decoded || decoded->empty()) {
    return common::make_error(
        ErrorCode::kInvalidArgument,
        fmt::format("the external account binding HMAC key in {} is not base64", where));
  }
  return *decoded;
}

FailureKind classify_account_error(const common::Error& error) {
  switch (error.code()) {
    case ErrorCode::kUnavailable:
    case ErrorCode::kTimeout:
    case ErrorCode::kRateLimited:
    case ErrorCode::kCancelled:
    case ErrorCode::kInternal:
    case ErrorCode::kGone:
      return FailureKind::kTransient;
    default:
      break;
  }
  const auto status = error.http_status();
  if (status && (*status >= 500 || *status == 429)) {
    return FailureKind::kTransient;
  }
  return FailureKind::kUser;
}

std::string registration_fingerprint(const api::AcmeIssuer& acme, std::string_view key_hash,
                                     std::string_view eab_hmac_key) {
  std::string eab_key_id;
  if (acme.external_account_binding) {
    eab_key_id = acme.external_account_binding->key_id;
  }
  const std::string material =
      fmt::format("{}\n{}\n{}\n{}\n{}\n{}\n{}", acme.server, acme.email.value_or(""), key_hash,
                  eab_key_id, eab_hmac_key, acme.ca_bundle, acme.skip_tls_verify.value_or(false));
  auto digest = crypto::sha256(material);
  // sha256 only fails on an OpenSSL allocation failure; the digest then never matches a stored
  // one, so the CA is asked again rather than wrongly skipped.
  return digest ? common::hex_encode(*digest) : std::string();
}

Readiness account_failure(std::string_view reason, std::string_view prefix,
                          const common::Error& error) {
  return {api::ConditionStatus::kFalse, std::string(reason), std::string(prefix) + error.message()};
}

}  // namespace certkeeper::issuers
