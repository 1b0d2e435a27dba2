#pragma once
// Explore: one scenario run under many schedules (runtime/schedule.h), in simulated time, and
// what happened across them: can the mutex version ever lose a beat? How often does the naive
// one? Each run is classed by its outcome, and its figures gathered.
//
// Guarantees
// - Runs are in simulated time. random and pct: schedule i draws its choices from seed
//   options.seed + i; with vary both, the run's own draws (delays, volumes) come from
//   options.run.seed + i, so both the interleaving and the timing vary; with vary order, from
//   options.run.seed always. vary timing runs FIFO (no choice varied) with options.run.seed + i,
//   whatever the strategy. dfs (vary order or both) keeps the run's seed and walks every
//   interleaving of that one run in order, until `schedules` or none is left (exhausted). The
//   schedule's string carries both seeds (or the path), so it alone replays the run.
// - Each run's choice points (runtime/schedule.h) are among its figures ("choice_points"), and
//   the exploration counts the distinct orders its runs' tasks ran in (a hash of each run's
//   order of task switches).
// - A run's outcome classes: one per anomaly (analysis/metrics.h's kAnomalies: lost, skipped,
//   duplicate, beyond, disorder, stale, overlap), which a run is in when its summary counts at
//   least one of it; deadlock (the runtime found every task blocked), threw (another exception
//   escaped), clean (none of these). A run may be in several classes at once (not clean and
//   another).
// - The first schedule of each class replays it exactly: replay_run().

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cacophony/analysis/metrics.h"
#include "cacophony/harness/harness.h"
#include "cacophony/runtime/schedule.h"

namespace cacophony {

// The anomalies first, in kAnomalies' order.
enum class Outcome {
  lost,
  skipped,
  duplicate,
  beyond,
  disorder,
  stale,
  overlap,
  deadlock,
  threw,
  clean
};
inline constexpr std::array<std::string_view, 10> kOutcomeNames{
    "lost",  "skipped", "duplicate", "beyond", "disorder",
    "stale", "overlap", "deadlock",  "threw",  "clean"};
// What the classes that are no anomaly mean.
inline constexpr std::string_view kDeadlockMeans = "every task blocked";
inline constexpr std::string_view kThrewMeans = "an exception escaped";
inline constexpr std::string_view kCleanMeans = "none of the above";
// What a class means: an anomaly's definition, or one of the above.
std::string_view meaning(Outcome o);

// What varies from one schedule to the next: the task order only (the run's seed held), the
// timing only (the run's seed, under FIFO), or both.
enum class Vary { order, timing, both };
inline constexpr std::array<std::string_view, 3> kVaryNames{"order", "timing", "both"};

struct ExploreOptions {
  runtime::Schedule::Kind strategy = runtime::Schedule::Kind::random;
  Vary vary = Vary::both;
  int depth = 3;                 // pct
  std::size_t schedules = 1000;  // at most, for dfs
  std::uint64_t seed = 1;        // of the strategy's draws
  RunOptions run;                // beats, bpm, seed of the run's draws; time is made simulated
};

struct OutcomeCount {
  std::size_t count = 0;
  std::string first;  // the first schedule in this class, empty when none
  std::string what;   // deadlock and threw: the first schedule's exception text
};

struct MetricRange {
  std::string name;
  double min = 0, median = 0, max = 0;
};

struct Exploration {
  const Scenario* scenario = nullptr;
  std::string strategy;  // "random", "pct3", "dfs", "fifo" (vary timing)
  Vary vary = Vary::both;
  std::size_t schedules = 0;
  std::size_t distinct_orders = 0;  // how many different orders the tasks ran in
  std::array<OutcomeCount, kOutcomeNames.size()> outcomes;
  std::vector<MetricRange> metrics;
  bool exhausted = false;    // dfs: every schedule was run
  bool interrupted = false;  // stopped (explore's `stop`) before its schedules were all run
};

// The class whose first schedule a single run of `x` is best shown by: the anomaly met in the
// most schedules among those whose runs end (lost ... overlap; the first of them in kOutcomeNames
// on a tie), else clean; none when every schedule deadlocked or threw (no run to
// show).
std::optional<Outcome> representative(const Exploration& x);

// `progress`, when given, is called after each run with the runs done so far. `stop`, when given,
// is asked before each run: once it says true, the exploration ends there, `interrupted`, with
// the counts and figures of the schedules run so far.
Exploration explore(const Scenario& scenario, const ExploreOptions& options,
                    const std::function<void(std::size_t)>& progress = {},
                    const std::function<bool()>& stop = {});

// The strategy that makes `schedule`'s choices again in a run of `scenario` with `options` (whose
// seed must be the schedule's run seed).
std::unique_ptr<runtime::Strategy> replay_strategy(const Scenario& scenario,
                                                   const runtime::Schedule& schedule,
                                                   const RunOptions& options);

// The run `schedule` names, again (its own run seed, `options`' beats and bpm), in simulated
// time: bit for bit the run explore() made.
Run replay_run(const Scenario& scenario, const runtime::Schedule& schedule, RunOptions options);

}  // namespace cacophony
