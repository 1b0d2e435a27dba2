// Real time on N workers (Runtime::set_procs): every task is a fiber, and N threads (the caller's
// and N - 1 more) take turns running them, as Go's GOMAXPROCS Ps do.
//
// Which lock guards what
// - sched_ guards every task's state, token, timer fields and place in `tasks_`; every worker's
//   run queue; the timer heap; and the counts of live tasks and idle workers. It is the innermost
//   lock: unpark() takes it under the run lock (scheduler.h), never the other way round.
// - A worker's `request` and `loop`, and a running task's `fiber`, belong to the thread that runs
//   the worker: a task writes `request` on that thread, and switches to `loop`.
//
// Invariants
// - A task is in at most one run queue, and only while `runnable`; a `running` task is on exactly
//   one worker. Its continuation (`fiber`) is stored before anyone else can see it runnable or
//   parked, so a task moves between workers only through sched_ (release and acquire).
// - Parking is committed by the worker, after the task's stack is left: a token that came between
//   the task's decision to park and that commit finds the task `running` and is kept, and the
//   commit then puts the task straight back in the queue instead of parking it.
// - A worker sleeps only when no queue holds a task; then it waits for the earliest timer, or for
//   a go(), an unpark() or a timer that needs it. When every worker is idle with no timer left,
//   the run is over: with live tasks, in a deadlock.

#include <boost/context/fiber.hpp>
#include <condition_variable>
#include <deque>
#include <list>
#include <mutex>
#include <queue>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

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

class WorkerTask final : public Task {
 public:
  enum class State { runnable, running, parked, done };
  State state = State::runnable;  // the rest under sched_, as this
  bool token = false;
  bool timed_out = false;
  std::uint64_t timer_generation = 0;  // bumping it cancels the pending timer
  int timers_queued = 0;               // heap entries naming this task, live or cancelled
  std::function<void()> fn;
  ctx::fiber fiber;  // the task's continuation while it is not running
  fiber_switch::Context context;
  std::list<std::unique_ptr<WorkerTask>>::iterator home;
  // Spin metering (Scheduler::yield): the task's own CPU time, read on the thread it runs on.
  Duration cpu{0};
  Duration resumed_cpu{0};
  bool metered = false;
  bool from_yield = false;
};

struct Worker {
  enum class Request { park, yield, end };
  std::deque<WorkerTask*> queue;  // under sched_
  Request request = Request::park;
  ctx::fiber loop;  // the worker's loop while one of its tasks runs
  fiber_switch::Context context;
  Watchdog* watchdog = nullptr;  // while the worker runs
};

// The worker the calling thread runs. Never inlined: a task resumed on another thread must read it
// anew, not reuse an address computed before it switched.
thread_local Worker* this_worker = nullptr;
[[gnu::noinline]] Worker* current_worker() {
  Worker* w = this_worker;
  asm volatile("" : "+r"(w));
  return w;
}

class WorkerRuntime final : public Scheduler {
 public:
  WorkerRuntime(std::uint64_t seed, unsigned procs)
      : Scheduler(TimeMode::real, seed, /*parallel=*/true), workers_(procs) {}

  void run(std::function<void()> main) override {
    start_ = read_clock(CLOCK_MONOTONIC);
    go_on(workers_[0], std::move(main), __builtin_FILE(), __builtin_LINE());
    std::vector<std::thread> threads;
    for (std::size_t i = 1; i < workers_.size(); ++i)
      threads.emplace_back([this, i] { work(workers_[i]); });
    work(workers_[0]);
    for (std::thread& t : threads) t.join();
    if (live_ > 0)
      fail(end_deadlocked(tasks_, [this](const auto& blocked) { tear_down(blocked); }));
    set_current(nullptr, nullptr);
    rethrow_failure();
  }

  Time now() const override { return read_clock(CLOCK_MONOTONIC) - start_; }

  void go(std::function<void()> fn, const char* file, unsigned line) override {
    go_on(*current_worker(), std::move(fn), file, line);
  }

  void park() override {
    auto& t = static_cast<WorkerTask&>(self());
    stop_spinning(t);
    {
      std::scoped_lock lock(sched_);
      if (consume_token(t)) return;
    }
    suspend(t, Worker::Request::park);
  }

  bool park_until(Time deadline) override {
    auto& t = static_cast<WorkerTask&>(self());
    stop_spinning(t);
    {
      std::scoped_lock lock(sched_);
      if (consume_token(t)) return true;
      if (deadline <= now()) return false;
      t.timed_out = false;
      add_timer_locked(t, deadline);
    }
    suspend(t, Worker::Request::park);
    std::scoped_lock lock(sched_);
    if (t.timed_out) return false;
    ++t.timer_generation;
    return true;
  }

  void unpark(Task& task) override {
    std::scoped_lock lock(sched_);
    wake_locked(static_cast<WorkerTask&>(task), current_worker());
  }

