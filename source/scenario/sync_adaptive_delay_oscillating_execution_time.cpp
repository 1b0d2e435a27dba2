// Chart 4. Go twin: scenario/sync_adaptive_delay.go (SynchronousAdaptiveDelay, second run).
// The metronome of chart 3; only the measurement time changes, rising above the interval.

#include "cacophony/scenario/scenario.h"
#include "metronomes.h"

namespace cacophony::scenario {

static constexpr Words description[] = {{"As chart 3, with the measurement time "},
                                        em("oscillating"),
                                        {" above and below the interval."}};

extern const Scenario sync_adaptive_delay_oscillating_execution_time{
    .id = "sync_adaptive_delay_oscillating_execution_time",
    .description = description,
    .delay = Delay::triangular,
    .label = Label::io,
    .async = false,
    .code = "sync_adaptive_delay",
    .metronome = synchronous_adaptive_delay,
    .go_twin = "https://github.com/outo/metronome/blob/HEAD/scenario/sync_adaptive_delay.go",
};

}  // namespace cacophony::scenario
