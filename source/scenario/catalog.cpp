// The charts, in the original's order.

#include <array>

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
}  // namespace cacophony::scenario

namespace cacophony {

std::span<const Scenario* const> scenarios() {
  using namespace scenario;
  static const std::array<const Scenario*, 14> all{
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
  };
  return all;
}

std::string plain_text(Description description) {
  std::string text;
  for (const Words& words : description) text += words.text;
  return text;
}

const Scenario* find_scenario(std::string_view id) {
  for (const Scenario* s : scenarios())
    if (s->id == id) return s;
  return nullptr;
}

}  // namespace cacophony
