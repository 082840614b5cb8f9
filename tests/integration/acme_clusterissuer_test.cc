// ACME ClusterIssuer account setup: the `clusterissuers` controller, cluster-scoped (fixture in
// acme_issuer_fixture.h); the account key lives in the cluster resource namespace. Serial: its
// controller sees every ClusterIssuer on the apiserver.
#include <gtest/gtest.h>

#include "tests/integration/acme_issuer_fixture.h"

namespace certkeeper::acme_issuer_testing {
namespace {

class AcmeClusterIssuerTest : public AcmeIssuerTest {
 protected:
  AcmeClusterIssuerTest() { cluster_ = true; }
};

TEST_F(AcmeClusterIssuerTest, RegistersWithAKeyInTheClusterResourceNamespace) {
  const auto& pebble = **plain_;
  create_issuer("le", acme_spec(pebble, "cluster-account"));
  const auto ready = wait_ready("le", api::ConditionStatus::kTrue, "ACMEAccountRegistered");
  EXPECT_EQ(ready.message, "The ACME account was registered with the ACME server");
  const auto registered = *issuer("le");
  ASSERT_TRUE(registered.status.acme);
  EXPECT_EQ(issuers::url_host(registered.status.acme->uri.value_or("")),
            issuers::url_host(pebble.env.at("CK_ACME_DIRECTORY")));

  // The key was generated in the cluster resource namespace (this test's namespace).
  auto data = secret_data("cluster-account");
  ASSERT_TRUE(data && data->contains("tls.key"));
  auto key = crypto::PrivateKey::from_pem(data->at("tls.key"));
  ASSERT_TRUE(key);
  EXPECT_EQ(registered.status.acme->last_private_key_hash, *issuers::account_key_hash(*key));
  EXPECT_EQ(contact_at_ca(pebble, *key), std::vector<std::string>{"mailto:first@example.test"});

  // Reconciled again without a request to the CA.
  const auto before = pebble.requests();
  const auto touched = touch("le", acme_spec(pebble, "cluster-account"));
  EXPECT_EQ(touched.status.acme, registered.status.acme);
  EXPECT_EQ(pebble.requests(), before);
}

TEST_F(AcmeClusterIssuerTest, DisabledKeyGenerationLooksInTheClusterResourceNamespace) {
  auto spec = acme_spec(**plain_, "given-account");
  spec["disableAccountKeyGeneration"] = true;
  create_issuer("given", spec);
  const auto missing = wait_ready("given", api::ConditionStatus::kFalse, "ErrVerifyACMEAccount");
  EXPECT_EQ(missing.message, std::string(issuers::kMessageKeyGenerationDisabled) +
                                 "secret \"given-account\" not found");
  auto key = crypto::PrivateKey::generate(crypto::KeyAlgorithm::kRsa);
  ASSERT_TRUE(key);
  create_secret("given-account", {{"tls.key", *key->to_pem(crypto::KeyEncoding::kPkcs1)}});
  wait_ready("given", api::ConditionStatus::kTrue, "ACMEAccountRegistered");
}

}  // namespace
}  // namespace certkeeper::acme_issuer_testing
