// The Go-style runtime, in all three modes. Simulated runs assert exact times; real-clock runs
// (real and threads) assert only what holds on a loaded 2-core machine.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "cacophony/runtime/channel.h"
#include "cacophony/runtime/mutex.h"
#include "cacophony/runtime/schedule.h"
#include "cacophony/runtime/ticker.h"
#include "cacophony/runtime/timer.h"
#include "cacophony/runtime/wait_group.h"

namespace cacophony::runtime {
namespace {

using namespace std::chrono_literals;

// A real-time runtime on `procs` worker threads; later runtimes get the default (1) again.
std::unique_ptr<Runtime> real_on(unsigned procs, std::uint64_t seed = 1) {
  Runtime::set_procs(procs);
  auto rt = Runtime::create(TimeMode::real, seed);
  Runtime::set_procs(1);
  return rt;
}

// A mode and, for real time, its worker threads (Runtime::set_procs).
struct Clock {
  TimeMode mode;
  unsigned procs = 1;
};

class RuntimeTest : public ::testing::TestWithParam<Clock> {
 protected:
  void run(std::function<void()> main, std::uint64_t seed = 1) {
    rt_ = GetParam().mode == TimeMode::real ? real_on(GetParam().procs, seed)
                                            : Runtime::create(GetParam().mode, seed);
    rt_->run(std::move(main));
  }
  bool simulated() const { return GetParam().mode == TimeMode::simulated; }
  std::unique_ptr<Runtime> rt_;
};

TEST_P(RuntimeTest, RendezvousBlocksTheSenderUntilTaken) {
  Time sent_at{}, taken_at{};
  run([&] {
    Chan<int> ch;
    go([&, ch]() mutable {
      ch.send(7);
      sent_at = now();
    });
    sleep(20ms);
    taken_at = now();
    EXPECT_EQ(ch.recv(), 7);
    sleep(1ms);  // let the sender record its time
  });
  EXPECT_GE(sent_at, taken_at);
  if (simulated()) {
    EXPECT_EQ(sent_at, 20ms);
  }
}

TEST_P(RuntimeTest, ValuesArriveInFifoOrder) {
  std::vector<int> got;
  run([&] {
    Chan<int> unbuffered, buffered(3);
    go([=]() mutable {
      for (int i = 0; i < 50; ++i) unbuffered.send(i);
      unbuffered.close();
    });
    go([=]() mutable {
      for (int i = 0; i < 50; ++i) buffered.send(100 + i);
      buffered.close();
    });
    for (int v : unbuffered) got.push_back(v);
    for (int v : buffered) got.push_back(v);
  });
  ASSERT_EQ(got.size(), 100u);
  for (int i = 0; i < 50; ++i) {
    EXPECT_EQ(got[i], i);
    EXPECT_EQ(got[50 + i], 100 + i);
  }
}

TEST_P(RuntimeTest, BufferedSendBlocksOnlyWhenFull) {
  run([&] {
    Chan<int> ch(2);
    EXPECT_TRUE(ch.try_send(1));
    EXPECT_TRUE(ch.try_send(2));
    EXPECT_FALSE(ch.try_send(3));
    EXPECT_EQ(ch.len(), 2u);
    EXPECT_EQ(ch.try_recv(), 1);
    EXPECT_TRUE(ch.try_send(3));
    EXPECT_EQ(ch.recv(), 2);
    EXPECT_EQ(ch.recv(), 3);
    EXPECT_EQ(ch.try_recv(), std::nullopt);
  });
}

TEST_P(RuntimeTest, CloseWakesEveryWaiterAndEndsRange) {
  std::atomic<int> woken{0}, ranged{0};
  run([&] {
    Chan<int> ch;
    WaitGroup group;
    for (int i = 0; i < 4; ++i) {
      group.add(1);
      go([&, ch]() mutable {
        if (!ch.recv()) ++woken;
        group.done();
      });
    }
    Chan<int> values(3);
    values.send(1);
    values.send(2);
    values.close();
    for (int v : values) ranged += v;
    sleep(5ms);
    ch.close();
    group.wait();
    EXPECT_EQ(values.recv(), std::nullopt);
    EXPECT_THROW(ch.send(1), std::logic_error);
    EXPECT_THROW(ch.close(), std::logic_error);
  });
  EXPECT_EQ(woken, 4);
  EXPECT_EQ(ranged, 3);
}

TEST_P(RuntimeTest, CloseWakesABlockedSenderWithAnError) {
  std::atomic<bool> threw{false};
  run([&] {
    Chan<int> ch;
    WaitGroup group;
    group.add(1);
    go([&, ch]() mutable {
      try {
        ch.send(1);
      } catch (const std::logic_error&) {
        threw = true;
      }
      group.done();
    });
    sleep(2ms);
    ch.close();
    group.wait();
  });
  EXPECT_TRUE(threw);
}

TEST_P(RuntimeTest, SelectTakesAReadyCaseAndDefaultOnlyWhenNoneIs) {
  run([&] {
    Chan<int> a(1), b(1);
    int taken = 0;
    bool defaulted = false;
    select(case_recv(a, [&](std::optional<int> v) { taken = *v; }),
           case_recv(b, [&](std::optional<int> v) { taken = *v; }),
           default_case([&] { defaulted = true; }));
    EXPECT_TRUE(defaulted);

    b.send(5);
    defaulted = false;
    const int index = select(case_recv(a, [&](std::optional<int> v) { taken = *v; }),
                             case_recv(b, [&](std::optional<int> v) { taken = *v; }),
                             default_case([&] { defaulted = true; }));
    EXPECT_FALSE(defaulted);
    EXPECT_EQ(index, 1);
    EXPECT_EQ(taken, 5);

    // A send case is ready when there is room.
    EXPECT_EQ(select(case_send(a, 9, [] {}), default_case([] {})), 0);
    EXPECT_EQ(a.recv(), 9);

    // A closed channel is always ready, with no value.
    a.close();
    bool closed = false;
    select(case_recv(a, [&](std::optional<int> v) { closed = !v; }), default_case([] {}));
    EXPECT_TRUE(closed);
  });
}

TEST_P(RuntimeTest, SelectBlocksUntilOneCaseIsReady) {
  Time woke{};
  run([&] {
    Chan<int> a, b;
    go([=]() mutable {
      sleep(15ms);
      b.send(2);
    });
    int got = 0;
    select(case_recv(a, [&](std::optional<int> v) { got = *v; }),
           case_recv(b, [&](std::optional<int> v) { got = 10 * *v; }));
    woke = now();
    EXPECT_EQ(got, 20);
  });
  if (simulated()) {
    EXPECT_EQ(woke, 15ms);
  } else {
    EXPECT_GE(woke, 15ms);
  }
}

TEST_P(RuntimeTest, SelectPicksAmongReadyCasesAtRandom) {
  int first = 0, second = 0;
  run([&] {
    Chan<int> a(1), b(1);
    for (int i = 0; i < 400; ++i) {
      a.try_send(1);
      b.try_send(2);
      select(case_recv(a, [&](std::optional<int>) { ++first; }),
             case_recv(b, [&](std::optional<int>) { ++second; }));
    }
  });
  EXPECT_GT(first, 100);
  EXPECT_GT(second, 100);
}

TEST_P(RuntimeTest, TickerDoesNotFireAtOnceAndKeepsItsGrid) {
  std::vector<Time> ticks;
  Time made{}, asked{};
  std::optional<Time> early;
  run([&] {
    made = now();
    Ticker ticker(10ms);
    early = ticker.c.try_recv();
    asked = now();
    for (int i = 0; i < 3; ++i) {
      ticker.c.recv();
      ticks.push_back(now());
    }
  });
  ASSERT_EQ(ticks.size(), 3u);
  if (simulated()) {
    EXPECT_EQ(early, std::nullopt);
    EXPECT_EQ(ticks[0], 10ms);
    EXPECT_EQ(ticks[1], 20ms);
    EXPECT_EQ(ticks[2], 30ms);
  } else {
    // On a loaded machine a whole period may pass before try_recv; a tick is then allowed,
    // but never one sent sooner than a period after the ticker was made.
    if (early) {
      EXPECT_GE(*early - made, 10ms);
      EXPECT_GE(asked - made, 10ms);
    }
    EXPECT_GE(ticks[0] - made, 10ms);
    EXPECT_GE(ticks[2] - made, 30ms);
  }
}

TEST_P(RuntimeTest, TickerDropsTicksForASlowReceiver) {
  std::vector<Time> values, received;
  run([&] {
    Ticker ticker(10ms);
    sleep(35ms);  // ticks at 10, 20 and 30 fall due; only the first fits in the slot
    for (int i = 0; i < 2; ++i) {
      values.push_back(*ticker.c.recv());
      received.push_back(now());
    }
  });
  ASSERT_EQ(values.size(), 2u);
  ASSERT_EQ(received.size(), 2u);
  if (simulated()) {
    EXPECT_EQ(values[0], 10ms);  // the stale tick, at once
    EXPECT_EQ(received[0], 35ms);
    EXPECT_EQ(values[1], 40ms);  // then the next grid point: 20 and 30 were dropped
    EXPECT_EQ(received[1], 40ms);
  } else {
    // Load may delay any tick, but the second is sent after the first receive (at 35 ms or
    // later) and only on a grid point, so never before 40 ms: no backlog of 20 and 30.
    EXPECT_GE(values[0], 10ms);
    EXPECT_LE(values[0], received[0]);
    EXPECT_GE(values[1], 40ms);
  }
}

TEST_P(RuntimeTest, TickerRejectsANonPositivePeriod) {
  run([&] { EXPECT_THROW(Ticker ticker(0ms), std::invalid_argument); });
}

// Ticks taken after a reset at `reset_at` with period `period`, less a stale one of the old grid
// that the slot may still hold (at most one, and only first): each is on or after its new grid
// point, the k-th no sooner than reset_at + k·period.
void expect_on_new_grid(std::vector<Time> ticks, Time reset_at, Duration period) {
  if (!ticks.empty() && ticks.front() < reset_at) ticks.erase(ticks.begin());
  for (std::size_t k = 0; k < ticks.size(); ++k)
    EXPECT_GE(ticks[k], reset_at + static_cast<int>(k + 1) * period) << "tick " << k;
}

// Go's TestTicker: ticks at one period, then Reset to twice it, then Stop. The grid restarts at
// the reset, and a stopped ticker sends nothing more.
TEST_P(RuntimeTest, TickerResetRestartsTheGridWithTheNewPeriod) {
  std::vector<Time> before, after;
  Time reset_at{};
  std::optional<Time> drained, after_stop;
  run([&] {
    Ticker ticker(10ms);
    for (int i = 0; i < 3; ++i) before.push_back(*ticker.c.recv());
    reset_at = now();
    ticker.reset(20ms);
    for (int i = 0; i < 3; ++i) after.push_back(*ticker.c.recv());
    ticker.stop();
    drained = ticker.c.try_recv();  // a loaded machine may have let a tick in before the stop
    sleep(40ms);
    after_stop = ticker.c.try_recv();
  });
  EXPECT_EQ(after_stop, std::nullopt);
  if (simulated()) {
    EXPECT_EQ(drained, std::nullopt);
    EXPECT_EQ(before, (std::vector<Time>{10ms, 20ms, 30ms}));
    EXPECT_EQ(reset_at, 30ms);
    EXPECT_EQ(after, (std::vector<Time>{50ms, 70ms, 90ms}));
  } else {
    for (int k = 0; k < 3; ++k) EXPECT_GE(before[k], (k + 1) * 10ms);
    expect_on_new_grid(after, reset_at, 20ms);
  }
}

// Go's Reset on a stopped ticker (Go 1.15 on) starts it again, its first tick a period later.
TEST_P(RuntimeTest, TickerResetRestartsAStoppedTicker) {
  std::optional<Time> while_stopped;
  Time reset_at{}, first{};
  std::vector<Time> restarted;
  run([&] {
    Ticker at_once(10ms);
    at_once.stop();
    at_once.reset(10ms);  // before its task ever ran: one task ticks, from now
    first = *at_once.c.recv();
    at_once.stop();

    Ticker ticker(10ms);
    ticker.stop();
    ticker.c.try_recv();  // a tick a loaded machine let in before the stop
    sleep(30ms);
    while_stopped = ticker.c.try_recv();
    reset_at = now();
    ticker.reset(15ms);
    for (int i = 0; i < 2; ++i) restarted.push_back(*ticker.c.recv());
  });
  EXPECT_EQ(while_stopped, std::nullopt);
  if (simulated()) {
    EXPECT_EQ(first, 10ms);
    EXPECT_EQ(reset_at, 40ms);
    EXPECT_EQ(restarted, (std::vector<Time>{55ms, 70ms}));
  } else {
    EXPECT_GE(first, 10ms);
    expect_on_new_grid(restarted, reset_at, 15ms);
  }
}

// Go's TestTickerResetLtZeroDuration: Reset panics on a non-positive period; here it throws, and
// the ticker keeps its grid.
TEST_P(RuntimeTest, TickerResetRejectsANonPositivePeriodAndChangesNothing) {
  Time made{}, tick{};
  run([&] {
    made = now();
    Ticker ticker(10ms);
    EXPECT_THROW(ticker.reset(0ms), std::invalid_argument);
    EXPECT_THROW(ticker.reset(-1ms), std::invalid_argument);
    tick = *ticker.c.recv();
  });
  EXPECT_GE(tick - made, 10ms);
  if (simulated()) {
    EXPECT_EQ(tick, 10ms);
  }
}

// Another task may reset the ticker while its owner waits on the channel: the waiting receive
// gets the first tick of the new grid.
TEST_P(RuntimeTest, TickerResetFromAnotherTaskMovesAWaitingReceive) {
  Time reset_at{}, tick{};
  run([&] {
    Ticker ticker(1s);
    WaitGroup group;
    group.add(1);
    go([&] {
      sleep(10ms);
      reset_at = now();
      ticker.reset(5ms);
      group.done();
    });
    tick = *ticker.c.recv();
    group.wait();
  });
  EXPECT_GE(tick, reset_at + 5ms);
  if (simulated()) {
    EXPECT_EQ(tick, 15ms);
  }
}

TEST_P(RuntimeTest, WaitGroupWaitsForAll) {
  std::atomic<int> finished{0};
  Time waited{};
  run([&] {
    WaitGroup group;
    for (int i = 1; i <= 5; ++i) {
      group.add(1);
      go([&, i] {
        sleep(i * 3ms);
        ++finished;
        group.done();
      });
    }
    group.wait();
    waited = now();
    EXPECT_EQ(finished, 5);
    EXPECT_THROW(group.done(), std::logic_error);
  });
  if (simulated()) {
    EXPECT_EQ(waited, 15ms);
  }
}

TEST_P(RuntimeTest, MutexExcludes) {
  long counter = 0;
  run([&] {
    Mutex mutex;
    WaitGroup group;
    for (int t = 0; t < 4; ++t) {
      group.add(1);
      go([&] {
        for (int i = 0; i < 2000; ++i) {
          std::scoped_lock lock(mutex);
          const long seen = counter;
          if (i % 500 == 0) yield();  // invite interleaving while holding the lock
          counter = seen + 1;
        }
        group.done();
      });
    }
    group.wait();
  });
  EXPECT_EQ(counter, 8000);
}

TEST_P(RuntimeTest, RunJoinsTasksThatOutliveMain) {
  std::atomic<bool> straggler_done{false};
  Time main_returned{};
  run([&] {
    go([&] {
      sleep(300ms);  // long enough that even a loaded machine returns from main first
      straggler_done = true;
    });
    main_returned = now();
  });
  EXPECT_TRUE(straggler_done);
  EXPECT_LT(main_returned, 300ms);
}

TEST_P(RuntimeTest, AnExceptionInATaskReachesTheCaller) {
  EXPECT_THROW(run([] { go([] { throw std::runtime_error("boom"); }); }), std::runtime_error);
}

TEST_P(RuntimeTest, BusyWaitingIsCounted) {
  run([&] {
    std::atomic<bool> flag{false};
    go([&] {
      sleep(20ms);
      flag = true;
    });
    while (!flag.load()) yield();
  });
  if (simulated()) {
    EXPECT_EQ(rt_->busy_wait_cpu(), 20ms);
  } else {
    EXPECT_GT(rt_->busy_wait_cpu(), 0ms);
  }
}

TEST_P(RuntimeTest, ASpinningTaskDoesNotStarveTheOthers) {
  std::atomic<bool> stop{false};
  std::vector<int> got;
  int ticks = 0;
  run([&] {
    go([&] {
      while (!stop.load()) yield();
    });
    Chan<int> ch;
    go([=]() mutable {
      for (int i = 0; i < 5; ++i) ch.send(i);
      ch.close();
    });
    for (int v : ch) got.push_back(v);
    Ticker ticker(2ms);
    for (; ticks < 3; ++ticks) ticker.c.recv();
    sleep(1ms);
    stop = true;
  });
  EXPECT_EQ(got, (std::vector<int>{0, 1, 2, 3, 4}));
  EXPECT_EQ(ticks, 3);
  EXPECT_GT(rt_->busy_wait_cpu(), 0ms);
}

// The fiber runtimes see every task: when none can run and no timer is due, they say so. (With a
// thread per task a deadlocked run hangs, as Go's does with more than one thread busy elsewhere:
// that mode is not instantiated here.)
class FiberRuntimeTest : public RuntimeTest {};

TEST_P(FiberRuntimeTest, ReportsADeadlockInsteadOfHanging) {
  try {
    run([] {
      Chan<int> never;
      go([=]() mutable { never.recv(); });
      never.recv();
    });
    FAIL() << "expected a deadlock error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("deadlock"), std::string::npos) << e.what();
  }
}

// Go prints every goroutine of a deadlock and what it waits on; so does the error, one task after
// the other in order of go(), each with the line that started it.
TEST_P(FiberRuntimeTest, ADeadlockNamesEveryBlockedTaskItsOperationAndWhereItStarted) {
  int receive_line = 0, send_line = 0, group_line = 0, lock_line = 0, select_line = 0;
  try {
    run([&] {
      Chan<int> never, full(1);
      WaitGroup group;
      Mutex mutex;
      full.send(1);
      mutex.lock();
      group.add(1);
      // clang-format off
      receive_line = __LINE__; go([=]() mutable { never.recv(); });
      send_line = __LINE__; go([=]() mutable { full.send(2); });
      group_line = __LINE__; go([&] { group.wait(); });
      lock_line = __LINE__; go([&] { mutex.lock(); });
      select_line = __LINE__; go([=]() mutable { select(case_recv(never, [](std::optional<int>) {}), case_send(full, 3, [] {})); });
      // clang-format on
      group.wait();
    });
    FAIL() << "expected a deadlock error";
  } catch (const std::runtime_error& e) {
    const auto at = [](int line) {
      return "(go at runtime_test.cpp:" + std::to_string(line) + ")";
    };
    EXPECT_EQ(std::string(e.what()),
              "deadlock: all 6 tasks are blocked and no timer is due: task 0 (the main task) "
              "waits on a wait group; task 1 " +
                  at(receive_line) + " waits on a receive; task 2 " + at(send_line) +
                  " waits on a send; task 3 " + at(group_line) + " waits on a wait group; task 4 " +
                  at(lock_line) + " waits on a mutex; task 5 " + at(select_line) +
                  " waits on a select");
  }
}

[[noreturn]] void say_stuck_and_exit(const std::string& message) {
  std::fprintf(stderr, "stuck: %s\n", message.c_str());
  std::_Exit(3);
}

// A busy-wait without yield() holds the fibers' one thread for good: no hang in silence, but the
// stuck-task handler told which task, once Runtime::kStuckAfter has passed.
TEST_P(FiberRuntimeTest, ASpinWithoutYieldIsNamedNotSilent) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        Runtime::set_stuck_handler(&say_stuck_and_exit);
        run([] {
          go([] {
            std::atomic<bool> never{false};
            while (!never.load()) {
            }
          });
        });
      },
      ::testing::ExitedWithCode(3),
      "stuck: task 1 \\(go at runtime_test\\.cpp:[0-9]+\\) ran 2 s without blocking or "
      "yielding: a busy-wait must call yield\\(\\)");
}

