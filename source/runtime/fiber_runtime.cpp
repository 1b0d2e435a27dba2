// Fibers: every task is a fiber on the caller's thread, run by one scheduler whose clock is a
// policy. Simulated, the clock is a number that jumps to the next timer when no task can run (Go's
// testing/synctest rule); real, the thread sleeps until the next timer's deadline.
//
// Simulated, a task that suspends switches straight to the task the scheduler would resume next
// (moving the clock first if it would), so a run makes one switch per hand-off instead of two and
// the scheduler's loop runs only at the start, when a task ends, and when a spinner or the end of
// the run needs it. The order of tasks, the clock and every strategy choice are the same.

#include <algorithm>
#include <boost/context/fiber.hpp>
#include <cerrno>
#include <list>
#include <queue>
#include <stdexcept>
#include <string>
#include <vector>

#include "cacophony/runtime/schedule.h"
#include "clock.h"
#include "fiber_common.h"
#include "fiber_switch.h"
#include "scheduler.h"
#include "stack_guard.h"
#include "stack_pool.h"
#include "watchdog.h"

namespace cacophony::runtime::detail {
namespace {

namespace ctx = boost::context;

class FiberTask final : public Task {
 public:
  enum class State { runnable, running, parked, yielding, done };
  State state = State::runnable;
  std::uint64_t id = 0;  // creation order within the run, for a schedule strategy
  bool token = false;
  bool woken_by_timer = false;
  std::uint64_t timer_generation = 0;  // bumping it cancels the pending timer
  int timers_queued = 0;               // heap entries naming this task, live or cancelled
  Duration cpu{0};                     // thread CPU time it ran while someone was spinning
  std::function<void()> fn;
  ctx::fiber fiber;  // the task's own continuation while it is suspended
  fiber_switch::Context context;
  std::list<std::unique_ptr<FiberTask>>::iterator home;
};

// The ready tasks in FIFO order: a ring over a power-of-two array, since std::deque's pop_front
// cost more than all the rest of choosing the next task.
class ReadyQueue {
 public:
  bool empty() const { return size_ == 0; }
  std::size_t size() const { return size_; }
  FiberTask* operator[](std::size_t i) const { return slots_[(head_ + i) & mask_]; }

  void push_back(FiberTask* t) {
    if (size_ == slots_.size()) grow();
    slots_[(head_ + size_++) & mask_] = t;
  }
  void push_front(FiberTask* t) {
    if (size_ == slots_.size()) grow();
    head_ = (head_ - 1) & mask_;
    slots_[head_] = t;
    ++size_;
  }
  // Removes and returns the i-th task; the others keep their order.
  FiberTask* take(std::size_t i) {
    FiberTask* t = (*this)[i];
    for (std::size_t k = i; k > 0; --k) slot(k) = slot(k - 1);
    head_ = (head_ + 1) & mask_;
    --size_;
    return t;
  }
  void clear() { head_ = size_ = 0; }

 private:
  FiberTask*& slot(std::size_t i) { return slots_[(head_ + i) & mask_]; }
  void grow() {
    std::vector<FiberTask*> bigger(std::max<std::size_t>(16, 2 * slots_.size()));
    for (std::size_t i = 0; i < size_; ++i) bigger[i] = (*this)[i];
    slots_ = std::move(bigger);
    mask_ = slots_.size() - 1;
    head_ = 0;
  }

  std::vector<FiberTask*> slots_;
  std::size_t mask_ = 0;  // slots_.size() - 1
  std::size_t head_ = 0;
  std::size_t size_ = 0;
};

// The one fiber scheduler. Its clock (`real_`) decides how time moves when no task can run:
// simulated, it jumps to the next timer, and spinning tasks run again only once something changed;
// real, the thread sleeps until the next deadline, and spinning tasks keep the thread.
class FiberRuntime final : public Scheduler {
 public:
  FiberRuntime(TimeMode clock, std::uint64_t seed, Strategy* strategy)
      : Scheduler(clock, seed, /*parallel=*/false),
        real_(clock == TimeMode::real),
        strategy_(strategy) {
    fiber_switch::adopt_current(scheduler_);
  }

