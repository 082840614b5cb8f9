#include "lib/api/names.h"

#include <string>

#include <gtest/gtest.h>

namespace certkeeper::api {
namespace {

// Expected values are derived by hand from the definition (FNV-1 32: offset 2166136261, prime
// 16777619, multiply then xor), not by running this code.
TEST(Names, Fnv1OfKnownInputs) {
  EXPECT_EQ(fnv1_32(""), 2166136261U);  // the offset basis
  // (2166136261 * 16777619) mod 2^32 = 0x050c5d1f; xor 'a' (0x61) = 0x050c5d7e.
  EXPECT_EQ(fnv1_32("a"), 0x050c5d7eU);
  EXPECT_EQ(fnv1_32("{}"), 1450640401U);
}

TEST(Names, ShortPrefixIsKeptAndOnlyTheJsonIsHashed) {
  EXPECT_EQ(compute_name("abc", "{}"), "abc-1450640401");
  EXPECT_EQ(dns_safe_shorten_52("my-request-1"), "my-request-1");
}

TEST(Names, LongPrefixIsCutTo52WithoutTrailingPunctuationAndHashedWithTheData) {
  // 50 'a', then "-." then "bbbb": the cut at 52 ends in "-.", which is trimmed.
  const std::string prefix = std::string(50, 'a') + "-.bbbb";
  EXPECT_EQ(dns_safe_shorten_52(prefix), std::string(50, 'a'));
  EXPECT_EQ(compute_name(prefix, "{}"), std::string(50, 'a') + "-15497962");
  const std::string sixty(60, 'c');
  const std::string name = compute_name(sixty, "{}");
  EXPECT_EQ(name, std::string(52, 'c') + "-662724045");
  EXPECT_LE(name.size(), 63U);
}

TEST(Names, TwoLongPrefixesWithTheSameCutGetDifferentNames) {
  const std::string a = std::string(52, 'x') + "-1";
  const std::string b = std::string(52, 'x') + "-2";
  EXPECT_NE(compute_name(a, "{}"), compute_name(b, "{}"));
}

OrderSpec sample_order_spec() {
  OrderSpec spec;
  spec.request = "-----BEGIN CERTIFICATE REQUEST-----\nnot hashed\n";
  spec.issuer_ref = {"le", "ClusterIssuer", "cert-manager.io"};
  spec.common_name = "example.com";
  spec.dns_names = {"example.com"};
  return spec;
}

TEST(Names, OrderNameHashesTheSpecWithoutTheRequest) {
  // The compact JSON of the spec with sorted keys and without "request":
  // {"commonName":"example.com","dnsNames":["example.com"],"issuerRef":{"group":
  // "cert-manager.io","kind":"ClusterIssuer","name":"le"}} → FNV-1 32 = 1010221506.
  const OrderSpec spec = sample_order_spec();
  EXPECT_EQ(order_name("web-1", spec), "web-1-1010221506");
  OrderSpec other_csr = spec;
  other_csr.request = "another CSR";
  EXPECT_EQ(order_name("web-1", other_csr), "web-1-1010221506");
}

TEST(Names, OrderNameChangesWithTheSpec) {
  const OrderSpec spec = sample_order_spec();
  OrderSpec with_profile = spec;
  with_profile.profile = "shortlived";
  EXPECT_NE(order_name("web-1", spec), order_name("web-1", with_profile));
  OrderSpec with_replaces = spec;
  with_replaces.replaces = "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE";
  EXPECT_NE(order_name("web-1", spec), order_name("web-1", with_replaces));
}

TEST(Names, ChallengeNameIsStableAndDependsOnTheSpec) {
  ChallengeSpec spec;
  spec.url = "https://ca/chall/1";
  spec.authorization_url = "https://ca/authz/1";
  spec.dns_name = "example.com";
  spec.type = "HTTP-01";
  spec.token = "tok";
  spec.key = "tok.thumb";
  spec.issuer_ref = {"le", "ClusterIssuer", "cert-manager.io"};
  const std::string name = challenge_name("web-1-1010221506", spec);
  EXPECT_EQ(name, challenge_name("web-1-1010221506", spec));
  EXPECT_EQ(name.rfind("web-1-1010221506-", 0), 0U);
  ChallengeSpec other = spec;
  other.token = "tok2";
  EXPECT_NE(name, challenge_name("web-1-1010221506", other));
}

}  // namespace
}  // namespace certkeeper::api
