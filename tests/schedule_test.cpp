// Schedule strategies on their own: the string form round-trips; random and pct are seeded;
// dfs walks every combination of choices once; replay makes the same choices again.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "cacophony/runtime/runtime.h"
#include "cacophony/runtime/schedule.h"
#include "cacophony/runtime/wait_group.h"

namespace cacophony::runtime {
namespace {

// A run that makes `points` choices among `options` ready tasks each; the choices it made.
std::vector<std::uint32_t> run_with(Strategy& s, int points, int options) {
  s.begin();
  std::vector<std::uint64_t> ready;
  for (int t = 0; t < options; ++t) {
    s.created(static_cast<std::uint64_t>(t), "a.cpp", 1);
    ready.push_back(static_cast<std::uint64_t>(t));
  }
  for (int i = 0; i < points; ++i) s.choose(ready);
  return s.choices();
}

TEST(Schedule, TheStringFormRoundTrips) {
  for (const char* text : {"random:7:42", "pct3:1:99", "dfs:5:0.1.0.2", "dfs:5:"}) {
    const auto s = Schedule::parse(text);
    ASSERT_TRUE(s) << text;
    EXPECT_EQ(s->to_string(), text);
  }
  for (const char* bad : {"", "random", "random:1", "random:x:1", "pct0:1:1", "lifo:1:1",
                          "dfs:1:1..2", "random:1:2:3"})
    EXPECT_FALSE(Schedule::parse(bad)) << bad;
}

TEST(Schedule, RandomAndPctAreSeeded) {
  for (auto make : {+[](std::uint64_t seed) { return random_strategy(seed); },
                    +[](std::uint64_t seed) { return pct_strategy(seed, 3, 50); }}) {
    auto a = make(1), b = make(1), c = make(2);
    EXPECT_EQ(run_with(*a, 50, 3), run_with(*b, 50, 3));
    EXPECT_NE(run_with(*a, 50, 3), run_with(*c, 50, 3));
    EXPECT_EQ(run_with(*a, 50, 3), run_with(*a, 50, 3)) << "begin() starts it over";
  }
}

TEST(Schedule, DfsRunsEveryCombinationOnce) {
  DfsStrategy dfs;
  std::set<std::vector<std::uint32_t>> seen;
  int runs = 0;
  do {
    seen.insert(run_with(dfs, 3, 3));
    ++runs;
  } while (dfs.advance() && runs < 1000);
  EXPECT_EQ(runs, 27);  // 3 choices of 3 options
  EXPECT_EQ(seen.size(), 27u);
}

TEST(Schedule, ReplayMakesTheSameChoices) {
  auto pct = pct_strategy(9, 2, 40);
  const auto made = run_with(*pct, 40, 4);
  auto again = replay(*Schedule::parse("pct2:1:9"), 40);
  EXPECT_EQ(run_with(*again, 40, 4), made);
  Schedule path;
  path.kind = Schedule::Kind::dfs;
  path.path = {2, 1, 0, 3};
  auto followed = replay(path);
  EXPECT_EQ(run_with(*followed, 6, 4), (std::vector<std::uint32_t>{2, 1, 0, 3, 0, 0}));
}

// Three tasks ready at once, each writing its letter: DFS runs the simulated runtime through
// exactly the 3! orders, each once, and replaying a schedule's path gives its order again.
TEST(Schedule, DfsEnumeratesEveryOrderOfThreeTasksInTheRuntime) {
  const auto program = [](Strategy& strategy) {
    std::string order;
    auto rt = Runtime::create(TimeMode::simulated, 1, strategy);
    rt->run([&order] {
      WaitGroup wg;
      wg.add(3);
      for (char letter : {'a', 'b', 'c'})
        go([&order, &wg, letter] {
          order += letter;
          wg.done();
        });
      wg.wait();
    });
    return order;
  };
  DfsStrategy dfs;
  std::set<std::string> orders;
  std::vector<std::vector<std::uint32_t>> paths;
  std::vector<std::string> each;
  int runs = 0;
  do {
    each.push_back(program(dfs));
    orders.insert(each.back());
    paths.push_back(dfs.choices());
    ++runs;
  } while (dfs.advance() && runs < 100);
  // Each go() is a choice point besides the wait: the spawner goes on, or a ready task runs.
  EXPECT_EQ(runs, 48);
  EXPECT_EQ(orders, (std::set<std::string>{"abc", "acb", "bac", "bca", "cab", "cba"}));
  for (std::size_t i = 0; i < paths.size(); ++i) {
    Schedule s;
    s.kind = Schedule::Kind::dfs;
    s.path = paths[i];
    auto again = replay(s);
    EXPECT_EQ(program(*again), each[i]) << i;
  }
}

TEST(Schedule, ASpawnedTaskMayRunBeforeItsSpawnerGoesOn) {
  // What the spawner sees right after go(): FIFO goes on first; another schedule runs the task.
  const auto program = [](Strategy& strategy) {
    bool ran = false;
    bool seen = false;
    auto rt = Runtime::create(TimeMode::simulated, 1, strategy);
    rt->run([&] {
      go([&ran] { ran = true; });
      seen = ran;
    });
    return std::pair{seen, strategy.choices().size()};
  };
  DfsStrategy dfs;
  std::set<bool> seen;
  do seen.insert(program(dfs).first);
  while (dfs.advance());
  EXPECT_EQ(seen, (std::set<bool>{false, true}));
  auto fifo = replay(Schedule{Schedule::Kind::dfs, 1, 0, 3, {}});
  EXPECT_EQ(program(*fifo), (std::pair<bool, std::size_t>{false, 1}));  // the go() alone
}

TEST(Schedule, ANarratorKeepsEachChoiceTheTasksOriginsAndEverySwitch) {
  // Two tasks go() from the main task, which then waits for both: under FIFO each go() is a
  // choice (the spawner went on), and the wait leaves the two ready in the order of their go().
  std::vector<std::pair<std::uint64_t, std::string>> switches;
  Narrator narrator(nullptr, [&switches](std::uint64_t task, const std::string& origin) {
    switches.emplace_back(task, origin);
  });
  const unsigned line = __LINE__;  // the go()s are 5 and 6 lines below
  auto rt = Runtime::create(TimeMode::simulated, 1, narrator);
  rt->run([] {
    WaitGroup done;
    done.add(2);
    go([&done] { done.done(); });
    go([&done] { done.done(); });
    done.wait();
  });
  using Ready = std::vector<std::uint64_t>;
  ASSERT_EQ(narrator.steps().size(), 3u);
  EXPECT_EQ(narrator.steps()[0].ready, (Ready{0, 1}));
  EXPECT_EQ(narrator.steps()[1].ready, (Ready{0, 1, 2}));
  EXPECT_EQ(narrator.steps()[2].ready, (Ready{1, 2}));
  for (const auto& step : narrator.steps()) EXPECT_EQ(step.taken, 0u);
  EXPECT_EQ(narrator.choices(), (std::vector<std::uint32_t>{0, 0, 0}));
  EXPECT_EQ(narrator.origin(0), "the main task");
  EXPECT_EQ(narrator.origin(1), "go at schedule_test.cpp:" + std::to_string(line + 5));
  EXPECT_EQ(narrator.origin(2), "go at schedule_test.cpp:" + std::to_string(line + 6));
  EXPECT_EQ(narrator.origin(3), "");
  using Switch = std::pair<std::uint64_t, std::string>;
  EXPECT_EQ(switches, (std::vector<Switch>{{0, narrator.origin(0)},
                                           {1, narrator.origin(1)},
                                           {2, narrator.origin(2)},
                                           {0, narrator.origin(0)}}));
}

TEST(Schedule, ANarratorMakesTheChoicesOfTheStrategyItWraps) {
  const auto choices = [](Strategy& strategy) {
    auto rt = Runtime::create(TimeMode::simulated, 1, strategy);
    rt->run([] {
      for (int i = 0; i < 4; ++i) go([] { yield(); });
    });
    return strategy.choices();
  };
  auto alone = random_strategy(7);
  auto wrapped = random_strategy(7);
  Narrator narrator(wrapped.get());
  const auto expected = choices(*alone);
  EXPECT_EQ(choices(narrator), expected);
  EXPECT_GT(std::count_if(expected.begin(), expected.end(), [](auto c) { return c != 0; }), 0);
  ASSERT_EQ(narrator.steps().size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i)
    EXPECT_EQ(narrator.steps()[i].taken, expected[i]);
}

TEST(Schedule, AStrategyNeedsAFiberRuntime) {
  DfsStrategy dfs;
  EXPECT_THROW(Runtime::create(TimeMode::threads, 1, dfs), std::invalid_argument);
}

}  // namespace
}  // namespace cacophony::runtime
