// Each scenario's signature, exactly, in simulated time; robust properties on the real clock, with
// fibers (real) and with a thread per task (threads, which ThreadSanitizer sees run in parallel).

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "cacophony/analysis/metrics.h"
#include "cacophony/harness/harness.h"
#include "cacophony/runtime/runtime.h"

namespace cacophony {
namespace {

using namespace std::chrono_literals;
using runtime::Duration;
using runtime::Time;

RunOptions simulated(std::uint64_t seed = 1, int beats = 15) {
  RunOptions o;
  o.time = runtime::TimeMode::simulated;
  o.seed = seed;
  o.beats = beats;
  return o;
}

cacophony::Run run(std::string_view id, const RunOptions& options = simulated()) {
  const Scenario* s = find_scenario(id);
  EXPECT_NE(s, nullptr) << id;
  return run_scenario(*s, options);
}

std::vector<Event> of(const cacophony::Run& r, Category c) {
  std::vector<Event> out;
  for (const Event& e : r.events)
    if (e.category == c) out.push_back(e);
  std::stable_sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.at < b.at; });
  return out;
}

std::vector<Time> beat_times(const cacophony::Run& r) {
  std::vector<Time> t;
  for (const Event& b : of(r, Category::beat)) t.push_back(b.at);
  return t;
}

Time end_of(const Event& measurement) {
  return measurement.at + measurement.duration;
}

Time returned(const cacophony::Run& r) {
  return of(r, Category::end).at(0).at;
}

// The original's fourteen charts, without the post's examples after them.
std::span<const Scenario* const> fourteen() {
  return scenarios().first(14);
}

TEST(Catalog, HasTheFourteenChartsInOrderThenThePostsFourExamples) {
  const auto all = scenarios();
  ASSERT_EQ(all.size(), 18u);
  EXPECT_EQ(all.front()->id, "sync_sleep_premeter_volume");
  EXPECT_EQ(all[13]->id, "async_with_channels_services");
  EXPECT_EQ(all[14]->id, "bedtime_sequence");
  EXPECT_EQ(all.back()->id, "go_loop_variable");
  EXPECT_EQ(find_scenario("async_naive")->label, Label::count);
  EXPECT_EQ(find_scenario("nope"), nullptr);
}

TEST(Scenario, SyncSleepPremeterVolumeMeasuresOnceAndKeepsTheVolume) {
  const cacophony::Run r = run("sync_sleep_premeter_volume");
  const Metrics m = measure(r);
  EXPECT_EQ(m.measurements, 1);
  EXPECT_EQ(m.stale_volume_beats, 14);
  const auto t = beat_times(r);
  ASSERT_EQ(t.size(), 15u);
  for (int n = 0; n < 15; ++n) EXPECT_EQ(t[n], 5ms + n * 10ms);
  EXPECT_EQ(returned(r), 155ms);  // one sleep after the last beat
}

TEST(Scenario, SyncConstantDelayLagGrowsByExactlyFiveMsPerBeat) {
  const cacophony::Run r = run("sync_constant_delay");
  const auto beats = of(r, Category::beat);
  ASSERT_EQ(beats.size(), 15u);
  for (int n = 0; n < 15; ++n) EXPECT_EQ(beats[n].at - n * 10ms, 5ms + n * 5ms);
  const Metrics m = measure(r);
  EXPECT_EQ(m.interval_ms.min, 15.0);
  EXPECT_EQ(m.interval_ms.max, 15.0);
  EXPECT_EQ(m.stale_volume_beats, 0);
}

TEST(Scenario, SyncAdaptiveDelayKeepsTheIntervalWithAConstantLag) {
  const auto t = beat_times(run("sync_adaptive_delay"));
  ASSERT_EQ(t.size(), 15u);
  for (int n = 0; n < 15; ++n) EXPECT_EQ(t[n], 5ms + n * 10ms);
}

TEST(Scenario, SyncAdaptiveDelayOscillatingLosesTimeItNeverWinsBack) {
  const cacophony::Run r = run("sync_adaptive_delay_oscillating_execution_time");
  const auto beats = of(r, Category::beat);
  const auto measurements = of(r, Category::volume);
  ASSERT_EQ(beats.size(), 15u);
  ASSERT_GE(measurements.size(), beats.size());
  EXPECT_EQ(beats[0].at, 2ms);  // the triangle starts at its lowest level
  Duration lag = 0ms;
  for (std::size_t n = 0; n < beats.size(); ++n) {
    // Each beat ends its own measurement, and a cycle lasts max(interval, measurement).
    EXPECT_EQ(beats[n].at, end_of(measurements[n])) << n;
    if (n > 0) {
      EXPECT_EQ(measurements[n].at,
                measurements[n - 1].at + std::max<Duration>(10ms, measurements[n - 1].duration))
          << n;
    }
    const Duration now_lag = beats[n].at - Time(n * 10ms);
    lag = std::max(lag, now_lag);
  }
  EXPECT_GT(lag, 40ms);
}

