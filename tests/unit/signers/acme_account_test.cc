#include "controller/issuers/acme_account.h"

#include <gtest/gtest.h>

#include "controller/issuers/acme_accounts.h"
#include "controller/issuers/generic_issuer.h"
#include "lib/common/clock.h"
#include "lib/common/encoding.h"

namespace certkeeper::issuers {
namespace {

using common::Error;
using common::ErrorCode;

std::string pem_of(crypto::KeyAlgorithm algorithm, int size = 0) {
  auto key = crypto::PrivateKey::generate(algorithm, size);
  EXPECT_TRUE(key);
  auto pem = key->to_pem(crypto::KeyEncoding::kPkcs8);
  EXPECT_TRUE(pem);
  return *pem;
}

TEST(AccountKey, RsaAndEcdsaAreAccepted) {
  for (const auto& pem : {pem_of(crypto::KeyAlgorithm::kRsa), pem_of(crypto::KeyAlgorithm::kEcdsa),
                          pem_of(crypto::KeyAlgorithm::kEcdsa, 384)}) {
    auto key = parse_account_key({{"tls.key", pem}}, "tls.key", "ns", "acct");
    EXPECT_TRUE(key) << key.error().to_string();
  }
}

TEST(AccountKey, Ed25519MissingAndGarbageAreRefusedWithoutQuotingTheData) {
  auto ed = parse_account_key({{"tls.key", pem_of(crypto::KeyAlgorithm::kEd25519)}}, "tls.key",
                              "ns", "acct");
  ASSERT_FALSE(ed);
  EXPECT_EQ(ed.error().message(),
            "ACME private key in secret 'ns/acct' is Ed25519; use RSA or "
            "ECDSA");
  auto missing = parse_account_key({{"other", "x"}}, "tls.key", "ns", "acct");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message(), "no data for \"tls.key\" in secret 'ns/acct'");
  auto garbage = parse_account_key({{"k", "not-a-key-SECRET"}}, "k", "ns", "acct");
  ASSERT_FALSE(garbage);
  EXPECT_EQ(garbage.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(garbage.error().message().find("SECRET"), std::string::npos);
}

TEST(AccountKey, HashFollowsTheKeyNotItsEncoding) {
  auto a = crypto::PrivateKey::generate(crypto::KeyAlgorithm::kEcdsa);
  auto b = crypto::PrivateKey::generate(crypto::KeyAlgorithm::kEcdsa);
  ASSERT_TRUE(a && b);
  auto reparsed = crypto::PrivateKey::from_pem(*a->to_pem(crypto::KeyEncoding::kPkcs8));
  ASSERT_TRUE(reparsed);
  const auto ha = account_key_hash(*a);
  ASSERT_TRUE(ha);
  EXPECT_EQ(ha->size(), 44U);  // base64 of 32 bytes
  EXPECT_EQ(*account_key_hash(*reparsed), *ha);
  EXPECT_NE(*account_key_hash(*b), *ha);
}

TEST(UrlHost, HostAndPortOfHttpUrls) {
  EXPECT_EQ(url_host("https://127.0.0.1:14000/dir"), "127.0.0.1:14000");
  EXPECT_EQ(url_host("https://acme-v02.api.letsencrypt.org/directory"),
            "acme-v02.api.letsencrypt.org");
  EXPECT_EQ(url_host("http://ca.example?x"), "ca.example");
  EXPECT_EQ(url_host("ca.example/dir"), "");
  EXPECT_EQ(url_host(""), "");
}

class AccountActionTest : public ::testing::Test {
 protected:
  api::AcmeIssuer acme() const {
    api::AcmeIssuer a;
    a.server = "https://ca.example:14000/dir";
    a.email = "ops@example.com";
    return a;
  }
  api::AcmeIssuerStatus registered() const {
    return {"https://ca.example:14000/my-account/7", "ops@example.com", "HASH"};
  }
};

TEST_F(AccountActionTest, NothingChangedMeansNoRequest) {
  EXPECT_EQ(account_action(acme(), registered(), "HASH"), AccountAction::kNone);
}

TEST_F(AccountActionTest, NoUriAnotherServerOrAnotherKeyRegisters) {
  EXPECT_EQ(account_action(acme(), std::nullopt, "HASH"), AccountAction::kRegister);
  auto no_uri = registered();
  no_uri.uri.reset();
  EXPECT_EQ(account_action(acme(), no_uri, "HASH"), AccountAction::kRegister);
  auto other_server = acme();
  other_server.server = "https://other.example/dir";
  EXPECT_EQ(account_action(other_server, registered(), "HASH"), AccountAction::kRegister);
  auto other_port = acme();
  other_port.server = "https://ca.example:15000/dir";
  EXPECT_EQ(account_action(other_port, registered(), "HASH"), AccountAction::kRegister);
  EXPECT_EQ(account_action(acme(), registered(), "OTHER"), AccountAction::kRegister);
  // A key change wins over an email change: the new key has no account yet.
  auto both = acme();
  both.email = "new@example.com";
  EXPECT_EQ(account_action(both, registered(), "OTHER"), AccountAction::kRegister);
}

TEST_F(AccountActionTest, OnlyTheEmailChangedUpdatesTheContact) {
  auto changed = acme();
  changed.email = "new@example.com";
  EXPECT_EQ(account_action(changed, registered(), "HASH"), AccountAction::kUpdateContact);
  auto removed = acme();
  removed.email.reset();
  EXPECT_EQ(account_action(removed, registered(), "HASH"), AccountAction::kUpdateContact);
  auto no_email_status = registered();
  no_email_status.last_registered_email.reset();
  EXPECT_EQ(account_action(removed, no_email_status, "HASH"), AccountAction::kNone);
}

TEST(AccountContact, MailtoOrNothing) {
  EXPECT_EQ(account_contact("a@b.c"), std::vector<std::string>{"mailto:a@b.c"});
  EXPECT_TRUE(account_contact(std::nullopt).empty());
  EXPECT_TRUE(account_contact("").empty());
}

TEST(EabKey, Base64urlAndStandardBase64DecodeToTheSameBytes) {
  const std::string bytes = std::string("\xfb\xff\xfe\x01\x02\x03\x04\x05\x06\x07\x3e\x3f", 12);
  const std::string url = common::base64url_encode(bytes);
  const std::string standard = common::base64_encode(bytes);
  ASSERT_NE(url, standard);  // the alphabets differ for these bytes
  EXPECT_EQ(*decode_eab_hmac_key(url, "s"), bytes);
  EXPECT_EQ(*decode_eab_hmac_key(standard, "s"), bytes);
  EXPECT_EQ(*decode_eab_hmac_key(standard + "\n", "s"), bytes);
}

TEST(EabKey, EmptyOrInvalidNamesWhereButNotTheValue) {
  auto empty = decode_eab_hmac_key(" \n", "secret 'ns/eab' key \"k\"");
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().message(),
            "the external account binding HMAC key in secret 'ns/eab' key \"k\" is empty");
  auto bad = decode_eab_hmac_key("zz*SECRET*zz", "secret 'ns/eab' key \"k\"");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message(),
            "the external account binding HMAC key in secret 'ns/eab' key \"k\" is not base64");
}

