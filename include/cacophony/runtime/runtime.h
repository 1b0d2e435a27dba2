#pragma once
// The runtime: Go's `go`, `time.Sleep`, `time.Now` and a scheduler `yield`, over a real or a
// simulated clock. One Runtime serves one run; every task of the run belongs to it.
//
// Guarantees
// - `run(main)` returns only when `main` and every task it spawned (transitively) have ended, so
//   nothing a task touches can be torn down under it. A task that outlives the function that
//   spawned it (Go's abandoned goroutine) is still joined here.
// - Real time: tasks are OS threads with 1 ns timer slack; sleeps wait for absolute deadlines on
//   CLOCK_MONOTONIC, so overshoot never accumulates.
// - Simulated time: tasks are user-space fibers run one at a time on the caller's thread, in a
//   deterministic order (FIFO run queue, timers by deadline then creation order). Time advances
//   only when no task can run, and then jumps to the next timer. The same seed gives the same run.
// - `yield()` is the only way a busy-wait may spin: in simulated time a spinning task lets time
//   advance once nothing else can run; in both modes the time it spins is summed in
//   `busy_wait_cpu()` (thread CPU time when real, simulated time when simulated).
// - Every blocking primitive (Chan, select, WaitGroup, Mutex, Ticker) is built on park/unpark
//   below. Unpark before park is not lost: a task holds at most one wake-up token.
//
// Memory ordering: all channel, wait-group and mutex state is guarded by the runtime's one lock;
// a wake-up publishes everything the waker wrote before it (release/acquire on the token).

#include <atomic>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>

#include "cacophony/runtime/random.h"
#include "cacophony/runtime/time.h"

namespace cacophony::runtime {

// The one lock of a run. In simulated time a single thread runs the tasks and none parks while
// holding it, so there it costs nothing.
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

 private:
  friend class Runtime;
  bool spinning_ = false;  // inside a run of yield() calls
  Duration spin_mark_{0};
};

class Runtime {
 public:
  static std::unique_ptr<Runtime> create(TimeMode mode, std::uint64_t seed);
  virtual ~Runtime() = default;
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  TimeMode mode() const { return mode_; }

  // Runs `main` as the run's first task and waits for every task. Rethrows the first exception
  // that escaped a task. Call once.
  virtual void run(std::function<void()> main) = 0;

  // The time since the run started.
  virtual Time now() const = 0;
  // Starts a task (Go's `go`).
  virtual void go(std::function<void()> fn) = 0;
  // Blocks the calling task until `now() >= t`.
  void sleep_until(Time t);
  // Lets other tasks run; the one call a busy-wait loop must make.
  void yield();
  // Time spent spinning in yield() loops, over all tasks of the run.
  Duration busy_wait_cpu() const;

  // Draws from the run's shared seeded generator (thread-safe).
  std::uint64_t random_below(std::uint64_t n);
  double random_unit();

  // The runtime of the calling task. Throws std::logic_error outside a task.
  static Runtime& current();

  // --- The parking layer, for the primitives. ---
  RunLock& lock() { return lock_; }
  Task& self();
  // Waits for the calling task's wake-up token and consumes it.
  virtual void park() = 0;
  // As park(), but gives up at `deadline`; returns whether a token was consumed.
  virtual bool park_until(Time deadline) = 0;
  // Gives `task` its token (at most one is held), waking it if it is parked.
  virtual void unpark(Task& task) = 0;

 protected:
  Runtime(TimeMode mode, std::uint64_t seed);
  // The clock that busy-wait time is measured on.
  virtual Duration spin_clock() const = 0;
  virtual void yield_now() = 0;
  // Ends a spin run: called by every park.
  static void stop_spinning(Task& t) { t.spinning_ = false; }
  // Records the first exception that escaped a task.
  void fail(std::exception_ptr e);
  void rethrow_failure();
  // The calling thread's current task and runtime.
  static void set_current(Runtime* rt, Task* task);

 private:
  const TimeMode mode_;
  RunLock lock_;
  RunLock random_lock_;
  Random random_;
  std::mutex failure_lock_;
  std::exception_ptr failure_;
  std::atomic<std::int64_t> busy_ns_{0};
};

// Go-style free functions over the calling task's runtime.
inline void go(std::function<void()> fn) {
  Runtime::current().go(std::move(fn));
}
inline Time now() {
  return Runtime::current().now();
}
inline void sleep(Duration d) {
  auto& rt = Runtime::current();
  rt.sleep_until(rt.now() + d);
}
inline void sleep_until(Time t) {
  Runtime::current().sleep_until(t);
}
inline void yield() {
  Runtime::current().yield();
}

}  // namespace cacophony::runtime
