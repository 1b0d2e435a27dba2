#include "cacophony/runtime/wait_queue.h"

#include "scheduler.h"

namespace cacophony::runtime::detail {

void WaitQueue::push(Waiter* w) {
  w->queue = this;
  w->prev = tail_;
  w->next = nullptr;
  (tail_ ? tail_->next : head_) = w;
  tail_ = w;
}

void WaitQueue::remove(Waiter* w) {
  (w->prev ? w->prev->next : head_) = w->next;
  (w->next ? w->next->prev : tail_) = w->prev;
  w->queue = nullptr;
  w->prev = w->next = nullptr;
}

Waiter* WaitQueue::pop_first_live() {
  while (Waiter* w = head_) {
    remove(w);
    // A waiter of a select that another case already completed is stale.
    if (w->wait->fired.load(std::memory_order_relaxed) < 0) return w;
  }
  return nullptr;
}

bool WaitQueue::find_live() const {
  for (Waiter* w = head_; w; w = w->next)
    if (w->wait->fired.load(std::memory_order_relaxed) < 0) return true;
  return false;
}

void complete(Scheduler& rt, Waiter& w) {
  // Once `fired` is set the waiting task may return and free `w`, so read what we need first.
  Task& task = *w.wait->task;
  w.wait->fired.store(w.index, std::memory_order_release);
  rt.unpark(task);
}

void wait_on(Scheduler& rt, std::unique_lock<RunLock>& lock, WaitQueue& queue, const char* what) {
  Wait wait(rt.self(), what);
  Waiter waiter;
  waiter.wait = &wait;
  queue.push(&waiter);
  try {
    block(rt, lock, wait);
  } catch (...) {  // the run is being torn down while this task is parked
    lock.lock();
    if (waiter.queue) queue.remove(&waiter);
    throw;
  }
}

}  // namespace cacophony::runtime::detail
