#pragma once
// The simulated instruments the scenarios play with: the volume meter and the two tracking beat
// performers. None makes a sound; each records what it did on a Tracker.

#include "cacophony/metronome/contract.h"
#include "cacophony/metronome/delay.h"
#include "cacophony/tracker/tracker.h"

namespace cacophony {

// Each call: sleeps for delay(baseline) to pretend the measurement takes time, draws a volume
// uniform in 0..100 from the run's seeded generator, records the measurement, returns the volume
// with the measurement's number.
// The returned meter shares `tracker`, which must outlive every call.
VolumeMeter simulated_volume_meter(runtime::Duration baseline, DelaySimulator delay,
                                   Tracker& tracker);

// Records each beat, labelled by `label` (I/O by parity, or the count), with the number of the
// measurement it plays.
BeatPerformer tracking_performer(Tracker& tracker, Label label);

}  // namespace cacophony
