#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "lib/acme/client.h"
#include "lib/acme/types.h"
#include "lib/common/error.h"

// The issuance workflow on top of AcmeClient (RFC 8555 §7.4-§7.5): order, authorizations,
// challenges through a ChallengeSolver, finalize, download. Used by `certkeeper acme issue` and
// `renew`; the controller's ACME issuer drives the same steps through its own reconcilers.
namespace certkeeper::acme {

// Makes one challenge type answerable: publishes what the CA will look for and withdraws it.
//
// Implementations own whatever they serve (a listener, DNS records) and are used from one thread
// by obtain_certificate. Contract: present() for every pending authorization first, then
// wait_ready() once, then the CA is told to validate; cleanup() is called for every successful
// present(), whatever happened after it.
class ChallengeSolver {
 public:
  virtual ~ChallengeSolver() = default;
  // "http-01", "dns-01" or "tls-alpn-01": the challenge this solver answers.
  [[nodiscard]] virtual std::string_view type() const = 0;
  // `identifier` is the authorization's (for a wildcard order its base domain, RFC 8555 §7.1.4).
  virtual common::Status present(const Identifier& identifier, std::string_view token,
                                 std::string_view key_authorization) = 0;
  // Blocks until everything presented is visible to the CA (DNS propagation) or `deadline`.
  virtual common::Status wait_ready(std::chrono::steady_clock::time_point deadline) {
    (void)deadline;
    return common::ok();
  }
  virtual common::Status cleanup(const Identifier& identifier, std::string_view token,
                                 std::string_view key_authorization) = 0;
};

// The AcmeClient calls the workflow makes: a seam so that it can be unit-tested against a fake
// CA. AcmeClientOrders forwards to a real AcmeClient.
class OrderApi {
 public:
  virtual ~OrderApi() = default;
  virtual common::Result<Order> new_order(const NewOrderRequest& request) = 0;
  virtual common::Result<Authorization> get_authorization(const std::string& url) = 0;
  virtual common::Result<std::string> key_authorization(std::string_view token) = 0;
  virtual common::Result<Challenge> respond_challenge(const std::string& url) = 0;
  virtual common::Result<Authorization> poll_authorization(
      const std::string& url, std::chrono::steady_clock::time_point deadline,
      std::chrono::milliseconds first_wait) = 0;
  virtual common::Result<Order> poll_order(const std::string& url,
                                           std::chrono::steady_clock::time_point deadline,
                                           std::chrono::milliseconds first_wait) = 0;
  virtual common::Result<Order> finalize_order(const Order& order, std::string_view csr_der) = 0;
  virtual common::Result<CertificateChain> download_certificate(const std::string& url,
                                                                std::string_view preferred) = 0;
};

// OrderApi over an AcmeClient it borrows (which must outlive it). Thread-safe as AcmeClient.
class AcmeClientOrders final : public OrderApi {
 public:
  explicit AcmeClientOrders(AcmeClient& client) : client_(client) {}
  common::Result<Order> new_order(const NewOrderRequest& request) override;
  common::Result<Authorization> get_authorization(const std::string& url) override;
  common::Result<std::string> key_authorization(std::string_view token) override;
  common::Result<Challenge> respond_challenge(const std::string& url) override;
  common::Result<Authorization> poll_authorization(const std::string& url,
                                                   std::chrono::steady_clock::time_point deadline,
                                                   std::chrono::milliseconds first_wait) override;
  common::Result<Order> poll_order(const std::string& url,
                                   std::chrono::steady_clock::time_point deadline,
                                   std::chrono::milliseconds first_wait) override;
  common::Result<Order> finalize_order(const Order& order, std::string_view csr_der) override;
  common::Result<CertificateChain> download_certificate(const std::string& url,
                                                        std::string_view preferred) override;

 private:
  AcmeClient& client_;
};

struct IssuanceRequest {
  std::vector<Identifier> identifiers;
  std::string csr_der;          // its SANs must be exactly `identifiers`
  std::string profile;          // empty: the CA's default
  std::string replaces;         // ARI CertID of the certificate being renewed (RFC 9773 §5)
  std::string preferred_chain;  // issuer CN of the chain's topmost certificate; empty: default
  std::chrono::steady_clock::time_point deadline;  // for every poll, on the client's Clock
  // Waited after answering the challenges and after finalizing before the first poll (a
  // Retry-After from the CA replaces it after finalize): one poll instead of several when the
  // CA is quick.
  std::chrono::milliseconds first_poll_wait{250};
};

struct IssuedCertificate {
  Order order;  // as it was when "valid" (carries `replaces` and `profile` as the CA echoed)
  CertificateChain chain;
};

// Orders a certificate and returns its chain. Every pending authorization is presented before
// any challenge is answered (so DNS-01 waits for propagation once), then each is answered and
// polled; the solver's cleanup runs for everything presented, on success and on every error.
// It sends only the requests the protocol needs (RFC 8555 §7.4): no authorization poll for a
// challenge the CA already answered "valid", no order fetch before finalize (an orderNotReady
// answer makes it wait for "ready" and finalize again), no order poll when finalize already
// answered "valid".
// Errors name what failed: the CA's problem for a rejected order, "<identifier>: <type>
// challenge failed: <the CA's reason>" for a failed validation, "<identifier>: the CA offers no
// <type> challenge" when the solver's type is not offered.
common::Result<IssuedCertificate> obtain_certificate(OrderApi& api, const IssuanceRequest& request,
                                                     ChallengeSolver& solver);
common::Result<IssuedCertificate> obtain_certificate(AcmeClient& client,
                                                     const IssuanceRequest& request,
                                                     ChallengeSolver& solver);

// "<value>" for DNS names, "<value>" for IPs too, "*.<value>" for wildcard authorizations.
std::string describe_identifier(const Authorization& authorization);

}  // namespace certkeeper::acme
