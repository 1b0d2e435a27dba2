#include "cacophony/metronome/instruments.h"

#include "cacophony/runtime/runtime.h"

namespace cacophony {

VolumeMeter simulated_volume_meter(runtime::Duration baseline, DelaySimulator delay,
                                   Tracker& tracker) {
  return [baseline, delay = std::move(delay), &tracker] {
    const runtime::Duration took = delay(baseline);
    runtime::sleep(took);
    const int volume = static_cast<int>(runtime::Runtime::current().random_below(101));
    tracker.measurement(volume, took);
    return volume;
  };
}

BeatPerformer tracking_performer(Tracker& tracker, Label label) {
  return [&tracker, label](int count, int volume) { tracker.beat(count, volume, label); };
}

}  // namespace cacophony
