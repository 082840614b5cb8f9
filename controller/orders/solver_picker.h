#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/api/issuer.h"

// Which of an ACME issuer's solvers solves an authorization (cert-manager's solver selection in
// pkg/controller/acmeorders, cert-manager-api.md §2.2). A pure function; thread-safe.
namespace certkeeper::orders {

// What the picker needs to know about one authorization.
struct SolverQuery {
  // The identifier as the selector sees it: "*.example.com" for a wildcard authorization (whose
  // ACME identifier is the base domain), else the name or IP address itself.
  std::string name;
  bool wildcard = false;
  // The ACME challenge types the CA offers, as it names them ("http-01", "dns-01", ...).
  std::vector<std::string> offered;
  // The Order's labels (copied from the CertificateRequest, hence the Certificate).
  std::map<std::string, std::string> labels;
};

// The chosen solver.
struct PickedSolver {
  std::size_t index = 0;  // in the issuer's solver list
  std::string acme_type;  // "http-01" | "dns-01": the challenge of the authorization to use
  std::string type;       // "HTTP-01" | "DNS-01": Challenge.spec.type
};

// The rules, in order:
//  - a solver is a candidate only if the CA offers its challenge type (http01 → "http-01",
//    dns01 → "dns-01"; HTTP-01 never for a wildcard) and its selector's matchLabels are all among
//    `labels`, and — when the selector lists dnsNames or dnsZones — `name` is one of its dnsNames
//    or lies in one of its dnsZones (the zone itself or below it);
//  - candidates rank by: an exact dnsNames match, above the most specific dnsZones match (most
//    labels in the zone), above a solver whose selector names no DNS names or zones (including no
//    selector at all);
//  - equal rank: more matchLabels wins, then the earlier solver in the list.
// nullopt when no solver can be used.
std::optional<PickedSolver> pick_solver(const SolverQuery& query,
                                        const std::vector<api::AcmeChallengeSolver>& solvers);

}  // namespace certkeeper::orders