 protected:
  // The task's own CPU time: it runs on one thread between two switches, so each stretch is read
  // on one thread's clock.
  Duration spin_clock() const override {
    auto& t = static_cast<WorkerTask&>(const_cast<WorkerRuntime*>(this)->self());
    const Duration here = read_clock(CLOCK_THREAD_CPUTIME_ID);
    if (!t.metered) {
      t.metered = true;
      t.resumed_cpu = here;
    }
    return t.cpu + (here - t.resumed_cpu);
  }

  void yield_now() override {
    auto& t = static_cast<WorkerTask&>(self());
    suspend(t, Worker::Request::yield);
  }

 private:
  void go_on(Worker& w, std::function<void()> fn, const char* file, unsigned line) {
    auto task = std::make_unique<WorkerTask>();
    WorkerTask* t = task.get();
    ctx::stack_context stack;
    t->fiber = ctx::fiber(std::allocator_arg, PooledStack{&stacks_, &stack},
                          [this, t](ctx::fiber&& caller) { return enter(*t, std::move(caller)); });
    fiber_switch::create(t->context, static_cast<char*>(stack.sp) - stack.size, stack.size);
    t->fn = std::move(fn);
    t->started_file = file;
    t->started_line = line;
    std::scoped_lock lock(sched_);
    t->number = static_cast<int>(next_id_++);
    tasks_.push_back(std::move(task));
    t->home = std::prev(tasks_.end());
    ++live_;
    make_runnable_locked(*t, &w);
  }

  // Task -> its worker's loop, which carries out `request`; returns once some worker resumes it.
  void suspend(WorkerTask& t, Worker::Request request) {
    if (t.metered) {
      t.cpu += read_clock(CLOCK_THREAD_CPUTIME_ID) - t.resumed_cpu;
      t.metered = false;
    }
    Worker* w = current_worker();
    w->request = request;
    fiber_switch::before(t.context, w->context);
    ctx::fiber from = std::move(w->loop).resume();
    w = current_worker();
    fiber_switch::after(t.context);
    w->loop = std::move(from);
    if (tearing_down_) throw Teardown{};
  }

  ctx::fiber enter(WorkerTask& t, ctx::fiber&& caller) {
    Worker* w = current_worker();
    fiber_switch::after(t.context);
    w->loop = std::move(caller);
    run_task_function(t.fn, [this](std::exception_ptr e) { fail(std::move(e)); });
    w = current_worker();
    w->request = Worker::Request::end;
    fiber_switch::before(t.context, w->context, /*from_ends=*/true);
    return std::move(w->loop);
  }

  // One worker's life: run tasks until the run is over.
  void work(Worker& w) {
    this_worker = &w;
    fiber_switch::adopt_current(w.context);
    stack_guard::watch_this_thread();
    const unsigned long slack = tighten_timer_slack();
    {
      Watchdog watch;
      w.watchdog = &watch;
      while (WorkerTask* t = next_task(w)) resume(w, *t);
      w.watchdog = nullptr;
    }
    restore_timer_slack(slack);
    this_worker = nullptr;
  }

  // Worker -> `t` until it suspends or ends; then carries out what it asked for.
  void resume(Worker& w, WorkerTask& t) {
    set_current(this, &t);
    if (w.watchdog)
      w.watchdog->entered(static_cast<std::uint64_t>(t.number), t.started_file, t.started_line);
    if (t.from_yield) {
      t.from_yield = false;
      t.metered = true;
      t.resumed_cpu = read_clock(CLOCK_THREAD_CPUTIME_ID);
    }
    fiber_switch::before(w.context, t.context);
    ctx::fiber back = std::move(t.fiber).resume();
    fiber_switch::after(w.context);
    set_current(this, nullptr);
    if (w.watchdog) w.watchdog->left();
    if (w.request == Worker::Request::end) return retire(t);
    std::scoped_lock lock(sched_);
    t.fiber = std::move(back);
    if (w.request == Worker::Request::yield) {
      t.from_yield = true;
      make_runnable_locked(t, &w);
    } else if (consume_token(t)) {
      t.state = WorkerTask::State::runnable;  // woken while it parked: it goes on first
      w.queue.push_front(&t);
    } else {
      t.state = WorkerTask::State::parked;
    }
  }

  void retire(WorkerTask& t) {
    fiber_switch::destroy(t.context);
    std::scoped_lock lock(sched_);
    t.state = WorkerTask::State::done;
    if (--live_ == 0) idle_workers_.notify_all();
    if (t.timers_queued == 0) tasks_.erase(t.home);  // else freed when its timers drain
  }