// Spinning with yield() is no stuck task: the other tasks, and time, move.
TEST_P(FiberRuntimeTest, ASpinWithYieldRunsLongerThanTheStuckLimit) {
  Runtime::set_stuck_handler(&say_stuck_and_exit);
  std::atomic<bool> done{false};
  run([&] {
    go([&] {
      while (!done.load()) yield();
    });
    sleep(Runtime::kStuckAfter + 500ms);
    done = true;
  });
  Runtime::set_stuck_handler(nullptr);
  EXPECT_TRUE(done);
}

// Go's TestPseudoRandomSend: a select blocked on two sends to one channel pairs with a receiver
// that comes later by a random case, not always the first (Go 1.19: 49 and 60 ones in 100).
TEST_P(RuntimeTest, ABlockedSelectWithTwoCasesOnOneChannelPairsARandomOne) {
  constexpr int kSends = 100;
  int ones = 0;
  run([&] {
    Chan<int> c;
    Chan<int> done;
    go([&, c, done]() mutable {
      for (int i = 0; i < kSends; ++i) {
        yield();
        ones += *c.recv();
      }
      done.send(0);
    });
    for (int i = 0; i < kSends; ++i) select(case_send(c, 1, [] {}), case_send(c, 0, [] {}));
    done.recv();
  });
  EXPECT_GT(ones, kSends / 10);
  EXPECT_LT(ones, kSends * 9 / 10);
}

