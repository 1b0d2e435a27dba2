#pragma once
// The cacophony of a run, measured: what the original only drew.
//
// Definitions (times in ms unless named otherwise; I is the beat interval, N the beats expected,
// numbered 0..N-1 as the ghost row is):
// - beats are taken in time order; `after_return` are those recorded after the metronome returned
//   (in a real program, which would have exited, they are lost);
// - every beat played is one of: the first play of a number in 0..N-1, a duplicate_beats (each
//   further play of a number in 0..N-1 counts once), or a beyond_beats (a number outside 0..N-1),
//   so beats_performed = N - skipped_beats + duplicate_beats + beyond_beats;
// - skipped_beats: numbers in 0..N-1 never played;
// - lost_beats: numbers in 0..N-1 not played before the metronome returned (never played, or
//   played only after the return): what a listener never heard. Never negative, and never
//   fewer than skipped_beats; extra plays cannot make up for it;
// - out_of_order: beats whose count is lower than that of a beat performed before them;
// - interval: gaps between consecutive beats in time order;
// - lag: a beat's time minus its ideal time n·I (first and last in time order, and the maximum);
// - onset_error_us: |t(n) - (t(n0) + (n - n0)·I)| against the grid anchored at the lowest-numbered
//   beat n0, nearest-rank percentiles;
// - stale_volume_beats: beats (in time order) that play a measurement an earlier beat already
//   played, or one that ended before the measurement an earlier beat played. Measurements are
//   told apart by identity (Volume's number), not value; a beat whose volume has no identity (a
//   plain int) is never stale;
// - overlapping_measurements: pairs of measurement ranges that overlap in time;
// - busy_wait_cpu_ms: time spent spinning (CPU time in real time, simulated time when simulated);
// - return_ms: when the metronome returned.
// A statistic over an empty set is absent (null in JSON).

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "cacophony/harness/harness.h"

namespace cacophony {

// An anomaly a run's figures count, in the words that the summary line, the page, `--help`, the
// README and explore's classes all use (N is the beats expected, numbered 0..N-1).
struct Anomaly {
  std::string_view name;        // as the summary line and explore's classes say it
  std::string_view definition;  // what one of them is, as the figure counts it
};
inline constexpr std::array<Anomaly, 7> kAnomalies{{
    {"lost",
     "a beat number in 0..N-1 not played before the metronome returned (never played, or "
     "played only after it)"},
    {"skipped", "a beat number in 0..N-1 never played"},
    {"duplicate", "a play of a beat number in 0..N-1 already played (each extra play counts once)"},
    {"beyond", "a play of a beat number outside 0..N-1"},
    {"disorder", "a beat whose number is lower than that of a beat played before it"},
    {"stale",
     "a beat that plays a volume measurement an earlier beat already played, or one that "
     "ended before the measurement an earlier beat played"},
    {"overlap", "a pair of volume measurements running at the same time"},
}};
// kAnomalies' entries by name.
enum class AnomalyKind { lost, skipped, duplicate, beyond, disorder, stale, overlap };
constexpr const Anomaly& anomaly(AnomalyKind kind) {
  return kAnomalies[static_cast<std::size_t>(kind)];
}

struct Metrics {
  struct Spread {
    std::optional<double> min, mean, max;
  };
  struct Lag {
    std::optional<double> first, last, max;
  };
  struct Percentiles {
    std::optional<double> p50, p99, max;
  };

  std::string id;
  int order = 0;  // the chart number: its place in scenarios(), from 1
  int beats_expected = 0;
  int beats_performed = 0;
  int beats_after_return = 0;
  int lost_beats = 0;
  int skipped_beats = 0;
  int duplicate_beats = 0;
  int beyond_beats = 0;
  int out_of_order = 0;
  Spread interval_ms;
  Lag lag_ms;
  Percentiles onset_error_us;
  int stale_volume_beats = 0;
  int overlapping_measurements = 0;
  int measurements = 0;
  double busy_wait_cpu_ms = 0;
  std::optional<double> return_ms;
};

// Measures a run as it is recorded, keeping 24 bytes a beat and 16 a measurement rather than its
// events (and a byte per expected beat), so that a long run can be measured without keeping them:
// 10 000 000 beats cost about 500 MB. Feed it every event of one run in recording order (from one
// thread at a time, as a Tracker's observer is), then call finish() once.
class Measurer {
 public:
  Measurer(const Scenario& scenario, const RunOptions& options);
  void add(const Event& e);
  Metrics finish(runtime::Duration busy_wait_cpu);

  struct Beat {
    runtime::Time at;
    int number;
    int volume;
    int measurement;  // the number of the measurement played, -1 unknown
    bool after_end;
  };
  struct Span {
    runtime::Time at;
    runtime::Duration duration;
  };

 private:
  const Scenario& scenario_;
  RunOptions options_;
  std::vector<Beat> beats_;
  std::vector<Span> measurements_;
  std::optional<double> return_ms_;
};

// The figures of a run that holds all its events.
Metrics measure(const Run& run);

// A run, measured as it went, whose Run keeps only the earliest `window` events by time
// (tracker/window.h; none with 0): memory stays bounded whatever the number of beats. A run that
// stops with an error is not thrown (RunStopped) but returned, measured up to the stop, with
// `run.stopped` set.
struct MeasuredRun {
  Run run;
  Metrics metrics;
};
MeasuredRun run_measured(const Scenario& scenario, const RunOptions& options,
                         const Tracker::Observer& observer, std::size_t window);

nlohmann::json to_json(const Metrics& m);

// How many of `kind` the run has: the figure the summary line gives under its name.
int count(const Metrics& m, AnomalyKind kind);

// One line for the terminal.
std::string summary_line(const Metrics& m);

}  // namespace cacophony