  // The next task for `w`: from its own queue, else stolen, else after sleeping until a timer is
  // due or a task is made ready. nullptr once the run is over.
  WorkerTask* next_task(Worker& w) {
    std::unique_lock lock(sched_);
    for (;;) {
      fire_timers_due_locked(now(), w);
      if (WorkerTask* t = pop_or_steal_locked(w)) {
        t->state = WorkerTask::State::running;
        return t;
      }
      if (over_) return nullptr;
      const bool timer_left = live_timer_locked();
      if (live_ == 0 || (idle_ + 1 == workers_.size() && !timer_left)) {
        over_ = true;  // done, or every task blocked with nothing left to wake one: deadlock
        idle_workers_.notify_all();
        return nullptr;
      }
      ++idle_;
      if (timer_left)
        idle_workers_.wait_until(lock, steady_at(timers_.top().due));
      else
        idle_workers_.wait(lock);
      --idle_;
    }
  }

  WorkerTask* pop_or_steal_locked(Worker& w) {
    if (w.queue.empty()) steal_locked(w);
    if (w.queue.empty()) return nullptr;
    WorkerTask* t = w.queue.front();
    w.queue.pop_front();
    return t;
  }

  // Takes half (rounded up) of the longest other queue, oldest first, as Go's idle Ps do.
  void steal_locked(Worker& w) {
    Worker* victim = nullptr;
    for (Worker& other : workers_)
      if (&other != &w && (!victim || other.queue.size() > victim->queue.size())) victim = &other;
    if (!victim || victim->queue.empty()) return;
    const std::size_t take = (victim->queue.size() + 1) / 2;
    for (std::size_t i = 0; i < take; ++i) {
      w.queue.push_back(victim->queue.front());
      victim->queue.pop_front();
    }
  }

  void make_runnable_locked(WorkerTask& t, Worker* on) {
    t.state = WorkerTask::State::runnable;
    (on ? *on : workers_[0]).queue.push_back(&t);
    if (idle_ > 0) idle_workers_.notify_one();
  }

  // Gives `t` its token: a parked task goes to the queue of `by` (the waker's worker), any other
  // keeps it for its next park.
  void wake_locked(WorkerTask& t, Worker* by) {
    if (t.state == WorkerTask::State::parked) {
      ++t.timer_generation;
      make_runnable_locked(t, by);
    } else if (t.state != WorkerTask::State::done) {
      t.token = true;
    }
  }

  static bool consume_token(WorkerTask& t) {
    if (!t.token) return false;
    t.token = false;
    return true;
  }

  void add_timer_locked(WorkerTask& t, Time due) {
    const bool earliest = timers_.empty() || due < timers_.top().due;
    timers_.push({due, timer_order_++, &t, ++t.timer_generation});
    ++t.timers_queued;
    if (earliest && idle_ > 0) idle_workers_.notify_one();  // a sleeper's deadline moved up
  }

  void fire_timers_due_locked(Time by, Worker& w) {
    while (live_timer_locked() && timers_.top().due <= by) {
      WorkerTask& t = *timers_.top().task;
      timers_.pop();
      --t.timers_queued;
      t.timed_out = true;
      wake_locked(t, &w);
    }
  }

  // Drops cancelled timers from the top (freeing tasks that ended meanwhile); whether one is left.
  bool live_timer_locked() {
    while (!timers_.empty()) {
      const TimerEntry<WorkerTask>& top = timers_.top();
      WorkerTask* t = top.task;
      if (top.generation == t->timer_generation && t->state != WorkerTask::State::done) return true;
      timers_.pop();
      if (--t->timers_queued == 0 && t->state == WorkerTask::State::done) tasks_.erase(t->home);
    }
    return false;
  }

  std::chrono::steady_clock::time_point steady_at(Time t) const {
    return std::chrono::steady_clock::time_point(
        std::chrono::duration_cast<std::chrono::steady_clock::duration>(saturating_add(start_, t)));
  }

  // Unwinds every blocked task on the caller's thread, so that its stack is released cleanly.
  void tear_down(const std::vector<WorkerTask*>& blocked) {
    tearing_down_ = true;
    Worker& w = workers_[0];
    this_worker = &w;
    for (WorkerTask* t : blocked) resume(w, *t);
    this_worker = nullptr;
  }

  Duration start_{0};
  std::deque<Worker> workers_;
  StackPool stacks_{Runtime::stack_size()};
  std::mutex sched_;
  std::condition_variable idle_workers_;
  std::list<std::unique_ptr<WorkerTask>> tasks_;  // live, and ended ones still named by a timer
  std::size_t live_ = 0;
  std::size_t idle_ = 0;
  bool over_ = false;
  std::uint64_t next_id_ = 0;
  TimerHeap<WorkerTask> timers_;
  std::uint64_t timer_order_ = 0;
  bool tearing_down_ = false;  // set once every worker has stopped
};

}  // namespace

std::unique_ptr<Runtime> make_worker_runtime(std::uint64_t seed, unsigned procs) {
  return std::make_unique<WorkerRuntime>(seed, procs);
}

}  // namespace cacophony::runtime::detail
