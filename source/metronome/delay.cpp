#include "cacophony/metronome/delay.h"

#include "cacophony/runtime/runtime.h"

namespace cacophony {

using runtime::Duration;

std::string_view name(Delay d) {
  switch (d) {
    case Delay::short_:
      return "short";
    case Delay::random:
      return "random";
    case Delay::triangular:
      return "triangular";
  }
  return "?";
}

std::optional<Delay> parse_delay(std::string_view text) {
  for (Delay d : {Delay::short_, Delay::random, Delay::triangular})
    if (name(d) == text) return d;
  return std::nullopt;
}

Duration short_delay(Duration baseline) {
  return baseline / 2;
}

Duration random_delay(Duration baseline, double u) {
  const double b = static_cast<double>(baseline.count());
  return Duration(static_cast<std::int64_t>(0.2 * b + 2.3 * b * u));
}

Duration triangular_delay(Duration baseline, Duration elapsed) {
  const std::int64_t step = (elapsed % (20 * baseline)) / baseline;  // 0..19
  const std::int64_t level = step < 10 ? step : 19 - step;           // 0..9, 9..0
  const Duration low = baseline / 5, high = baseline * 5 / 2;
  return low + level * (high - low) / 10;
}

DelaySimulator delay_simulator(Delay d) {
  switch (d) {
    case Delay::short_:
      return short_delay;
    case Delay::random:
      return [](Duration b) { return random_delay(b, runtime::Runtime::current().random_unit()); };
    case Delay::triangular:
      return [](Duration b) { return triangular_delay(b, runtime::now()); };
  }
  return short_delay;
}

}  // namespace cacophony
