// Chart 6. Go twin: scenario/sync_ticker_fire_immediately.go (SynchronousTickerFireImmediately,
// first run). Measure first, then wait for the tick and beat: on the tick grid while measuring is
// shorter than the interval; after a long one the stale tick fires at once and ticks are dropped.

#include "cacophony/runtime/ticker.h"
#include "cacophony/scenario/scenario.h"
#include "metronomes.h"

namespace cacophony::scenario {
using namespace runtime;

Metronome synchronous_ticker_fire_immediately(VolumeMeter meter, int beats) {
  return [=](Bpm bpm, const BeatPerformer& perform) {
    Ticker ticker(bpm.interval());  // stopped on return
    for (int count = 0; count < beats; ++count) {
      const Volume volume = meter();
      ticker.c.recv();
      perform(count, volume);
    }
  };
}

static constexpr Words description[] = {
    {"Synchronous with a "},
    em("ticker firing immediately"),
    {": the volume is measured first, then the beat waits for its tick."}};

extern const Scenario sync_ticker_fire_immediately{
    .id = "sync_ticker_fire_immediately",
    .description = description,
    .delay = Delay::short_,
    .label = Label::io,
    .async = false,
    .code = "sync_ticker_fire_immediately",
    .metronome = synchronous_ticker_fire_immediately,
    .go_twin =
        "https://github.com/outo/metronome/blob/HEAD/scenario/sync_ticker_fire_immediately.go",
};

}  // namespace cacophony::scenario