// A task in yield() is not blocked: with nothing else to run, it runs on (no deadlock).
TEST_P(RuntimeTest, YieldWithNothingElseToRunIsNoDeadlock) {
  int after = 0;
  run([&] {
    yield();
    yield();
    after = 1;
  });
  EXPECT_EQ(after, 1);
}

// Go's nil channel: a select never chooses its case; closing it panics (throws); a default alone
// runs. (From Go's test/chan/select3.go and nonblock.go.)
TEST_P(RuntimeTest, ANilChannelsCaseIsNeverChosenAndADefaultAloneRuns) {
  run([] {
    Chan<int> nil = Chan<int>::nil(), ready(1);
    EXPECT_TRUE(nil.is_nil());
    EXPECT_EQ(nil.len(), 0u);
    EXPECT_EQ(nil.capacity(), 0u);
    for (int i = 0; i < 20; ++i) {
      ready.send(i);
      EXPECT_EQ(select(case_recv(nil, [](std::optional<int>) {}),
                       case_recv(ready, [](std::optional<int>) {})),
                1);
    }
    EXPECT_EQ(select(case_send(nil, 1, [] {}), default_case([] {})), -1);
    EXPECT_FALSE(nil.try_recv());
    EXPECT_FALSE(nil.try_send(1));
    int ran = 0;
    EXPECT_EQ(select(default_case([&] { ++ran; })), -1);
    EXPECT_EQ(ran, 1);
    EXPECT_THROW(nil.close(), std::logic_error);
  });
}

