#include "controller/orders/solver_picker.h"

#include <gtest/gtest.h>

namespace certkeeper::orders {
namespace {

// Solvers built in code with modifiers.
api::AcmeChallengeSolver http01() {
  api::AcmeChallengeSolver s;
  s.http01 = api::AcmeHttp01{};
  s.http01->ingress = api::AcmeHttp01Ingress{};
  return s;
}
api::AcmeChallengeSolver dns01() {
  api::AcmeChallengeSolver s;
  s.dns01 = api::AcmeDns01{};
  s.dns01->rfc2136 = api::AcmeDns01Rfc2136{};
  return s;
}
api::AcmeChallengeSolver with_names(api::AcmeChallengeSolver s, std::vector<std::string> names) {
  if (!s.selector) {
    s.selector.emplace();
  }
  s.selector->dns_names = std::move(names);
  return s;
}
api::AcmeChallengeSolver with_zones(api::AcmeChallengeSolver s, std::vector<std::string> zones) {
  if (!s.selector) {
    s.selector.emplace();
  }
  s.selector->dns_zones = std::move(zones);
  return s;
}
api::AcmeChallengeSolver with_labels(api::AcmeChallengeSolver s,
                                     std::map<std::string, std::string> labels) {
  if (!s.selector) {
    s.selector.emplace();
  }
  s.selector->match_labels = std::move(labels);
  return s;
}

SolverQuery query(std::string name, std::map<std::string, std::string> labels = {},
                  std::vector<std::string> offered = {"http-01", "dns-01", "tls-alpn-01"}) {
  const bool wildcard = name.rfind("*.", 0) == 0;
  return {std::move(name), wildcard, std::move(offered), std::move(labels)};
}

std::optional<std::size_t> index_of(const SolverQuery& q,
                                    const std::vector<api::AcmeChallengeSolver>& solvers) {
  auto picked = pick_solver(q, solvers);
  if (!picked) {
    return std::nullopt;
  }
  return picked->index;
}

TEST(SolverPicker, NoSolversNoPick) { EXPECT_FALSE(pick_solver(query("a.example"), {})); }

TEST(SolverPicker, TheTypeMustBeOffered) {
  auto picked = pick_solver(query("a.example", {}, {"dns-01"}), {http01(), dns01()});
  ASSERT_TRUE(picked);
  EXPECT_EQ(picked->index, 1U);
  EXPECT_EQ(picked->acme_type, "dns-01");
  EXPECT_EQ(picked->type, "DNS-01");
  EXPECT_FALSE(pick_solver(query("a.example", {}, {"tls-alpn-01"}), {http01(), dns01()}));
  auto http = pick_solver(query("a.example"), {http01()});
  ASSERT_TRUE(http);
  EXPECT_EQ(http->type, "HTTP-01");
  EXPECT_EQ(http->acme_type, "http-01");
}

TEST(SolverPicker, Http01NeverSolvesAWildcard) {
  // Even if a (broken) CA offered http-01 for a wildcard authorization.
  EXPECT_FALSE(pick_solver(query("*.a.example"), {http01()}));
  EXPECT_EQ(index_of(query("*.a.example"), {http01(), dns01()}), 1U);
}

TEST(SolverPicker, WithoutSelectorsTheFirstUsableSolverWins) {
  EXPECT_EQ(index_of(query("a.example"), {http01(), http01()}), 0U);
  EXPECT_EQ(index_of(query("a.example"), {dns01(), http01()}), 0U);
}

TEST(SolverPicker, MatchLabelsMustAllBeOnTheOrder) {
  const auto s = with_labels(http01(), {{"team", "a"}, {"env", "prod"}});
  EXPECT_FALSE(pick_solver(query("a.example", {{"team", "a"}}), {s}));
  EXPECT_FALSE(pick_solver(query("a.example", {{"team", "a"}, {"env", "dev"}}), {s}));
  EXPECT_EQ(index_of(query("a.example", {{"team", "a"}, {"env", "prod"}, {"x", "y"}}), {s}), 0U);
}

TEST(SolverPicker, DnsNamesMustContainTheNameWhenListed) {
  const auto s = with_names(http01(), {"b.example"});
  EXPECT_FALSE(pick_solver(query("a.example"), {s}));
  EXPECT_EQ(index_of(query("b.example"), {s}), 0U);
  EXPECT_EQ(index_of(query("B.Example."), {s}), 0U);  // case and trailing dot do not matter
}

TEST(SolverPicker, DnsNamesBeatZonesBeatTheDefault) {
  const std::vector<api::AcmeChallengeSolver> solvers = {
      http01(),                                 // 0: default
      with_zones(dns01(), {"example"}),         // 1: zone
      with_names(http01(), {"www.a.example"}),  // 2: exact name
  };
  EXPECT_EQ(index_of(query("www.a.example"), solvers), 2U);
  EXPECT_EQ(index_of(query("other.example"), solvers), 1U);
  EXPECT_EQ(index_of(query("other.test"), solvers), 0U);
}

TEST(SolverPicker, TheMostSpecificZoneWins) {
  const std::vector<api::AcmeChallengeSolver> solvers = {
      with_zones(dns01(), {"example.com"}),
      with_zones(dns01(), {"sys.example.com"}),
      with_zones(dns01(), {"com"}),
  };
  EXPECT_EQ(index_of(query("www.sys.example.com"), solvers), 1U);
  EXPECT_EQ(index_of(query("www.example.com"), solvers), 0U);
  EXPECT_EQ(index_of(query("example.com"), solvers), 0U);  // the zone apex is in the zone
  EXPECT_EQ(index_of(query("other.com"), solvers), 2U);
  // A zone is matched on label boundaries: "badexample.com" is not in "example.com".
  EXPECT_EQ(index_of(query("badexample.com"), solvers), 2U);
}

TEST(SolverPicker, TiesGoToMoreMatchLabelsThenListOrder) {
  const std::map<std::string, std::string> labels = {{"team", "a"}, {"env", "prod"}};
  const std::vector<api::AcmeChallengeSolver> zones = {
      with_zones(dns01(), {"example.com"}),
      with_labels(with_zones(dns01(), {"example.com"}), {{"team", "a"}}),
      with_labels(with_zones(dns01(), {"example.com"}), {{"team", "a"}, {"env", "prod"}}),
      with_labels(with_zones(dns01(), {"example.com"}), {{"team", "a"}, {"env", "prod"}}),
  };
  EXPECT_EQ(index_of(query("a.example.com", labels), zones), 2U);
  const std::vector<api::AcmeChallengeSolver> names = {
      with_names(http01(), {"a.example.com"}),
      with_labels(with_names(http01(), {"a.example.com"}), {{"team", "a"}}),
  };
  EXPECT_EQ(index_of(query("a.example.com", labels), names), 1U);
  // But a dnsNames match without labels still beats a zone match with more labels.
  const std::vector<api::AcmeChallengeSolver> mixed = {
      with_labels(with_zones(dns01(), {"example.com"}), {{"team", "a"}, {"env", "prod"}}),
      with_names(http01(), {"a.example.com"}),
  };
  EXPECT_EQ(index_of(query("a.example.com", labels), mixed), 1U);
  // Labels-only selectors outrank the plain default when they match more labels.
  const std::vector<api::AcmeChallengeSolver> defaults = {
      http01(),
      with_labels(http01(), {{"team", "a"}}),
  };
  EXPECT_EQ(index_of(query("a.example.com", labels), defaults), 1U);
  EXPECT_EQ(index_of(query("a.example.com"), defaults), 0U);
}

TEST(SolverPicker, WildcardsAreMatchedAsStarDotDomain) {
  const std::vector<api::AcmeChallengeSolver> solvers = {
      with_names(dns01(), {"a.example.com"}),
      with_names(dns01(), {"*.a.example.com"}),
  };
  EXPECT_EQ(index_of(query("*.a.example.com"), solvers), 1U);
  EXPECT_EQ(index_of(query("a.example.com"), solvers), 0U);
  // A zone covers the wildcard below it.
  EXPECT_EQ(index_of(query("*.a.example.com"), {with_zones(dns01(), {"example.com"})}), 0U);
}

TEST(SolverPicker, NamesOrZonesEitherMatch) {
  const auto s = with_zones(with_names(dns01(), {"a.test"}), {"example.com"});
  EXPECT_EQ(index_of(query("a.test"), {s}), 0U);
  EXPECT_EQ(index_of(query("x.example.com"), {s}), 0U);
  EXPECT_FALSE(pick_solver(query("b.test"), {s}));
}

}  // namespace
}  // namespace certkeeper::orders
