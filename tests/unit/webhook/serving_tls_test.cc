#include "webhook/serving_tls.h"

#include <mutex>

#include <gtest/gtest.h>

#include "lib/crypto/signer.h"
#include "tests/support/fake_clock.h"

namespace certkeeper::webhook {
namespace {

using namespace std::chrono_literals;

// An in-memory Secret with resourceVersions, and a hook that lets a test play another replica
// writing just before us.
class FakeStore final : public CaSecretStore {
 public:
  std::optional<CaSecret> secret;
  int version = 0;
  int creates = 0;
  int updates = 0;
  // Runs once, right before the next create/update is applied (another replica racing us).
  std::function<void()> before_write;

  common::Result<std::optional<CaSecret>> get() override {
    std::lock_guard lock(mu_);
    return secret;
  }
  common::Status create(const std::map<std::string, std::string>& data) override {
    race();
    std::lock_guard lock(mu_);
    if (secret) {
      return common::make_error(common::ErrorCode::kAlreadyExists, "exists");
    }
    ++creates;
    secret = CaSecret{data, std::to_string(++version)};
    return common::ok();
  }
  common::Status update(const std::map<std::string, std::string>& data,
                        const std::string& rv) override {
    race();
    std::lock_guard lock(mu_);
    if (!secret || secret->resource_version != rv) {
      return common::make_error(common::ErrorCode::kConflict, "stale");
    }
    ++updates;
    secret = CaSecret{data, std::to_string(++version)};
    return common::ok();
  }

