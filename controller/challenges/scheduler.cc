#include "controller/challenges/scheduler.h"

#include <algorithm>
#include <set>
#include <utility>

namespace certkeeper::challenges {

std::vector<std::string> schedule(const std::vector<ScheduleInput>& challenges, int max_concurrent,
                                  int max_per_pass) {
  std::set<std::pair<std::string, std::string>> busy;
  int processing = 0;
  std::vector<const ScheduleInput*> candidates;
  for (const auto& c : challenges) {
    if (c.processing && !c.final) {
      ++processing;
      busy.emplace(c.dns_name, c.type);
    } else if (!c.processing && !c.final && !c.deleting) {
      candidates.push_back(&c);
    }
  }
  std::sort(candidates.begin(), candidates.end(), [](const auto* a, const auto* b) {
    const auto ta = a->created.value_or(std::chrono::system_clock::time_point::max());
    const auto tb = b->created.value_or(std::chrono::system_clock::time_point::max());
    return ta != tb ? ta < tb : a->key < b->key;
  });
  std::vector<std::string> out;
  for (const auto* c : candidates) {
    if (processing >= max_concurrent || static_cast<int>(out.size()) >= max_per_pass) {
      break;
    }
    if (!busy.emplace(c->dns_name, c->type).second) {
      continue;  // another challenge for the same name and type is being solved
    }
    out.push_back(c->key);
    ++processing;
  }
  return out;
}

}  // namespace certkeeper::challenges
