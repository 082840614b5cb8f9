#include "lib/acme/protocol.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>

#include <arpa/inet.h>
#include <fmt/format.h>

#include "lib/common/encoding.h"
#include "lib/common/time_format.h"
#include "lib/crypto/jose.h"
#include "lib/crypto/primitives.h"

namespace certkeeper::acme {
namespace {

using common::ErrorCode;
using common::make_error;
using common::Result;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  });
  return s;
}

bool read_digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) {
    return false;
  }
  auto [ptr, ec] = std::from_chars(s.data() + pos, s.data() + pos + n, out);
  return ec == std::errc() && ptr == s.data() + pos + n;
}

bool is_ip_address(const std::string& s) {
  std::array<unsigned char, 16> buf{};
  return ::inet_pton(AF_INET, s.c_str(), buf.data()) == 1 ||
         ::inet_pton(AF_INET6, s.c_str(), buf.data()) == 1;
}

}  // namespace

Result<std::chrono::system_clock::time_point> parse_http_date(std::string_view text) {
  // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT" (exactly 29 characters).
  const auto bad = [&] {
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("invalid HTTP-date '{}'", text.substr(0, 40)));
  };
  static constexpr std::array<std::string_view, 12> kMonths = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (text.size() != 29 || text.substr(3, 2) != ", " || text[7] != ' ' || text[11] != ' ' ||
      text[16] != ' ' || text[19] != ':' || text[22] != ':' || text.substr(25) != " GMT") {
    return bad();
  }
  int day = 0;
  int year = 0;
  int hour = 0;
  int minute = 0;
  int second = 0;
  if (!read_digits(text, 5, 2, day) || !read_digits(text, 12, 4, year) ||
      !read_digits(text, 17, 2, hour) || !read_digits(text, 20, 2, minute) ||
      !read_digits(text, 23, 2, second)) {
    return bad();
  }
  const auto month_it = std::find(kMonths.begin(), kMonths.end(), text.substr(8, 3));
  if (month_it == kMonths.end()) {
    return bad();
  }
  const auto month = static_cast<int>(month_it - kMonths.begin() + 1);
  auto t = common::utc_time(year, month, day, hour, minute, second);
  if (!t) {
    return bad();
  }
  return *t;
}

std::optional<std::chrono::seconds> parse_retry_after(std::string_view value,
                                                      std::chrono::system_clock::time_point now) {
  value = trim(value);
  if (value.empty()) {
    return std::nullopt;
  }
  if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    std::int64_t seconds = 0;
    auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    if (ec == std::errc::result_out_of_range) {
      // Larger than any useful delay; cap instead of rejecting.
      return std::chrono::seconds(std::numeric_limits<std::int32_t>::max());
    }
    if (ec != std::errc() || ptr != value.data() + value.size()) {
      return std::nullopt;
    }
    // Capped like an out-of-range value, so that callers can add it to a time point safely.
    return std::chrono::seconds(
        std::min<std::int64_t>(seconds, std::numeric_limits<std::int32_t>::max()));
  }
  auto date = parse_http_date(value);
  if (!date) {
    return std::nullopt;
  }
  if (*date <= now) {
    return std::chrono::seconds(0);
  }
  return std::chrono::ceil<std::chrono::seconds>(*date - now);
}

std::vector<Link> parse_link_headers(const std::vector<std::string>& values) {
  std::vector<Link> links;
  for (const std::string& value : values) {
    std::string_view rest = value;
    while (true) {
      rest = trim(rest);
      while (!rest.empty() && rest.front() == ',') {
        rest.remove_prefix(1);
        rest = trim(rest);
      }
      if (rest.empty() || rest.front() != '<') {
        break;
      }
      const std::size_t close = rest.find('>');
      if (close == std::string_view::npos) {
        break;
      }
      const std::string url(rest.substr(1, close - 1));
      rest.remove_prefix(close + 1);
      // Parameters up to the next comma outside quotes.
      std::vector<std::string> rels;
      while (true) {
        rest = trim(rest);
        if (rest.empty() || rest.front() != ';') {
          break;
        }
        rest.remove_prefix(1);
        rest = trim(rest);
        const std::size_t eq = rest.find_first_of("=;,");
        std::string name = lower(std::string(trim(rest.substr(0, eq))));
        std::string param_value;
        if (eq != std::string_view::npos && rest[eq] == '=') {
          rest.remove_prefix(eq + 1);
          rest = trim(rest);
          if (!rest.empty() && rest.front() == '"') {
            std::size_t i = 1;
            while (i < rest.size() && rest[i] != '"') {
              if (rest[i] == '\\' && i + 1 < rest.size()) {
                ++i;
              }
              param_value += rest[i];
              ++i;
            }
            rest.remove_prefix(std::min(i + 1, rest.size()));
          } else {
            const std::size_t end = rest.find_first_of(";,");
            param_value = std::string(trim(rest.substr(0, end)));
            rest.remove_prefix(end == std::string_view::npos ? rest.size() : end);
          }
        } else {
          rest.remove_prefix(eq == std::string_view::npos ? rest.size() : eq);
        }
        if (name == "rel") {
          // A space-separated list of relation types (RFC 8288 §3.3).
          std::string_view types = param_value;
          while (!types.empty()) {
            const std::size_t sp = types.find(' ');
            std::string_view t = types.substr(0, sp);
            if (!t.empty()) {
              rels.emplace_back(t);
            }
            types.remove_prefix(sp == std::string_view::npos ? types.size() : sp + 1);
          }
        }
      }
      for (auto& rel : rels) {
        links.push_back({url, std::move(rel)});
      }
    }
  }
  return links;
}

