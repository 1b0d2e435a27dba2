#pragma once
// The three delay simulators: how long a simulated volume measurement takes, scaled to a
// baseline B (the harness passes the beat interval).
//
// - short:      0.5·B, always;
// - random:     0.2·B + 2.3·B·u with u uniform in [0, 1) from the run's seeded generator;
// - triangular: 0.2·B up to 2.27·B and back in ten steps of 0.23·B, each held for B of time,
//               with period 20·B. The phase is counted from the start of the run (the original
//               counted from program start, which made it arbitrary per chart).

#include <functional>
#include <optional>
#include <string_view>

#include "cacophony/runtime/time.h"

namespace cacophony {

enum class Delay { short_, random, triangular };

using DelaySimulator = std::function<runtime::Duration(runtime::Duration baseline)>;

std::string_view name(Delay d);
std::optional<Delay> parse_delay(std::string_view text);

runtime::Duration short_delay(runtime::Duration baseline);
// u in [0, 1).
runtime::Duration random_delay(runtime::Duration baseline, double u);
// `elapsed` is the time since the run started.
runtime::Duration triangular_delay(runtime::Duration baseline, runtime::Duration elapsed);

// The simulator for `d`, drawing time and randomness from the calling task's runtime.
DelaySimulator delay_simulator(Delay d);

}  // namespace cacophony
