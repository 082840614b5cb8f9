// lib/metrics: the text exposition of counters, gauges and summaries, scrape-time collectors
// added and removed, process metrics from a procfs of the test's own, and GET /metrics on an
// HttpServer (loopback, port 0).
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/summary.h>

#include "lib/http/curl_client.h"
#include "lib/http/server.h"
#include "lib/metrics/process_collector.h"
#include "lib/metrics/registry.h"
#include "lib/metrics/serve.h"

namespace certkeeper::metrics {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class FixedCollector final : public prometheus::Collectable {
 public:
  explicit FixedCollector(double value) : value_(value) {}
  [[nodiscard]] std::vector<prometheus::MetricFamily> Collect() const override {
    auto family = make_family("test_fixed", "A fixed value.", prometheus::MetricType::Gauge);
    add_sample(family, {{"b", "2"}, {"a", "x\"y"}}, value_);
    return {family};
  }

 private:
  double value_;
};

TEST(Registry, ExposesCountersGaugesAndSummariesInTheTextFormat) {
  Registry registry;
  auto& counter = prometheus::BuildCounter()
                      .Name("test_requests_count")
                      .Help("Requests.")
                      .Register(registry.families());
  counter.Add({{"status", "200"}}).Increment(3);
  auto& gauge =
      prometheus::BuildGauge().Name("test_temperature").Help("Heat.").Register(registry.families());
  gauge.Add({}).Set(1.5e9);
  auto& summary = prometheus::BuildSummary()
                      .Name("test_latency_seconds")
                      .Help("Latency.")
                      .Register(registry.families());
  auto& s = summary.Add({{"action", "x"}},
                        prometheus::Summary::Quantiles{{0.5, 0.05}, {0.9, 0.01}, {0.99, 0.001}});
  s.Observe(0.25);
  s.Observe(0.75);

  const std::string text = registry.scrape();
  EXPECT_THAT(text, HasSubstr("# HELP test_requests_count Requests.\n"
                              "# TYPE test_requests_count counter\n"
                              "test_requests_count{status=\"200\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE test_temperature gauge\ntest_temperature 1500000000\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE test_latency_seconds summary\n"));
  EXPECT_THAT(text, HasSubstr("test_latency_seconds{action=\"x\",quantile=\"0.5\"} "));
  EXPECT_THAT(text, HasSubstr("test_latency_seconds{action=\"x\",quantile=\"0.99\"} "));
  EXPECT_THAT(text, HasSubstr("test_latency_seconds_sum{action=\"x\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("test_latency_seconds_count{action=\"x\"} 2\n"));
}

TEST(Registry, CollectorsAreAskedAtEachScrapeUntilRemoved) {
  Registry registry;
  auto collector = std::make_shared<FixedCollector>(7);
  registry.add(collector);
  // Labels keep the collector's order; quotes in values are escaped.
  EXPECT_THAT(registry.scrape(), HasSubstr("test_fixed{b=\"2\",a=\"x\\\"y\"} 7\n"));
  registry.remove(collector.get());
  EXPECT_THAT(registry.scrape(), Not(HasSubstr("test_fixed")));
  registry.remove(collector.get());  // twice is harmless
}

class FakeProcfs : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::filesystem::temp_directory_path() /
            ("ck-procfs-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(root_ / "42" / "fd");
    for (int i = 0; i < 5; ++i) {
      std::ofstream(root_ / "42" / "fd" / std::to_string(i)) << "";
    }
    write("stat", "cpu  1 2 3\nbtime 1700000000\nprocesses 5\n");
    // comm with a space and a parenthesis: fields are counted from the last ')'.
    // Fields 14/15 utime/stime = 250/150 ticks, 22 starttime = 1234 ticks, 23 vsize, 24 rss pages.
    write("42/stat",
          "42 (ck (a) b) S 1 42 42 0 -1 4194560 100 0 0 0 250 150 0 0 20 0 3 0 1234 "
          "104857600 2560 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n");
    write("42/limits",
          "Limit                     Soft Limit           Hard Limit           Units\n"
          "Max cpu time              unlimited            unlimited            seconds\n"
          "Max open files            1024                 524288               files\n");
  }
  void TearDown() override { std::filesystem::remove_all(root_); }
  void write(const std::string& name, const std::string& text) {
    std::ofstream(root_ / name) << text;
  }
  ProcfsOptions options() const {
    return {.root = root_.string(), .pid = "42", .clock_ticks = 100, .page_size = 4096};
  }
  std::filesystem::path root_;
};

TEST_F(FakeProcfs, ReadsCpuMemoryStartTimeAndDescriptors) {
  auto stats = read_process_stats(options());
  ASSERT_TRUE(stats) << stats.error().message();
  EXPECT_DOUBLE_EQ(stats->cpu_seconds, 4.0);
  EXPECT_DOUBLE_EQ(stats->virtual_bytes, 104857600.0);
  EXPECT_DOUBLE_EQ(stats->resident_bytes, 2560.0 * 4096);
  EXPECT_DOUBLE_EQ(stats->start_time_seconds, 1700000000 + 12.34);
  EXPECT_DOUBLE_EQ(stats->max_fds, 1024);
  EXPECT_DOUBLE_EQ(stats->open_fds, 5);

  const std::string text = to_text(ProcessCollector(options()).Collect());
  EXPECT_THAT(text, HasSubstr("# TYPE process_cpu_seconds_total counter\n"
                              "process_cpu_seconds_total 4\n"));
  EXPECT_THAT(text, HasSubstr("process_resident_memory_bytes 10485760\n"));
  EXPECT_THAT(text, HasSubstr("process_open_fds 5\n"));
  EXPECT_THAT(text, HasSubstr("process_max_fds 1024\n"));
  EXPECT_THAT(text, HasSubstr("process_virtual_memory_bytes 104857600\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE process_start_time_seconds gauge\n"));
}

TEST_F(FakeProcfs, UnreadableOrBrokenFilesAreErrorsAndTheCollectorReportsNothing) {
  write("42/stat", "42 no parenthesis\n");
  auto stats = read_process_stats(options());
  ASSERT_FALSE(stats);
  EXPECT_THAT(stats.error().message(), HasSubstr("stat"));
  EXPECT_TRUE(ProcessCollector(options()).Collect().empty());

  auto missing = read_process_stats({.root = root_.string(), .pid = "7"});
  ASSERT_FALSE(missing);
  EXPECT_THAT(missing.error().message(), HasSubstr("/7/stat"));
}

TEST(ProcessCollector, ReadsThisProcess) {
  auto stats = read_process_stats();
  ASSERT_TRUE(stats) << stats.error().message();
  EXPECT_GT(stats->resident_bytes, 0);
  EXPECT_GE(stats->virtual_bytes, stats->resident_bytes);
  EXPECT_GE(stats->open_fds, 3);  // stdin, stdout, stderr at least
  EXPECT_GT(stats->max_fds, stats->open_fds);
  const auto now = static_cast<double>(::time(nullptr));
  EXPECT_LE(stats->start_time_seconds, now + 1);
  EXPECT_GT(stats->start_time_seconds, now - 3600);
}

TEST(Serve, AnswersGetMetricsWithTheScrape) {
  auto registry = std::make_shared<Registry>();
  prometheus::BuildCounter().Name("test_hits").Help("Hits.").Register(registry->families()).Add({});
  http::HttpServer server({.address = "127.0.0.1", .port = 0});
  serve(server, registry);
  ASSERT_TRUE(server.start());
  http::CurlHttpClient client;
  auto response = client.send(http::Request{
      .method = "GET", .url = "http://127.0.0.1:" + std::to_string(server.port()) + "/metrics"});
  ASSERT_TRUE(response) << response.error().message();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->headers.get("Content-Type").value_or(""),
            "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_THAT(response->body, HasSubstr("test_hits 0\n"));
  auto other = client.send(http::Request{
      .method = "GET", .url = "http://127.0.0.1:" + std::to_string(server.port()) + "/other"});
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 404);
}

}  // namespace
}  // namespace certkeeper::metrics
