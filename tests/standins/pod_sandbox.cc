#include "tests/standins/pod_sandbox.h"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <fstream>
#include <sstream>
#include <system_error>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "lib/common/log.h"
#include "lib/common/subprocess.h"
#include "lib/common/unique_fd.h"

namespace certkeeper::standins {
namespace {

const std::string& ip_binary() {
  static const std::string path = [] {
    for (const char* candidate : {"/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"}) {
      if (::access(candidate, X_OK) == 0) {
        return std::string(candidate);
      }
    }
    return std::string("ip");
  }();
  return path;
}

// Kills whatever still runs inside `netns` (a namespace cannot go away while a process holds it).
void kill_inside(const std::string& netns) {
  auto pids = common::run_process({ip_binary(), "netns", "pids", netns});
  if (!pids || !pids->success()) {
    return;
  }
  std::istringstream in(pids->stdout_data);
  pid_t pid = 0;
  while (in >> pid) {
    if (pid > 1) {
      ::kill(pid, SIGKILL);
    }
  }
}

}  // namespace

common::Status run_ip(const std::vector<std::string>& args) {
  std::vector<std::string> argv{ip_binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  auto result = common::run_process(argv, {.timeout = std::chrono::seconds(10)});
  if (!result) {
    return common::make_error(result.error().wrap("ip"));
  }
  if (!result->success()) {
    std::string command = "ip";
    for (const auto& arg : args) {
      command += " " + arg;
    }
    return common::make_error(common::ErrorCode::kInternal, command + ": " + result->stderr_data);
  }
  return common::ok();
}

common::Result<std::unique_ptr<PodNetwork>> PodNetwork::create(
    std::string netns, std::string host_if, PodAddresses addresses,
    const std::filesystem::path& marker_dir) {
  std::error_code ec;
  std::filesystem::create_directories(marker_dir, ec);
  const auto marker = marker_dir / netns;
  {
    std::ofstream out(marker);
    out << host_if << '\n';
    if (!out) {
      return common::make_error(common::ErrorCode::kInternal,
                                "cannot write marker file " + marker.string());
    }
  }
  // From here on the object owns whatever exists, so a failed step cleans up in its destructor.
  std::unique_ptr<PodNetwork> network(
      new PodNetwork(std::move(netns), std::move(host_if), std::move(addresses), marker));
  const auto& ns = network->netns_;
  const auto& a = network->addresses_;
  const std::string pod_if = "ckp" + ns.substr(ns.size() > 8 ? ns.size() - 8 : 0);
  const std::string prefix = "/" + std::to_string(a.prefix);
  const std::vector<std::vector<std::string>> steps = {
      {"netns", "add", ns},
      {"link", "add", network->host_if_, "type", "veth", "peer", "name", pod_if, "netns", ns},
      {"addr", "add", a.host_ip + prefix, "dev", network->host_if_},
      {"link", "set", network->host_if_, "up"},
      {"-n", ns, "link", "set", "lo", "up"},
      {"-n", ns, "link", "set", pod_if, "name", "eth0"},
      {"-n", ns, "addr", "add", a.pod_ip + prefix, "dev", "eth0"},
      {"-n", ns, "link", "set", "eth0", "up"},
      {"-n", ns, "route", "add", "default", "via", a.host_ip},
  };
  for (const auto& step : steps) {
    if (auto status = run_ip(step); !status) {
      return common::make_error(status.error().wrap("setting up the network of " + ns));
    }
  }
  return network;
}

void PodNetwork::destroy(const std::string& netns, const std::string& host_if) {
  kill_inside(netns);
  // Deleting either veth end deletes both; the namespace itself goes with `netns del`. Errors
  // are expected for parts that were never made.
  (void)run_ip({"link", "del", host_if});
  (void)run_ip({"netns", "del", netns});
}

PodNetwork::~PodNetwork() {
  destroy(netns_, host_if_);
  std::error_code ec;
  std::filesystem::remove(marker_, ec);
}

void remove_leftovers(const std::filesystem::path& marker_dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(marker_dir, ec)) {
    return;
  }
  for (const auto& entry : std::filesystem::directory_iterator(marker_dir, ec)) {
    std::ifstream in(entry.path());
    std::string host_if;
    std::getline(in, host_if);
    const std::string netns = entry.path().filename().string();
    common::logger("pod-runner")
        ->warn("removing netns {} and {} left by an earlier run", netns, host_if);
    PodNetwork::destroy(netns, host_if);
    std::filesystem::remove(entry.path(), ec);
  }
}

common::Result<std::unique_ptr<PodProcess>> PodProcess::spawn(
    const std::string& netns, const LaunchPlan& plan, const std::filesystem::path& log_path) {
  std::vector<std::string> argv{ip_binary(), "netns", "exec", netns};
  argv.insert(argv.end(), plan.argv.begin(), plan.argv.end());
  std::vector<std::string> env;
  env.reserve(plan.env.size());
  for (const auto& [name, value] : plan.env) {
    std::string var = name;
    var += '=';
    var += value;
    env.push_back(std::move(var));
  }
  std::vector<char*> c_argv;
  c_argv.reserve(argv.size() + 1);
  for (auto& arg : argv) {
    c_argv.push_back(arg.data());
  }
  c_argv.push_back(nullptr);
  std::vector<char*> c_env;
  c_env.reserve(env.size() + 1);
  for (auto& var : env) {
    c_env.push_back(var.data());
  }
  c_env.push_back(nullptr);

  common::UniqueFd log(::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
  if (!log.valid()) {
    return common::make_error(
        common::ErrorCode::kInternal,
        "cannot open " + log_path.string() + ": " + std::generic_category().message(errno));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, log.get(), 1);
  posix_spawn_file_actions_adddup2(&actions, log.get(), 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // The runner blocks SIGTERM/SIGINT to sigwait for them; the Pod's process must not inherit
  // that, or it could not be stopped the way a kubelet stops a container.
  sigset_t empty;
  sigemptyset(&empty);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGTERM);
  sigaddset(&defaults, SIGINT);
  sigaddset(&defaults, SIGPIPE);
  posix_spawnattr_setsigmask(&attr, &empty);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, c_argv[0], &actions, &attr, c_argv.data(), c_env.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    return common::make_error(
        common::ErrorCode::kInternal,
        "cannot start " + plan.argv.front() + ": " + std::generic_category().message(rc));
  }
  return std::unique_ptr<PodProcess>(new PodProcess(pid));
}

std::optional<int> PodProcess::poll_exit() {
  if (exit_code_ || pid_ <= 0) {
    return exit_code_;
  }
  int status = 0;
  const pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  } else if (r < 0 && errno == ECHILD) {
    exit_code_ = 255;  // reaped elsewhere: treat as an unknown failure
  }
  return exit_code_;
}

void PodProcess::stop(std::chrono::milliseconds grace) {
  if (poll_exit()) {
    return;
  }
  ::kill(-pid_, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (std::chrono::steady_clock::now() < deadline) {
    if (poll_exit()) {
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(-pid_, SIGKILL);
  int status = 0;
  if (::waitpid(pid_, &status, 0) == pid_) {
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
}

PodProcess::~PodProcess() { stop(); }

bool port_accepts(const std::string& ip, std::uint16_t port, std::chrono::milliseconds timeout) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  if (inet_pton(AF_INET, ip.c_str(), &addr.sin_addr) != 1) {
    return false;
  }
  common::UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) {
    return false;
  }
  // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): the sockets API takes sockaddr*.
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0) {
    return true;
  }
  if (errno != EINPROGRESS) {
    return false;
  }
  pollfd pfd{.fd = fd.get(), .events = POLLOUT, .revents = 0};
  if (::poll(&pfd, 1, static_cast<int>(timeout.count())) != 1) {
    return false;
  }
  int error = 0;
  socklen_t len = sizeof error;
  ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &error, &len);
  return error == 0;
}

}  // namespace certkeeper::standins
