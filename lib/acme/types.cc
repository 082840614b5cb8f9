#include "lib/acme/types.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "lib/common/time_format.h"

namespace certkeeper::acme {
namespace {

using common::ErrorCode;
using common::make_error;
using common::Result;
using json = nlohmann::json;

constexpr std::string_view kPrefix = "urn:ietf:params:acme:error:";

// The JSON object in `body`, or an error naming `what`. json::parse with allow_exceptions=false
// keeps exceptions from crossing this boundary.
Result<json> parse_object(std::string_view body, std::string_view what) {
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("{}: response is not a JSON object", what));
  }
  return j;
}

// Reads optional typed members; a present member of the wrong type is an error.
class Reader {
 public:
  Reader(const json& j, std::string_view what) : j_(j), what_(what) {}

  std::string str(const char* key) {
    auto it = j_.find(key);
    if (it == j_.end() || it->is_null()) {
      return {};
    }
    if (!it->is_string()) {
      fail(key, "a string");
      return {};
    }
    return it->get<std::string>();
  }
  bool boolean(const char* key) {
    auto it = j_.find(key);
    if (it == j_.end() || it->is_null()) {
      return false;
    }
    if (!it->is_boolean()) {
      fail(key, "a boolean");
      return false;
    }
    return it->get<bool>();
  }
  std::vector<std::string> strings(const char* key) {
    std::vector<std::string> out;
    auto it = j_.find(key);
    if (it == j_.end() || it->is_null()) {
      return out;
    }
    if (!it->is_array()) {
      fail(key, "an array of strings");
      return out;
    }
    for (const auto& v : *it) {
      if (!v.is_string()) {
        fail(key, "an array of strings");
        return {};
      }
      out.push_back(v.get<std::string>());
    }
    return out;
  }
  std::optional<std::chrono::system_clock::time_point> time(const char* key) {
    std::string s = str(key);
    if (s.empty()) {
      return std::nullopt;
    }
    auto t = common::parse_rfc3339(s);
    if (!t) {
      fail(key, "an RFC 3339 time");
      return std::nullopt;
    }
    return *t;
  }
  void require(const char* key, const std::string& value) {
    if (value.empty() && !error_) {
      error_ = fmt::format("{}: missing required member \"{}\"", what_, key);
    }
  }
  void fail(const char* key, std::string_view expected) {
    if (!error_) {
      error_ = fmt::format("{}: member \"{}\" is not {}", what_, key, expected);
    }
  }
  [[nodiscard]] common::Status status() const {
    if (error_) {
      return make_error(ErrorCode::kInvalidArgument, *error_);
    }
    return common::ok();
  }

 private:
  const json& j_;
  std::string_view what_;
  std::optional<std::string> error_;
};

Problem problem_from_json(const json& j) {
  Problem p;
  if (!j.is_object()) {
    return p;
  }
  Reader r(j, "problem");
  p.type = r.str("type");
  p.detail = r.str("detail");
  p.instance = r.str("instance");
  if (auto it = j.find("status"); it != j.end() && it->is_number_integer()) {
    p.status = it->get<int>();
  }
  if (auto it = j.find("identifier"); it != j.end() && it->is_object()) {
    Reader ir(*it, "identifier");
    p.identifier_type = ir.str("type");
    p.identifier_value = ir.str("value");
  }
  if (auto it = j.find("subproblems"); it != j.end() && it->is_array()) {
    for (const auto& sub : *it) {
      p.subproblems.push_back(problem_from_json(sub));
    }
  }
  return p;
}

Result<Identifier> identifier_from_json(const json& j, std::string_view what) {
  if (!j.is_object()) {
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("{}: identifier is not an object", what));
  }
  Reader r(j, what);
  Identifier id{r.str("type"), r.str("value")};
  r.require("identifier.type", id.type);
  r.require("identifier.value", id.value);
  if (auto s = r.status(); !s) {
    return make_error(s.error());
  }
  return id;
}

Result<Challenge> challenge_from_json(const json& j) {
  if (!j.is_object()) {
    return make_error(ErrorCode::kInvalidArgument, "challenge: not a JSON object");
  }
  Reader r(j, "challenge");
  Challenge c;
  c.type = r.str("type");
  c.url = r.str("url");
  c.status = r.str("status");
  c.token = r.str("token");
  c.validated = r.time("validated");
  if (auto it = j.find("error"); it != j.end() && it->is_object()) {
    c.error = problem_from_json(*it);
  }
  r.require("type", c.type);
  r.require("url", c.url);
  r.require("status", c.status);
  if (auto s = r.status(); !s) {
    return make_error(s.error());
  }
  return c;
}

}  // namespace

std::string Problem::short_type() const {
  if (type.starts_with(kPrefix)) {
    return type.substr(kPrefix.size());
  }
  return type;
}

const Challenge* Authorization::find_challenge(std::string_view challenge_type) const {
  for (const auto& c : challenges) {
    if (c.type == challenge_type) {
      return &c;
    }
  }
  return nullptr;
}

Result<Problem> parse_problem(std::string_view body) {
  auto j = parse_object(body, "problem document");
  if (!j) {
    return make_error(j.error());
  }
  return problem_from_json(*j);
}

