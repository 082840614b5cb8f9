#pragma once

#include <string>

#include <sys/types.h>

#include "lib/common/error.h"

// Files of `certkeeper acme`: written whole or not at all, and secrets never readable by others.
namespace certkeeper::acmecli {

// Writes `content` to `path` atomically: a new temporary file in the same directory, created with
// O_CREAT|O_EXCL and `mode` from the start (so a key is never world-readable, not even briefly),
// written, fsync'ed, then renamed over `path`. The directory is created (0700) if missing.
common::Status write_file_atomic(const std::string& path, const std::string& content, mode_t mode);

// The whole file; kNotFound when it does not exist.
common::Result<std::string> read_file(const std::string& path);

// mkdir -p with `mode` for the directories it creates.
common::Status make_directories(const std::string& path, mode_t mode);

}  // namespace certkeeper::acmecli
