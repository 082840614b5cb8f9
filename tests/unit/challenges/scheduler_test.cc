#include "controller/challenges/scheduler.h"

#include <gtest/gtest.h>

#include "lib/api/well_known.h"

namespace certkeeper::challenges {
namespace {

using std::chrono::seconds;
using std::chrono::system_clock;

const system_clock::time_point kT0{seconds(1'800'000'000)};

// A Challenge created `age_rank` seconds after kT0, not processing, not final.
ScheduleInput challenge(std::string key, std::string dns_name, std::string type, int created_at) {
  return {.key = std::move(key),
          .dns_name = std::move(dns_name),
          .type = std::move(type),
          .created = kT0 + seconds(created_at)};
}

ScheduleInput with_processing(ScheduleInput c) {
  c.processing = true;
  return c;
}

TEST(Scheduler, StartsOldestFirst) {
  const std::vector<ScheduleInput> all = {
      challenge("ns/c", "c.example", "HTTP-01", 3),
      challenge("ns/a", "a.example", "HTTP-01", 1),
      challenge("ns/b", "b.example", "HTTP-01", 2),
  };
  EXPECT_EQ(schedule(all, 60), (std::vector<std::string>{"ns/a", "ns/b", "ns/c"}));
  EXPECT_EQ(schedule(all, 2), (std::vector<std::string>{"ns/a", "ns/b"}));
}

TEST(Scheduler, CountsProcessingAgainstTheCap) {
  const std::vector<ScheduleInput> all = {
      with_processing(challenge("ns/p1", "p1.example", "HTTP-01", 0)),
      with_processing(challenge("ns/p2", "p2.example", "HTTP-01", 0)),
      challenge("ns/a", "a.example", "HTTP-01", 1),
      challenge("ns/b", "b.example", "HTTP-01", 2),
  };
  EXPECT_EQ(schedule(all, 3), (std::vector<std::string>{"ns/a"}));
  EXPECT_TRUE(schedule(all, 2).empty());
}

TEST(Scheduler, NeverTwoForTheSameNameAndType) {
  // Apex and wildcard DNS-01 share dnsName (and the TXT name): one after the other.
  const std::vector<ScheduleInput> all = {
      challenge("ns/apex", "example.test", "DNS-01", 1),
      challenge("ns/wild", "example.test", "DNS-01", 2),
      challenge("ns/http", "example.test", "HTTP-01", 3),
  };
  EXPECT_EQ(schedule(all, 60), (std::vector<std::string>{"ns/apex", "ns/http"}));

  // With the apex processing, the wildcard still waits; once the apex is final it may go.
  auto busy = all;
  busy[0].processing = true;
  busy[2].processing = true;
  EXPECT_TRUE(schedule(busy, 60).empty());
  busy[0].final = true;
  EXPECT_EQ(schedule(busy, 60), (std::vector<std::string>{"ns/wild"}));
}

TEST(Scheduler, AtMostTwentyPerPass) {
  std::vector<ScheduleInput> all;
  for (int i = 0; i < 50; ++i) {
    all.push_back(
        challenge("ns/c" + std::to_string(100 + i), std::to_string(i) + ".example", "HTTP-01", i));
  }
  const auto picked = schedule(all, 60);
  ASSERT_EQ(picked.size(), 20U);
  EXPECT_EQ(picked.front(), "ns/c100");
  EXPECT_EQ(picked.back(), "ns/c119");
}

TEST(Scheduler, SkipsFinalAndDeletedChallenges) {
  auto final_one = challenge("ns/final", "f.example", "HTTP-01", 1);
  final_one.final = true;
  auto deleted = challenge("ns/deleted", "d.example", "HTTP-01", 2);
  deleted.deleting = true;
  // A final Challenge still marked processing (cleanup pending) does not hold the cap or name.
  auto final_processing = with_processing(challenge("ns/fp", "x.example", "HTTP-01", 0));
  final_processing.final = true;
  const std::vector<ScheduleInput> all = {final_one, deleted, final_processing,
                                          challenge("ns/x", "x.example", "HTTP-01", 3)};
  EXPECT_EQ(schedule(all, 1), (std::vector<std::string>{"ns/x"}));
}

TEST(Scheduler, EqualTimesOrderByKey) {
  const std::vector<ScheduleInput> all = {
      challenge("ns/b", "b.example", "HTTP-01", 1),
      challenge("ns/a", "a.example", "HTTP-01", 1),
  };
  EXPECT_EQ(schedule(all, 60), (std::vector<std::string>{"ns/a", "ns/b"}));
}

}  // namespace
}  // namespace certkeeper::challenges