std::vector<std::string> links_with_rel(const std::vector<Link>& links, std::string_view rel) {
  std::vector<std::string> out;
  for (const auto& link : links) {
    if (iequals(link.rel, rel)) {
      out.push_back(link.url);
    }
  }
  return out;
}

common::ErrorCode error_code_for(std::string_view problem_type, int http_status) {
  std::string_view t = problem_type;
  if (t.starts_with(kProblemPrefix)) {
    t.remove_prefix(kProblemPrefix.size());
  }
  if (t == "rateLimited") {
    return ErrorCode::kRateLimited;
  }
  if (t == "badNonce" || t == "serverInternal") {
    return ErrorCode::kUnavailable;
  }
  if (t == "unauthorized") {
    return ErrorCode::kPermissionDenied;
  }
  if (t == "accountDoesNotExist") {
    return ErrorCode::kNotFound;
  }
  if (t == "alreadyReplaced" || t == "conflict") {
    return ErrorCode::kConflict;
  }
  if (t == "alreadyRevoked") {
    return ErrorCode::kAlreadyExists;
  }
  if (t == "orderNotReady" || t == "userActionRequired" || t == "agreementRequired" ||
      t == "externalAccountRequired") {
    return ErrorCode::kFailedPrecondition;
  }
  static constexpr std::array<std::string_view, 12> kBadInput = {"malformed",
                                                                 "rejectedIdentifier",
                                                                 "badCSR",
                                                                 "invalidProfile",
                                                                 "badPublicKey",
                                                                 "badSignatureAlgorithm",
                                                                 "badRevocationReason",
                                                                 "unsupportedIdentifier",
                                                                 "unsupportedContact",
                                                                 "invalidContact",
                                                                 "caa",
                                                                 "compound"};
  if (std::find(kBadInput.begin(), kBadInput.end(), t) != kBadInput.end()) {
    return ErrorCode::kInvalidArgument;
  }
  if (http_status == 429) {
    return ErrorCode::kRateLimited;
  }
  if (http_status >= 500) {
    return ErrorCode::kUnavailable;
  }
  switch (http_status) {
    case 400:
    case 405:
    case 413:
    case 415:
      return ErrorCode::kInvalidArgument;
    case 401:
      return ErrorCode::kUnauthenticated;
    case 403:
      return ErrorCode::kPermissionDenied;
    case 404:
      return ErrorCode::kNotFound;
    case 409:
      return ErrorCode::kConflict;
    case 410:
      return ErrorCode::kGone;
    default:
      return ErrorCode::kInternal;
  }
}

common::Error problem_to_error(const Problem& problem, int http_status,
                               std::optional<std::chrono::seconds> retry_after) {
  std::string message =
      fmt::format("acme {}: {}", problem.short_type().empty() ? "error" : problem.short_type(),
                  problem.detail.empty() ? "(no detail)" : problem.detail);
  for (const auto& sub : problem.subproblems) {
    // RFC 8555 §6.7.1: each subproblem may name the identifier it is about.
    const std::string about = sub.identifier_value.empty()
                                  ? std::string("subproblem")
                                  : fmt::format("{} {}", sub.identifier_type, sub.identifier_value);
    message += fmt::format("; {}: {} ({})", about, sub.detail, sub.short_type());
  }
  if (http_status == 0) {
    http_status = problem.status;
  }
  common::Error error(error_code_for(problem.type, http_status), std::move(message));
  if (!problem.type.empty()) {
    error.with_problem_type(problem.type);
  }
  if (http_status != 0) {
    error.with_http_status(http_status);
  }
  if (retry_after) {
    error.with_retry_after(*retry_after);
  }
  return error;
}