// A receive on a nil channel and `select {}` block for good: with nothing else to run, the run is
// a deadlock, and its error says what each task waits on.
TEST_P(FiberRuntimeTest, ANilReceiveAndSelectForeverBlockForGood) {
  try {
    run([] {
      go([] { select_forever(); });
      Chan<int>::nil().recv();
    });
    FAIL() << "expected a deadlock error";
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("task 0 (the main task) waits on a receive on a nil channel"),
              std::string::npos)
        << what;
    EXPECT_NE(what.find("waits on a select with no cases"), std::string::npos) << what;
  }
}

// Go's time.After and Timer (its TestAfter, TestAfterStop, TestReset, re-expressed): a timer fires
// once, d after it was made or reset; a stopped one never fires; stop() and reset() say whether
// it was pending. Simulated, the times are exact.
TEST_P(RuntimeTest, TimersFireOnceAfterTheirDurationStopAndReset) {
  run([&] {
    const Time start = now();
    const Time fired = *after(30ms).recv();
    EXPECT_GE(fired - start, 30ms);
    if (simulated()) {
      EXPECT_EQ(fired - start, 30ms);
    }

    // Real time: margins a loaded machine keeps (a stop 100 ms before the fire).
    Timer stopped(100ms);
    EXPECT_TRUE(stopped.stop()) << "pending";
    EXPECT_FALSE(stopped.stop()) << "already stopped";
    sleep(150ms);
    EXPECT_FALSE(stopped.c.try_recv()) << "a stopped timer never fires";

    Timer reset(200ms);
    const Time armed = now();
    sleep(10ms);
    EXPECT_TRUE(reset.reset(50ms)) << "still pending";
    const Time at = *reset.c.recv();
    EXPECT_GE(at - armed, 60ms);
    if (simulated()) {
      EXPECT_EQ(at - armed, 60ms);
    }
    EXPECT_FALSE(reset.stop()) << "it fired";
    EXPECT_FALSE(reset.reset(5ms)) << "fired, so not pending";
    EXPECT_TRUE(reset.c.recv()) << "a fired timer that is reset fires again";
  });
}

