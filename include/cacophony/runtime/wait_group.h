#pragma once
// WaitGroup: Go's sync.WaitGroup. add(n) before starting work, done() when a piece ends, wait()
// blocks until the count is zero. A count below zero throws std::logic_error (Go panics).
// A WaitGroup belongs to the run of the task that made it (made outside a task, it throws
// std::logic_error).
// Memory ordering: every done() happens-before the wait() it releases returns.

#include "cacophony/runtime/runtime.h"
#include "cacophony/runtime/wait_queue.h"

namespace cacophony::runtime {

class WaitGroup {
 public:
  WaitGroup();
  void add(int delta);
  void done() { add(-1); }
  void wait();

 private:
  detail::Scheduler& runtime_;
  long count_ = 0;
  detail::WaitQueue waiters_;
};

}  // namespace cacophony::runtime
