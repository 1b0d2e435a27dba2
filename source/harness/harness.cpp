#include "cacophony/harness/harness.h"

#include <algorithm>

#include "cacophony/metronome/instruments.h"
#include "cacophony/runtime/runtime.h"

namespace cacophony {

Run run_scenario(const Scenario& scenario, const RunOptions& options,
                 const Tracker::Observer& observer, bool keep_events) {
  const Delay delay = options.delay.value_or(scenario.delay);
  auto rt = options.strategy
                ? runtime::Runtime::create(options.time, options.seed, *options.strategy)
                : runtime::Runtime::create(options.time, options.seed);
  const auto sharing = rt->one_thread() ? Tracker::Sharing::one_thread : Tracker::Sharing::threads;
  Tracker tracker([&rt] { return rt->now(); }, keep_events, sharing);
  if (observer) tracker.observe(observer);
  // A ghost and a beat per beat, and about one measurement per beat for most delays.
  tracker.reserve(3 * static_cast<std::size_t>(std::max(options.beats, 0)) + 1);
  tracker.ghosts(options.bpm, options.beats);

  try {
    rt->run([&] {
      const VolumeMeter meter =
          simulated_volume_meter(options.bpm.interval(), delay_simulator(delay), tracker);
      const BeatPerformer perform = tracking_performer(tracker, scenario.label);
      scenario.metronome(meter, options.beats)(options.bpm, perform);
      tracker.end();
    });
  } catch (const std::exception& e) {
    Run stopped{&scenario, options, delay, tracker.take_events(), rt->busy_wait_cpu()};
    stopped.stopped = Stop{rt->now(), e.what()};
    throw RunStopped(std::move(stopped));
  }

  return Run{&scenario, options, delay, tracker.take_events(), rt->busy_wait_cpu()};
}

RunStopped::RunStopped(Run run)
    : std::runtime_error(run.stopped ? run.stopped->error : std::string("stopped")),
      run_(std::make_shared<Run>(std::move(run))) {}

}  // namespace cacophony
