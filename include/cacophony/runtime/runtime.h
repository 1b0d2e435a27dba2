#pragma once
// The runtime: Go's `go`, `time.Sleep`, `time.Now` and a scheduler `yield`, over a real or a
// simulated clock. One Runtime serves one run; every task of the run belongs to it.
//
// Guarantees, in all three modes (TimeMode)
// - `run(main)` returns only when `main` and every task it spawned (transitively) have ended, so
//   nothing a task touches can be torn down under it. A task that outlives the function that
//   spawned it (Go's abandoned goroutine) is still joined here.
// - Sleeps wait for absolute deadlines, so overshoot never accumulates. Timers due at the same
//   moment wake their tasks in deadline, then creation order.
// - `yield()` is the only way a busy-wait may spin, and it lets the other tasks run: a task that
//   spins with yield() starves none of them. The time it spins is summed in `busy_wait_cpu()`.
// - Tasks block only inside the runtime's primitives (Chan, select, WaitGroup, Mutex, Ticker) and
//   sleeps; how they park is the runtime's own business, not part of this API.
//
// Where they differ
// - real (at procs 1, the default: set_procs()): tasks are user-space fibers run one at a time on
//   the caller's thread (Go with GOMAXPROCS=1), in FIFO order. When none can run, the thread sleeps
//   until the next timer's deadline on CLOCK_MONOTONIC with 1 ns timer slack; a hand-off between
//   tasks is a fiber switch, with no system call. A task that computes without blocking or yielding
//   holds the one thread and delays every other task, timers included; a yielding task gets the
//   thread back at once (timers that fell due run first). `busy_wait_cpu()` is the thread CPU time
//   spent spinning, less what the other tasks ran meanwhile. A run whose tasks are all blocked with
//   no timer pending ends in a deadlock error, as in simulated time. A task that runs for
//   kStuckAfter of real time without blocking or yielding holds the thread for good: the run is
//   stopped through the stuck-task handler (set_stuck_handler()), as in simulated time.
// - real at procs N > 1 (Go's GOMAXPROCS=N): tasks are fibers, and N worker threads (the caller's
//   and N - 1 it starts) run them, up to N at once. Each worker has its own run queue: go() and a
//   wake-up queue the task on the worker that made it ready, a worker that runs dry takes half of
//   the longest other queue, and a yield() puts the task at the back of its worker's queue. There
//   is no order among ready tasks on different workers. Every worker that finds no work fires the
//   timers that are due, from any worker's tasks; a worker with nothing to do sleeps until the
//   next timer or until a task is made ready (a sleeping run uses no CPU). A task that computes
//   without blocking or yielding holds only its own worker; one that does so for kStuckAfter is
//   stuck, as at procs 1. `busy_wait_cpu()` is the spinning tasks' own CPU time.
//   A run whose tasks are all blocked with no timer pending ends in the same deadlock error as
//   the other fiber modes. A task may resume on another thread after any blocking call, sleep or
//   yield(): what the task keeps in thread_local storage (errno included) is the worker's, not its
//   own. The primitives' memory ordering (below) holds across workers: a task's hand-off between
//   workers goes through the run's scheduler lock, and ThreadSanitizer is told of every switch.
//   With a schedule strategy (schedule.h) a real run keeps to one thread.
// - threads: tasks are OS threads, truly parallel, with 1 ns timer slack; no order among ready
//   tasks. `busy_wait_cpu()` is the spinning threads' CPU time. A deadlocked run hangs.
// - simulated: the fibers and order of real time, but time advances only when no task can run,
//   and then jumps to the next timer. A spinning task lets time advance once nothing else can
//   run; `busy_wait_cpu()` is the simulated time spent spinning. The same seed gives the same run.
//   A run whose tasks are all blocked with no timer pending ends in a deadlock error; a task in
//   yield() is not blocked, so with nothing else to run it runs again. A task that
//   runs for kStuckAfter of real time without blocking or yielding (a busy-wait without yield())
//   never lets time advance: the run is stopped through the stuck-task handler.
// - A deadlock error (fiber modes) names every blocked task, as Go's does: its number (0 is the
//   main task, then in order of go()), where go() was called (file and line) and what it waits on
//   (a receive, a send, a select, a wait group or a mutex).
//
// Task stacks (real and simulated time): each fiber task runs on a stack of stack_size() bytes
// (set_stack_size(); 64 KiB by default) that never grows. The size is address space, not memory:
// stacks are reserved in bulk and the kernel commits a page only when a task first touches it, so
// a parked task holds about the page its park runs on, and a million parked tasks fit a stock
// machine. 64 KiB rather than more: the runtime's own paths, formatting and exceptions use a few
// KiB, and smaller slots pack more stacks into each page table.
// - Overflow: below every stack lies a 16 KiB guard that no access passes. Code that links the
//   runtime is built with -fstack-clash-protection, so a frame larger than a page touches each of
//   its pages in order and meets the guard before anything beyond it; a frame from code built
//   without it still meets the guard unless it is over 16 KiB. The guard's fault (SIGSEGV) is
//   told from any other by its address, on an alternate signal stack of the thread's own; the
//   process then writes one line (set_overflow_message()) and exits with code 1. A task can't
//   write over another task's stack, and the run doesn't go on with a stack it has lost. Other
//   faults go to the handler that was there before (the kernel's, by default).
// - Guards live in the page tables (MADV_GUARD_INSTALL, Linux 6.13). An older kernel gets an
//   mprotect'ed mapping per guard instead, and vm.max_map_count then bounds a run to about 32,000
//   tasks; a task beyond that fails the run with why, as any stack the kernel refuses does.
//
// Memory ordering: whatever a task wrote before a channel operation, a done(), an unlock() or a
// go() is visible to the task that the operation releases, or to the task go() starts.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "cacophony/runtime/time.h"