  void run(std::function<void()> main) override {
    stack_guard::watch_this_thread();
    set_current(this, nullptr);
    if (strategy_) strategy_->begin();
    if (real_) {
      start_ = read_clock(CLOCK_MONOTONIC);
      saved_slack_ = tighten_timer_slack();
    }
    go(std::move(main), __builtin_FILE(), __builtin_LINE());  // task 0: "the main task"
    {
      Watchdog watch;
      watchdog_ = &watch;
      schedule();
      watchdog_ = nullptr;
    }
    if (real_) restore_timer_slack(saved_slack_);
    if (live_ > 0)
      fail(end_deadlocked(tasks_, [this](const auto& blocked) { tear_down(blocked); }));
    set_current(nullptr, nullptr);
    rethrow_failure();
  }

  Time now() const override { return real_ ? read_clock(CLOCK_MONOTONIC) - start_ : now_; }

  // The stack first: when the kernel refuses one, nothing of the task is left behind.
  void go(std::function<void()> fn, const char* file, unsigned line) override {
    auto task = std::make_unique<FiberTask>();
    FiberTask* t = task.get();
    ctx::stack_context stack;
    t->fiber = ctx::fiber(std::allocator_arg, PooledStack{&stacks_, &stack},
                          [this, t](ctx::fiber&& caller) { return enter(t, std::move(caller)); });
    fiber_switch::create(t->context, static_cast<char*>(stack.sp) - stack.size, stack.size);
    tasks_.push_back(std::move(task));
    t->home = std::prev(tasks_.end());
    t->id = next_id_++;
    t->number = static_cast<int>(t->id);
    t->started_file = file;
    t->started_line = line;
    if (strategy_) strategy_->created(t->id, file, line);
    t->fn = std::move(fn);
    ++live_;
    make_runnable(t);
    offer_switch();
  }

  void park() override {
    FiberTask* t = running_;
    stop_spinning(*t);
    if (consume_token(t)) return;
    t->state = FiberTask::State::parked;
    suspend(t);
  }

  bool park_until(Time deadline) override {
    FiberTask* t = running_;
    stop_spinning(*t);
    if (consume_token(t)) return true;
    if (deadline <= now()) return false;
    timers_.push({deadline, timer_order_++, t, ++t->timer_generation});
    ++t->timers_queued;
    t->woken_by_timer = false;
    t->state = FiberTask::State::parked;
    suspend(t);
    if (t->woken_by_timer) return false;
    ++t->timer_generation;
    return true;
  }

  void unpark(Task& task) override {
    auto* t = static_cast<FiberTask*>(&task);
    if (t->state == FiberTask::State::parked) {
      ++t->timer_generation;
      make_runnable(t);
    } else {
      t->token = true;
    }
  }

 protected:
  // Real: the thread's CPU time less what the other tasks ran meanwhile, since they share it.
  Duration spin_clock() const override {
    if (!real_) return now_;
    return read_clock(CLOCK_THREAD_CPUTIME_ID) - (metered_cpu_ - running_->cpu);
  }

  void yield_now() override {
    FiberTask* t = running_;
    t->state = FiberTask::State::yielding;
    yielding_.push_back(t);
    ++spinners_waiting_;
    suspend(t);
    --spinners_waiting_;
  }

 private:
  // Run what can run; when nothing can, let spinning tasks look again (simulated: only if
  // anything changed since they last looked), else move the clock to the next timer. A yielding
  // task is not blocked: with no timer left it runs again (Go's Gosched alone spins, it is no
  // deadlock); the run ends when no task can run, yield or wake.
  void schedule() {
    for (;;) {
      while (!runnable_.empty()) resume(next_runnable());
      if (real_) fire_timers_due_by(now());
      if (!yielding_.empty() && (real_ || changed_)) {
        requeue_yielding();
        continue;
      }
      if (!runnable_.empty()) continue;
      if (!fire_next_timers() && yielding_.empty()) return;
      requeue_yielding();
    }
  }

  // A go() is a choice point too, as in Go, where the new task may run before its spawner goes
  // on: the strategy picks among the running task (index 0: it goes on, as FIFO does) and the
  // ready ones, the new task among them. Simulated time only (explore's); a running task passed
  // over is the first ready one again.
  void offer_switch() {
    FiberTask* t = running_;
    if (!strategy_ || real_ || tearing_down_ || !t || runnable_.empty()) return;
    ready_ids_.assign(1, t->id);
    for (std::size_t i = 0; i < runnable_.size(); ++i) ready_ids_.push_back(runnable_[i]->id);
    const std::size_t index = std::min(strategy_->choose(ready_ids_), runnable_.size());
    if (index == 0) return;
    FiberTask* next = runnable_.take(index - 1);
    t->state = FiberTask::State::runnable;
    runnable_.push_front(t);
    switch_to(t, next);
  }