TEST_P(RuntimeTest, AfterFuncRunsItsFunctionOnceUnlessStopped) {
  int ran = 0, never = 0;
  run([&] {
    Chan<int> done(1);
    Timer t(15ms, [&ran, done]() mutable {
      ++ran;
      done.send(1);
    });
    Timer cancelled(100ms, [&never] { ++never; });
    EXPECT_TRUE(cancelled.stop());
    done.recv();
    sleep(150ms);
  });
  EXPECT_EQ(ran, 1);
  EXPECT_EQ(never, 0);
}

// --- Send-only and receive-only channels (Go's `chan<- T` and `<-chan T`) ---

// What each handle allows, as compile-time facts: the other direction's operations don't compile.
struct OnRecv {
  void operator()(std::optional<int>) const {}
};
struct OnSend {
  void operator()() const {}
};
// Every operation of a side compiles, or none does.
template <class C>
concept SendSide = requires(C c) {
  c.send(1);
  c.try_send(1);
  c.close();
  case_send(c, 1, OnSend{});
};
template <class C>
concept RecvSide = requires(C c) {
  c.recv();
  c.try_recv();
  c.begin();
  case_recv(c, OnRecv{});
};
// Unformatted: clang-format breaks each negated requires-expression over four lines.
// clang-format off
template <class C>
concept NoSendSide = !requires(C c) { c.send(1); } && !requires(C c) { c.try_send(1); } &&
                     !requires(C c) { c.close(); } && !requires(C c) { case_send(c, 1, OnSend{}); };
template <class C>
concept NoRecvSide = !requires(C c) { c.recv(); } && !requires(C c) { c.try_recv(); } &&
                     !requires(C c) { c.begin(); } && !requires(C c) { case_recv(c, OnRecv{}); };
// clang-format on

static_assert(SendSide<Chan<int>> && RecvSide<Chan<int>>);
static_assert(SendSide<SendChan<int>> && NoRecvSide<SendChan<int>>);
static_assert(RecvSide<RecvChan<int>> && NoSendSide<RecvChan<int>>);
// A Chan converts to either direction; nothing converts back, nor one direction to the other.
static_assert(std::is_convertible_v<Chan<int>, SendChan<int>> &&
              std::is_convertible_v<Chan<int>, RecvChan<int>>);
static_assert(!std::is_convertible_v<SendChan<int>, Chan<int>> &&
              !std::is_convertible_v<RecvChan<int>, Chan<int>> &&
              !std::is_convertible_v<SendChan<int>, RecvChan<int>> &&
              !std::is_convertible_v<RecvChan<int>, SendChan<int>>);
// Go's Ticker.C, Timer.C and time.After are `<-chan Time`.
static_assert(NoSendSide<decltype(Ticker::c)> && NoSendSide<decltype(Timer::c)> &&
              std::is_same_v<decltype(Ticker::c), RecvChan<Time>> &&
              std::is_same_v<decltype(Timer::c), RecvChan<Time>> &&
              std::is_same_v<decltype(after(1ms)), RecvChan<Time>>);

// The handles share one channel: what goes in through the send side comes out of the receive
// side, len() and capacity() agree on both, the sender closes, and a nil Chan stays nil.
TEST_P(RuntimeTest, DirectionalHandlesShareOneChannel) {
  run([] {
    Chan<int> ch(2);
    SendChan<int> out = ch;
    RecvChan<int> in = ch;
    EXPECT_TRUE(out.try_send(1));
    out.send(2);
    EXPECT_FALSE(out.try_send(3));
    EXPECT_EQ(in.len(), 2u);
    EXPECT_EQ(out.len(), 2u);
    EXPECT_EQ(in.capacity(), 2u);
    EXPECT_EQ(in.try_recv(), 1);
    out.close();
    std::vector<int> rest;
    for (int v : in) rest.push_back(v);
    EXPECT_EQ(rest, std::vector<int>{2});
    EXPECT_EQ(in.recv(), std::nullopt);
    EXPECT_THROW(out.send(4), std::logic_error);

    RecvChan<int> nil = Chan<int>::nil();
    EXPECT_TRUE(nil.is_nil());
    EXPECT_FALSE(in.is_nil());
    EXPECT_EQ(select(case_recv(nil, OnRecv{}), default_case(OnSend{})), -1);
  });
}

