#include "cacophony/metronome/instruments.h"

#include "cacophony/runtime/runtime.h"

namespace cacophony {

VolumeMeter simulated_volume_meter(runtime::Duration baseline, DelaySimulator delay,
                                   Tracker& tracker) {
  return [baseline, delay = std::move(delay), &tracker] {
    const runtime::Duration took = delay(baseline);
    runtime::sleep(took);
    const int volume = static_cast<int>(runtime::Runtime::current().random_below(101));
    return Volume(volume, tracker.measurement(volume, took));
  };
}

BeatPerformer tracking_performer(Tracker& tracker, Label label) {
  return [&tracker, label](int count, Volume volume) {
    tracker.beat(count, volume.value, label, volume.measurement);
  };
}

}  // namespace cacophony
