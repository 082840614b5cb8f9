#include "lib/common/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <system_error>

#include <fmt/format.h>
#include <sys/wait.h>

#include "lib/common/unique_fd.h"

namespace certkeeper::common {
namespace {

// strerror() is not thread-safe; the generic category's message is.
std::string errno_message(int e) { return std::generic_category().message(e); }

struct Pipe {
  UniqueFd read;
  UniqueFd write;
};

Result<Pipe> make_pipe() {
  std::array<int, 2> fds{};
  if (::pipe2(fds.data(), O_CLOEXEC) != 0) {
    return make_error(ErrorCode::kInternal, fmt::format("pipe2: {}", errno_message(errno)));
  }
  return Pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

// Writes to a pipe whose reader may have exited, without letting SIGPIPE kill the process: the
// signal is blocked for this thread during the write and a pending one is consumed (EPIPE then
// reports the closed pipe). Library code must not change the process-wide disposition.
ssize_t write_no_sigpipe(int fd, const char* data, std::size_t size) {
  sigset_t pipe_set;
  sigset_t old_set;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_set, &old_set);
  const ssize_t w = ::write(fd, data, size);
  if (w < 0 && errno == EPIPE) {
    const timespec zero{0, 0};
    while (sigtimedwait(&pipe_set, nullptr, &zero) < 0 && errno == EINTR) {
    }
    errno = EPIPE;
  }
  pthread_sigmask(SIG_SETMASK, &old_set, nullptr);
  return w;
}

// Runs in the child between fork and exec: only async-signal-safe calls from here on.
[[noreturn]] void exec_child(const std::vector<std::string>& argv, const ProcessOptions& options,
                             Pipe& in, Pipe& out, Pipe& err, int status_fd) {
  ::setpgid(0, 0);
  ::dup2(in.read.get(), STDIN_FILENO);
  ::dup2(out.write.get(), STDOUT_FILENO);
  ::dup2(err.write.get(), STDERR_FILENO);
  if (!options.working_dir.empty() && ::chdir(options.working_dir.c_str()) != 0) {
    const int e = errno;
    (void)!::write(status_fd, &e, sizeof(e));
    ::_exit(127);
  }
  for (const auto& [key, value] : options.env) {
    // The child is single-threaded after fork, so setenv cannot race.
    ::setenv(key.c_str(), value.c_str(), 1);  // NOLINT(concurrency-mt-unsafe)
  }
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const auto& a : argv) {
    args.push_back(const_cast<char*>(a.c_str()));  // NOLINT: execvp's historical signature
  }
  args.push_back(nullptr);
  ::execvp(args[0], args.data());
  const int e = errno;
  (void)!::write(status_fd, &e, sizeof(e));
  ::_exit(127);
}

}  // namespace

Result<ProcessResult> run_process(const std::vector<std::string>& argv,
                                  const ProcessOptions& options) {
  if (argv.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "run_process: empty argv");
  }
  auto in = make_pipe();
  auto out = make_pipe();
  auto err = make_pipe();
  auto status = make_pipe();  // carries errno from a failed exec; closed by a successful one
  for (auto* p : {&in, &out, &err, &status}) {
    if (!*p) {
      return make_error(p->error());
    }
  }

  const pid_t pid = ::fork();
  if (pid < 0) {
    return make_error(ErrorCode::kInternal, fmt::format("fork: {}", errno_message(errno)));
  }
  if (pid == 0) {
    exec_child(argv, options, *in, *out, *err, status->write.get());
  }

  in->read.reset();
  out->write.reset();
  err->write.reset();
  status->write.reset();

  int exec_errno = 0;
  if (::read(status->read.get(), &exec_errno, sizeof(exec_errno)) ==
      static_cast<ssize_t>(sizeof(exec_errno))) {
    ::waitpid(pid, nullptr, 0);
    const auto code = exec_errno == ENOENT ? ErrorCode::kNotFound : ErrorCode::kInternal;
    return make_error(code, fmt::format("cannot run '{}': {}", argv[0], errno_message(exec_errno)));
  }

  ProcessResult result;
  // Non-blocking so a child that never reads its stdin cannot stall the output loop.
  ::fcntl(in->write.get(), F_SETFL, O_NONBLOCK);
  std::size_t written = 0;
  if (options.stdin_data.empty()) {
    in->write.reset();
  }
  const auto deadline = options.timeout
                            ? std::optional(std::chrono::steady_clock::now() + *options.timeout)
                            : std::nullopt;

  std::array<char, 65536> buf{};
  while (out->read.valid() || err->read.valid()) {
    std::array<pollfd, 3> fds{};
    nfds_t n = 0;
    for (UniqueFd* fd : {&out->read, &err->read}) {
      if (fd->valid()) {
        fds[n++] = pollfd{fd->get(), POLLIN, 0};
      }
    }
    if (in->write.valid()) {
      fds[n++] = pollfd{in->write.get(), POLLOUT, 0};
    }
    int wait_ms = -1;
    if (deadline) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          *deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) {
        result.timed_out = true;
        ::kill(-pid, SIGKILL);
        break;
      }
      wait_ms = static_cast<int>(left.count());
    }
    const int ready = ::poll(fds.data(), n, wait_ms);
    if (ready < 0 && errno != EINTR) {
      ::kill(-pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
      return make_error(ErrorCode::kInternal, fmt::format("poll: {}", errno_message(errno)));
    }
    for (nfds_t i = 0; ready > 0 && i < n; ++i) {
      if (fds[i].revents == 0) {
        continue;
      }
      if (in->write.valid() && fds[i].fd == in->write.get()) {
        const ssize_t w = write_no_sigpipe(in->write.get(), options.stdin_data.data() + written,
                                           options.stdin_data.size() - written);
        if (w > 0) {
          written += static_cast<std::size_t>(w);
        }
        if (w < 0 || written == options.stdin_data.size()) {
          in->write.reset();
        }
        continue;
      }
      UniqueFd& fd = fds[i].fd == out->read.get() ? out->read : err->read;
      std::string& sink = fds[i].fd == out->read.get() ? result.stdout_data : result.stderr_data;
      const ssize_t r = ::read(fd.get(), buf.data(), buf.size());
      if (r > 0) {
        sink.append(buf.data(), static_cast<std::size_t>(r));
      } else if (r == 0 || errno != EINTR) {
        fd.reset();
      }
    }
  }

  int wstatus = 0;
  while (::waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(wstatus)) {
    result.exit_code = WEXITSTATUS(wstatus);
  } else if (WIFSIGNALED(wstatus)) {
    result.signal = WTERMSIG(wstatus);
  }
  return result;
}

}  // namespace certkeeper::common
