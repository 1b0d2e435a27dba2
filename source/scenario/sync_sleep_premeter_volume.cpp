// Chart 1. Go twin: scenario/sync_sleep_premeter_volume.go (SynchronousSleepWithPreMeter).
// Measure once, then beat and sleep: the volume never changes, and sleep overshoot accumulates.

#include "cacophony/runtime/runtime.h"
#include "cacophony/scenario/scenario.h"

namespace cacophony::scenario {
using namespace runtime;

static Metronome synchronous_sleep_with_pre_meter(VolumeMeter meter, int beats) {
  return [=](Bpm bpm, const BeatPerformer& perform) {
    const Volume volume = meter();
    for (int count = 0; count < beats; ++count) {
      perform(count, volume);
      sleep(bpm.interval());
    }
  };
}

static constexpr Words description[] = {{"Synchronous, "},
                                        em("constant"),
                                        {" sleep after each beat, with a "},
                                        em("single volume measurement"),
                                        {" taken before the first beat."}};

extern const Scenario sync_sleep_premeter_volume{
    .id = "sync_sleep_premeter_volume",
    .description = description,
    .delay = Delay::short_,
    .label = Label::io,
    .async = false,
    .code = "sync_sleep_premeter_volume",
    .metronome = synchronous_sleep_with_pre_meter,
    .go_twin = "https://github.com/outo/metronome/blob/HEAD/scenario/sync_sleep_premeter_volume.go",
};

}  // namespace cacophony::scenario