// Go's test/chan/sieve1.go: the prime sieve, each stage reading a `<-chan int` and writing a
// `chan<- int`. Bounded here (Go's runs forever and abandons its goroutines): the numbers up to
// 100 go in, the 25 primes below 100 come out, and every stage ends when its input closes.
void generate(SendChan<int> out) {
  for (int i = 2; i <= 100; ++i) out.send(i);
  out.close();
}
void filter(RecvChan<int> in, SendChan<int> out, int prime) {
  for (int i : in)
    if (i % prime != 0) out.send(i);
  out.close();
}
TEST_P(RuntimeTest, DirectionalChannelsRunGosPrimeSieve) {
  std::vector<int> primes;
  run([&] {
    Chan<int> first;
    go([first] { generate(first); });
    RecvChan<int> in = first;
    for (std::optional<int> prime = in.recv(); prime; prime = in.recv()) {
      primes.push_back(*prime);
      Chan<int> next;
      go([in, next, p = *prime] { filter(in, next, p); });
      in = next;
    }
  });
  EXPECT_EQ(primes, (std::vector<int>{2,  3,  5,  7,  11, 13, 17, 19, 23, 29, 31, 37, 41,
                                      43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97}));
}

// Go's test/chan/doubleselect.go: one sender selects over four send-only channels, four muxes
// forward their receive-only input to one channel, and the receiver sees every value exactly once
// (a select that completed two cases, or none, would show as a repeat or a gap).
TEST_P(RuntimeTest, DirectionalChannelsInGosDoubleSelect) {
  constexpr int kValues = 2'000;
  std::vector<int> seen(kValues, 0);
  run([&] {
    Chan<int> c1, c2, c3, c4, merged;
    Chan<bool> done;
    go([a = SendChan<int>(c1), b = SendChan<int>(c2), c = SendChan<int>(c3),
        d = SendChan<int>(c4)]() mutable {
      for (int i = 0; i < kValues; ++i)
        select(case_send(a, i, OnSend{}), case_send(b, i, OnSend{}), case_send(c, i, OnSend{}),
               case_send(d, i, OnSend{}));
      for (SendChan<int>* s : {&a, &b, &c, &d}) s->close();
    });
    for (RecvChan<int> in : {c1, c2, c3, c4})
      go([out = SendChan<int>(merged), in, finished = SendChan<bool>(done)]() mutable {
        for (int v : in) out.send(v);
        finished.send(true);
      });
    go([&, in = RecvChan<int>(merged)]() mutable {
      for (int v : in) ++seen[v];
    });
    for (int i = 0; i < 4; ++i) done.recv();
    merged.close();
  });
  EXPECT_EQ(std::count(seen.begin(), seen.end(), 1), kValues);
}

std::string mode_name(const ::testing::TestParamInfo<Clock>& info) {
  std::string n(name(info.param.mode));
  n[0] = static_cast<char>(std::toupper(n[0]));
  return info.param.procs > 1 ? n + "Procs" + std::to_string(info.param.procs) : n;
}

INSTANTIATE_TEST_SUITE_P(AllModes, RuntimeTest,
                         ::testing::Values(Clock{TimeMode::real}, Clock{TimeMode::real, 2},
                                           Clock{TimeMode::threads}, Clock{TimeMode::simulated}),
                         mode_name);
INSTANTIATE_TEST_SUITE_P(FiberModes, FiberRuntimeTest,
                         ::testing::Values(Clock{TimeMode::real}, Clock{TimeMode::real, 2},
                                           Clock{TimeMode::simulated}),
                         mode_name);

// --- one mode only ---

// Real time at procs 2 runs two tasks at once: each waits, without blocking or yielding, for the
// other to have started, which on one thread would never happen.
// Which runs keep every task on one thread, so that what tasks share needs no lock among them:
// simulated time, real time at one worker or ordered by a strategy; not threads time, nor real
// time on two workers.
TEST(Runtime, SaysWhetherItsTasksShareOneThread) {
  EXPECT_TRUE(Runtime::create(TimeMode::simulated, 1)->one_thread());
  EXPECT_TRUE(real_on(1)->one_thread());
  EXPECT_FALSE(real_on(2)->one_thread());
  EXPECT_FALSE(Runtime::create(TimeMode::threads, 1)->one_thread());
  const std::unique_ptr<Strategy> strategy = random_strategy(1);
  Runtime::set_procs(2);
  const std::unique_ptr<Runtime> ordered = Runtime::create(TimeMode::real, 1, *strategy);
  Runtime::set_procs(1);
  EXPECT_TRUE(ordered->one_thread());
}

TEST(WorkerRuntime, TwoWorkersRunTwoTasksAtOnce) {
  auto rt = real_on(2);
  std::atomic<bool> first{false}, second{false};
  rt->run([&] {
    WaitGroup both;
    both.add(2);
    go([&] {
      first = true;
      while (!second.load()) {
      }
      both.done();
    });
    go([&] {
      second = true;
      while (!first.load()) {
      }
      both.done();
    });
    both.wait();
  });
  EXPECT_TRUE(first && second);
}

// Workers with nothing to do sleep: while four workers' tasks all sleep for 300 ms, the process
// uses a small part of one core (its CPU time, which load does not inflate). A worker spinning
// would use about 0.3 s alone. The window opens once the tasks have started, so the workers'
// start-up and teardown, costly under ThreadSanitizer, are not counted.
TEST(WorkerRuntime, ASleepingRunUsesNoCpu) {
  auto rt = real_on(4);
  timespec before{}, after{};
  rt->run([&] {
    for (int i = 0; i < 3; ++i) go([] { sleep(400ms); });
    sleep(50ms);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &before);
    sleep(300ms);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &after);
  });
  const double cpu = static_cast<double>(after.tv_sec - before.tv_sec) +
                     static_cast<double>(after.tv_nsec - before.tv_nsec) / 1e9;
  EXPECT_LT(cpu, 0.1);
}

TEST(WorkerRuntime, ProcsOutsideOneTo256AreRefused) {
  EXPECT_THROW(Runtime::set_procs(0), std::invalid_argument);
  EXPECT_THROW(Runtime::set_procs(Runtime::kMaxProcs + 1), std::invalid_argument);
  EXPECT_EQ(Runtime::procs(), 1u);
}

