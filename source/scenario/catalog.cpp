// The charts, in the original's order, then the post's own examples (its "Goroutines" section).

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "cacophony/scenario/scenario.h"

namespace cacophony::scenario {
extern const Scenario sync_sleep_premeter_volume;
extern const Scenario sync_constant_delay;
extern const Scenario sync_adaptive_delay;
extern const Scenario sync_adaptive_delay_oscillating_execution_time;
extern const Scenario sync_ticker;
extern const Scenario sync_ticker_fire_immediately;
extern const Scenario sync_ticker_fire_immediately_oscillating_execution_time;
extern const Scenario sync_ticker_fire_immediately_randomised_execution_time;
extern const Scenario async_naive;
extern const Scenario async_naive_waiting_for_completion;
extern const Scenario async_with_atomic;
extern const Scenario async_with_mutex;
extern const Scenario async_with_channels;
extern const Scenario async_with_channels_services;
extern const Scenario bedtime_sequence;
extern const Scenario bedtime_go;
extern const Scenario bedtime_go_pause;
extern const Scenario go_loop_variable;
}  // namespace cacophony::scenario

namespace cacophony {

namespace {

std::vector<const Scenario*>& catalog() {
  using namespace scenario;
  static std::vector<const Scenario*> all{
      &sync_sleep_premeter_volume,
      &sync_constant_delay,
      &sync_adaptive_delay,
      &sync_adaptive_delay_oscillating_execution_time,
      &sync_ticker,
      &sync_ticker_fire_immediately,
      &sync_ticker_fire_immediately_oscillating_execution_time,
      &sync_ticker_fire_immediately_randomised_execution_time,
      &async_naive,
      &async_naive_waiting_for_completion,
      &async_with_atomic,
      &async_with_mutex,
      &async_with_channels,
      &async_with_channels_services,
      &bedtime_sequence,
      &bedtime_go,
      &bedtime_go_pause,
      &go_loop_variable,
  };
  return all;
}

}  // namespace

std::span<const Scenario* const> scenarios() {
  return catalog();
}

void add_scenario(const Scenario& scenario) {
  if (scenario.id.empty() || find_scenario(scenario.id))
    throw std::invalid_argument("add_scenario: the id '" + std::string(scenario.id) +
                                "' is empty or taken");
  catalog().push_back(&scenario);
}

std::string plain_text(Description description) {
  std::string text;
  for (const Words& words : description) text += words.text;
  return text;
}

int chart_number(const Scenario& scenario) {
  const auto all = scenarios();
  return static_cast<int>(std::find(all.begin(), all.end(), &scenario) - all.begin()) + 1;
}

const Scenario* find_scenario(std::string_view id) {
  for (const Scenario* s : scenarios())
    if (s->id == id) return s;
  return nullptr;
}

}  // namespace cacophony
