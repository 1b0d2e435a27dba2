#pragma once
// Mutex: Go's sync.Mutex, for tasks. Not re-entrant. A task that finds it locked parks (in
// simulated time it lets others run), and unlock() hands it to the longest waiter.
// Meets BasicLockable, so std::scoped_lock works.
// A Mutex belongs to the run of the task that made it (made outside a task, it throws
// std::logic_error).
// Memory ordering: an unlock() happens-before the next lock() that acquires it returns.

#include "cacophony/runtime/runtime.h"
#include "cacophony/runtime/wait_queue.h"

namespace cacophony::runtime {

class Mutex {
 public:
  Mutex();
  void lock();
  void unlock();

 private:
  detail::Scheduler& runtime_;
  bool locked_ = false;
  detail::WaitQueue waiters_;
};

}  // namespace cacophony::runtime