TEST(Scenario, SyncTickerFirstBeatIsExactlyFifteenMsAfterTheStart) {
  const auto t = beat_times(run("sync_ticker"));
  ASSERT_EQ(t.size(), 15u);
  for (int n = 0; n < 15; ++n) EXPECT_EQ(t[n], 15ms + n * 10ms);
}

TEST(Scenario, SyncTickerFireImmediatelyBeatsOnTheTickGrid) {
  const auto t = beat_times(run("sync_ticker_fire_immediately"));
  ASSERT_EQ(t.size(), 15u);
  for (int n = 0; n < 15; ++n) EXPECT_EQ(t[n], (n + 1) * 10ms);
}

// After a long measurement the stale tick fires at once; short ones snap back onto the grid.
void expect_dropped_ticks(const cacophony::Run& r) {
  const auto beats = of(r, Category::beat);
  const auto measurements = of(r, Category::volume);
  ASSERT_EQ(beats.size(), 15u);
  ASSERT_EQ(measurements.size(), beats.size());
  int on_grid = 0, at_measurement_end = 0;
  for (std::size_t n = 0; n < beats.size(); ++n) {
    const Time t = beats[n].at;
    if (t % 10ms == 0ms) ++on_grid;
    if (t == end_of(measurements[n])) ++at_measurement_end;
    EXPECT_TRUE(t % 10ms == 0ms || t == end_of(measurements[n])) << n;
  }
  EXPECT_GT(on_grid, 0);
  EXPECT_GT(at_measurement_end, 0);
  const Duration last_lag = beats.back().at - Time((beats.size() - 1) * 10ms);
  EXPECT_GT(last_lag, 10ms);  // ticks were dropped
}

TEST(Scenario, SyncTickerFireImmediatelyOscillatingDropsTicks) {
  expect_dropped_ticks(run("sync_ticker_fire_immediately_oscillating_execution_time"));
}

TEST(Scenario, SyncTickerFireImmediatelyRandomisedDropsTicks) {
  expect_dropped_ticks(run("sync_ticker_fire_immediately_randomised_execution_time"));
}

TEST(Scenario, AsyncNaiveMostlyLosesBeatsAndPlaysThemOutOfOrder) {
  int disordered = 0, lost = 0;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    const cacophony::Run r = run("async_naive", simulated(seed));
    const Metrics m = measure(r);
    EXPECT_EQ(m.beats_performed, 15);  // every task is joined, so its beat is recorded
    EXPECT_EQ(returned(r), 150ms);     // the 15th tick
    if (m.out_of_order > 0) ++disordered;
    if (m.beats_after_return > 0) ++lost;
    EXPECT_GT(m.overlapping_measurements, 0);
  }
  EXPECT_GT(disordered, 10);
  EXPECT_GT(lost, 10);
}

TEST(Scenario, AsyncNaiveWaitingForCompletionNeverLosesABeat) {
  int disordered = 0;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    const cacophony::Run r = run("async_naive_waiting_for_completion", simulated(seed));
    const Metrics m = measure(r);
    EXPECT_EQ(m.beats_after_return, 0);
    EXPECT_EQ(m.beats_performed, 15);
    const auto t = beat_times(r);
    ASSERT_EQ(t.size(), 15u);
    EXPECT_EQ(returned(r), std::max<Time>(150ms, t.back()));
    if (m.out_of_order > 0) ++disordered;
  }
  EXPECT_GT(disordered, 10);
}

class Correct : public ::testing::TestWithParam<const char*> {};