 private:
  void race() {
    if (before_write) {
      auto hook = std::move(before_write);
      before_write = nullptr;
      hook();
    }
  }
  std::mutex mu_;
};

crypto::Certificate leaf_of(const KeyPairPem& pair) {
  return *crypto::Certificate::from_pem(pair.cert_pem);
}

TEST(ServingTls, RenewalAtTwoThirds) {
  testing::FakeClock clock;
  auto ca = generate_ca(clock.now(), 300s, std::nullopt);
  ASSERT_TRUE(ca);
  // Backdated 30 s (a tenth of 300 s), so the life is 330 s and 2/3 of it is 220 s.
  EXPECT_EQ(ca->certificate.not_before(),
            std::chrono::time_point_cast<std::chrono::seconds>(clock.now()) - 30s);
  EXPECT_EQ(renewal_time(ca->certificate), ca->certificate.not_before() + 220s);
}

TEST(ServingTls, LeafChainsToTheCaAndNamesTheService) {
  testing::FakeClock clock;
  auto ca = generate_ca(clock.now(), kDefaultCaDuration, std::nullopt);
  ASSERT_TRUE(ca);
  auto pair = issue_serving_leaf(*ca, {"webhook.cert-manager.svc", "127.0.0.1"}, clock.now(),
                                 kDefaultLeafDuration);
  ASSERT_TRUE(pair) << pair.error().message();
  auto leaf = leaf_of(*pair);
  EXPECT_EQ(leaf.sans().dns_names, std::vector<std::string>{"webhook.cert-manager.svc"});
  EXPECT_EQ(leaf.sans().ip_addresses, std::vector<std::string>{"127.0.0.1"});
  EXPECT_FALSE(leaf.is_ca());
  EXPECT_EQ(leaf.not_after(),
            std::chrono::time_point_cast<std::chrono::seconds>(clock.now()) + kDefaultLeafDuration);
  EXPECT_TRUE(crypto::verify_chain(leaf, {}, {ca->certificate}, clock.now()));
  EXPECT_TRUE(leaf.matches(*crypto::PrivateKey::from_pem(pair->key_pem)));
}

TEST(ServingTls, FirstReplicaCreatesTheCaOthersReuseIt) {
  testing::FakeClock clock;
  FakeStore store;
  DynamicServingOptions options{.dns_names = {"wh.svc"}};
  DynamicServingCertificate first(store, clock, options);
  DynamicServingCertificate second(store, clock, options);
  ASSERT_EQ(first.refresh(), true);
  ASSERT_EQ(second.refresh(), true);
  EXPECT_EQ(store.creates, 1);
  EXPECT_EQ(store.updates, 0);
  EXPECT_EQ(first.ca_bundle(), second.ca_bundle());
  auto ca = crypto::Certificate::from_pem(first.ca_bundle());
  EXPECT_TRUE(crypto::verify_chain(leaf_of(*second.leaf()), {}, {*ca}, clock.now()));
}

TEST(ServingTls, LosingTheCreateRaceAdoptsTheWinnersCa) {
  testing::FakeClock clock;
  FakeStore store;
  DynamicServingOptions options{.dns_names = {"wh.svc"}};
  DynamicServingCertificate winner(store, clock, options);
  DynamicServingCertificate loser(store, clock, options);
  // The winner creates its CA between the loser's read and the loser's create.
  store.before_write = [&] { ASSERT_EQ(winner.refresh(), true); };
  ASSERT_EQ(loser.refresh(), true);
  EXPECT_EQ(store.creates, 1);
  EXPECT_EQ(loser.ca_bundle(), winner.ca_bundle());
}

TEST(ServingTls, LeafIsRenewedAtTwoThirdsWithoutANewCa) {
  testing::FakeClock clock;
  FakeStore store;
  DynamicServingCertificate serving(store, clock, {.dns_names = {"wh.svc"}, .leaf_duration = 30s});
  ASSERT_EQ(serving.refresh(), true);
  const auto first = *serving.leaf();
  const auto due = serving.next_refresh();
  // 3 s backdated, 33 s of life: due 22 s after not_before, 19 s from now.
  EXPECT_EQ(due, leaf_of(first).not_before() + 22s);

  clock.advance(10s);
  ASSERT_EQ(serving.refresh(), false);
  EXPECT_EQ(*serving.leaf(), first);

  clock.advance(10s);  // past the renewal time
  ASSERT_EQ(serving.refresh(), true);
  EXPECT_NE(serving.leaf()->cert_pem, first.cert_pem);
  EXPECT_GT(serving.next_refresh(), due);
  EXPECT_EQ(store.creates, 1);
  EXPECT_EQ(store.updates, 0);
}

TEST(ServingTls, CaNearingExpiryIsRotatedAndTheOldOneStaysInTheBundle) {
  testing::FakeClock clock;
  FakeStore store;
  DynamicServingOptions options{.dns_names = {"wh.svc"}, .leaf_duration = 1h, .ca_duration = 30h};
  DynamicServingCertificate serving(store, clock, options);
  ASSERT_EQ(serving.refresh(), true);
  const auto old_ca = *crypto::Certificate::from_pem(serving.ca_bundle());

  clock.advance(21h);  // past 2/3 of the CA's 30 h
  ASSERT_EQ(serving.refresh(), true);
  EXPECT_EQ(store.updates, 1);
  auto bundle = crypto::parse_pem_chain(serving.ca_bundle());
  ASSERT_TRUE(bundle);
  ASSERT_EQ(bundle->size(), 2u);
  EXPECT_NE((*bundle)[0].der(), old_ca.der());
  EXPECT_EQ((*bundle)[1].der(), old_ca.der());
  EXPECT_TRUE(crypto::verify_chain(leaf_of(*serving.leaf()), {}, {(*bundle)[0]}, clock.now()));
}

TEST(ServingTls, BrokenSecretIsReplaced) {
  testing::FakeClock clock;
  FakeStore store;
  store.secret = CaSecret{{{"tls.crt", "garbage"}, {"tls.key", "garbage"}}, "7"};
  store.version = 7;
  DynamicServingCertificate serving(store, clock, {.dns_names = {"wh.svc"}});
  ASSERT_EQ(serving.refresh(), true);
  EXPECT_EQ(store.updates, 1);
  EXPECT_TRUE(parse_ca_secret(store.secret->data));
}

TEST(ServingTls, SecretRoundTrips) {
  testing::FakeClock clock;
  auto ca = generate_ca(clock.now(), kDefaultCaDuration, std::nullopt);
  ASSERT_TRUE(ca);
  auto data = ca_secret_data(*ca);
  ASSERT_TRUE(data);
  auto back = parse_ca_secret(*data);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->certificate.der(), ca->certificate.der());
  EXPECT_EQ(back->ca_bundle_pem, ca->ca_bundle_pem);
  // A key that is not the certificate's is refused.
  auto other = generate_ca(clock.now(), kDefaultCaDuration, std::nullopt);
  (*data)["tls.key"] = *other->key.to_pem(crypto::KeyEncoding::kPkcs8);
  EXPECT_FALSE(parse_ca_secret(*data));
}

}  // namespace
}  // namespace certkeeper::webhook
