// Chart 3. Go twin: scenario/sync_adaptive_delay.go (SynchronousAdaptiveDelay, first run).
// Sleep only what is left of the interval after measuring: on time while the measurement is
// shorter than the interval, and each late cycle's lag is never won back.

#include "cacophony/runtime/runtime.h"
#include "cacophony/scenario/scenario.h"
#include "metronomes.h"

namespace cacophony::scenario {
using namespace runtime;

Metronome synchronous_adaptive_delay(VolumeMeter meter, int beats) {
  return [=](Bpm bpm, const BeatPerformer& perform) {
    for (int count = 0; count < beats; ++count) {
      const Time started = now();
      const Volume volume = meter();
      perform(count, volume);
      const Duration remaining = bpm.interval() - (now() - started);
      if (remaining > Duration::zero()) sleep(remaining);
    }
  };
}

static constexpr Words description[] = {{"Synchronous, "},
                                        em("adaptive"),
                                        {" sleep: what is left of the interval after the volume "
                                         "measurement that precedes every beat."}};

extern const Scenario sync_adaptive_delay{
    .id = "sync_adaptive_delay",
    .description = description,
    .delay = Delay::short_,
    .label = Label::io,
    .async = false,
    .code = "sync_adaptive_delay",
    .metronome = synchronous_adaptive_delay,
    .go_twin = "https://github.com/outo/metronome/blob/HEAD/scenario/sync_adaptive_delay.go",
};

}  // namespace cacophony::scenario