TEST_P(Correct, BeatsExactlyEveryIntervalInOrderWithNoneLost) {
  int stale = 0;
  for (std::uint64_t seed = 1; seed <= 10; ++seed) {
    const cacophony::Run r = run(GetParam(), simulated(seed));
    const Metrics m = measure(r);
    EXPECT_EQ(m.beats_performed, 15);
    EXPECT_EQ(m.beats_after_return, 0);
    EXPECT_EQ(m.out_of_order, 0);
    EXPECT_EQ(m.interval_ms.min, 10.0);
    EXPECT_EQ(m.interval_ms.max, 10.0);
    EXPECT_EQ(m.onset_error_us.max, 0.0);

    // The first beat comes as soon as the first measurement has ended.
    const auto beats = of(r, Category::beat);
    const auto measurements = of(r, Category::volume);
    ASSERT_EQ(beats.size(), 15u);
    ASSERT_GE(measurements.size(), 1u);
    EXPECT_EQ(beats[0].at, end_of(measurements[0]));

    // A beat reuses the volume whenever no measurement ended since the previous beat.
    int reused = 0;
    for (std::size_t n = 1; n < beats.size(); ++n) {
      const bool fresh = std::any_of(measurements.begin(), measurements.end(), [&](auto& v) {
        return end_of(v) > beats[n - 1].at && end_of(v) <= beats[n].at;
      });
      if (!fresh) {
        ++reused;
        EXPECT_EQ(beats[n].volume, beats[n - 1].volume) << "beat " << n;
      }
    }
    EXPECT_GE(m.stale_volume_beats, reused);
    stale += reused;

    // Every measurement ran back to back: none overlaps another.
    EXPECT_EQ(m.overlapping_measurements, 0);
  }
  EXPECT_GT(stale, 0);  // measurements outlast the interval often enough
}

INSTANTIATE_TEST_SUITE_P(Scenario, Correct,
                         ::testing::Values("async_with_atomic", "async_with_mutex",
                                           "async_with_channels", "async_with_channels_services"));

TEST(Scenario, BusyWaitsAreCountedAndServicesHaveNone) {
  EXPECT_GT(measure(run("async_with_atomic")).busy_wait_cpu_ms, 0.0);
  EXPECT_GT(measure(run("async_with_mutex")).busy_wait_cpu_ms, 0.0);
  // Chart 13's empty default spins from the first beat to the last.
  const cacophony::Run channels = run("async_with_channels");
  const auto beats = beat_times(channels);
  ASSERT_EQ(beats.size(), 15u);
  EXPECT_GE(measure(channels).busy_wait_cpu_ms,
            static_cast<double>((beats.back() - beats.front()).count()) / 1e6);
  EXPECT_EQ(measure(run("async_with_channels_services")).busy_wait_cpu_ms, 0.0);
}

TEST(Scenario, SharedStateScenariosReturnWhenTheMeasurementInFlightEnds) {
  for (const char* id : {"async_with_atomic", "async_with_mutex", "async_with_channels"}) {
    for (std::uint64_t seed = 1; seed <= 10; ++seed) {
      const cacophony::Run r = run(id, simulated(seed));
      const auto measurements = of(r, Category::volume);
      const auto beats = beat_times(r);
      ASSERT_GE(measurements.size(), 1u);
      ASSERT_EQ(beats.size(), 15u);
      EXPECT_EQ(returned(r), end_of(measurements.back())) << id << " seed " << seed;
      EXPECT_GT(returned(r), beats.back());
    }
  }
}

TEST(Scenario, ServicesShutDownAfterTheNextTickAndTheMeasurementInFlight) {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    // Any service left blocked would make the simulated run end in a deadlock error.
    const cacophony::Run r = run("async_with_channels_services", simulated(seed));
    const auto beats = beat_times(r);
    const auto measurements = of(r, Category::volume);
    ASSERT_EQ(beats.size(), 15u);
    ASSERT_GE(measurements.size(), 1u);
    const Time last_beat = beats.back();
    const Time in_flight_end = end_of(measurements.back());
    EXPECT_EQ(returned(r), std::max(last_beat + 10ms, in_flight_end)) << "seed " << seed;
    EXPECT_GT(in_flight_end, last_beat);
  }
}

TEST(Scenario, TheSameSeedGivesByteIdenticalJson) {
  auto suite = [](std::uint64_t seed) {
    nlohmann::json all = nlohmann::json::array();
    for (const Scenario* s : scenarios())
      all.push_back(to_json(measure(run_scenario(*s, simulated(seed)))));
    return all.dump(2);
  };
  const std::string first = suite(7);
  EXPECT_EQ(suite(7), first);
  EXPECT_NE(suite(8), first);
}

TEST(Scenario, AnyDelayCanBeChosen) {
  RunOptions o = simulated();
  o.delay = Delay::short_;
  const cacophony::Run r = run("async_naive", o);
  EXPECT_EQ(r.delay, Delay::short_);
  for (const Event& v : of(r, Category::volume)) EXPECT_EQ(v.duration, 5ms);
}

TEST(Scenario, BedtimeSequenceDoesEachStepAfterTheLast) {
  const cacophony::Run r = run("bedtime_sequence", simulated(1, 5));
  const auto t = beat_times(r);
  ASSERT_EQ(t.size(), 5u);
  for (int n = 0; n < 5; ++n) EXPECT_EQ(t[n], 5ms + n * 5ms);  // each step measures 5 ms
  EXPECT_EQ(returned(r), 25ms);
  const Metrics m = measure(r);
  EXPECT_EQ(m.out_of_order + m.lost_beats + m.overlapping_measurements, 0);
}

