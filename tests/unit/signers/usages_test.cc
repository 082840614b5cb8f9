#include "lib/pki/usages.h"

#include <gtest/gtest.h>

namespace certkeeper::pki {
namespace {

using crypto::ExtendedKeyUsage;
using crypto::KeyUsage;

TEST(ParseUsages, SplitsKeyUsagesFromExtendedOnesInBitOrder) {
  auto u = parse_usages({"server auth", "key encipherment", "signing", "cert sign", "s/mime"});
  ASSERT_TRUE(u) << u.error().to_string();
  EXPECT_EQ(u->key_usages,
            (std::vector<KeyUsage>{KeyUsage::kDigitalSignature, KeyUsage::kKeyEncipherment,
                                   KeyUsage::kKeyCertSign}));
  EXPECT_EQ(u->extended_key_usages,
            (std::vector<ExtendedKeyUsage>{ExtendedKeyUsage::kServerAuth,
                                           ExtendedKeyUsage::kEmailProtection}));
}

TEST(ParseUsages, DropsDuplicates) {
  auto u = parse_usages({"digital signature", "signing", "client auth", "client auth"});
  ASSERT_TRUE(u);
  EXPECT_EQ(u->key_usages, std::vector<KeyUsage>{KeyUsage::kDigitalSignature});
  EXPECT_EQ(u->extended_key_usages, std::vector<ExtendedKeyUsage>{ExtendedKeyUsage::kClientAuth});
}

TEST(ParseUsages, UnknownUsagesAreNamed) {
  auto u = parse_usages({"server auth", "teleport", "Server Auth"});
  ASSERT_FALSE(u);
  EXPECT_EQ(u.error().message(), "unknown key usages: [teleport Server Auth]");
}

}  // namespace
}  // namespace certkeeper::pki
