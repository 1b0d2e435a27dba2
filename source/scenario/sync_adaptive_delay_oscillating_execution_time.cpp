// Chart 4. Go twin: scenario/sync_adaptive_delay.go (SynchronousAdaptiveDelay, second run).
// The metronome of chart 3; only the measurement time changes, rising above the interval.

#include "cacophony/scenario/scenario.h"
#include "metronomes.h"

namespace cacophony::scenario {

extern const Scenario sync_adaptive_delay_oscillating_execution_time{
    .id = "sync_adaptive_delay_oscillating_execution_time",
    .description =
        "As chart 3, with the measurement time <b>oscillating</b> above and below "
        "the interval.",
    .delay = Delay::triangular,
    .label = Label::io,
    .async = false,
    .code = "sync_adaptive_delay",
    .metronome = synchronous_adaptive_delay,
};

}  // namespace cacophony::scenario
