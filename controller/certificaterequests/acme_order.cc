#include "controller/certificaterequests/acme_order.h"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "lib/api/conditions.h"
#include "lib/api/names.h"
#include "lib/api/well_known.h"
#include "lib/crypto/certificate.h"

namespace certkeeper::certificaterequests {

using Kind = SignOutcome::Kind;

namespace {

bool contains(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

SignOutcome outcome(Kind kind, std::string_view reason, std::string message) {
  return {kind, std::string(reason), std::move(message), {}, {}};
}

}  // namespace

std::optional<SignOutcome> check_common_name(const crypto::ParsedCsr& csr) {
  const auto& cn = csr.spec.subject.common_name;
  const auto& sans = csr.spec.sans;
  if (cn.empty() || contains(sans.dns_names, cn) || contains(sans.ip_addresses, cn)) {
    return std::nullopt;
  }
  // Go prints the two slices as "[a b]".
  return outcome(
      Kind::kFailed, api::kReasonInvalidOrder,
      fmt::format("The CSR PEM requests a commonName that is not present in the list of dnsNames "
                  "or ipAddresses. If a commonName is set, ACME requires that the value is also "
                  "present in the list of dnsNames or ipAddresses: \"{}\" does not exist in [{}] "
                  "or [{}]",
                  cn, fmt::join(sans.dns_names, " "), fmt::join(sans.ip_addresses, " ")));
}

api::Order build_order(const api::CertificateRequest& cr, const crypto::ParsedCsr& csr,
                       const api::AcmeIssuer& issuer, const std::optional<std::string>& replaces) {
  api::Order order;
  auto& spec = order.spec;
  spec.request = cr.spec.request;
  spec.issuer_ref = cr.spec.issuer_ref;
  if (!csr.spec.subject.common_name.empty()) {
    spec.common_name = csr.spec.subject.common_name;
  }
  spec.dns_names = csr.spec.sans.dns_names;
  spec.ip_addresses = csr.spec.sans.ip_addresses;
  if (issuer.enable_duration_feature.value_or(false)) {
    spec.duration = cr.spec.duration;
  }
  if (issuer.profile && !issuer.profile->empty()) {
    spec.profile = issuer.profile;
  }
  if (replaces && !replaces->empty()) {
    spec.replaces = replaces;
  }
  auto& md = order.metadata;
  md.name = api::order_name(cr.metadata.name, spec);
  md.namespace_ = cr.metadata.namespace_;
  md.labels = cr.metadata.labels;
  md.annotations = cr.metadata.annotations;
  md.owner_references.push_back({.api_version = std::string(api::kApiVersion),
                                 .kind = std::string(api::kKindCertificateRequest),
                                 .name = cr.metadata.name,
                                 .uid = cr.metadata.uid,
                                 .controller = true,
                                 .block_owner_deletion = true});
  return order;
}

bool wants_replaces(const api::AcmeIssuer& issuer) {
  return issuer.renewal_information_source.value_or("ARI") != "None";
}

bool order_fits(const api::OrderSpec& want, const api::OrderSpec& have) {
  api::OrderSpec a = want;
  api::OrderSpec b = have;
  a.replaces.reset();
  b.replaces.reset();
  return a == b;
}

OrderVerdict verdict_for_order(const api::Order& order, const crypto::ParsedCsr& csr) {
  const std::string state = order.status.state.value_or("");
  const std::string where = fmt::format("{}/{}", order.metadata.namespace_, order.metadata.name);
  if (state == api::kStateInvalid || state == api::kStateExpired || state == api::kStateErrored) {
    return {OrderVerdict::Kind::kOutcome,
            outcome(Kind::kFailed, api::kReasonOrderFailed,
                    fmt::format("Failed to wait for order resource \"{}\" to become ready: order "
                                "is in \"{}\" state: {}",
                                order.metadata.name, state, order.status.reason.value_or(""))),
            {}};
  }
  if (state != api::kStateValid) {
    return {
        OrderVerdict::Kind::kOutcome,
        outcome(Kind::kPending, api::kReasonOrderPending,
                fmt::format("Waiting on certificate issuance from order {}: \"{}\"", where, state)),
        {}};
  }
  if (order.status.certificate.empty()) {
    return {OrderVerdict::Kind::kOutcome,
            outcome(Kind::kPending, api::kReasonOrderPending,
                    fmt::format("Waiting for order-controller to add certificate data to Order {}",
                                where)),
            {}};
  }
  auto leaf = crypto::Certificate::from_pem(order.status.certificate);
  if (!leaf) {
    return {OrderVerdict::Kind::kRecreate,
            {},
            "the certificate in the Order does not parse: " + leaf.error().message()};
  }
  if (!leaf->matches(csr.public_key)) {
    return {OrderVerdict::Kind::kRecreate,
            {},
            "the certificate in the Order is not for the CSR's public key"};
  }
  SignOutcome issued = outcome(Kind::kIssued, api::kReasonCertificateIssued,
                               std::string(api::kMessageCertificateFetched));
  issued.certificate = order.status.certificate;
  return {OrderVerdict::Kind::kOutcome, std::move(issued), {}};
}

}  // namespace certkeeper::certificaterequests
