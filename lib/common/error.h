#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

namespace certkeeper::common {

// What went wrong, in terms a caller can act on. Reconcilers map these to requeue decisions
// (docs/architecture.md, "Error handling"): kConflict is retried without counting as a failure,
// kRateLimited and kUnavailable back off, kInvalidArgument is terminal until the input changes.
enum class ErrorCode {
  kInvalidArgument,     // the input is wrong; retrying the same input cannot help
  kNotFound,            // the object or resource does not exist
  kAlreadyExists,       // a create found the object already there
  kConflict,            // an optimistic-concurrency or state conflict (HTTP 409)
  kGone,                // the requested version is too old (HTTP 410: relist)
  kRateLimited,         // the server asked us to slow down (HTTP 429, ACME rateLimited)
  kUnavailable,         // the peer could not be reached or answered 5xx; transient
  kTimeout,             // the operation did not finish in its time budget
  kUnauthenticated,     // credentials missing or rejected (HTTP 401)
  kPermissionDenied,    // authenticated but not allowed (HTTP 403)
  kFailedPrecondition,  // the world is not in the state the operation needs yet
  kCancelled,           // the caller or shutdown stopped the operation
  kInternal,            // a bug or an invariant broken on our side
};

std::string_view to_string(ErrorCode code);

// An error value that crosses module boundaries. The message never holds secrets (no key
// material, no tokens); it is written into Conditions, Events and logs as it is.
//
// Immutable after construction apart from the with_* builders; cheap to copy; thread-compatible.
class Error {
 public:
  Error(ErrorCode code, std::string message);

  [[nodiscard]] ErrorCode code() const { return code_; }
  [[nodiscard]] const std::string& message() const { return message_; }
  // A CamelCase reason for a Condition or Event (e.g. "Failed", "InvalidConfig"); empty if the
  // error carries none and the caller should choose.
  [[nodiscard]] const std::string& reason() const { return reason_; }
  [[nodiscard]] std::optional<int> http_status() const { return http_status_; }
  // The ACME problem type (RFC 8555 §6.7), e.g. "urn:ietf:params:acme:error:badNonce".
  [[nodiscard]] const std::string& problem_type() const { return problem_type_; }
  // How long the server asked us to wait, when it said (Retry-After).
  [[nodiscard]] std::optional<std::chrono::seconds> retry_after() const { return retry_after_; }

  Error& with_reason(std::string reason) &;
  Error&& with_reason(std::string reason) &&;
  Error& with_http_status(int status) &;
  Error&& with_http_status(int status) &&;
  Error& with_problem_type(std::string type) &;
  Error&& with_problem_type(std::string type) &&;
  Error& with_retry_after(std::chrono::seconds delay) &;
  Error&& with_retry_after(std::chrono::seconds delay) &&;

  // The same error with "context: " prepended to its message, for adding where it happened.
  [[nodiscard]] Error wrap(std::string_view context) const;

  // "<code>: <message>" plus the HTTP status and problem type when present; for logs.
  [[nodiscard]] std::string to_string() const;

 private:
  ErrorCode code_;
  std::string message_;
  std::string reason_;
  std::optional<int> http_status_;
  std::string problem_type_;
  std::optional<std::chrono::seconds> retry_after_;
};

template <typename T>
using Result = tl::expected<T, Error>;
using Status = Result<void>;

// `return make_error(ErrorCode::kNotFound, "secret foo not found");` from a Result function.
inline tl::unexpected<Error> make_error(ErrorCode code, std::string message) {
  return tl::unexpected<Error>(Error(code, std::move(message)));
}
inline tl::unexpected<Error> make_error(Error error) {
  return tl::unexpected<Error>(std::move(error));
}

// The success value of a Status-returning function.
inline Status ok() { return {}; }

}  // namespace certkeeper::common
