// Every anomaly named and counted (issue 27): a number played twice (duplicate), never played
// (skipped), or outside the run's beats (beyond), with lost never negative; and stale as the page
// says it, by the measurement's identity rather than its value.

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <string>
#include <vector>

#include "cacophony/analysis/metrics.h"
#include "cacophony/explore/explore.h"
#include "cacophony/harness/harness.h"
#include "cacophony/runtime/runtime.h"
#include "cacophony/runtime/wait_group.h"

namespace cacophony {
namespace {

using namespace runtime;

// Go's loop-variable bug (before Go 1.22), as a learner writes it: every task reads the one loop
// variable when it runs, not the value it had when the task was started. Two tasks start per
// pair of beats, and each reads `count` once its measurement is done, when the loop has moved on:
// with 5 beats they play #1, #1, #3, #3, #5.
Metronome shared_loop_variable(VolumeMeter meter, int beats) {
  return [=](Bpm bpm, const BeatPerformer& perform) {
    WaitGroup wg;
    std::atomic<int> count{0};  // atomic only to keep the threads clock free of a data race
    for (count = 0; count < beats; ++count) {
      wg.add(1);
      go([&] {
        const Volume volume = meter();
        perform(count, volume);
        wg.done();
      });
      if (count % 2 == 1) sleep(2 * bpm.interval());
    }
    wg.wait();
  };
}

// Two workers race for the next number: each reads it, measures, plays it and only then moves
// it on, so both play most numbers, and a late worker can move it back.
Metronome two_workers(VolumeMeter meter, int beats) {
  return [=](Bpm, const BeatPerformer& perform) {
    WaitGroup wg;
    std::atomic<int> next{0};
    for (int worker = 0; worker < 2; ++worker) {
      wg.add(1);
      go([&] {
        for (int count = next.load(); count < beats; count = next.load()) {
          const Volume volume = meter();
          perform(count, volume);
          next.store(count + 1);
        }
        wg.done();
      });
    }
    wg.wait();
  };
}

// Measures twice, then plays the newer measurement before the older one.
Metronome older_after_newer(VolumeMeter meter, int) {
  return [=](Bpm, const BeatPerformer& perform) {
    const Volume older = meter();
    const Volume newer = meter();
    perform(0, newer);
    perform(1, older);
  };
}

// Plays each fresh measurement's value as a plain int: nothing to follow.
Metronome plain_ints(VolumeMeter meter, int beats) {
  return [=](Bpm bpm, const BeatPerformer& perform) {
    for (int count = 0; count < beats; ++count) {
      const int volume = meter();
      perform(count, volume);
      sleep(bpm.interval());
    }
  };
}

constexpr Words kWords[] = {{"A test metronome."}};
const Scenario kLoopVariable{"loop_variable", kWords,          Delay::short_,       Label::count,
                             false,           "loop_variable", shared_loop_variable};
const Scenario kTwoWorkers{"two_workers", kWords,        Delay::random, Label::count,
                           false,         "two_workers", two_workers};
const Scenario kOlderAfterNewer{"older_after_newer", kWords, Delay::short_,
                                Label::count,        false,  "older_after_newer",
                                older_after_newer};
// A metronome of one's own that throws its own check's failure, and one that waits forever.
Metronome own_check(VolumeMeter, int) {
  return [](Bpm, const BeatPerformer&) { throw std::runtime_error("my own check failed"); };
}
Metronome waits_forever(VolumeMeter, int) {
  return [](Bpm, const BeatPerformer&) {
    WaitGroup wg;
    wg.add(1);
    wg.wait();
  };
}
const Scenario kOwnCheck{"own_check", kWords,      Delay::short_, Label::count,
                         false,       "own_check", own_check};
const Scenario kWaitsForever{"waits_forever", kWords,          Delay::short_, Label::count,
                             false,           "waits_forever", waits_forever};
const Scenario kPlainInts{"plain_ints", kWords,       Delay::short_, Label::count,
                          false,        "plain_ints", plain_ints};

RunOptions options(TimeMode time, int beats) {
  RunOptions o;
  o.time = time;
  o.beats = beats;
  o.bpm = Bpm::of(600);  // 100 ms a beat: a loaded machine keeps the real clocks' order
  return o;
}

// Every play is the first of its number, a duplicate or beyond.
void expect_plays_add_up(const Metrics& m) {
  EXPECT_EQ(m.beats_performed,
            m.beats_expected - m.skipped_beats + m.duplicate_beats + m.beyond_beats);
  EXPECT_GE(m.lost_beats, m.skipped_beats);
  for (const Anomaly& a : kAnomalies)
    EXPECT_GE(count(m, static_cast<AnomalyKind>(&a - kAnomalies.data())), 0) << a.name;
}

class EveryClock : public ::testing::TestWithParam<TimeMode> {};

TEST_P(EveryClock, TheLoopVariableBugIsDuplicateSkippedAndBeyond) {
  const Metrics m = measure(run_scenario(kLoopVariable, options(GetParam(), 5)));
  EXPECT_EQ(m.beats_performed, 5);
  EXPECT_EQ(m.duplicate_beats, 2) << "#1 and #3 twice";
  EXPECT_EQ(m.skipped_beats, 3) << "#0, #2 and #4 never";
  EXPECT_EQ(m.beyond_beats, 1) << "#5 of 0..4";
  EXPECT_EQ(m.lost_beats, 3);
  EXPECT_EQ(m.out_of_order, 0) << "nothing plays out of order: the numbers are wrong instead";
  expect_plays_add_up(m);
}

TEST_P(EveryClock, TwoWorkersRacingNeverGiveANegativeCount) {
  for (std::uint64_t seed = 1; seed <= 3; ++seed) {
    RunOptions o = options(GetParam(), 6);
    o.bpm = Bpm::of(6000);  // no margin needed: any interleaving must count right
    o.seed = seed;
    const Metrics m = measure(run_scenario(kTwoWorkers, o));
    EXPECT_GT(m.beats_performed, 6) << "both play";
    EXPECT_GT(m.duplicate_beats, 0);
    EXPECT_EQ(m.lost_beats, m.skipped_beats) << "nothing played after the return";
    expect_plays_add_up(m);
    const std::string line = summary_line(m);
    for (const std::string& said : {"lost " + std::to_string(m.lost_beats) + " ",
                                    "skipped " + std::to_string(m.skipped_beats) + " ",
                                    "duplicate " + std::to_string(m.duplicate_beats) + " "})
      EXPECT_NE(line.find(said), std::string::npos) << line;
  }
}

INSTANTIATE_TEST_SUITE_P(Anomaly, EveryClock,
                         ::testing::Values(TimeMode::simulated, TimeMode::real, TimeMode::threads),
                         [](const auto& info) { return std::string(name(info.param)); });

ExploreOptions schedules(std::size_t n, int beats = 15) {
  ExploreOptions o;
  o.schedules = n;
  o.run.beats = beats;
  return o;
}

std::size_t in(const Exploration& x, Outcome o) {
  return x.outcomes[static_cast<std::size_t>(o)].count;
}

TEST(Anomaly, ExploreClassesTheLoopVariableBugInEverySchedule) {
  for (Schedule::Kind strategy : {Schedule::Kind::random, Schedule::Kind::pct}) {
    ExploreOptions o = schedules(200, 5);
    o.strategy = strategy;
    const Exploration x = explore(kLoopVariable, o);
    for (Outcome c : {Outcome::lost, Outcome::skipped, Outcome::duplicate, Outcome::beyond})
      EXPECT_EQ(in(x, c), 200u) << kOutcomeNames[static_cast<std::size_t>(c)];
    EXPECT_EQ(in(x, Outcome::clean), 0u);
  }
}

TEST(Anomaly, ExploreNeverGivesTheRaceANegativeFigure) {
  const Exploration x = explore(kTwoWorkers, schedules(300, 6));
  EXPECT_EQ(in(x, Outcome::duplicate), 300u);
  ASSERT_EQ(x.metrics.size(), kAnomalies.size() + 2);  // and lag_max_ms, choice_points
  for (const MetricRange& r : x.metrics) EXPECT_GE(r.min, 0) << r.name;
  EXPECT_EQ(x.metrics[0].name, "lost_beats");
}

TEST(Anomaly, ExploreKeepsEachFailingClassesFirstExceptionText) {
  const Exploration threw = explore(kOwnCheck, schedules(3, 2));
  const OutcomeCount& t = threw.outcomes[static_cast<std::size_t>(Outcome::threw)];
  EXPECT_EQ(t.count, 3u);
  EXPECT_EQ(t.what, "my own check failed");
  const Exploration stuck = explore(kWaitsForever, schedules(3, 2));
  const OutcomeCount& d = stuck.outcomes[static_cast<std::size_t>(Outcome::deadlock)];
  EXPECT_EQ(d.count, 3u);
  EXPECT_TRUE(d.what.starts_with("deadlock: all 1 tasks are blocked")) << d.what;
  EXPECT_NE(d.what.find("waits on "), std::string::npos) << d.what;
  EXPECT_TRUE(stuck.outcomes[static_cast<std::size_t>(Outcome::lost)].what.empty());
}

TEST(Anomaly, NumbersAreCountedOncePerPlayAndLostOnlyWhenUnheard) {
  RunOptions o;
  o.beats = 4;
  cacophony::Run run{&kPlainInts, o, Delay::short_, {}, {}};
  const auto beat = [&run](int number, bool after_end) {
    Event e{Category::beat};
    e.at = std::chrono::milliseconds(run.events.size());
    e.number = number;
    e.after_end = after_end;
    run.events.push_back(e);
  };
  beat(0, false);
  beat(2, false);
  beat(2, false);   // duplicate
  beat(7, false);   // beyond
  beat(-1, false);  // beyond
  beat(1, true);    // played, but only after the return: lost, not skipped
  beat(1, true);    // duplicate
  const Metrics m = measure(run);
  EXPECT_EQ(m.beats_performed, 7);
  EXPECT_EQ(m.duplicate_beats, 2);
  EXPECT_EQ(m.beyond_beats, 2);
  EXPECT_EQ(m.skipped_beats, 1) << "#3";
  EXPECT_EQ(m.lost_beats, 2) << "#1 and #3";
  expect_plays_add_up(m);
  const nlohmann::json j = to_json(m);
  EXPECT_EQ(j.at("lost_beats"), 2);
  EXPECT_EQ(j.at("skipped_beats"), 1);
  EXPECT_EQ(j.at("duplicate_beats"), 2);
  EXPECT_EQ(j.at("beyond_beats"), 2);
}

RunOptions simulated(std::uint64_t seed = 1) {
  RunOptions o;
  o.time = TimeMode::simulated;
  o.seed = seed;
  return o;
}

TEST(Stale, EqualValuesFromFreshMeasurementsAreNotStale) {
  int equal_in_a_row = 0;
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    const cacophony::Run r = run_scenario(*find_scenario("sync_constant_delay"), simulated(seed));
    int previous = -1;
    for (const Event& e : r.events)
      if (e.category == Category::beat) {
        if (e.volume == previous) ++equal_in_a_row;
        previous = e.volume;
      }
    EXPECT_EQ(measure(r).stale_volume_beats, 0) << "seed " << seed;
  }
  EXPECT_GT(equal_in_a_row, 0) << "the old metric's false positives are among these runs";
}

TEST(Stale, ExploreSaysTheConstantDelayIsNeverStaleAndThePreMeterAlways) {
  EXPECT_EQ(in(explore(*find_scenario("sync_constant_delay"), schedules(1000)), Outcome::stale),
            0u);
  EXPECT_EQ(
      in(explore(*find_scenario("sync_sleep_premeter_volume"), schedules(1000)), Outcome::stale),
      1000u);
}

TEST(Stale, AMeasurementOlderThanOneAlreadyPlayedIsStale) {
  const Metrics m = measure(run_scenario(kOlderAfterNewer, simulated()));
  EXPECT_EQ(m.measurements, 2);
  EXPECT_EQ(m.stale_volume_beats, 1);
}

TEST(Stale, AVolumeWithoutItsIdentityIsNeverStale) {
  const cacophony::Run r = run_scenario(kPlainInts, simulated());
  for (const Event& e : r.events)
    if (e.category == Category::beat) {
      EXPECT_EQ(e.measurement, Volume::kUnknown);
    }
  EXPECT_EQ(measure(r).stale_volume_beats, 0);
}

TEST(Stale, EachBeatCarriesTheNumberOfTheMeasurementItPlays) {
  const cacophony::Run r = run_scenario(*find_scenario("sync_constant_delay"), simulated());
  int measured = 0, beat = 0;
  for (const Event& e : r.events) {
    if (e.category == Category::volume) {
      EXPECT_EQ(e.measurement, measured++);
    }
    if (e.category == Category::beat) {
      EXPECT_EQ(e.measurement, beat++) << "its own, just taken";
    }
  }
  EXPECT_EQ(beat, 15);
  static_assert(std::atomic<Volume>::is_always_lock_free, "async_with_atomic's volume");
  static_assert(sizeof(Event) <= 40, "the identity costs a beat no memory");
}

}  // namespace
}  // namespace cacophony
