#include "lib/acmecli/files.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include <fmt/format.h>
#include <sys/stat.h>

#include "lib/common/unique_fd.h"

namespace certkeeper::acmecli {

using common::ErrorCode;
using common::make_error;

namespace {

common::Error errno_error(std::string_view what, const std::string& path) {
  const int saved = errno;
  return {saved == ENOENT ? ErrorCode::kNotFound : ErrorCode::kUnavailable,
          fmt::format("{} {}: {}", what, path, std::system_category().message(saved))};
}

}  // namespace

common::Status make_directories(const std::string& path, mode_t mode) {
  std::filesystem::path current;
  for (const auto& part : std::filesystem::path(path)) {
    current /= part;
    if (::mkdir(current.c_str(), mode) != 0 && errno != EEXIST) {
      return make_error(errno_error("creating directory", current.string()));
    }
  }
  return common::ok();
}

common::Status write_file_atomic(const std::string& path, const std::string& content, mode_t mode) {
  const std::filesystem::path target(path);
  const std::string dir = target.has_parent_path() ? target.parent_path().string() : ".";
  if (auto status = make_directories(dir, 0700); !status) {
    return status;
  }
  std::string temp;
  common::UniqueFd fd;
  for (int attempt = 0; attempt < 100 && !fd.valid(); ++attempt) {
    temp = fmt::format("{}/.{}.tmp-{}-{}", dir, target.filename().string(), ::getpid(), attempt);
    // O_EXCL: never reuse or follow something already there; `mode` applies from creation.
    fd.reset(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode));
    if (!fd.valid() && errno != EEXIST) {
      return make_error(errno_error("creating", temp));
    }
  }
  if (!fd.valid()) {
    return make_error(ErrorCode::kUnavailable, "no free temporary name beside " + path);
  }
  auto fail = [&](std::string_view what) {
    auto error = errno_error(what, temp);
    ::unlink(temp.c_str());
    return make_error(std::move(error));
  };
  // The umask may have cleared bits of `mode`; a public file should still be readable.
  if (::fchmod(fd.get(), mode) != 0) {
    return fail("chmod");
  }
  std::size_t written = 0;
  while (written < content.size()) {
    const ssize_t n = ::write(fd.get(), content.data() + written, content.size() - written);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      return fail("writing");
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd.get()) != 0) {
    return fail("fsync");
  }
  fd.reset();
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    return fail("renaming to " + path + ":");
  }
  return common::ok();
}

common::Result<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return make_error(errno_error("reading", path));
  }
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace certkeeper::acmecli
