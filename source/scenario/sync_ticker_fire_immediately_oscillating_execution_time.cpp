// Chart 7. Go twin: scenario/sync_ticker_fire_immediately.go (second run).
// The metronome of chart 6 with a measurement time that rises above the interval and falls back.

#include "cacophony/scenario/scenario.h"
#include "metronomes.h"

namespace cacophony::scenario {

static constexpr Words description[] = {
    {"As chart 6, with the measurement time "},
    em("oscillating"),
    {": long measurements drop ticks, short ones snap the beat back onto the grid."}};

extern const Scenario sync_ticker_fire_immediately_oscillating_execution_time{
    .id = "sync_ticker_fire_immediately_oscillating_execution_time",
    .description = description,
    .delay = Delay::triangular,
    .label = Label::io,
    .async = false,
    .code = "sync_ticker_fire_immediately",
    .metronome = synchronous_ticker_fire_immediately,
    .go_twin =
        "https://github.com/outo/metronome/blob/HEAD/scenario/sync_ticker_fire_immediately.go",
};

}  // namespace cacophony::scenario
