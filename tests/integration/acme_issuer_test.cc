// ACME Issuer account setup: the `issuers` controller in single-namespace mode (fixture in
// acme_issuer_fixture.h). Assertions are on the objects the apiserver holds and on what Pebble
// saw.
#include <gtest/gtest.h>

#include "tests/integration/acme_issuer_fixture.h"

namespace certkeeper::acme_issuer_testing {
namespace {

TEST_F(AcmeIssuerTest, RegistersWithAGeneratedKeyThenAsksTheCaOnlyWhenSomethingChanged) {
  const auto& pebble = **plain_;
  create_issuer("le", acme_spec(pebble, "le-account"));
  const auto ready = wait_ready("le", api::ConditionStatus::kTrue, "ACMEAccountRegistered");
  EXPECT_EQ(ready.message, "The ACME account was registered with the ACME server");
  auto registered = *issuer("le");
  ASSERT_TRUE(registered.status.acme);
  const std::string uri = registered.status.acme->uri.value_or("");
  EXPECT_EQ(issuers::url_host(uri), issuers::url_host(pebble.env.at("CK_ACME_DIRECTORY")));
  EXPECT_EQ(registered.status.acme->last_registered_email, "first@example.test");

  // The generated key: RSA-2048 in tls.key, the one status.acme's hash names.
  auto data = secret_data("le-account");
  ASSERT_TRUE(data && data->contains("tls.key"));
  auto key = crypto::PrivateKey::from_pem(data->at("tls.key"));
  ASSERT_TRUE(key);
  EXPECT_EQ(key->algorithm(), crypto::KeyAlgorithm::kRsa);
  EXPECT_EQ(key->size(), 2048);
  EXPECT_EQ(registered.status.acme->last_private_key_hash, *issuers::account_key_hash(*key));
  EXPECT_EQ(contact_at_ca(pebble, *key), std::vector<std::string>{"mailto:first@example.test"});

  // A label and a new generation (another solver) are reconciled without a request to the CA.
  const auto before = pebble.requests();
  ASSERT_GT(before, 0U);
  auto spec = acme_spec(pebble, "le-account");
  const auto touched = touch("le", spec);
  EXPECT_EQ(touched.status.acme, registered.status.acme);
  EXPECT_EQ(pebble.requests(), before);

  // An email change updates the contact of the same account.
  spec["email"] = "second@example.test";
  patch_issuer("le", {{"spec", {{"acme", spec}}}});
  const auto updated = wait_issuer(
      "le",
      [](const api::Issuer& i) {
        return i.status.acme && i.status.acme->last_registered_email == "second@example.test";
      },
      "registered the new email");
  EXPECT_EQ(updated.status.acme->uri, uri);
  EXPECT_TRUE(api::has_condition(updated.status.conditions, api::kConditionReady,
                                 api::ConditionStatus::kTrue));
  EXPECT_EQ(contact_at_ca(pebble, *key), std::vector<std::string>{"mailto:second@example.test"});
  EXPECT_EQ(*secret_data("le-account"), *data);  // the key was not replaced
}

TEST_F(AcmeIssuerTest, EabRequiredServerRefusesWithoutBindingAndAcceptsWithIt) {
  const auto& pebble = **eab_;
  create_issuer("eab", acme_spec(pebble, "eab-account"));
  const auto refused = wait_ready("eab", api::ConditionStatus::kFalse, "ErrRegisterACMEAccount");
  EXPECT_TRUE(refused.message.starts_with("Failed to register ACME account: ")) << refused.message;
  EXPECT_NE(refused.message.find("external account binding"), std::string::npos) << refused.message;
  EXPECT_FALSE(issuer("eab")->status.acme.has_value());

  // The HMAC key in standard base64 with padding (Pebble hands it out as base64url).
  auto mac = common::base64url_decode(pebble.env.at("CK_PEBBLE_EAB_HMAC"));
  ASSERT_TRUE(mac);
  create_secret("eab-hmac", {{"secret", common::base64_encode(*mac) + "\n"}});
  auto spec = acme_spec(pebble, "eab-account");
  spec["externalAccountBinding"] = {{"keyID", pebble.env.at("CK_PEBBLE_EAB_KID")},
                                    {"keySecretRef", {{"name", "eab-hmac"}, {"key", "secret"}}}};
  patch_issuer("eab", {{"spec", {{"acme", spec}}}});
  wait_ready("eab", api::ConditionStatus::kTrue, "ACMEAccountRegistered");
  const auto done = *issuer("eab");
  ASSERT_TRUE(done.status.acme);
  EXPECT_EQ(issuers::url_host(done.status.acme->uri.value_or("")),
            issuers::url_host(pebble.env.at("CK_ACME_DIRECTORY")));
}

TEST_F(AcmeIssuerTest, ACaRefusalIsNotRetriedUntilTheInputsChange) {
  const auto& pebble = **plain_;
  auto spec = acme_spec(pebble, "bad-account");
  spec["email"] = "not-an-address";
  create_issuer("bad", spec);
  const auto refused = wait_ready("bad", api::ConditionStatus::kFalse, "ErrRegisterACMEAccount");
  EXPECT_TRUE(refused.message.starts_with("Failed to register ACME account: ")) << refused.message;
  EXPECT_NE(refused.message.find("contact"), std::string::npos) << refused.message;

  // Same inputs, new generation: no request to the CA, the condition stays.
  const auto before = pebble.requests();
  const auto observed = touch("bad", spec);
  const auto* still = api::find_condition(observed.status.conditions, api::kConditionReady);
  ASSERT_NE(still, nullptr);
  EXPECT_EQ(still->reason, "ErrRegisterACMEAccount");
  EXPECT_EQ(still->message, refused.message);
  EXPECT_EQ(pebble.requests(), before);

  // A corrected email is tried at once.
  spec["email"] = "fixed@example.test";
  patch_issuer("bad", {{"spec", {{"acme", spec}}}});
  wait_ready("bad", api::ConditionStatus::kTrue, "ACMEAccountRegistered");
}

TEST_F(AcmeIssuerTest, DisabledKeyGenerationWaitsForTheSecretAndAcceptsAnEcdsaKey) {
  const auto& pebble = **plain_;
  auto spec = acme_spec(pebble, "given-account");
  spec["disableAccountKeyGeneration"] = true;
  create_issuer("given", spec);
  const auto missing = wait_ready("given", api::ConditionStatus::kFalse, "ErrVerifyACMEAccount");
  EXPECT_EQ(missing.message, std::string(issuers::kMessageKeyGenerationDisabled) +
                                 "secret \"given-account\" not found");
  EXPECT_FALSE(secret_data("given-account").has_value());

  // The Secret appearing re-queues the issuer.
  auto key = crypto::PrivateKey::generate(crypto::KeyAlgorithm::kEcdsa);
  ASSERT_TRUE(key);
  create_secret("given-account", {{"tls.key", *key->to_pem(crypto::KeyEncoding::kPkcs1)}});
  wait_ready("given", api::ConditionStatus::kTrue, "ACMEAccountRegistered");
  EXPECT_EQ(issuer("given")->status.acme->last_private_key_hash, *issuers::account_key_hash(*key));
  EXPECT_EQ(contact_at_ca(pebble, *key), std::vector<std::string>{"mailto:first@example.test"});
}

TEST_F(AcmeIssuerTest, AnUnreachableServerIsNotReadyAndRetriedWithBackoff) {
  ClosingListener dead;
  auto spec = acme_spec(**plain_, "dead-account");
  spec["server"] = "https://127.0.0.1:" + std::to_string(dead.port()) + "/dir";
  create_issuer("dead", spec);
  const auto failed = wait_ready("dead", api::ConditionStatus::kFalse, "ErrRegisterACMEAccount");
  EXPECT_TRUE(failed.message.starts_with("Failed to register ACME account: ")) << failed.message;
  // Retried with backoff (1 s doubling), not abandoned as a user error and not a hot loop. The
  // creation, the generated key's Secret and the status write cause at most three attempts;
  // three more can only come from retries.
  const int after_failure = dead.accepted();
  EXPECT_GE(after_failure, 1);
  EXPECT_TRUE(testing::eventually([&] { return dead.accepted() >= after_failure + 3; }, 2 * kWait))
      << dead.accepted() << " attempts";
  EXPECT_LT(dead.accepted(), after_failure + 10);
}

}  // namespace
}  // namespace certkeeper::acme_issuer_testing
