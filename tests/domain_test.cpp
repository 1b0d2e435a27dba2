// Bpm, the delay simulators, the tracker and the pipeline.

#include <gtest/gtest.h>

#include "cacophony/bpm/bpm.h"
#include "cacophony/metronome/delay.h"
#include "cacophony/pipeline/pipeline.h"
#include "cacophony/tracker/tracker.h"

namespace cacophony {
namespace {

using namespace std::chrono_literals;
using runtime::Duration;

TEST(Bpm, AcceptsOnlyZeroExclusiveToSixThousand) {
  EXPECT_EQ(Bpm::of(1).value(), 1);
  EXPECT_EQ(Bpm::of(6000).value(), 6000);
  for (long long bad : {0LL, -1LL, 6001LL}) {
    try {
      Bpm::of(bad);
      FAIL() << bad;
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("(0, 6000]"), std::string::npos);
    }
  }
  for (const char* bad : {"abc", "1e99", "nan", "", "12abc", " 12", "99999999999999999999999"})
    EXPECT_THROW(Bpm::parse(bad), std::invalid_argument) << bad;
  EXPECT_EQ(Bpm::parse("120").value(), 120);
}

TEST(Bpm, IntervalIsExactInNanoseconds) {
  EXPECT_EQ(Bpm::of(60).interval(), 1s);
  EXPECT_EQ(Bpm::of(120).interval(), 500ms);
  EXPECT_EQ(Bpm::unchecked(12000).interval(), 5ms);
  EXPECT_EQ(Bpm::of(10).interval(), 6s);
  EXPECT_EQ(Bpm::of(6000).interval(), 10ms);
  EXPECT_EQ(Bpm::of(110).interval(), 545'454'545ns);  // float32 gave 545 454 592
}

TEST(Bpm, BeatTimeIsComputedFromTheCountAndNeverDrifts) {
  const Bpm bpm = Bpm::of(110);
  // One hour at 110 bpm: 6600 beats, the last exactly on the hour.
  EXPECT_EQ(bpm.beat_time(6600), 3600s);
  EXPECT_EQ(bpm.beat_time(1), 545'454'545ns);
  EXPECT_EQ(bpm.beat_time(11), 6s);
  // Summing intervals would drift by n * 0.45 ns.
  EXPECT_NE(bpm.beat_time(6600), 6600 * bpm.interval());
}

TEST(Delay, ShortIsHalfTheBaseline) {
  EXPECT_EQ(short_delay(10ms), 5ms);
}

TEST(Delay, RandomSpansTwoTenthsToTwoAndAHalf) {
  EXPECT_EQ(random_delay(10ms, 0.0), 2ms);
  EXPECT_EQ(random_delay(10ms, 0.5), 13'500us);
  EXPECT_LT(random_delay(10ms, 0.999999), 25ms);
}

TEST(Delay, TriangularClimbsTenLevelsAndComesBack) {
  std::vector<Duration> levels;
  for (int slot = 0; slot < 20; ++slot) levels.push_back(triangular_delay(10ms, slot * 10ms + 3ms));
  const std::vector<Duration> expected{
      2000us,  4300us,  6600us,  8900us,  11200us, 13500us, 15800us, 18100us, 20400us, 22700us,
      22700us, 20400us, 18100us, 15800us, 13500us, 11200us, 8900us,  6600us,  4300us,  2000us};
  EXPECT_EQ(levels, expected);
  EXPECT_EQ(triangular_delay(10ms, 200ms), 2ms);  // period 20 baselines
}

TEST(Delay, NamesRoundTrip) {
  for (Delay d : {Delay::short_, Delay::random, Delay::triangular})
    EXPECT_EQ(parse_delay(name(d)), d);
  EXPECT_EQ(parse_delay("long"), std::nullopt);
}

TEST(Tracker, BackDatesMeasurementsAndMarksStragglers) {
  runtime::Time clock = 0ms;
  Tracker tracker([&] { return clock; });
  tracker.ghosts(Bpm::of(6000), 3);
  clock = 12ms;
  tracker.measurement(40, 7ms);
  tracker.beat(0, 40, Label::io);
  clock = 20ms;
  tracker.end();
  clock = 25ms;
  tracker.beat(1, 40, Label::count);

  const auto events = tracker.events();
  ASSERT_EQ(events.size(), 7u);
  EXPECT_EQ(events[0].at, 0ms);  // ghost #0 really at zero
  EXPECT_EQ(events[2].at, 20ms);
  EXPECT_EQ(events[3].category, Category::volume);
  EXPECT_EQ(events[3].at, 5ms);
  EXPECT_EQ(events[3].duration, 7ms);
  EXPECT_EQ(content(events[4]), "I");
  EXPECT_EQ(tooltip(events[4]), "beat #0 at 40 power");
  EXPECT_FALSE(events[4].after_end);
  EXPECT_EQ(events[5].category, Category::end);
  EXPECT_EQ(events[5].at, 20ms);
  EXPECT_TRUE(events[6].after_end);
  EXPECT_EQ(content(events[6]), "1");
  EXPECT_EQ(tooltip(events[1]), "ghost #1");
  EXPECT_EQ(content(events[1]), "O");
}

TEST(Pipeline, PrintsTheOriginalsEightLines) {
  EXPECT_EQ(
      run_pipeline(pipeline_demo_words()),
      (std::vector<std::string>{"elppa", "mucuc", "reb", "noino", "abbac", "eg", "rebua", "enig"}));
}

TEST(Pipeline, KeepsTheOriginalsQuirkOfDroppingALoneTrailingLetter) {
  EXPECT_EQ(run_pipeline({"carrot", "a", "", "melon", "watermelon"}),
            (std::vector<std::string>{"orrac", "nolem", "retaw", "nolem"}));
}

}  // namespace
}  // namespace cacophony
