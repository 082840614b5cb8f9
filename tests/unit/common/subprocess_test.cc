#include "lib/common/subprocess.h"

#include <csignal>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace certkeeper::common {
namespace {

using ::testing::HasSubstr;

TEST(Subprocess, CapturesStdoutStderrAndExitCode) {
  auto r = run_process({"sh", "-c", "echo out; echo err >&2; exit 3"});
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->exit_code, 3);
  EXPECT_FALSE(r->success());
  EXPECT_EQ(r->stdout_data, "out\n");
  EXPECT_EQ(r->stderr_data, "err\n");
}

TEST(Subprocess, FeedsStdinAndSetsEnvironment) {
  ProcessOptions options;
  options.stdin_data = "hello from stdin";
  options.env = {{"CK_TEST_VALUE", "42"}};
  auto r = run_process({"sh", "-c", "cat; echo \" $CK_TEST_VALUE\""}, options);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_TRUE(r->success());
  EXPECT_EQ(r->stdout_data, "hello from stdin 42\n");
}

TEST(Subprocess, LargeOutputOnBothStreamsDoesNotDeadlock) {
  // 1 MiB on each stream: more than a pipe buffer, so both must be drained concurrently.
  auto r = run_process({"sh", "-c", "head -c 1048576 /dev/zero; head -c 1048576 /dev/zero >&2"});
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->stdout_data.size(), 1048576U);
  EXPECT_EQ(r->stderr_data.size(), 1048576U);
}

TEST(Subprocess, ChildThatIgnoresStdinDoesNotKillUs) {
  ProcessOptions options;
  options.stdin_data = std::string(1 << 20, 'x');  // bigger than the pipe buffer
  auto r = run_process({"true"}, options);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_TRUE(r->success());
}

TEST(Subprocess, TimeoutKillsTheChild) {
  ProcessOptions options;
  options.timeout = std::chrono::milliseconds(200);
  auto r = run_process({"sleep", "30"}, options);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_TRUE(r->timed_out);
  EXPECT_EQ(r->signal, SIGKILL);
  EXPECT_FALSE(r->success());
}

TEST(Subprocess, MissingProgramIsNotFound) {
  auto r = run_process({"certkeeper-no-such-program-xyz"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kNotFound);
  EXPECT_THAT(r.error().message(), HasSubstr("certkeeper-no-such-program-xyz"));
}

TEST(Subprocess, EmptyArgvIsInvalid) {
  auto r = run_process({});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace certkeeper::common
