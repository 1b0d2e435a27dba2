#include "cacophony/runtime/channel.h"

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <utility>
#include <vector>

#include "scheduler.h"

namespace cacophony::runtime::detail {

ChannelCore::ChannelCore(std::size_t capacity)
    : runtime_(Scheduler::current()), capacity_(capacity) {}

std::size_t ChannelCore::len() {
  std::scoped_lock lock(runtime_.lock());
  return buffered_;
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

inline bool ChannelCore::ready(bool is_send) const {
  // The cheap tests first; none has side effects, so the order changes nothing else.
  if (is_send) return closed_ || buffered_ < capacity_ || receivers_.has_live();
  return closed_ || buffered_ > 0 || senders_.has_live();
}

void ChannelCore::complete_now(bool is_send, void* value) {
  if (is_send)
    complete_send(value);
  else
    complete_receive(value);
}

void ChannelCore::complete_send(void* value) {
  if (closed_) throw std::logic_error("send on closed channel");
  if (Waiter* w = receivers_.pop_live()) {
    transfer(value, w->value);
    complete(runtime_, *w);
  } else {
    buffer_push(value);
    ++buffered_;
  }
}

void ChannelCore::complete_receive(void* value) {
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
  } else if (buffered_ > 0) {
    buffer_pop(value);
    --buffered_;
  }
  // Otherwise the channel is closed and drained: the receiver keeps std::nullopt.
}

// select's machinery, a friend of ChannelCore: run() for any select, one() for a single case.
struct SelectEngine {
  static int pick_ready(Scheduler& rt, const Case* cases, int n);
  static void queue_order(Scheduler& rt, const Case* cases, int n, int* order);
  // Inlined for the reason block() is (scheduler.h).
  [[gnu::always_inline]] static inline int wait_for_case(Scheduler& rt,
                                                         std::unique_lock<RunLock>& lock,
                                                         const Case* cases, Waiter* waiters, int n);
  static int run(Case* cases, int n, bool has_default);
  template <bool kSend, bool kDefault>
  static int one(ChannelCore* nil_or_channel, void* value);
  static bool try_send_locked(ChannelCore& channel, void* value);
  [[noreturn]] static void forever(const char* what);
};

// One ready case, chosen uniformly from the run's generator when several are; -1 when none is.
// Under the lock. A draw is made only when there is a choice, so runs replay from their seeds.
int SelectEngine::pick_ready(Scheduler& rt, const Case* cases, int n) {
  int few[4];
  std::vector<int> more(n > 4 ? n : 0);
  int* ready = n > 4 ? more.data() : few;
  int k = 0;
  for (int i = 0; i < n; ++i)
    if (cases[i].channel && cases[i].channel->ready(cases[i].is_send)) ready[k++] = i;
  if (k == 0) return -1;
  return k == 1 ? ready[0] : ready[rt.random_below(k)];
}

// The order in which a blocked select queues its cases, into `order`. A partner that comes later
// takes the first waiter in its channel's queue, so two cases on one channel would always pair
// the first; Go queues a blocked select's cases in random order, and so does this, drawing only
// then (a select over distinct channels draws nothing, so its runs replay as before).
void SelectEngine::queue_order(Scheduler& rt, const Case* cases, int n, int* order) {
  bool shared = false;
  for (int i = 0; i < n; ++i) {
    order[i] = i;
    for (int j = 0; j < i; ++j) shared = shared || cases[i].channel == cases[j].channel;
  }
  if (!shared) return;
  for (int i = n - 1; i > 0; --i)
    std::swap(order[i], order[rt.random_below(static_cast<std::uint64_t>(i) + 1)]);
}

// Queues `waiters[i]` for case i, parks until one of them is completed, and returns its index.
// Under `lock`; returns unlocked.
inline int SelectEngine::wait_for_case(Scheduler& rt, std::unique_lock<RunLock>& lock,
                                       const Case* cases, Waiter* waiters, int n) {
  Wait wait(rt.self(), n > 1 ? "a select" : cases[0].is_send ? "a send" : "a receive");
  int few[4];
  std::vector<int> more(n > 4 ? n : 0);
  int* order = n > 4 ? more.data() : few;
  queue_order(rt, cases, n, order);
  for (int k = 0; k < n; ++k) {
    const int i = order[k];
    Waiter& w = waiters[i];
    w.wait = &wait;
    w.index = i;
    w.value = cases[i].value;
    if (!cases[i].channel) continue;  // a nil channel's case is never chosen
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

int SelectEngine::run(Case* cases, int n, bool has_default) {
  const Case* live = std::find_if(cases, cases + n, [](const Case& c) { return c.channel; });
  Scheduler& rt = live != cases + n ? live->channel->runtime_ : Scheduler::current();
  std::unique_lock lock(rt.lock());
  const int chosen = pick_ready(rt, cases, n);
  if (chosen >= 0) {
    cases[chosen].channel->complete_now(cases[chosen].is_send, cases[chosen].value);
    return chosen;
  }
  if (has_default) return -1;
  if (n <= 4) {
    Waiter few[4];
    return wait_for_case(rt, lock, cases, few, n);
  }
  std::vector<Waiter> more(n);
  return wait_for_case(rt, lock, cases, more.data(), n);
}

// As run() for one case, with no list of ready cases, one waiter rather than four to zero, and
// the kind of case known.
template <bool kSend, bool kDefault>
int SelectEngine::one(ChannelCore* nil_or_channel, void* value) {
  if (!nil_or_channel)
    return kDefault
               ? -1
               : (forever(kSend ? "a send on a nil channel" : "a receive on a nil channel"), 0);
  ChannelCore& channel = *nil_or_channel;
  Scheduler& rt = channel.runtime_;
  std::unique_lock lock(rt.lock());
  if (channel.ready(kSend)) {
    if constexpr (kSend)
      channel.complete_send(value);
    else
      channel.complete_receive(value);
    return 0;
  }
  if (kDefault) return -1;
  const Case c{&channel, kSend, value};
  Waiter waiter;
  return wait_for_case(rt, lock, &c, &waiter, 1);
}

bool SelectEngine::try_send_locked(ChannelCore& channel, void* value) {
  if (!channel.ready(true)) return false;
  channel.complete_send(value);
  return true;
}

// Blocks the calling task for good (until a deadlocked run is torn down), waiting on `what`.
void SelectEngine::forever(const char* what) {
  Scheduler& rt = Scheduler::current();
  std::unique_lock lock(rt.lock());
  Wait wait(rt.self(), what);
  block(rt, lock, wait);  // no waiter is queued, so nothing fires it: it leaves only by teardown
  __builtin_unreachable();
}

int select(Case* cases, int n, bool has_default) {
  return SelectEngine::run(cases, n, has_default);
}

bool try_send_locked(ChannelCore& channel, void* value) {
  return SelectEngine::try_send_locked(channel, value);
}

template <bool kSend, bool kDefault>
int select_one(ChannelCore* channel, void* value) {
  return SelectEngine::one<kSend, kDefault>(channel, value);
}
template int select_one<true, false>(ChannelCore*, void*);
template int select_one<false, false>(ChannelCore*, void*);
template int select_one<true, true>(ChannelCore*, void*);
template int select_one<false, true>(ChannelCore*, void*);

}  // namespace cacophony::runtime::detail

namespace cacophony::runtime {

void select_forever() {
  detail::SelectEngine::forever("a select with no cases");
}

}  // namespace cacophony::runtime