  // The ready task to run next: the longest-ready one, or the strategy's choice when two or more
  // are ready.
  FiberTask* next_runnable() {
    std::size_t index = 0;
    if (strategy_ && runnable_.size() > 1) {
      ready_ids_.clear();
      for (std::size_t i = 0; i < runnable_.size(); ++i) ready_ids_.push_back(runnable_[i]->id);
      index = std::min(strategy_->choose(ready_ids_), runnable_.size() - 1);
    }
    return runnable_.take(index);
  }

  // Moves the clock to the earliest live timer and fires every timer due by then; false if there
  // is none.
  bool fire_next_timers() {
    while (!timers_.empty() && pop_if_cancelled()) {
    }
    if (timers_.empty()) return false;
    if (!real_) {
      now_ = timers_.top().due;
      fire_timers_due_by(now_);
      return true;
    }
    const timespec at = to_timespec(saturating_add(start_, timers_.top().due));
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at, nullptr) == EINTR) {
    }
    fire_timers_due_by(now());
    return true;
  }

  // Wakes the tasks of every timer due by `t`, in deadline then creation order.
  void fire_timers_due_by(Time t) {
    while (!timers_.empty() && timers_.top().due <= t) {
      if (pop_if_cancelled()) continue;
      FiberTask* task = timers_.top().task;
      timers_.pop();
      --task->timers_queued;
      task->woken_by_timer = true;
      make_runnable(task);
    }
  }
  // Drops the earliest timer if it was cancelled, freeing its task if that had ended meanwhile.
  bool pop_if_cancelled() {
    const TimerEntry<FiberTask>& top = timers_.top();
    FiberTask* t = top.task;
    if (top.generation == t->timer_generation && t->state != FiberTask::State::done) return false;
    timers_.pop();
    if (--t->timers_queued == 0 && t->state == FiberTask::State::done) tasks_.erase(t->home);
    return true;
  }

  void requeue_yielding() {
    for (FiberTask* t : yielding_) {
      t->state = FiberTask::State::runnable;
      runnable_.push_back(t);
    }
    yielding_.clear();
    changed_ = false;
  }

  void make_runnable(FiberTask* t) {
    t->state = FiberTask::State::runnable;
    runnable_.push_back(t);
    changed_ = true;
  }

  bool consume_token(FiberTask* t) {
    if (!t->token) return false;
    t->token = false;
    return true;
  }

  // Scheduler -> task, until a task switches back to the scheduler: `t`, or one that `t` (or a
  // task after it) handed the thread to. Inlined for the reason suspend() is.
  [[gnu::always_inline]] inline void resume(FiberTask* t) {
    // Only while a task spins does its spin time need the others' CPU time taken out.
    const bool meter = real_ && spinners_waiting_ > 0;
    const Duration cpu_before = meter ? read_clock(CLOCK_THREAD_CPUTIME_ID) : Duration{};
    start_running(t);
    fiber_switch::before(scheduler_, t->context);
    switched_from_ = nullptr;
    ctx::fiber back = std::move(t->fiber).resume();
    fiber_switch::after(scheduler_);
    FiberTask* last = switched_from_;
    keep_continuation(std::move(back));
    running_ = nullptr;
    if (watchdog_) watchdog_->left();
    if (meter) {  // real time never hands over (next_without_scheduler()), so `last` is `t`
      const Duration ran = read_clock(CLOCK_THREAD_CPUTIME_ID) - cpu_before;
      t->cpu += ran;
      metered_cpu_ += ran;
    }
    if (last->state == FiberTask::State::done) {
      fiber_switch::destroy(last->context);
      --live_;
      if (last->timers_queued == 0) tasks_.erase(last->home);  // else freed when its timers drain
    }
  }

  void start_running(FiberTask* t) {
    if (watchdog_) watchdog_->entered(t->id, t->started_file, t->started_line);
    if (strategy_) strategy_->ran(t->id);
    running_ = t;
    t->state = FiberTask::State::running;
    set_current(this, t);
  }

