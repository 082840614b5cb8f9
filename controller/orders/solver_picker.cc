#include "controller/orders/solver_picker.h"

#include <algorithm>
#include <cctype>
#include <tuple>

#include "lib/api/well_known.h"

namespace certkeeper::orders {

namespace {

constexpr std::string_view kAcmeHttp01 = "http-01";
constexpr std::string_view kAcmeDns01 = "dns-01";

std::string lowercase(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// DNS names compare case-insensitively and without a trailing dot.
std::string normalise(std::string_view name) {
  std::string out = lowercase(name);
  if (!out.empty() && out.back() == '.') {
    out.pop_back();
  }
  return out;
}

int label_count(std::string_view zone) {
  return zone.empty() ? 0 : static_cast<int>(std::count(zone.begin(), zone.end(), '.')) + 1;
}

// Rank of a candidate: higher is better, compared as a tuple.
struct Rank {
  int tier = 0;         // 2: dnsNames match, 1: dnsZones match, 0: no names or zones
  int specificity = 0;  // labels of the matching zone (tier 1)
  int labels = 0;       // matchLabels count
  auto key() const { return std::tie(tier, specificity, labels); }
};

// The candidate's rank, nullopt when the selector excludes the name.
std::optional<Rank> rank(const api::AcmeChallengeSolver& solver, const SolverQuery& query) {
  Rank r;
  if (!solver.selector) {
    return r;
  }
  const auto& selector = *solver.selector;
  for (const auto& [key, value] : selector.match_labels) {
    const auto found = query.labels.find(key);
    if (found == query.labels.end() || found->second != value) {
      return std::nullopt;
    }
  }
  r.labels = static_cast<int>(selector.match_labels.size());
  if (selector.dns_names.empty() && selector.dns_zones.empty()) {
    return r;
  }
  const std::string name = normalise(query.name);
  for (const auto& candidate : selector.dns_names) {
    if (normalise(candidate) == name) {
      r.tier = 2;
      return r;
    }
  }
  for (const auto& raw_zone : selector.dns_zones) {
    const std::string zone = normalise(raw_zone);
    const bool inside = name == zone || (name.size() > zone.size() &&
                                         name.compare(name.size() - zone.size() - 1,
                                                      std::string::npos, "." + zone) == 0);
    if (inside && (r.tier < 1 || label_count(zone) > r.specificity)) {
      r.tier = 1;
      r.specificity = label_count(zone);
    }
  }
  if (r.tier == 0) {
    return std::nullopt;  // names or zones were listed and none matched
  }
  return r;
}

}  // namespace

std::optional<PickedSolver> pick_solver(const SolverQuery& query,
                                        const std::vector<api::AcmeChallengeSolver>& solvers) {
  const auto offered = [&](std::string_view type) {
    return std::find(query.offered.begin(), query.offered.end(), type) != query.offered.end();
  };
  std::optional<PickedSolver> best;
  Rank best_rank;
  for (std::size_t i = 0; i < solvers.size(); ++i) {
    const auto& solver = solvers[i];
    PickedSolver picked{i, "", ""};
    if (solver.http01 && !query.wildcard && offered(kAcmeHttp01)) {
      picked.acme_type = kAcmeHttp01;
      picked.type = api::kChallengeTypeHttp01;
    } else if (solver.dns01 && offered(kAcmeDns01)) {
      picked.acme_type = kAcmeDns01;
      picked.type = api::kChallengeTypeDns01;
    } else {
      continue;
    }
    auto r = rank(solver, query);
    if (!r) {
      continue;
    }
    // Strictly better only: on a tie the earlier solver stays.
    if (!best || r->key() > best_rank.key()) {
      best = std::move(picked);
      best_rank = *r;
    }
  }
  return best;
}

}  // namespace certkeeper::orders
