// Chart 8. Go twin: scenario/sync_ticker_fire_immediately.go (third run).
// The metronome of chart 6 with a random measurement time.

#include "cacophony/scenario/scenario.h"
#include "metronomes.h"

namespace cacophony::scenario {

static constexpr Words description[] = {{"As chart 6, with the measurement time "},
                                        em("random"),
                                        {": irregular beats and dropped ticks."}};

extern const Scenario sync_ticker_fire_immediately_randomised_execution_time{
    .id = "sync_ticker_fire_immediately_randomised_execution_time",
    .description = description,
    .delay = Delay::random,
    .label = Label::io,
    .async = false,
    .code = "sync_ticker_fire_immediately",
    .metronome = synchronous_ticker_fire_immediately,
    .go_twin =
        "https://github.com/outo/metronome/blob/HEAD/scenario/sync_ticker_fire_immediately.go",
};

}  // namespace cacophony::scenario