#if defined(__SANITIZE_THREAD__)
// The runtime tells ThreadSanitizer of every fiber switch, so two tasks that write one int at once
// on two workers are a race it reports (and, with halt_on_error, ends the process for).
TEST(WorkerRuntime, ARaceBetweenTasksOnTwoWorkersIsReported) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        auto rt = real_on(2);
        int shared = 0;
        std::atomic<int> started{0};
        rt->run([&] {
          WaitGroup both;
          both.add(2);
          for (int k = 0; k < 2; ++k)
            go([&] {
              ++started;
              while (started.load() < 2) {
              }
              for (int i = 0; i < 1000; ++i) shared = shared + 1;  // the race
              both.done();
            });
          both.wait();
        });
        std::exit(0);
      },
      ::testing::ExitedWithCode(66), "data race");
}
#endif

// Go clamps a sleep past the end of time; now() + d would wrap into the past and return at once.
TEST(SimulatedRuntime, ASleepPastTheEndOfTimeLastsUntilThen) {
  auto rt = Runtime::create(TimeMode::simulated, 1);
  Time woke{0};
  rt->run([&] {
    sleep(std::chrono::milliseconds(1));
    sleep(Duration::max());
    woke = now();
  });
  EXPECT_EQ(woke, Time::max());
}

// A figure of /proc/self/status in KiB: "VmSize:" (virtual memory), "VmRSS:" (resident).
long status_kib(const std::string& key) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.starts_with(key)) return std::stol(line.substr(key.size()));
  return -1;
}

// The lines of /proc/self/maps: the process's memory maps, which vm.max_map_count bounds.
long memory_maps() {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  long n = 0;
  while (std::getline(maps, line)) ++n;
  return n;
}

// Stacks are reserved in bulk with their guards in the page tables, so the tasks of a run are not
// bounded by vm.max_map_count (65530 by default, two maps a task before): 100,000 tasks park on
// one channel, hold a few hundred maps between them, and every one resumes. Under a sanitizer
// 5,000: ThreadSanitizer counts each fiber as a thread and dies past 8,128 of them ("Thread limit
// exceeded"), and a sanitizer build is there for races and memory errors, not for the count.
#ifdef CACOPHONY_SANITIZED
constexpr int kParked = 5'000;
#else
constexpr int kParked = 100'000;
#endif
// Parks kParked tasks of `rt` on one channel, calls `parked` once all have come to it, then
// releases them; returns how many resumed.
long park_then_release(Runtime& rt, const std::function<void()>& parked) {
  std::atomic<long> arrived{0}, resumed{0};
  rt.run([&] {
    Chan<int> release;
    WaitGroup done;
    done.add(kParked);
    for (int i = 0; i < kParked; ++i)
      go([&, release]() mutable {
        ++arrived;
        release.recv();
        ++resumed;
        done.done();
      });
    while (arrived.load() < kParked) yield();
    EXPECT_EQ(resumed.load(), 0);
    parked();
    release.close();
    done.wait();
  });
  return resumed.load();
}

TEST(FiberStacks, AHundredThousandParkedTasksAllResume) {
  auto rt = Runtime::create(TimeMode::simulated, 1);
  [[maybe_unused]] const long maps_before = memory_maps();
  long maps_parked = 0;
  EXPECT_EQ(park_then_release(*rt, [&] { maps_parked = memory_maps(); }), kParked);
#ifndef CACOPHONY_SANITIZED  // ThreadSanitizer maps four of its own for each fiber
  EXPECT_LT(maps_parked - maps_before, 1000) << "maps while parked: " << maps_parked;
#endif
}

// The same at procs 2: the tasks park on both workers, and the close() wakes them on both.
TEST(FiberStacks, AHundredThousandParkedTasksAllResumeOnTwoWorkers) {
  auto rt = real_on(2);
  EXPECT_EQ(park_then_release(*rt, [] {}), kParked);
}

// Recurses `depth` times, each frame holding 1 KiB live across the next call, so that the compiler
// can neither drop the frames nor turn the recursion into a loop.
int deep(int depth) {
  volatile char frame[1024];
  frame[0] = static_cast<char>(depth % 100);
  return depth <= 0 ? 0 : deep(depth - 1) + frame[0];
}

// A task's stack holds as much as its size says: 48 frames of 1 KiB fit in the default 64 KiB.
TEST(FiberStacks, ATaskUsesMostOfItsStack) {
  auto rt = Runtime::create(TimeMode::simulated, 1);
  int sum = -1;
  rt->run([&] { go([&] { sum = deep(48); }); });
  EXPECT_EQ(sum, 48 * 49 / 2);  // ran to the end
}

// Stacks handed back beyond the pool's resident 64 MiB give their pages back to the kernel:
// 3,000 tasks that each ran 40 KiB deep would keep some 130 MiB, the pool keeps less than 80 MiB.
// And a stack whose pages went serves the next task like a new one. Not with the sanitizers, whose
// shadow memory counts in the resident figure.
#ifndef CACOPHONY_SANITIZED
TEST(FiberStacks, StacksHandedBackGiveTheirPagesBack) {
  constexpr int kTasks = 3'000;
  auto rt = Runtime::create(TimeMode::simulated, 1);
  long grown_kib = -1;
  int sums = 0;
  rt->run([&] {
    const long before = status_kib("VmRSS:");
    for (int round = 0; round < 2; ++round) {
      WaitGroup done;
      done.add(kTasks);
      for (int i = 0; i < kTasks; ++i)  // each go() takes a stack: 3,000 different ones
        go([&] {
          sums += deep(40) == 40 * 41 / 2;
          done.done();
        });
      done.wait();
      if (round == 0) grown_kib = status_kib("VmRSS:") - before;
    }
  });
  EXPECT_LT(grown_kib, 80 * 1024);
  EXPECT_EQ(sums, 2 * kTasks);
}
#endif

