// Leader election between real processes on a real Lease: a SIGKILLed leader is replaced within
// the lease duration, a SIGTERMed one hands over at once, and the timestamps the contenders
// write show that two of them never led at the same time.
#include "lib/kube/leader_election.h"

#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include "lib/common/clock.h"
#include "tests/support/eventually.h"
#include "tests/support/informer_probe.h"
#include "tests/support/kubectl.h"
#include "tests/support/testenv.h"

namespace certkeeper::kube {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::eventually;
namespace fs = std::filesystem;

constexpr int kLeaseMs = 3000;
constexpr int kRenewMs = 2000;
constexpr int kRetryMs = 250;

struct Line {
  std::string what;
  std::string id;
  std::int64_t us = 0;
};

std::vector<Line> read_lines(const fs::path& file) {
  std::vector<Line> lines;
  std::ifstream in(file);
  Line l;
  while (in >> l.what >> l.id >> l.us) {
    lines.push_back(l);
  }
  return lines;
}

// A contender process; killed (SIGKILL) on destruction if still running.
class Contender {
 public:
  Contender(const std::string& lease, const std::string& id, const fs::path& out) {
    pid_ = ::fork();
    if (pid_ == 0) {
      const std::string kubeconfig = testing::TestEnv::get().kubeconfig();
      ::execl(CK_LEASE_CONTENDER, CK_LEASE_CONTENDER, kubeconfig.c_str(), "default", lease.c_str(),
              id.c_str(), out.c_str(), std::to_string(kLeaseMs).c_str(),
              std::to_string(kRenewMs).c_str(), std::to_string(kRetryMs).c_str(), nullptr);
      ::_exit(127);
    }
  }
  ~Contender() { signal(SIGKILL); }
  Contender(const Contender&) = delete;
  Contender& operator=(const Contender&) = delete;

  void signal(int sig) {
    if (pid_ > 0) {
      ::kill(pid_, sig);
      ::waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
  }

 private:
  pid_t pid_ = -1;
};

bool started(const fs::path& file, const std::string& id) {
  for (const auto& l : read_lines(file)) {
    if (l.what == "START" && l.id == id) {
      return true;
    }
  }
  return false;
}

// Checks that, in the merged log, each contender's leadership interval (first to last line)
// does not overlap any other's.
void expect_no_overlap(const fs::path& file) {
  std::map<std::string, std::pair<std::int64_t, std::int64_t>> spans;
  for (const auto& l : read_lines(file)) {
    auto [it, fresh] = spans.try_emplace(l.id, l.us, l.us);
    it->second.first = std::min(it->second.first, l.us);
    it->second.second = std::max(it->second.second, l.us);
  }
  for (const auto& [a, sa] : spans) {
    for (const auto& [b, sb] : spans) {
      if (a < b) {
        EXPECT_TRUE(sa.second < sb.first || sb.second < sa.first)
            << a << " led [" << sa.first << ", " << sa.second << "] and " << b << " led ["
            << sb.first << ", " << sb.second << "]";
      }
    }
  }
}

TEST(LeaderElection, AKilledLeaderIsReplacedWithinTheLeaseAndNeverOverlaps) {
  const std::string lease = testing::unique_name("lease");
  const fs::path out = fs::temp_directory_path() / (lease + ".log");
  Contender a(lease, "a", out);
  ASSERT_TRUE(eventually([&] { return started(out, "a"); }, seconds(20)));
  Contender b(lease, "b", out);
  std::this_thread::sleep_for(milliseconds(1500));  // b is now a waiting follower
  EXPECT_FALSE(started(out, "b")) << "b led while a held the lease";

  a.signal(SIGKILL);
  const auto killed = std::chrono::steady_clock::now();
  ASSERT_TRUE(eventually([&] { return started(out, "b"); }, seconds(20)));
  const auto takeover = std::chrono::steady_clock::now() - killed;
  // b must wait out the lease as it observed it, and then acquires at its next retry.
  EXPECT_LE(takeover, milliseconds(kLeaseMs + 2 * kRetryMs + 1000));
  b.signal(SIGTERM);
  expect_no_overlap(out);
  fs::remove(out);
}

TEST(LeaderElection, ACleanStopReleasesTheLeaseForAQuickHandover) {
  const std::string lease = testing::unique_name("lease");
  const fs::path out = fs::temp_directory_path() / (lease + ".log");
  Contender c(lease, "c", out);
  ASSERT_TRUE(eventually([&] { return started(out, "c"); }, seconds(20)));
  Contender d(lease, "d", out);
  std::this_thread::sleep_for(milliseconds(500));
  c.signal(SIGTERM);  // waits for c to exit: it has stopped its work and released
  const auto stopped = std::chrono::steady_clock::now();
  const auto lines = read_lines(out);
  ASSERT_FALSE(lines.empty());
  EXPECT_TRUE(std::any_of(lines.begin(), lines.end(), [](const Line& l) {
    return l.what == "STOP" && l.id == "c";
  })) << "c's work was not stopped before it exited";
  ASSERT_TRUE(eventually([&] { return started(out, "d"); }, seconds(20)));
  // A released lease (holder cleared) is taken at the next retry, not after the lease duration.
  EXPECT_LT(std::chrono::steady_clock::now() - stopped, milliseconds(kLeaseMs));
  d.signal(SIGTERM);
  expect_no_overlap(out);
  fs::remove(out);
}

TEST(LeaderElection, RejectsInconsistentDurations) {
  auto client = testing::admin_client();
  LeaderElector elector(*client,
                        {.lease_namespace = "default",
                         .lease_name = "x",
                         .identity = "me",
                         .lease_duration = seconds(5),
                         .renew_deadline = seconds(10)},
                        common::SystemClock::instance());
  auto status = elector.run({}, [](std::stop_token) {});
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code(), common::ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace certkeeper::kube