namespace cacophony::runtime {

namespace detail {
class Scheduler;
}
class Strategy;

class Runtime {
 public:
  static std::unique_ptr<Runtime> create(TimeMode mode, std::uint64_t seed);
  // As above, every choice of which ready task runs next made by `strategy` (schedule.h), which
  // must outlive the run. Fiber modes only (real, simulated): std::invalid_argument for threads.
  // Real time then runs on one thread whatever procs() is, as a strategy orders one queue.
  static std::unique_ptr<Runtime> create(TimeMode mode, std::uint64_t seed, Strategy& strategy);
  virtual ~Runtime() = default;
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  TimeMode mode() const { return mode_; }
  // Whether every task of this run runs on one thread, one at a time: simulated time, and real
  // time at one worker (procs() == 1 when created) or ordered by a strategy. What its tasks share
  // then needs no lock among them; otherwise (threads time, real time on several workers) it
  // does. Fixed at creation; thread-safe, real-time safe.
  bool one_thread() const { return one_thread_; }

  // A fiber task (real and simulated time) that runs this long without blocking or yielding is
  // stuck: it holds the run's one thread, so no other task, and no time, can move again.
  static constexpr std::chrono::seconds kStuckAfter{2};
  // Told, from a thread of the runtime's own, that a run is stuck: `message` names the task
  // ("task 2 (go at spin.cpp:14) ran 2 s without blocking or yielding: ..."). It must not return
  // (print and _exit, say): the stuck task can't be stopped. Without a handler (the default) a
  // stuck run hangs, and no watching thread is started. Set it before runs start; thread-safe.
  using StuckHandler = void (*)(const std::string& message);
  static void set_stuck_handler(StuckHandler handler);

