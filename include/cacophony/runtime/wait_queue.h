#pragma once
// Internal to the runtime: the queue of tasks waiting on one channel, WaitGroup or Mutex, held by
// value in those classes. Its entries are opaque here; only the runtime's own code queues, wakes
// and parks tasks, always under its run lock.

namespace cacophony::runtime::detail {

struct Waiter;

// A FIFO of waiters, doubly linked through the waiters themselves (they live on the waiting tasks'
// stacks), so queueing allocates nothing.
class WaitQueue {
 public:
  void push(Waiter* w);
  void remove(Waiter* w);
  // The first waiter whose Wait has not fired yet, unlinked; stale ones are dropped on the way.
  // An empty queue, the common case in a channel operation, is answered without a call.
  Waiter* pop_live() { return head_ ? pop_first_live() : nullptr; }
  bool has_live() const { return head_ && find_live(); }

 private:
  Waiter* pop_first_live();
  bool find_live() const;

  Waiter* head_ = nullptr;
  Waiter* tail_ = nullptr;
};

}  // namespace cacophony::runtime::detail
