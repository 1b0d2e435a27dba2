#pragma once
// Internal: the parking layer under every blocking primitive. Only the runtime's own .cpp files
// include this; code outside the runtime sees Runtime, Chan, select, WaitGroup, Mutex and Ticker.
//
// Every Runtime is a Scheduler (Runtime's constructor is private to it); ThreadRuntime (threads),
// FiberRuntime (simulated, and real at procs 1) and WorkerRuntime (real at procs 2 or more) are
// the Schedulers. The primitives reach theirs through
// Scheduler::current() when they are made, and keep it.
//
// The run lock (Scheduler::lock()) guards
// - each channel's buffer, `closed_` and its senders' and receivers' wait queues;
// - each WaitGroup's count and each Mutex's `locked_`, with their wait queues;
// - every Waiter's links and `closed`, and the store to Wait::fired;
// - a Ticker's and a Timer's state, and the send of a tick.
// It does not guard a task's wake-up token, which each runtime keeps its own way. It is taken
// before the generator's lock (select draws under it), never after.
//
// Invariants
// - A task holds at most one wake-up token: unpark() before park() is not lost. A token may be
//   stale (left by a wake-up the task no longer waits for), so every park sits in a loop that
//   rechecks what it waits for (block() rechecks Wait::fired, sleep_until() the clock).
// - No task parks while it holds the run lock: block() releases it first. With fibers on one thread
//   (real time at procs 1, simulated time) one thread runs the tasks, so there the lock is a no-op.
// - A Waiter lives on its task's stack and is linked into at most one queue (`queue` names it):
//   whoever completes it unlinks it first, and its task unlinks the rest before returning.
// - Wait::fired goes from -1 to a case index exactly once, under the lock, with release; the woken
//   task reads it with acquire, so it sees what the waker wrote (the value, `closed`).
// - Every park and sleep ends the task's spin run: time spent blocked is not busy-waiting.

#include <atomic>
#include <exception>
#include <memory>
#include <mutex>

#include "cacophony/runtime/random.h"
#include "cacophony/runtime/runtime.h"
#include "cacophony/runtime/wait_queue.h"

namespace cacophony::runtime::detail {

// The one lock of a run. With fibers a single thread runs the tasks and none parks while holding
// it, so there it costs nothing.
class RunLock {
 public:
  explicit RunLock(bool threaded) : threaded_(threaded) {}
  void lock() {
    if (threaded_) mutex_.lock();
  }
  void unlock() {
    if (threaded_) mutex_.unlock();
  }

 private:
  const bool threaded_;
  std::mutex mutex_;
};

// A task of a run; its implementation belongs to the runtime that made it.
class Task {
 public:
  virtual ~Task() = default;

  int number = 0;                 // 0 for the main task, then in order of go()
  const char* started_file = "";  // where go() was called
  unsigned started_line = 0;
  const char* waits_on = nullptr;  // while blocked: "receive", "send", "select", ...

 private:
  friend class Scheduler;
  bool spinning_ = false;  // inside a run of yield() calls
  Duration spin_mark_{0};
};

class Scheduler : public Runtime {
 public:
  // The scheduler of the calling task's run. Throws std::logic_error outside a task.
  static Scheduler& current();

  void sleep_until(Time t) final;
  void yield() final;
  Duration busy_wait_cpu() const final;
  std::uint64_t random_below(std::uint64_t n) final;
  double random_unit() final;

  RunLock& lock() { return lock_; }
  // The calling task. Throws std::logic_error outside a task.
  Task& self();
  // Waits for the calling task's wake-up token and consumes it.
  virtual void park() = 0;
  // As park(), but gives up at `deadline`; returns whether a token was consumed.
  virtual bool park_until(Time deadline) = 0;
  // Gives `task` its token (at most one is held), waking it if it is parked.
  virtual void unpark(Task& task) = 0;

 protected:
  // `parallel`: tasks run on more than one thread at once, so the run lock is a real mutex.
  Scheduler(TimeMode mode, std::uint64_t seed, bool parallel);
  // The clock that busy-wait time is measured on.
  virtual Duration spin_clock() const = 0;
  virtual void yield_now() = 0;
  // Ends a spin run: called by every park.
  static void stop_spinning(Task& t) { t.spinning_ = false; }
  // Records the first exception that escaped a task.
  void fail(std::exception_ptr e);
  void rethrow_failure();
  // The calling thread's current task and runtime.
  static void set_current(Scheduler* rt, Task* task);

 private:
  RunLock lock_;
  RunLock random_lock_;
  Random random_;
  std::mutex failure_lock_;
  std::exception_ptr failure_;
  std::atomic<std::int64_t> busy_ns_{0};
};

// Threads: one OS thread per task on the real clock.
std::unique_ptr<Runtime> make_thread_runtime(std::uint64_t seed);
// Fibers on `procs` worker threads (2 or more), on the real clock.
std::unique_ptr<Runtime> make_worker_runtime(std::uint64_t seed, unsigned procs);
// Fibers on the caller's thread; `clock` is real or simulated.
// `strategy`, when given, makes every choice of the next ready task (schedule.h).
std::unique_ptr<Runtime> make_fiber_runtime(TimeMode clock, std::uint64_t seed,
                                            Strategy* strategy = nullptr);

// --- Waiting on a queue ---

// One blocking operation of a task: a select with its cases, or a WaitGroup or Mutex wait.
struct Wait {
  Wait(Task& t, const char* what) : task(&t), what(what) {}
  Task* task;
  const char* what;            // the operation, for a deadlock's error (Task::waits_on)
  std::atomic<int> fired{-1};  // the index of the case that completed; -1 until then
};

// One case of a Wait, queued on one channel (or wait group, or mutex).
struct Waiter {
  Wait* wait = nullptr;
  int index = 0;
  void* value = nullptr;  // send: the T to move from; receive: the std::optional<T> to fill
  bool closed = false;    // a sender woken because its channel closed
  WaitQueue* queue = nullptr;
  Waiter* prev = nullptr;
  Waiter* next = nullptr;
};

// Completes `w`'s Wait with its case and wakes its task. Under the lock.
void complete(Scheduler& rt, Waiter& w);

// Releases `lock` and parks until `wait` fires. Inline: after a switch back to a fiber, every
// return up its call chain mispredicts (the CPU's return stack holds the other fiber's calls), so
// each level less between a channel operation and the switch is time saved on every wake-up.
inline void block(Scheduler& rt, std::unique_lock<RunLock>& lock, Wait& wait) {
  wait.task->waits_on = wait.what;
  lock.unlock();
  while (wait.fired.load(std::memory_order_acquire) < 0) rt.park();
  wait.task->waits_on = nullptr;
}

// Parks the calling task on `queue` until someone completes it; `what` names the wait (block()).
// Under `lock`; returns unlocked.
void wait_on(Scheduler& rt, std::unique_lock<RunLock>& lock, WaitQueue& queue, const char* what);

}  // namespace cacophony::runtime::detail