  // The bytes of every fiber task's stack, rounded up to whole pages; std::invalid_argument
  // outside [kMinStackSize, kMaxStackSize]. Set it before runs start; it holds for runs created
  // after.
  static constexpr std::size_t kDefaultStackSize = 64 * 1024;
  static constexpr std::size_t kMinStackSize = 16 * 1024;
  static constexpr std::size_t kMaxStackSize = std::size_t{1} << 30;
  static void set_stack_size(std::size_t bytes);
  static std::size_t stack_size();
  // The line written (with write(2), nothing else being safe then) when a task overflows its
  // stack, before the process exits with code 1; it must live as long as the process. nullptr
  // (the default): "a task overflowed its 64 KiB stack", naming the size.
  static void set_overflow_message(const char* line);

  // How many worker threads a real-time run uses (Go's GOMAXPROCS): 1, the default, runs every
  // task on the caller's thread. std::invalid_argument outside [1, kMaxProcs]. Set it before runs
  // start; it holds for runs created after. Thread-safe.
  static constexpr unsigned kMaxProcs = 256;
  static void set_procs(unsigned procs);
  static unsigned procs();

  // Puts the calling thread under SCHED_FIFO at kRealtimePriority, so that an ordinary busy
  // thread can't delay its timer wake-ups, as JACK runs its audio threads. A run started on this
  // thread afterwards runs there: real time's one thread, and in threads time every task, as the
  // threads it starts inherit the policy (so does the stuck-task watcher). Returns 0, or the errno
  // of the refusal: EPERM without root, CAP_SYS_NICE or an RLIMIT_RTPRIO of at least
  // kRealtimePriority (rtkit is not asked). Not real-time safe; call before a run.
  static constexpr int kRealtimePriority = 10;
  static int use_realtime_priority();

  // Runs `main` as the run's first task and waits for every task. Rethrows the first exception
  // that escaped a task. Call once.
  virtual void run(std::function<void()> main) = 0;

  // The time since the run started.
  virtual Time now() const = 0;
  // Starts a task (Go's `go`). `file` and `line` (the caller's, by default: GCC's and Clang's
  // __builtin_FILE and __builtin_LINE, as std::source_location is not in every compiler this
  // builds with) name the task in a deadlock's error.
  virtual void go(std::function<void()> fn, const char* file = __builtin_FILE(),
                  unsigned line = __builtin_LINE()) = 0;
  // Blocks the calling task until `now() >= t`.
  virtual void sleep_until(Time t) = 0;
  // Lets other tasks run; the one call a busy-wait loop must make.
  virtual void yield() = 0;
  // Time spent spinning in yield() loops, over all tasks of the run.
  virtual Duration busy_wait_cpu() const = 0;

  // Draws from the run's shared seeded generator (thread-safe).
  virtual std::uint64_t random_below(std::uint64_t n) = 0;
  virtual double random_unit() = 0;

  // The runtime of the calling task. Throws std::logic_error outside a task.
  static Runtime& current();

 private:
  // Only the runtime's own schedulers implement Runtime: the primitives park tasks through them.
  friend class detail::Scheduler;
  Runtime(TimeMode mode, bool one_thread) : mode_(mode), one_thread_(one_thread) {}

  const TimeMode mode_;
  const bool one_thread_;
};

// The calling task's number in its run: 0 for the main task, then in order of go() (as a deadlock's
// error numbers them); -1 outside a task.
int task_number();

// Go-style free functions over the calling task's runtime.
inline void go(std::function<void()> fn, const char* file = __builtin_FILE(),
               unsigned line = __builtin_LINE()) {
  Runtime::current().go(std::move(fn), file, line);
}
inline Time now() {
  return Runtime::current().now();
}
// A sleep past the end of time lasts until then (Go clamps it too), rather than wrapping into the
// past and returning at once.
inline void sleep(Duration d) {
  auto& rt = Runtime::current();
  const Time now = rt.now();
  rt.sleep_until(d > Time::max() - now ? Time::max() : now + d);
}
inline void sleep_until(Time t) {
  Runtime::current().sleep_until(t);
}
inline void yield() {
  Runtime::current().yield();
}

}  // namespace cacophony::runtime
