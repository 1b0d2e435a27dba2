// Chart 5. Go twin: scenario/sync_ticker.go (SynchronousTicker).
// Wait for the tick, then measure, then beat: steady, but every beat lags by interval +
// measurement.

#include "cacophony/runtime/defer.h"
#include "cacophony/runtime/ticker.h"
#include "cacophony/scenario/scenario.h"

namespace cacophony::scenario {
using namespace runtime;

static Metronome synchronous_ticker(VolumeMeter meter, int beats) {
  return [=](Bpm bpm, const BeatPerformer& perform) {
    Ticker ticker(bpm.interval());  // stopped on return
    int count = 0;
    for (auto tick : ticker.c) {
      (void)tick;
      const Volume volume = meter();
      perform(count, volume);
      ++count;
      if (count == beats) break;
    }
  };
}

static constexpr Words description[] = {
    {"Synchronous with a "},
    em("ticker"),
    {": the first beat waits a whole interval, because a ticker is "},
    em("not firing immediately"),
    {"."}};

extern const Scenario sync_ticker{
    .id = "sync_ticker",
    .description = description,
    .delay = Delay::short_,
    .label = Label::io,
    .async = false,
    .code = "sync_ticker",
    .metronome = synchronous_ticker,
    .go_twin = "https://github.com/outo/metronome/blob/HEAD/scenario/sync_ticker.go",
};

}  // namespace cacophony::scenario
