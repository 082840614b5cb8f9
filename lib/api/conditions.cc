#include "lib/api/conditions.h"

#include <algorithm>
#include <string>

namespace certkeeper::api {

std::string_view to_string(ConditionStatus status) {
  switch (status) {
    case ConditionStatus::kTrue:
      return "True";
    case ConditionStatus::kFalse:
      return "False";
    case ConditionStatus::kUnknown:
      return "Unknown";
  }
  return "Unknown";
}

std::optional<ConditionStatus> parse_condition_status(std::string_view text) {
  for (ConditionStatus s :
       {ConditionStatus::kTrue, ConditionStatus::kFalse, ConditionStatus::kUnknown}) {
    if (to_string(s) == text) {
      return s;
    }
  }
  return std::nullopt;
}

const Condition* find_condition(const std::vector<Condition>& conditions, std::string_view type) {
  auto it = std::find_if(conditions.begin(), conditions.end(),
                         [&](const Condition& c) { return c.type == type; });
  return it == conditions.end() ? nullptr : &*it;
}

bool has_condition(const std::vector<Condition>& conditions, std::string_view type,
                   ConditionStatus status) {
  const Condition* c = find_condition(conditions, type);
  return c != nullptr && c->status == status;
}

bool set_condition(std::vector<Condition>& conditions, std::string_view type,
                   ConditionStatus status, std::string_view reason, std::string_view message,
                   std::optional<std::int64_t> observed_generation, Time now) {
  Condition wanted{
      .type = std::string(type),
      .status = status,
      .last_transition_time = std::chrono::floor<std::chrono::seconds>(now),
      .reason = std::string(reason),
      .message = std::string(message),
      .observed_generation = observed_generation,
  };
  auto it = std::find_if(conditions.begin(), conditions.end(),
                         [&](const Condition& c) { return c.type == type; });
  if (it == conditions.end()) {
    conditions.push_back(std::move(wanted));
    return true;
  }
  if (it->status == status) {
    wanted.last_transition_time = it->last_transition_time;
  }
  if (*it == wanted) {
    return false;
  }
  *it = std::move(wanted);
  return true;
}

bool remove_condition(std::vector<Condition>& conditions, std::string_view type) {
  auto removed = std::erase_if(conditions, [&](const Condition& c) { return c.type == type; });
  return removed > 0;
}

}  // namespace certkeeper::api
