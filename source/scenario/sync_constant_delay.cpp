// Chart 2. Go twin: scenario/sync_constant_delay.go (SynchronousConstantDelay).
// Measure before every beat, then sleep a whole interval: each cycle lasts interval + measurement.

#include "cacophony/runtime/runtime.h"
#include "cacophony/scenario/scenario.h"

namespace cacophony::scenario {
using namespace runtime;

static Metronome synchronous_constant_delay(VolumeMeter meter, int beats) {
  return [=](Bpm bpm, const BeatPerformer& perform) {
    for (int count = 0; count < beats; ++count) {
      const Volume volume = meter();
      perform(count, volume);
      sleep(bpm.interval());
    }
  };
}

static constexpr Words description[] = {
    {"Synchronous, "},
    em("constant"),
    {" sleep after each beat; the volume is measured before every beat, so the tempo drags."}};

extern const Scenario sync_constant_delay{
    .id = "sync_constant_delay",
    .description = description,
    .delay = Delay::short_,
    .label = Label::io,
    .async = false,
    .code = "sync_constant_delay",
    .metronome = synchronous_constant_delay,
    .go_twin = "https://github.com/outo/metronome/blob/HEAD/scenario/sync_constant_delay.go",
};

}  // namespace cacophony::scenario
