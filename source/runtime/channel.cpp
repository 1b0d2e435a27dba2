#include "cacophony/runtime/channel.h"

#include <stdexcept>
#include <vector>

#include "scheduler.h"

namespace cacophony::runtime::detail {

ChannelCore::ChannelCore(std::size_t capacity)
    : runtime_(Scheduler::current()), capacity_(capacity) {}

std::size_t ChannelCore::len() {
  std::scoped_lock lock(runtime_.lock());
  return buffered();
}

void ChannelCore::close() {
  std::scoped_lock lock(runtime_.lock());
  if (closed_) throw std::logic_error("close of closed channel");
  closed_ = true;
  while (Waiter* w = receivers_.pop_live()) complete(runtime_, *w);
  while (Waiter* w = senders_.pop_live()) {
    w->closed = true;
    complete(runtime_, *w);
  }
}

bool ChannelCore::ready(bool is_send) const {
  if (is_send) return closed_ || receivers_.has_live() || buffered() < capacity_;
  return closed_ || senders_.has_live() || buffered() > 0;
}

void ChannelCore::complete_now(bool is_send, void* value) {
  if (is_send) {
    if (closed_) throw std::logic_error("send on closed channel");
    if (Waiter* w = receivers_.pop_live()) {
      transfer(value, w->value);
      complete(runtime_, *w);
    } else {
      buffer_push(value);
    }
    return;
  }
  if (Waiter* w = senders_.pop_live()) {
    // A sender waits only when the buffer is full (or there is none): take the oldest value,
    // then let the sender's value in behind it, so order is kept.
    if (capacity_ == 0) {
      transfer(w->value, value);
    } else {
      buffer_pop(value);
      buffer_push(w->value);
    }
    complete(runtime_, *w);
  } else if (buffered() > 0) {
    buffer_pop(value);
  }
  // Otherwise the channel is closed and drained: the receiver keeps std::nullopt.
}

int select(Case* cases, int n, bool has_default) {
  Scheduler& rt = cases[0].channel->runtime_;
  std::unique_lock lock(rt.lock());
  int few_ready[4];
  std::vector<int> more_ready(n > 4 ? n : 0);
  int* pick_from = n > 4 ? more_ready.data() : few_ready;
  int k = 0;
  for (int i = 0; i < n; ++i)
    if (cases[i].channel->ready(cases[i].is_send)) pick_from[k++] = i;
  if (k > 0) {
    const int chosen = k == 1 ? pick_from[0] : pick_from[rt.random_below(k)];
    cases[chosen].channel->complete_now(cases[chosen].is_send, cases[chosen].value);
    return chosen;
  }
  if (has_default) return -1;

  Wait wait(rt.self());
  Waiter few[4];
  std::vector<Waiter> more(n > 4 ? n : 0);
  Waiter* waiters = n > 4 ? more.data() : few;
  for (int i = 0; i < n; ++i) {
    Waiter& w = waiters[i];
    w.wait = &wait;
    w.index = i;
    w.value = cases[i].value;
    ChannelCore& c = *cases[i].channel;
    (cases[i].is_send ? c.senders_ : c.receivers_).push(&w);
  }
  // The waiters live on this stack: unlink those no one completed before leaving. One that was
  // completed has been unlinked by its waker before `fired` was published.
  auto unlink = [&] {
    for (int i = 0; i < n; ++i)
      if (waiters[i].queue) waiters[i].queue->remove(&waiters[i]);
  };
  try {
    block(rt, lock, wait);
  } catch (...) {  // the run is being torn down while this task is parked
    lock.lock();
    unlink();
    throw;
  }
  const int fired = wait.fired.load(std::memory_order_acquire);
  if (n > 1) {
    lock.lock();
    unlink();
    lock.unlock();
  }
  if (waiters[fired].closed) throw std::logic_error("send on closed channel");
  return fired;
}

}  // namespace cacophony::runtime::detail
