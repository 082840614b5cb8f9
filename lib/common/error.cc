#include "lib/common/error.h"

#include <fmt/format.h>

namespace certkeeper::common {

std::string_view to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return "InvalidArgument";
    case ErrorCode::kNotFound:
      return "NotFound";
    case ErrorCode::kAlreadyExists:
      return "AlreadyExists";
    case ErrorCode::kConflict:
      return "Conflict";
    case ErrorCode::kGone:
      return "Gone";
    case ErrorCode::kRateLimited:
      return "RateLimited";
    case ErrorCode::kUnavailable:
      return "Unavailable";
    case ErrorCode::kTimeout:
      return "Timeout";
    case ErrorCode::kUnauthenticated:
      return "Unauthenticated";
    case ErrorCode::kPermissionDenied:
      return "PermissionDenied";
    case ErrorCode::kFailedPrecondition:
      return "FailedPrecondition";
    case ErrorCode::kCancelled:
      return "Cancelled";
    case ErrorCode::kInternal:
      return "Internal";
  }
  return "Unknown";
}

Error::Error(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

Error& Error::with_reason(std::string reason) & {
  reason_ = std::move(reason);
  return *this;
}
Error&& Error::with_reason(std::string reason) && {
  reason_ = std::move(reason);
  return std::move(*this);
}
Error& Error::with_http_status(int status) & {
  http_status_ = status;
  return *this;
}
Error&& Error::with_http_status(int status) && {
  http_status_ = status;
  return std::move(*this);
}
Error& Error::with_problem_type(std::string type) & {
  problem_type_ = std::move(type);
  return *this;
}
Error&& Error::with_problem_type(std::string type) && {
  problem_type_ = std::move(type);
  return std::move(*this);
}
Error& Error::with_retry_after(std::chrono::seconds delay) & {
  retry_after_ = delay;
  return *this;
}
Error&& Error::with_retry_after(std::chrono::seconds delay) && {
  retry_after_ = delay;
  return std::move(*this);
}

Error Error::wrap(std::string_view context) const {
  Error wrapped = *this;
  wrapped.message_ = fmt::format("{}: {}", context, message_);
  return wrapped;
}

std::string Error::to_string() const {
  std::string out = fmt::format("{}: {}", common::to_string(code_), message_);
  if (http_status_) {
    out += fmt::format(" (HTTP {})", *http_status_);
  }
  if (!problem_type_.empty()) {
    out += fmt::format(" [{}]", problem_type_);
  }
  return out;
}

}  // namespace certkeeper::common