TEST(ClassifyAccountError, UserErrorsAreNotRetriedTransientOnesAre) {
  EXPECT_EQ(classify_account_error(Error(ErrorCode::kInvalidArgument, "eab required")),
            FailureKind::kUser);
  EXPECT_EQ(
      classify_account_error(Error(ErrorCode::kFailedPrecondition, "eab").with_http_status(400)),
      FailureKind::kUser);
  EXPECT_EQ(classify_account_error(Error(ErrorCode::kPermissionDenied, "x").with_http_status(403)),
            FailureKind::kUser);
  EXPECT_EQ(classify_account_error(Error(ErrorCode::kUnavailable, "connect refused")),
            FailureKind::kTransient);
  EXPECT_EQ(classify_account_error(Error(ErrorCode::kTimeout, "timeout")), FailureKind::kTransient);
  EXPECT_EQ(classify_account_error(Error(ErrorCode::kRateLimited, "slow").with_http_status(429)),
            FailureKind::kTransient);
  EXPECT_EQ(classify_account_error(Error(ErrorCode::kInvalidArgument, "odd").with_http_status(503)),
            FailureKind::kTransient);
}

TEST(RegistrationFingerprint, EveryInputCounts) {
  api::AcmeIssuer base;
  base.server = "https://ca.example/dir";
  base.email = "a@b.c";
  const auto f = registration_fingerprint(base, "HASH", "MAC");
  EXPECT_EQ(registration_fingerprint(base, "HASH", "MAC"), f);
  EXPECT_NE(registration_fingerprint(base, "OTHER", "MAC"), f);
  EXPECT_NE(registration_fingerprint(base, "HASH", "MAC2"), f);
  auto changed = base;
  changed.email = "d@e.f";
  EXPECT_NE(registration_fingerprint(changed, "HASH", "MAC"), f);
  changed = base;
  changed.server = "https://ca.example/dir2";
  EXPECT_NE(registration_fingerprint(changed, "HASH", "MAC"), f);
  changed = base;
  changed.external_account_binding = api::AcmeExternalAccountBinding{"kid", {"eab", "k"}, {}};
  EXPECT_NE(registration_fingerprint(changed, "HASH", "MAC"), f);
  changed = base;
  changed.skip_tls_verify = true;
  EXPECT_NE(registration_fingerprint(changed, "HASH", "MAC"), f);
  changed = base;
  changed.ca_bundle = "PEM";
  EXPECT_NE(registration_fingerprint(changed, "HASH", "MAC"), f);
}

