#include "cacophony/harness/harness.h"

#include "cacophony/metronome/instruments.h"
#include "cacophony/runtime/runtime.h"

namespace cacophony {

Run run_scenario(const Scenario& scenario, const RunOptions& options,
                 const Tracker::Observer& observer, bool keep_events) {
  const Delay delay = options.delay.value_or(scenario.delay);
  auto rt = options.strategy
                ? runtime::Runtime::create(options.time, options.seed, *options.strategy)
                : runtime::Runtime::create(options.time, options.seed);
  Tracker tracker([&rt] { return rt->now(); }, keep_events);
  if (observer) tracker.observe(observer);
  tracker.ghosts(options.bpm, options.beats);

  rt->run([&] {
    const VolumeMeter meter =
        simulated_volume_meter(options.bpm.interval(), delay_simulator(delay), tracker);
    const BeatPerformer perform = tracking_performer(tracker, scenario.label);
    scenario.metronome(meter, options.beats)(options.bpm, perform);
    tracker.end();
  });

  return Run{&scenario, options, delay, tracker.events(), rt->busy_wait_cpu()};
}

}  // namespace cacophony
