// Chart 9. Go twin: scenario/async_naive.go (AsynchronousButNaive).
// One task per beat, and nothing waits for them. The flaws, measured by the harness:
// 1. beats can come out of order (each waits for its own measurement);
// 2. measurements overlap (could a real sampler take two at once?);
// 3. the metronome returns while beats are still to come; in a real program they would be lost.
// The tasks copy the count, the meter and the performer, so nothing they use dies with this call.

#include "cacophony/runtime/ticker.h"
#include "cacophony/scenario/scenario.h"

namespace cacophony::scenario {
using namespace runtime;

static Metronome asynchronous_but_naive(VolumeMeter meter, int beats) {
  return [=](Bpm bpm, const BeatPerformer& perform) {
    Ticker ticker(bpm.interval());  // stopped on return
    for (int count = 0; count < beats; ++count) {
      go([=] {
        const Volume volume = meter();
        perform(count, volume);
      });
      ticker.c.recv();
    }
  };
}

static constexpr Words description[] = {
    {"Asynchronous, naive: a task per beat that nobody waits for; measurement time "},
    em("random"),
    {"."}};

extern const Scenario async_naive{
    .id = "async_naive",
    .description = description,
    .delay = Delay::random,
    .label = Label::count,
    .async = true,
    .code = "async_naive",
    .metronome = asynchronous_but_naive,
    .go_twin = "https://github.com/outo/metronome/blob/HEAD/scenario/async_naive.go",
};

}  // namespace cacophony::scenario