TEST(AcmeAccounts, OneClientPerIssuerReusedUntilTheServerOrKeyChanges) {
  AcmeAccounts accounts;
  const auto& clock = common::SystemClock::instance();
  auto key = crypto::PrivateKey::generate(crypto::KeyAlgorithm::kEcdsa);
  auto other_key = crypto::PrivateKey::generate(crypto::KeyAlgorithm::kEcdsa);
  ASSERT_TRUE(key && other_key);
  const AcmeServerConfig config{"https://ca.example/dir", "", false};
  auto first = accounts.client_for("uid-1", config, *key, "H1", clock);
  EXPECT_EQ(accounts.client_for("uid-1", config, *key, "H1", clock), first);
  EXPECT_EQ(accounts.get("uid-1"), nullptr);  // not registered yet
  const api::AcmeIssuerStatus registered{"https://ca.example/acct/1", "a@b.c", "H1"};
  accounts.set_ready("uid-1", registered);
  EXPECT_EQ(accounts.get("uid-1"), first);
  EXPECT_EQ(first->account_url(), "https://ca.example/acct/1");
  EXPECT_EQ(accounts.registered("uid-1"), registered);

  auto rekeyed = accounts.client_for("uid-1", config, *other_key, "H2", clock);
  EXPECT_NE(rekeyed, first);
  EXPECT_EQ(accounts.get("uid-1"), nullptr);  // the new key's account is not known yet
  EXPECT_FALSE(accounts.registered("uid-1"));
  auto moved =
      accounts.client_for("uid-1", {"https://ca.example/dir", "", true}, *other_key, "H2", clock);
  EXPECT_NE(moved, rekeyed);
  auto second_issuer = accounts.client_for("uid-2", config, *key, "H1", clock);
  EXPECT_NE(second_issuer, moved);
  EXPECT_EQ(accounts.size(), 2U);
  accounts.remove("uid-1");
  EXPECT_EQ(accounts.size(), 1U);
  // A client handed out stays usable after the registry dropped it.
  EXPECT_EQ(first->account_url(), "https://ca.example/acct/1");
}

TEST(AcmeAccounts, AUserFailureHoldsOnlyForTheSameInputsUntilItsTime) {
  AcmeAccounts accounts;
  const auto t0 = std::chrono::steady_clock::time_point{} + std::chrono::hours(5);
  const Readiness refused{api::ConditionStatus::kFalse, "ErrRegisterACMEAccount", "no"};
  accounts.record_failure("uid", "F1", t0 + std::chrono::hours(1), refused);
  const auto pending = accounts.failure_pending("uid", "F1", t0);
  ASSERT_TRUE(pending);
  EXPECT_EQ(pending->wait, std::chrono::hours(1));
  EXPECT_EQ(pending->readiness, refused);
  EXPECT_FALSE(accounts.failure_pending("uid", "F2", t0));
  EXPECT_FALSE(accounts.failure_pending("other", "F1", t0));
  EXPECT_FALSE(accounts.failure_pending("uid", "F1", t0 + std::chrono::hours(1)));
  accounts.clear_failure("uid");
  EXPECT_FALSE(accounts.failure_pending("uid", "F1", t0));
}

TEST(SecretIndexKeys, CaSecretAcmeKeyAndEabSecret) {
  const nlohmann::json ca = {{"spec", {{"ca", {{"secretName", "ca-pair"}}}}}};
  EXPECT_EQ(secret_index_keys(ca, "ns"), std::vector<std::string>{"ns/ca-pair"});
  const nlohmann::json acme = {
      {"spec",
       {{"acme",
         {{"server", "https://x/dir"},
          {"privateKeySecretRef", {{"name", "acct"}}},
          {"externalAccountBinding", {{"keyID", "k"}, {"keySecretRef", {{"name", "eab"}}}}}}}}}};
  EXPECT_EQ(secret_index_keys(acme, "crn"), (std::vector<std::string>{"crn/acct", "crn/eab"}));
  const nlohmann::json same = {
      {"spec",
       {{"acme",
         {{"privateKeySecretRef", {{"name", "s"}}},
          {"externalAccountBinding", {{"keySecretRef", {{"name", "s"}}}}}}}}}};
  EXPECT_EQ(secret_index_keys(same, "ns"), std::vector<std::string>{"ns/s"});
  EXPECT_TRUE(
      secret_index_keys({{"spec", {{"selfSigned", nlohmann::json::object()}}}}, "ns").empty());
}

}  // namespace
}  // namespace certkeeper::issuers
