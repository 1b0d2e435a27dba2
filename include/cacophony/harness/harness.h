#pragma once
// The harness: stages one scenario as the original's demonstrateScenario did. It makes a runtime
// and a tracker, records the ghost row, builds the meter and the performer, calls the metronome,
// and stamps the end when it returns. Tasks the metronome left running are joined before the run
// is torn down; what they record is flagged as after the end.

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "cacophony/bpm/bpm.h"
#include "cacophony/metronome/delay.h"
#include "cacophony/runtime/schedule.h"
#include "cacophony/runtime/time.h"
#include "cacophony/scenario/scenario.h"
#include "cacophony/tracker/tracker.h"

namespace cacophony {

struct RunOptions {
  Bpm bpm = Bpm::of(6000);
  int beats = 15;
  std::optional<Delay> delay;  // empty: the scenario's own simulator
  std::uint64_t seed = 1;
  runtime::TimeMode time = runtime::TimeMode::real;
  // Every choice of the next ready task (runtime/schedule.h); none: FIFO. Fiber modes only; it
  // must outlive the run.
  runtime::Strategy* strategy = nullptr;

  static constexpr int kMaxBeats = 10'000'000;
};

// Where and why a run stopped before its metronome returned: a deadlock, or an exception that
// escaped the metronome or one of its tasks (its text, as the runtime or the thrower gave it).
struct Stop {
  runtime::Time at;
  std::string error;
};

struct Run {
  const Scenario* scenario;
  RunOptions options;
  Delay delay;                // the simulator actually used
  std::vector<Event> events;  // all it recorded, or a window of them (tracker/window.h)
  runtime::Duration busy_wait_cpu{0};
  std::int64_t events_left_out = 0;            // recorded but not in `events` (a window's cut)
  std::optional<Stop> stopped = std::nullopt;  // none: the metronome returned
};

// Thrown by run_scenario when the run stops with an error: what() is the error's text, and run()
// what the run recorded up to it (with `stopped` set), for a page or a trace drawn up to the stop.
class RunStopped : public std::runtime_error {
 public:
  explicit RunStopped(Run run);
  Run& run() const { return *run_; }

 private:
  std::shared_ptr<Run> run_;  // shared: an exception is copied, and must copy without throwing
};

// Runs one scenario. `observer`, if given, sees every event as it is recorded. With `keep_events`
// false the Run holds no events: the observer is then their only record. Throws RunStopped when
// the run stops with an error.
Run run_scenario(const Scenario& scenario, const RunOptions& options,
                 const Tracker::Observer& observer = {}, bool keep_events = true);

}  // namespace cacophony