TEST(Scenario, BedtimeGoEndsBeforeAnyStepAndLosesThemAll) {
  const cacophony::Run r = run("bedtime_go", simulated(1, 5));
  EXPECT_EQ(returned(r), 0ms);
  const auto beats = of(r, Category::beat);
  ASSERT_EQ(beats.size(), 5u);  // drawn after the end line
  for (const Event& b : beats) EXPECT_TRUE(b.after_end);
  const Metrics m = measure(r);
  EXPECT_EQ(m.lost_beats, 5);
  EXPECT_EQ(m.beats_after_return, 5);
}

TEST(Scenario, BedtimeGoPauseDoesEveryStepAtOneInstantBeforeTheEnd) {
  const cacophony::Run r = run("bedtime_go_pause", simulated(1, 5));
  EXPECT_EQ(returned(r), 10ms);  // the pause: one interval
  for (const Time t : beat_times(r)) EXPECT_EQ(t, 5ms);
  const Metrics m = measure(r);
  EXPECT_EQ(m.beats_performed, 5);
  EXPECT_EQ(m.lost_beats, 0);
}

TEST(Scenario, GoLoopVariablePlaysTheNumbersTheLoopHasMovedOnTo) {
  const cacophony::Run r = run("go_loop_variable", simulated(1, 5));
  std::vector<int> numbers;
  for (const Event& b : of(r, Category::beat)) numbers.push_back(b.number);
  EXPECT_EQ(numbers, (std::vector<int>{1, 2, 3, 3, 5}));
  const Metrics m = measure(r);
  EXPECT_EQ(m.skipped_beats, 2);  // #0 and #4
  EXPECT_EQ(m.duplicate_beats, 1);
  EXPECT_EQ(m.beyond_beats, 1);  // #5: the loop's final value
}

// A real clock, and for real time its worker threads (runtime::Runtime::set_procs).
struct Clock {
  runtime::TimeMode mode;
  unsigned procs = 1;
};

class RealClock : public ::testing::TestWithParam<Clock> {
 protected:
  void SetUp() override { runtime::Runtime::set_procs(GetParam().procs); }
  void TearDown() override { runtime::Runtime::set_procs(1); }
};

// A task plays a wrong number whenever its measurement outlasts the interval (0.2 to 2.5 of it,
// uniform): 15 beats all shorter has probability 0.35^15, under 1e-6.
TEST_P(RealClock, GoLoopVariableMisnumbersBeatsWithNoCountNegative) {
  RunOptions o;
  o.time = GetParam().mode;
  const Metrics m = measure(run("go_loop_variable", o));
  EXPECT_GT(m.skipped_beats + m.duplicate_beats + m.beyond_beats, 0);
  EXPECT_EQ(m.beats_performed, 15 - m.skipped_beats + m.duplicate_beats + m.beyond_beats);
  EXPECT_GE(m.lost_beats, m.skipped_beats);
}

TEST_P(RealClock, EveryScenarioPerformsItsBeatsAndTheCorrectOnesKeepOrder) {
  RunOptions o;  // 6000 bpm, 15 beats
  o.time = GetParam().mode;
  for (const Scenario* s : fourteen()) {
    const Metrics m = measure(run_scenario(*s, o));
    EXPECT_EQ(m.beats_performed, 15) << s->id;
    EXPECT_EQ(m.measurements > 0, true) << s->id;
    if (s->id != "async_naive") {
      EXPECT_EQ(m.beats_after_return, 0) << s->id;
    }
    if (s->label == Label::io) {
      EXPECT_EQ(m.out_of_order, 0) << s->id;
    }
  }
}

TEST_P(RealClock, BusyWaitsAreCountedAsCpuTimeAndServicesHaveNone) {
  RunOptions o;
  o.time = GetParam().mode;
  for (const char* id : {"async_with_atomic", "async_with_mutex", "async_with_channels"})
    EXPECT_GT(measure(run(id, o)).busy_wait_cpu_ms, 0.0) << id;
  EXPECT_EQ(measure(run("async_with_channels_services", o)).busy_wait_cpu_ms, 0.0);
}

INSTANTIATE_TEST_SUITE_P(RealTime, RealClock,
                         ::testing::Values(Clock{runtime::TimeMode::real},
                                           Clock{runtime::TimeMode::real, 2},
                                           Clock{runtime::TimeMode::threads}),
                         [](const auto& info) {
                           const std::string mode(runtime::name(info.param.mode));
                           return info.param.procs > 1
                                      ? mode + "_procs" + std::to_string(info.param.procs)
                                      : mode;
                         });

}  // namespace
}  // namespace cacophony