// Every run reserves stacks of its own (512 MiB of address space at least) and unmaps them when it
// is destroyed, so runs one after another, as explore makes thousands, hold no more maps or
// address space at the last than after the first. Under a sanitizer 10 runs of 100 tasks:
// ThreadSanitizer takes some 3 ms to start a fiber and keeps maps of its own for the ones that
// ended; the address space still tells a single run's stacks kept.
#ifdef CACOPHONY_SANITIZED
constexpr int kRuns = 10, kRunTasks = 100;
#else
constexpr int kRuns = 100, kRunTasks = 1'000;
#endif
TEST(FiberStacks, RunsOneAfterAnotherGiveBackTheirStacks) {
  const auto one_run = [] {
    auto rt = Runtime::create(TimeMode::simulated, 1);
    rt->run([] {
      Chan<int> release;
      for (int i = 0; i < kRunTasks; ++i) go([release]() mutable { release.recv(); });
      yield();  // all parked, each on a stack of its own
      release.close();
    });
  };
  one_run();
  [[maybe_unused]] const long maps = memory_maps();
  const long vm_kib = status_kib("VmSize:");
  for (int i = 0; i < kRuns; ++i) one_run();
  EXPECT_LT(status_kib("VmSize:") - vm_kib, 256 * 1024);  // one run alone reserves 512 MiB
#ifndef CACOPHONY_SANITIZED
  EXPECT_EQ(memory_maps(), maps);
#endif
}

// A task that overflows its stack ends the process with one line naming the size, never running
// on into another task's stack.
TEST(FiberStacks, AnOverflowEndsTheProcessNamingTheStackSize) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        auto rt = Runtime::create(TimeMode::simulated, 1);
        rt->run([] { go([] { deep(1 << 20); }); });
      },
      ::testing::ExitedWithCode(1), ::testing::Eq("a task overflowed its 64 KiB stack\n"));
}

// The size is the runtime's option, and the line the one its caller gave.
TEST(FiberStacks, TheStackSizeAndTheOverflowLineAreOptions) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        Runtime::set_stack_size(256 * 1024);
        Runtime::set_overflow_message("overflowed: give it more\n");
        auto rt = Runtime::create(TimeMode::real, 1);
        int sum = -1;
        rt->run([&] { go([&] { sum = deep(200); }); });  // 200 KiB: over the default size
        if (sum != 9900) std::_Exit(4);
        rt = Runtime::create(TimeMode::real, 1);
        rt->run([] { go([] { deep(1 << 20); }); });
      },
      ::testing::ExitedWithCode(1), ::testing::Eq("overflowed: give it more\n"));
}

TEST(FiberStacks, AStackSizeOutOfRangeIsRefused) {
  EXPECT_THROW(Runtime::set_stack_size(Runtime::kMinStackSize - 1), std::invalid_argument);
  EXPECT_THROW(Runtime::set_stack_size(Runtime::kMaxStackSize + 1), std::invalid_argument);
  EXPECT_EQ(Runtime::stack_size(), Runtime::kDefaultStackSize);
  Runtime::set_stack_size(Runtime::kMinStackSize + 1);  // rounded up to whole pages
  EXPECT_EQ(Runtime::stack_size(), Runtime::kMinStackSize + 4096);
  Runtime::set_stack_size(Runtime::kDefaultStackSize);
}

TEST(ThreadRuntime, EndedTasksGiveBackTheirThreads) {
  // A long run with threads starts a task a beat. Each thread keeps its stack (8 MiB of address
  // space) until joined: unjoined, 10 000 ended tasks would hold some 80 GiB.
  auto rt = Runtime::create(TimeMode::threads, 1);
  long grown = 0;
  rt->run([&] {
    const long before = status_kib("VmSize:");
    for (int i = 0; i < 10'000; ++i) {
      Chan<int> done;
      go([=]() mutable { done.send(1); });
      done.recv();
    }
    grown = status_kib("VmSize:") - before;
  });
  EXPECT_LT(grown, 1 << 20) << "VmSize grew by " << grown << " KiB over 10 000 tasks";
}

TEST(SimulatedRuntime, SleepsTakeExactlyTheirDuration) {
  auto rt = Runtime::create(TimeMode::simulated, 1);
  std::vector<Time> seen;
  rt->run([&] {
    sleep(3ms);
    seen.push_back(now());
    sleep_until(10ms);
    seen.push_back(now());
    sleep(0ms);
    seen.push_back(now());
  });
  EXPECT_EQ(seen, (std::vector<Time>{3ms, 10ms, 10ms}));
}

// A run mixing every primitive, with random choices; its trace must not depend on anything but
// the seed.
std::string chaotic_trace(std::uint64_t seed) {
  auto rt = Runtime::create(TimeMode::simulated, seed);
  std::string trace;
  rt->run([&] {
    Chan<int> work(2), results;
    Ticker ticker(7ms);
    WaitGroup group;
    for (int w = 0; w < 3; ++w) {
      group.add(1);
      go([&, w, work, results]() mutable {
        for (int job : work) {
          sleep(std::chrono::microseconds(1000 + Runtime::current().random_below(9000)));
          results.send(job * 10 + w);
        }
        group.done();
      });
    }
    go([&, results]() mutable {
      group.wait();
      results.close();
    });
    go([&, work]() mutable {
      for (int j = 0; j < 20; ++j) work.send(j);
      work.close();
    });
    bool open = true;
    while (open) {
      select(case_recv(results,
                       [&](std::optional<int> v) {
                         if (!v)
                           open = false;
                         else
                           trace += std::to_string(*v) + "@" + std::to_string(now().count()) + " ";
                       }),
             case_recv(ticker.c, [&](std::optional<Time>) { trace += "tick "; }));
    }
  });
  return trace;
}

TEST(SimulatedRuntime, SameSeedSameTraceFiftyTimes) {
  const std::string first = chaotic_trace(42);
  EXPECT_FALSE(first.empty());
  for (int i = 0; i < 50; ++i) ASSERT_EQ(chaotic_trace(42), first) << "repetition " << i;
  EXPECT_NE(chaotic_trace(43), first);
}

}  // namespace
}  // namespace cacophony::runtime
