#pragma once
// Internal: what the two fiber schedulers share (fiber_runtime.cpp, on one thread, and
// worker_runtime.cpp, on N workers): the entries of their timer heaps, how a task's function is
// run, and the error and teardown of a deadlocked run.

#include <cstdint>
#include <exception>
#include <functional>
#include <list>
#include <memory>
#include <queue>
#include <stdexcept>
#include <string>
#include <vector>

#include "cacophony/runtime/time.h"
#include "scheduler.h"

namespace cacophony::runtime::detail {

// Thrown into parked tasks when a deadlocked run is torn down; never escapes the runtime.
struct Teardown {};

// A sleep's deadline in a timer heap. `generation` is the task's at the time: bumping the task's
// cancels the entry, which stays in the heap until it comes to the top.
template <class T>
struct TimerEntry {
  Time due;
  std::uint64_t order;  // creation order, for timers due at the same moment
  T* task;
  std::uint64_t generation;
  bool operator>(const TimerEntry& o) const { return due != o.due ? due > o.due : order > o.order; }
};

// The earliest entry on top.
template <class T>
using TimerHeap = std::priority_queue<TimerEntry<T>, std::vector<TimerEntry<T>>, std::greater<>>;

// Runs a task's function and drops it: an exception that escapes goes to `fail`, the teardown of
// a deadlocked run ends it quietly.
template <class Fail>
void run_task_function(std::function<void()>& fn, Fail&& fail) {
  try {
    fn();
  } catch (const Teardown&) {
  } catch (...) {
    fail(std::current_exception());
  }
  fn = nullptr;
}

// The error of a run whose `blocked` tasks (in order of go()) all wait with no timer due, as Go
// prints every goroutine: "deadlock: all 2 tasks are blocked and no timer is due: task 0 (the
// main task) waits on a receive; task 1 (go at main.cpp:12) ...", the first few of them named
// (a deadlock of thousands stays one readable line).
std::string deadlock_error(const std::vector<const Task*>& blocked);

// Ends a run that deadlocked: the error names the tasks of `tasks` that have not ended,
// `tear_down` then unwinds them, and the error is returned for the run to throw.
template <class T, class TearDown>
std::exception_ptr end_deadlocked(const std::list<std::unique_ptr<T>>& tasks,
                                  TearDown&& tear_down) {
  std::vector<T*> blocked;
  for (const auto& t : tasks)
    if (t->state != T::State::done) blocked.push_back(t.get());
  std::string error = deadlock_error({blocked.begin(), blocked.end()});
  tear_down(blocked);
  return std::make_exception_ptr(std::runtime_error(std::move(error)));
}

}  // namespace cacophony::runtime::detail
