#pragma once
// Internal: the waiting-task queues behind channels, select, WaitGroup and Mutex.
// Everything here is guarded by Runtime::lock().

#include <atomic>

#include "cacophony/runtime/runtime.h"

namespace cacophony::runtime::detail {

// One blocking operation of a task: a select with its cases. `fired` goes from -1 to the index of
// the case that completed, exactly once, under the runtime lock; the waiting task reads it with
// acquire, so everything the waker wrote (the value, `closed`) is visible.
struct Wait {
  explicit Wait(Task& t) : task(&t) {}
  Task* task;
  std::atomic<int> fired{-1};
};

class WaitQueue;

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

class WaitQueue {
 public:
  void push(Waiter* w);
  void remove(Waiter* w);
  // The first waiter whose Wait has not fired yet, unlinked; stale ones are dropped on the way.
  Waiter* pop_live();
  bool has_live();

 private:
  Waiter* head_ = nullptr;
  Waiter* tail_ = nullptr;
};

// Completes `w`'s Wait with its case and wakes its task. Under the lock.
void complete(Runtime& rt, Waiter& w);

// Releases `lock` and parks until `wait` fires.
void block(Runtime& rt, std::unique_lock<RunLock>& lock, Wait& wait);

// Parks the calling task on `queue` until someone completes it. Under `lock`; returns unlocked.
void wait_on(Runtime& rt, std::unique_lock<RunLock>& lock, WaitQueue& queue);

}  // namespace cacophony::runtime::detail