  // The task a suspending task may switch straight to, doing what schedule() would do before it
  // resumes that same task, so that the run is unchanged with half the switches: take the next
  // ready task, or, with none ready and no spinner waiting, move the clock to the next timer
  // first. nullptr: back to the scheduler. Simulated time only: real time meters spinning and
  // sleeps in the scheduler.
  FiberTask* next_without_scheduler() {
    if (real_ || tearing_down_) return nullptr;
    if (runnable_.empty()) {
      if (!yielding_.empty() || !fire_next_timers()) return nullptr;
      requeue_yielding();  // none to requeue: marks the change as seen, as schedule() does
      if (runnable_.empty()) return nullptr;
    }
    return next_runnable();
  }

  // Task -> the next ready task, or the scheduler; returns when the task is resumed again.
  // Inlined into its callers for the reason block() is (scheduler.h).
  [[gnu::always_inline]] inline void suspend(FiberTask* t) {
    switch_to(t, next_without_scheduler());
  }

  // Task `t` -> `next`, or the scheduler when nullptr; returns when `t` is resumed again.
  [[gnu::always_inline]] inline void switch_to(FiberTask* t, FiberTask* next) {
    if (next == t) {  // its own timer was the next one due
      start_running(t);
      return;
    }
    ctx::fiber came_from;
    switched_from_ = t;
    if (next) {
      start_running(next);
      fiber_switch::before(t->context, next->context);
      came_from = std::move(next->fiber).resume();
    } else {
      fiber_switch::before(t->context, scheduler_);
      came_from = std::move(scheduler_fiber_).resume();
    }
    fiber_switch::after(t->context);
    keep_continuation(std::move(came_from));
    if (tearing_down_) throw Teardown{};
  }

  // Whoever switches sets `switched_from_` to itself (the scheduler: nullptr) first; whoever
  // arrives stores the continuation it received there, so every suspended context has its own.
  void keep_continuation(ctx::fiber&& c) {
    (switched_from_ ? switched_from_->fiber : scheduler_fiber_) = std::move(c);
  }

  ctx::fiber enter(FiberTask* t, ctx::fiber&& caller) {
    // The first task is entered from the scheduler, which is how its stack becomes known.
    fiber_switch::after(t->context, switched_from_ ? nullptr : &scheduler_);
    keep_continuation(std::move(caller));
    run_task_function(t->fn, [this](std::exception_ptr e) { fail(std::move(e)); });
    t->state = FiberTask::State::done;
    // An ended task always goes back to the scheduler, which releases it.
    switched_from_ = t;
    fiber_switch::before(t->context, scheduler_, /*from_ends=*/true);
    return std::move(scheduler_fiber_);
  }

  // Unwinds every blocked task so that its stack is released cleanly.
  void tear_down(const std::vector<FiberTask*>& blocked) {
    tearing_down_ = true;
    runnable_.clear();
    yielding_.clear();
    for (FiberTask* t : blocked) resume(t);
  }

  const bool real_;
  Time now_{0};        // simulated
  Duration start_{0};  // real: CLOCK_MONOTONIC when the run started
  unsigned long saved_slack_ = 0;
  int spinners_waiting_ = 0;  // tasks suspended in yield()
  Duration metered_cpu_{0};   // the sum of every task's `cpu`
  StackPool stacks_{Runtime::stack_size()};
  fiber_switch::Context scheduler_;
  ctx::fiber scheduler_fiber_;          // the scheduler's continuation while a task runs
  FiberTask* switched_from_ = nullptr;  // the last context to switch away; nullptr: scheduler
  std::list<std::unique_ptr<FiberTask>> tasks_;  // live, and ended ones still named by a timer
  std::size_t live_ = 0;
  ReadyQueue runnable_;
  Strategy* strategy_ = nullptr;  // none: FIFO
  std::vector<std::uint64_t> ready_ids_;
  std::uint64_t next_id_ = 0;
  std::vector<FiberTask*> yielding_;
  TimerHeap<FiberTask> timers_;
  std::uint64_t timer_order_ = 0;
  FiberTask* running_ = nullptr;
  Watchdog* watchdog_ = nullptr;  // while schedule() runs
  bool changed_ = false;
  bool tearing_down_ = false;
};

}  // namespace

std::unique_ptr<Runtime> make_fiber_runtime(TimeMode clock, std::uint64_t seed,
                                            Strategy* strategy) {
  return std::make_unique<FiberRuntime>(clock, seed, strategy);
}

}  // namespace cacophony::runtime::detail