Result<Directory> parse_directory(std::string_view body) {
  auto j = parse_object(body, "directory");
  if (!j) {
    return make_error(j.error());
  }
  Reader r(*j, "directory");
  Directory d;
  d.new_nonce = r.str("newNonce");
  d.new_account = r.str("newAccount");
  d.new_order = r.str("newOrder");
  d.new_authz = r.str("newAuthz");
  d.revoke_cert = r.str("revokeCert");
  d.key_change = r.str("keyChange");
  d.renewal_info = r.str("renewalInfo");
  if (auto meta = j->find("meta"); meta != j->end() && meta->is_object()) {
    Reader m(*meta, "directory meta");
    d.terms_of_service = m.str("termsOfService");
    d.website = m.str("website");
    d.caa_identities = m.strings("caaIdentities");
    d.external_account_required = m.boolean("externalAccountRequired");
    if (auto profiles = meta->find("profiles"); profiles != meta->end() && profiles->is_object()) {
      for (const auto& [name, description] : profiles->items()) {
        d.profiles[name] = description.is_string() ? description.get<std::string>() : "";
      }
    }
    if (auto s = m.status(); !s) {
      return make_error(s.error());
    }
  }
  r.require("newNonce", d.new_nonce);
  r.require("newAccount", d.new_account);
  r.require("newOrder", d.new_order);
  if (auto s = r.status(); !s) {
    return make_error(s.error());
  }
  return d;
}

Result<Account> parse_account(std::string_view body) {
  auto j = parse_object(body, "account");
  if (!j) {
    return make_error(j.error());
  }
  Reader r(*j, "account");
  Account a;
  a.status = r.str("status");
  a.contact = r.strings("contact");
  a.terms_of_service_agreed = r.boolean("termsOfServiceAgreed");
  a.orders = r.str("orders");
  r.require("status", a.status);
  if (auto s = r.status(); !s) {
    return make_error(s.error());
  }
  return a;
}

Result<Order> parse_order(std::string_view body) {
  auto j = parse_object(body, "order");
  if (!j) {
    return make_error(j.error());
  }
  Reader r(*j, "order");
  Order o;
  o.status = r.str("status");
  o.expires = r.time("expires");
  o.not_before = r.time("notBefore");
  o.not_after = r.time("notAfter");
  o.authorizations = r.strings("authorizations");
  o.finalize = r.str("finalize");
  o.certificate = r.str("certificate");
  o.profile = r.str("profile");
  o.replaces = r.str("replaces");
  if (auto it = j->find("error"); it != j->end() && it->is_object()) {
    o.error = problem_from_json(*it);
  }
  if (auto it = j->find("identifiers"); it != j->end() && it->is_array()) {
    for (const auto& id : *it) {
      auto parsed = identifier_from_json(id, "order");
      if (!parsed) {
        return make_error(parsed.error());
      }
      o.identifiers.push_back(*parsed);
    }
  }
  r.require("status", o.status);
  r.require("finalize", o.finalize);
  if (auto s = r.status(); !s) {
    return make_error(s.error());
  }
  return o;
}

Result<Authorization> parse_authorization(std::string_view body) {
  auto j = parse_object(body, "authorization");
  if (!j) {
    return make_error(j.error());
  }
  Reader r(*j, "authorization");
  Authorization a;
  a.status = r.str("status");
  a.expires = r.time("expires");
  a.wildcard = r.boolean("wildcard");
  auto id = j->find("identifier");
  if (id == j->end()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "authorization: missing required member \"identifier\"");
  }
  auto parsed_id = identifier_from_json(*id, "authorization");
  if (!parsed_id) {
    return make_error(parsed_id.error());
  }
  a.identifier = *parsed_id;
  if (auto it = j->find("challenges"); it != j->end() && it->is_array()) {
    for (const auto& c : *it) {
      auto challenge = challenge_from_json(c);
      if (!challenge) {
        return make_error(challenge.error().wrap("authorization"));
      }
      a.challenges.push_back(*challenge);
    }
  }
  r.require("status", a.status);
  if (auto s = r.status(); !s) {
    return make_error(s.error());
  }
  return a;
}

Result<Challenge> parse_challenge(std::string_view body) {
  auto j = parse_object(body, "challenge");
  if (!j) {
    return make_error(j.error());
  }
  return challenge_from_json(*j);
}

Result<RenewalInfo> parse_renewal_info(std::string_view body) {
  auto j = parse_object(body, "renewalInfo");
  if (!j) {
    return make_error(j.error());
  }
  auto window = j->find("suggestedWindow");
  if (window == j->end() || !window->is_object()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "renewalInfo: missing required member \"suggestedWindow\"");
  }
  Reader w(*window, "renewalInfo suggestedWindow");
  auto start = w.time("start");
  auto end = w.time("end");
  if (auto s = w.status(); !s) {
    return make_error(s.error());
  }
  if (!start || !end) {
    return make_error(ErrorCode::kInvalidArgument,
                      R"(renewalInfo: suggestedWindow needs both "start" and "end")");
  }
  if (*end <= *start) {
    return make_error(ErrorCode::kInvalidArgument,
                      "renewalInfo: suggestedWindow end is not after start (RFC 9773 §4.2)");
  }
  Reader r(*j, "renewalInfo");
  RenewalInfo info;
  info.window_start = *start;
  info.window_end = *end;
  info.explanation_url = r.str("explanationURL");
  if (auto s = r.status(); !s) {
    return make_error(s.error());
  }
  return info;
}

}  // namespace certkeeper::acme
