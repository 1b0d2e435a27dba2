// Explore: the scenarios' known signatures across a thousand schedules per strategy, and a
// planted bug that FIFO never meets, PCT finds, and replay reproduces.

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "cacophony/analysis/metrics.h"
#include "cacophony/explore/explore.h"
#include "cacophony/runtime/runtime.h"
#include "cacophony/runtime/wait_group.h"
#include "cacophony/scenario/scenario.h"

namespace cacophony {
namespace {

using runtime::Schedule;

std::size_t count(const Exploration& x, Outcome o) {
  return x.outcomes[static_cast<std::size_t>(o)].count;
}

// A thousand schedules per strategy; under a sanitizer a hundred: ThreadSanitizer's bookkeeping
// for the fibers of twelve thousand runs outgrows what it can map (it failed with ENOMEM), and
// the sanitizer builds are there for races and memory errors, not for the statistics.
#ifdef CACOPHONY_SANITIZED
constexpr std::size_t kSchedules = 100;
#else
constexpr std::size_t kSchedules = 1000;
#endif

Exploration explored(std::string_view id, Schedule::Kind strategy,
                     std::size_t schedules = kSchedules) {
  ExploreOptions o;
  o.strategy = strategy;
  o.schedules = schedules;
  return explore(*find_scenario(id), o);
}

TEST(Explore, TheKnownSignaturesHoldAcrossAThousandSchedules) {
  for (Schedule::Kind strategy : {Schedule::Kind::random, Schedule::Kind::pct}) {
    const Exploration naive = explored("async_naive", strategy);
    EXPECT_EQ(naive.schedules, kSchedules);
    EXPECT_GT(count(naive, Outcome::lost), 0u);
    EXPECT_GT(count(naive, Outcome::disorder), 0u);
    EXPECT_EQ(count(explored("async_naive_waiting_for_completion", strategy), Outcome::lost), 0u);
    for (std::string_view id : {"async_with_atomic", "async_with_mutex", "async_with_channels",
                                "async_with_channels_services"}) {
      const Exploration x = explored(id, strategy);
      EXPECT_EQ(count(x, Outcome::lost), 0u) << id << " " << x.outcomes[0].first;
      EXPECT_EQ(count(x, Outcome::disorder), 0u) << id << " " << x.outcomes[1].first;
      EXPECT_EQ(count(x, Outcome::deadlock) + count(x, Outcome::threw), 0u) << id;
    }
  }
}

// Beats 7 and 8 wake at one instant: in FIFO order the earlier task runs first; any schedule that
// lets beat 8 go first plays out of order.
Metronome planted(VolumeMeter, int beats) {
  return [beats](Bpm bpm, const BeatPerformer& perform) {
    runtime::WaitGroup wg;
    for (int n = 0; n < beats; ++n) {
      wg.add(1);
      const runtime::Time at = (n == 8 ? 7 : n) * bpm.interval();
      runtime::go([=, &wg] {
        runtime::sleep_until(at);
        perform(n, 50);
        wg.done();
      });
    }
    wg.wait();
  };
}

constexpr Words kPlantedWords[] = {{"A planted ordering bug."}};
const Scenario kPlanted{"planted", kPlantedWords, Delay::short_, Label::count,
                        false,     "planted",     planted};

TEST(Explore, APlantedBugFifoNeverMeetsPctFindsAndReplayReproduces) {
  RunOptions fifo;
  fifo.time = runtime::TimeMode::simulated;
  EXPECT_EQ(measure(run_scenario(kPlanted, fifo)).out_of_order, 0) << "FIFO never meets it";
  ExploreOptions o;
  o.strategy = Schedule::Kind::pct;
  o.schedules = 1000;
  const Exploration x = explore(kPlanted, o);
  ASSERT_GT(count(x, Outcome::disorder), 0u) << "PCT finds it";
  const std::string first = x.outcomes[static_cast<std::size_t>(Outcome::disorder)].first;
  const auto schedule = Schedule::parse(first);
  ASSERT_TRUE(schedule) << first;
  EXPECT_GT(measure(replay_run(kPlanted, *schedule, {})).out_of_order, 0) << first;
}

TEST(Explore, DfsStopsWhenEverySchedulesIsRun) {
  ExploreOptions o;
  o.strategy = Schedule::Kind::dfs;
  o.schedules = 100000;
  o.run.beats = 3;
  const Exploration x = explore(*find_scenario("async_naive"), o);
  EXPECT_TRUE(x.exhausted);
  EXPECT_LT(x.schedules, 100000u);
  EXPECT_GT(x.schedules, 1u);
}

const MetricRange& figure(const Exploration& x, std::string_view name) {
  for (const MetricRange& m : x.metrics)
    if (m.name == name) return m;
  throw std::out_of_range(std::string(name));
}

ExploreOptions varying(Vary vary, Schedule::Kind strategy, std::size_t schedules, int beats) {
  ExploreOptions o;
  o.vary = vary;
  o.strategy = strategy;
  o.schedules = schedules;
  o.run.beats = beats;
  return o;
}

TEST(Explore, VaryOrderHoldsTheDelaysAndReachesManyTaskOrders) {
  const Exploration x =
      explore(*find_scenario("async_naive"), varying(Vary::order, Schedule::Kind::random, 200, 15));
  // Every run measured the same delays: its largest lag is one figure.
  EXPECT_EQ(figure(x, "lag_max_ms").min, figure(x, "lag_max_ms").max);
  EXPECT_GE(figure(x, "choice_points").min, 15);  // a go() per beat at least
  EXPECT_GT(x.distinct_orders, 100u);
  const auto first = Schedule::parse(x.outcomes[static_cast<std::size_t>(Outcome::lost)].first);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->run_seed, 1u);
  // The schedule alone replays the run, bit for bit.
  RunOptions r;
  r.beats = 15;
  EXPECT_EQ(measure(replay_run(*find_scenario("async_naive"), *first, r)).lag_ms.max,
            figure(x, "lag_max_ms").max);
}

TEST(Explore, VaryTimingRunsFifoWithTheRunsSeedVarying) {
  const Exploration x =
      explore(*find_scenario("async_naive"), varying(Vary::timing, Schedule::Kind::pct, 200, 15));
  EXPECT_EQ(x.strategy, "fifo");
  EXPECT_LT(figure(x, "lag_max_ms").min, figure(x, "lag_max_ms").max);
  EXPECT_GT(count(x, Outcome::disorder), 0u);
  EXPECT_EQ(x.outcomes[static_cast<std::size_t>(Outcome::disorder)].first, "dfs:2:");
}

TEST(Explore, DfsOnOrderRunsEveryScheduleAndCountsTheDistinctOrders) {
  const Exploration all =
      explore(*find_scenario("async_naive"), varying(Vary::order, Schedule::Kind::dfs, 1000, 3));
  EXPECT_TRUE(all.exhausted);
  EXPECT_EQ(all.schedules, 32u);
  EXPECT_EQ(all.distinct_orders, 28u);  // some choices differ but run the tasks alike
  const Exploration bound =
      explore(*find_scenario("async_naive"), varying(Vary::order, Schedule::Kind::dfs, 10, 3));
  EXPECT_FALSE(bound.exhausted);
  EXPECT_EQ(bound.schedules, 10u);
}

TEST(Explore, TheRepresentativeIsTheCommonestAnomalyThenClean) {
  Exploration x;
  const auto set = [&x](Outcome o, std::size_t n) {
    x.outcomes[static_cast<std::size_t>(o)] = {n, n ? "random:1:1" : "", ""};
  };
  EXPECT_FALSE(representative(x).has_value());
  set(Outcome::deadlock, 9);
  set(Outcome::threw, 9);
  EXPECT_FALSE(representative(x).has_value()) << "nothing ended to draw";
  set(Outcome::clean, 1);
  EXPECT_EQ(representative(x), Outcome::clean);
  set(Outcome::stale, 1);
  EXPECT_EQ(representative(x), Outcome::stale);
  set(Outcome::overlap, 4);
  set(Outcome::disorder, 4);
  EXPECT_EQ(representative(x), Outcome::disorder) << "the first on a tie";
  set(Outcome::lost, 5);
  EXPECT_EQ(representative(x), Outcome::lost);
}

}  // namespace
}  // namespace cacophony