common::Error response_error(int http_status, std::string_view body,
                             std::optional<std::chrono::seconds> retry_after) {
  auto problem = parse_problem(body);
  if (!problem || (problem->type.empty() && problem->detail.empty())) {
    Problem synthetic;
    synthetic.detail = fmt::format("HTTP {} without a problem document", http_status);
    return problem_to_error(synthetic, http_status, retry_after);
  }
  return problem_to_error(*problem, http_status, retry_after);
}

std::string key_authorization(std::string_view token, std::string_view thumbprint) {
  return fmt::format("{}.{}", token, thumbprint);
}

Result<std::string> key_authorization(std::string_view token,
                                      const crypto::PublicKey& account_key) {
  auto thumbprint = crypto::jwk_thumbprint(account_key);
  if (!thumbprint) {
    return make_error(thumbprint.error());
  }
  return key_authorization(token, *thumbprint);
}

Result<std::string> dns01_txt_value(std::string_view key_authorization_value) {
  auto digest = crypto::sha256(key_authorization_value);
  if (!digest) {
    return make_error(digest.error());
  }
  return common::base64url_encode(*digest);
}

std::vector<Identifier> identifiers_from_names(const std::vector<std::string>& names) {
  std::vector<Identifier> out;
  out.reserve(names.size());
  for (const auto& name : names) {
    out.push_back(is_ip_address(name) ? Identifier::ip(name) : Identifier::dns(name));
  }
  return out;
}

bool same_identifiers(std::vector<Identifier> a, std::vector<Identifier> b) {
  const auto normalise = [](std::vector<Identifier>& ids) {
    for (auto& id : ids) {
      if (id.type == "dns") {
        id.value = lower(id.value);
      }
    }
    std::sort(ids.begin(), ids.end());
  };
  normalise(a);
  normalise(b);
  return a == b;
}

std::chrono::system_clock::time_point pick_renewal_time(const RenewalInfo& info,
                                                        common::Random& random) {
  if (info.window_end <= info.window_start) {
    return info.window_start;
  }
  const auto span = info.window_end - info.window_start;
  const double offset = std::floor(static_cast<double>(span.count()) * random.uniform01());
  return info.window_start +
         std::chrono::system_clock::duration(
             std::min(static_cast<std::chrono::system_clock::rep>(offset), span.count()));
}

std::string rfc4514_common_name(std::string_view dn) {
  // Split on unescaped ',' (and '+', multi-valued RDNs), then look for "CN=".
  std::size_t i = 0;
  while (i <= dn.size()) {
    std::string attribute;
    bool escaped = false;
    std::size_t j = i;
    for (; j < dn.size(); ++j) {
      const char c = dn[j];
      if (escaped) {
        attribute += c;
        escaped = false;
        continue;
      }
      if (c == '\\') {
        // Keep the escape for the value decoding below.
        attribute += c;
        escaped = true;
        continue;
      }
      if (c == ',' || c == '+') {
        break;
      }
      attribute += c;
    }
    std::string_view a = trim(attribute);
    if (a.size() >= 3 && iequals(a.substr(0, 3), "CN=")) {
      std::string value;
      std::string_view v = a.substr(3);
      for (std::size_t k = 0; k < v.size(); ++k) {
        if (v[k] == '\\' && k + 1 < v.size()) {
          // \XX hex pair or an escaped special character (RFC 4514 §2.4).
          int byte = 0;
          if (k + 2 < v.size() + 0 && std::isxdigit(static_cast<unsigned char>(v[k + 1])) &&
              k + 2 < v.size() && std::isxdigit(static_cast<unsigned char>(v[k + 2]))) {
            std::from_chars(v.data() + k + 1, v.data() + k + 3, byte, 16);
            value += static_cast<char>(byte);
            k += 2;
          } else {
            value += v[k + 1];
            ++k;
          }
        } else {
          value += v[k];
        }
      }
      return value;
    }
    i = j + 1;
  }
  return {};
}

std::size_t choose_chain(const std::vector<std::string>& top_issuer_cns,
                         std::string_view preferred) {
  if (preferred.empty()) {
    return 0;
  }
  for (std::size_t i = 0; i < top_issuer_cns.size(); ++i) {
    if (top_issuer_cns[i] == preferred) {
      return i;
    }
  }
  return 0;
}

}  // namespace certkeeper::acme
