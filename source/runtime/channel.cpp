#include "cacophony/runtime/channel.h"

#include <stdexcept>
#include <vector>

namespace cacophony::runtime::detail {

ChannelCore::ChannelCore(std::size_t capacity)
    : runtime_(Runtime::current()), capacity_(capacity) {}

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

bool Case::ready() const {
  ChannelCore& c = *channel;
  if (is_send) return c.closed_ || c.receivers_.has_live() || c.buffered() < c.capacity_;
  return c.closed_ || c.senders_.has_live() || c.buffered() > 0;
}

void Case::complete_now() const {
  ChannelCore& c = *channel;
  if (is_send) {
    if (c.closed_) throw std::logic_error("send on closed channel");
    if (Waiter* w = c.receivers_.pop_live()) {
      c.transfer(value, w->value);
      complete(c.runtime_, *w);
    } else {
      c.buffer_push(value);
    }
    return;
  }
  if (Waiter* w = c.senders_.pop_live()) {
    // A sender waits only when the buffer is full (or there is none): take the oldest value,
    // then let the sender's value in behind it, so order is kept.
    if (c.capacity_ == 0) {
      c.transfer(w->value, value);
    } else {
      c.buffer_pop(value);
      c.buffer_push(w->value);
    }
    complete(c.runtime_, *w);
  } else if (c.buffered() > 0) {
    c.buffer_pop(value);
  }
  // Otherwise the channel is closed and drained: the receiver keeps std::nullopt.
}

int select(Runtime& rt, Case* cases, int n, bool has_default) {
  std::unique_lock lock(rt.lock());
  int few_ready[4];
  std::vector<int> more_ready(n > 4 ? n : 0);
  int* pick_from = n > 4 ? more_ready.data() : few_ready;
  int k = 0;
  for (int i = 0; i < n; ++i)
    if (cases[i].ready()) pick_from[k++] = i;
  if (k > 0) {
    const int chosen = k == 1 ? pick_from[0] : pick_from[rt.random_below(k)];
    cases[chosen].complete_now();
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
