// Threads: one OS thread per task on the real clock, parking on a futex with absolute
// CLOCK_MONOTONIC deadlines.

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>
#include <thread>
#include <vector>

#include "clock.h"
#include "scheduler.h"

namespace cacophony::runtime::detail {
namespace {

// The wake-up token's states. Only a task asleep in the futex costs its waker a system call.
enum : std::uint32_t { kEmpty = 0, kNotified = 1, kAsleep = 2 };

class RealTask final : public Task {
 public:
  std::atomic<std::uint32_t> token{kEmpty};
  std::thread thread;
  bool claimed = false;  // someone joins (or has joined) `thread`; under tasks_lock_
};

long futex(std::atomic<std::uint32_t>* word, int op, std::uint32_t value, const timespec* at) {
  return syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(word), op | FUTEX_PRIVATE_FLAG, value,
                 at, nullptr, FUTEX_BITSET_MATCH_ANY);
}

class ThreadRuntime final : public Scheduler {
 public:
  explicit ThreadRuntime(std::uint64_t seed)
      : Scheduler(TimeMode::threads, seed, /*parallel=*/true),
        start_(read_clock(CLOCK_MONOTONIC)) {}

  void run(std::function<void()> main) override {
    execute(*add_task(), main);
    // Tasks may start tasks while we join, so walk the list until no new one appears.
    for (std::size_t i = 1;; ++i) {
      RealTask* t;
      {
        std::scoped_lock lock(tasks_lock_);
        if (i >= tasks_.size()) break;
        t = tasks_[i].get();
        if (t->claimed) continue;
        t->claimed = true;
      }
      t->thread.join();
    }
    set_current(nullptr, nullptr);
    rethrow_failure();
  }

  Time now() const override { return read_clock(CLOCK_MONOTONIC) - start_; }

  // Also joins the threads of tasks that have ended since the last go(): a run that starts a task
  // a beat would otherwise hold a stack per task it ever started (some 30 000 exhaust the
  // kernel's memory maps). Their threads are past their function, so the joins are short.
  void go(std::function<void()> fn, const char*, unsigned) override {
    join_ended();
    std::scoped_lock lock(tasks_lock_);
    start_thread(std::move(fn));
  }

  void park() override {
    auto& t = static_cast<RealTask&>(self());
    stop_spinning(t);
    // A short spin first: a hand-off between two running threads then costs no system call.
    for (int i = 0; i < kSpins; ++i) {
      if (take_token(t)) return;
      __builtin_ia32_pause();
    }
    sleep_for_token(t, nullptr);
  }

  bool park_until(Time deadline) override {
    auto& t = static_cast<RealTask&>(self());
    stop_spinning(t);
    if (take_token(t)) return true;
    const timespec ts = to_timespec(saturating_add(start_, deadline));
    return sleep_for_token(t, &ts);
  }

  void unpark(Task& task) override {
    auto& t = static_cast<RealTask&>(task);
    if (t.token.exchange(kNotified, std::memory_order_release) == kAsleep)
      futex(&t.token, FUTEX_WAKE, 1, nullptr);
  }

 protected:
  Duration spin_clock() const override { return read_clock(CLOCK_THREAD_CPUTIME_ID); }
  void yield_now() override { std::this_thread::yield(); }

 private:
  static constexpr int kSpins = 2000;

  // Called by the task itself: while it runs its token is only ever empty or notified.
  static bool take_token(RealTask& t) {
    return t.token.load(std::memory_order_relaxed) == kNotified &&
           t.token.exchange(kEmpty, std::memory_order_acquire) == kNotified;
  }

  // Sleeps in the futex until the token comes (true) or `at` passes (false; nullptr: never).
  static bool sleep_for_token(RealTask& t, const timespec* at) {
    for (;;) {
      std::uint32_t seen = kEmpty;
      if (!t.token.compare_exchange_strong(seen, kAsleep, std::memory_order_acquire)) {
        t.token.store(kEmpty, std::memory_order_relaxed);  // it was notified: take it
        return true;
      }
      const bool timed_out =
          futex(&t.token, FUTEX_WAIT_BITSET, kAsleep, at) == -1 && errno == ETIMEDOUT;
      if (t.token.exchange(kEmpty, std::memory_order_acquire) == kNotified) return true;
      if (timed_out) return false;
    }
  }

  // Runs `fn` as task `t` on the calling thread.
  void execute(RealTask& t, const std::function<void()>& fn) {
    set_current(this, &t);
    tighten_timer_slack();
    try {
      fn();
    } catch (...) {
      fail(std::current_exception());
    }
  }

  // Joined before the next thread starts, so that a thread that can't start leaves none of them
  // claimed and unjoined.
  void join_ended() {
    std::vector<RealTask*> ended;
    {
      std::scoped_lock lock(tasks_lock_);
      for (RealTask* t : ended_)
        if (!t->claimed) {
          t->claimed = true;
          ended.push_back(t);
        }
      ended_.clear();
    }
    for (RealTask* t : ended) t->thread.join();
  }

  // A task that got no thread (no memory for its stack) is no task: run() would otherwise try to
  // join it, throw, and leave the other threads joinable, which std::terminate()s.
  void start_thread(std::function<void()> fn) {
    RealTask* t = add_task_locked();
    try {
      t->thread = std::thread([this, t, fn = std::move(fn)] {
        execute(*t, fn);
        std::scoped_lock retire(tasks_lock_);
        ended_.push_back(t);
      });
    } catch (...) {  // std::system_error for the thread, std::bad_alloc for its state
      tasks_.pop_back();
      throw std::runtime_error(
          "cannot start a thread for a task: the system has no memory or threads left for it");
    }
  }

  RealTask* add_task() {
    std::scoped_lock lock(tasks_lock_);
    return add_task_locked();
  }
  RealTask* add_task_locked() {
    tasks_.push_back(std::make_unique<RealTask>());
    tasks_.back()->number = static_cast<int>(tasks_.size()) - 1;
    return tasks_.back().get();
  }

  const Duration start_;
  std::mutex tasks_lock_;
  std::vector<std::unique_ptr<RealTask>> tasks_;  // kept to the end: wakers may still name them
  std::vector<RealTask*> ended_;                  // their function returned; not yet joined
};

}  // namespace

std::unique_ptr<Runtime> make_thread_runtime(std::uint64_t seed) {
  return std::make_unique<ThreadRuntime>(seed);
}

}  // namespace cacophony::runtime::detail
