#pragma once
// Chan<T>: Go's channel. Capacity 0 is a true rendezvous: send returns only once a receiver has
// taken the value. Capacity n buffers n values. A Chan is a handle: copies share one channel.
// It belongs to the run of the task that made it (made outside a task, it throws
// std::logic_error); one select takes channels of one run only.
//
// Guarantees (as in Go)
// - Values are received in the order they were sent; blocked senders and receivers are served
//   first come, first served.
// - close() is a broadcast: receivers get what is still buffered, then std::nullopt at once;
//   range-for ends. Sending on or closing a closed channel throws std::logic_error (Go panics).
// - select() completes exactly one ready case, chosen uniformly at random (from the run's seeded
//   generator) when several are ready; with default_case it never blocks. A select of a default
//   case alone runs it; select_forever() is Go's `select {}`: the task blocks for good.
// - Chan<T>::nil() is Go's nil channel: a send or a receive on it blocks for good, a select never
//   chooses its case, closing it throws std::logic_error; its len() and capacity() are 0.
// - SendChan<T> and RecvChan<T> are Go's `chan<- T` and `<-chan T`: handles to the same channel
//   that a Chan<T> converts to implicitly (never the other way, nor one to the other), each with
//   only its direction's operations. A SendChan sends, try_sends and closes (Go lets the sender
//   close); a RecvChan receives, try_receives and ranges. Both have len(), capacity() and
//   is_nil(), and a select takes a RecvChan in case_recv and a SendChan in case_send. Using the
//   other direction is a compile error, as in Go.
// Thread safety: any task of the run may use a channel through any of its handles; the channel's
//   state is under the run lock. A handle itself is a value: copy it, don't share one object
//   between tasks that assign to it.
// Memory ordering: a completed send happens-before the matching receive returns, and close()
// happens-before every receive that returns std::nullopt because of it.

#include <concepts>
#include <cstddef>
#include <deque>
#include <memory>
#include <optional>
#include <stdexcept>
#include <tuple>
#include <type_traits>
#include <utility>

#include "cacophony/runtime/runtime.h"
#include "cacophony/runtime/wait_queue.h"

namespace cacophony::runtime {

namespace detail {

class ChannelCore;
struct SelectEngine;

// One case of a select, as the engine sees it.
struct Case {
  ChannelCore* channel;
  bool is_send;
  void* value;  // send: T*; receive: std::optional<T>*
};

// Runs a select over `cases`, whose channels all belong to the calling task's run. Returns the
// index of the completed case, or -1 for default.
int select(Case* cases, int n, bool has_default);
// select() over the one case {channel, kSend, value}, with a default case if kDefault. Each kind
// of operation (send, recv, try_send, try_recv) has its own copy of the code: they are most of a
// run's channel operations, and need no list of cases nor tests of what kind they are.
template <bool kSend, bool kDefault>
int select_one(ChannelCore* channel, void* value);
// try_send for a caller that holds the run lock already: a Ticker sends its tick under the lock
// that its stop() and reset() take, so no tick of an old grid is sent after they return.
bool try_send_locked(ChannelCore& channel, void* value);

// The type-independent part of a channel; the value moves go through the virtuals.
class ChannelCore {
 public:
  explicit ChannelCore(std::size_t capacity);
  virtual ~ChannelCore() = default;

  void close();
  std::size_t capacity() const { return capacity_; }
  std::size_t len();

 private:
  friend struct SelectEngine;  // select()'s machinery (channel.cpp)

  // Whether a case on this channel can complete without waiting. Under the run lock.
  bool ready(bool is_send) const;
  // Completes a ready case on this channel, waking the waiter it pairs with. Under the run lock.
  void complete_now(bool is_send, void* value);
  void complete_send(void* value);
  void complete_receive(void* value);

  // The buffer's own moves; callers keep `buffered_` in step.
  virtual void buffer_push(void* from) = 0;
  virtual void buffer_pop(void* into) = 0;
  virtual void transfer(void* from, void* into) = 0;

  Scheduler& runtime_;
  const std::size_t capacity_;
  std::size_t buffered_ = 0;  // values in the buffer: counted here, readiness needs no virtual call
  bool closed_ = false;
  WaitQueue senders_;
  WaitQueue receivers_;
};

template <class T>
class Channel final : public ChannelCore {
 public:
  using ChannelCore::ChannelCore;

 private:
  void buffer_push(void* from) override { buffer_.push_back(std::move(*static_cast<T*>(from))); }
  void buffer_pop(void* into) override {
    static_cast<std::optional<T>*>(into)->emplace(std::move(buffer_.front()));
    buffer_.pop_front();
  }
  void transfer(void* from, void* into) override {
    static_cast<std::optional<T>*>(into)->emplace(std::move(*static_cast<T*>(from)));
  }

  std::deque<T> buffer_;
};

// What Chan, SendChan and RecvChan share: the handle to one channel and every operation on it.
// The operations are protected; each of the three makes public those its direction allows.
template <class T>
class ChanBase {
 public:
  using value_type = T;

  bool is_nil() const { return core_ == nullptr; }
  // Go allows len and cap on a channel of either direction.
  std::size_t capacity() const { return core_ ? core_->capacity() : 0; }
  std::size_t len() const { return core_ ? core_->len() : 0; }

  // Range-for over the channel: ends when it is closed and drained.
  class iterator {
   public:
    explicit iterator(ChanBase* ch) : ch_(ch) { ++*this; }
    iterator() = default;
    T& operator*() { return *value_; }
    iterator& operator++() {
      value_ = ch_->recv();
      return *this;
    }
    bool operator!=(const iterator&) const { return value_.has_value(); }

   private:
    ChanBase* ch_ = nullptr;
    std::optional<T> value_;
  };

 protected:
  explicit ChanBase(std::shared_ptr<Channel<T>> core) : core_(std::move(core)) {}
  ChanBase(const ChanBase&) = default;
  ChanBase& operator=(const ChanBase&) = default;
  ~ChanBase() = default;

  void send(T value) { select_one<true, false>(core_.get(), &value); }
  // The next value, or std::nullopt once the channel is closed and drained.
  std::optional<T> recv() {
    std::optional<T> out;
    select_one<false, false>(core_.get(), &out);
    return out;
  }
  // Sends only if that needs no waiting; returns whether it sent.
  bool try_send(T value) { return select_one<true, true>(core_.get(), &value) == 0; }
  // A value if one is ready now; nullopt when none is ready or the channel is closed and drained.
  std::optional<T> try_recv() {
    std::optional<T> out;
    select_one<false, true>(core_.get(), &out);
    return out;
  }
  void close() {
    if (!core_) throw std::logic_error("close of nil channel");
    core_->close();
  }
  iterator begin() { return iterator(this); }
  iterator end() { return iterator(); }

 private:
  friend struct ChanAccess;
  std::shared_ptr<Channel<T>> core_;
};

// Lets the select templates below, and the timers, reach the channel that a handle keeps private.
struct ChanAccess {
  template <class T>
  static ChannelCore* core(const ChanBase<T>& chan) {
    return chan.core_.get();
  }
};

}  // namespace detail

template <class T>
class Chan : public detail::ChanBase<T> {
  using Base = detail::ChanBase<T>;

 public:
  // Makes a channel in the calling task's runtime (Go's make(chan T, capacity)).
  explicit Chan(std::size_t capacity = 0) : Base(std::make_shared<detail::Channel<T>>(capacity)) {}
  // Go's nil channel (`var c chan T`): never ready.
  static Chan nil() { return Chan(nullptr); }

  using Base::begin;
  using Base::close;
  using Base::end;
  using Base::recv;
  using Base::send;
  using Base::try_recv;
  using Base::try_send;

 private:
  explicit Chan(std::nullptr_t) : Base(nullptr) {}
};

// Go's `chan<- T`: the send side of a Chan, which it converts from implicitly (as Go assigns a
// `chan T` to a `chan<- T`). It can send and close, as in Go; it cannot receive.
template <class T>
class SendChan : public detail::ChanBase<T> {
  using Base = detail::ChanBase<T>;

 public:
  SendChan(const Chan<T>& chan) : Base(chan) {}  // implicit, as in Go

  using Base::close;
  using Base::send;
  using Base::try_send;
};

// Go's `<-chan T`: the receive side of a Chan, which it converts from implicitly. It can receive
// and range; it can neither send nor close (closing is the sender's business, as in Go).
template <class T>
class RecvChan : public detail::ChanBase<T> {
  using Base = detail::ChanBase<T>;

 public:
  RecvChan(const Chan<T>& chan) : Base(chan) {}  // implicit, as in Go

  using Base::begin;
  using Base::end;
  using Base::recv;
  using Base::try_recv;
};

// --- select ---
// select(case_recv(ch, [](std::optional<T> v) {...}), case_send(ch, value, [] {...}),
//        default_case([] {...}));
// The chosen case's function runs after the channel operation has completed, outside the lock.

template <class T, class F>
struct RecvCase {
  const detail::ChanBase<T>* chan;
  F fn;
  std::optional<T> slot{};
};
template <class T, class F>
struct SendCase {
  const detail::ChanBase<T>* chan;
  T value;
  F fn;
};
template <class F>
struct DefaultCase {
  F fn;
};

namespace detail {
// The handles a select may receive from (Chan, RecvChan) and send to (Chan, SendChan).
template <class C>
concept Receivable = std::same_as<C, Chan<typename C::value_type>> ||
    std::same_as<C, RecvChan<typename C::value_type>>;
template <class C>
concept Sendable = std::same_as<C, Chan<typename C::value_type>> ||
    std::same_as<C, SendChan<typename C::value_type>>;
}  // namespace detail

template <detail::Receivable C, class F>
RecvCase<typename C::value_type, F> case_recv(const C& chan, F fn) {
  return {&chan, std::move(fn)};
}
template <detail::Sendable C, class F>
SendCase<typename C::value_type, F> case_send(const C& chan, typename C::value_type value, F fn) {
  return {&chan, std::move(value), std::move(fn)};
}
template <class F>
DefaultCase<F> default_case(F fn) {
  return {std::move(fn)};
}

namespace detail {
template <class C>
struct is_default : std::false_type {};
template <class F>
struct is_default<DefaultCase<F>> : std::true_type {};

template <class T, class F>
Case as_case(RecvCase<T, F>& c) {
  return {ChanAccess::core(*c.chan), false, &c.slot};
}
template <class T, class F>
Case as_case(SendCase<T, F>& c) {
  return {ChanAccess::core(*c.chan), true, &c.value};
}
template <class T, class F>
void run_case(RecvCase<T, F>& c) {
  c.fn(std::move(c.slot));
}
template <class T, class F>
void run_case(SendCase<T, F>& c) {
  c.fn();
}
template <class F>
void run_case(DefaultCase<F>& c) {
  c.fn();
}
}  // namespace detail

namespace detail {
// select()'s work over n > 0 channel cases.
template <int n, bool has_default, class... Cases>
int run_select(Cases&... cases) {
  detail::Case engine_cases[n];
  int i = 0;
  (
      [&](auto& c) {
        if constexpr (!detail::is_default<std::decay_t<decltype(c)>>::value)
          engine_cases[i++] = detail::as_case(c);
      }(cases),
      ...);
  int fired;
  if constexpr (n == 1) {
    const detail::Case& c = engine_cases[0];
    fired = c.is_send ? detail::select_one<true, has_default>(c.channel, c.value)
                      : detail::select_one<false, has_default>(c.channel, c.value);
  } else {
    fired = detail::select(engine_cases, n, has_default);
  }
  int k = 0;
  (
      [&](auto& c) {
        if constexpr (detail::is_default<std::decay_t<decltype(c)>>::value) {
          if (fired < 0) detail::run_case(c);
        } else if (k++ == fired) {
          detail::run_case(c);
        }
      }(cases),
      ...);
  return fired;
}
}  // namespace detail

// Go's select. Returns the index of the case that ran among the channel cases (in order), or -1
// when the default case ran.
template <class... Cases>
int select(Cases&&... cases) {
  constexpr int n = (0 + ... + (detail::is_default<std::decay_t<Cases>>::value ? 0 : 1));
  constexpr bool has_default = (sizeof...(Cases) - n) > 0;
  static_assert(sizeof...(Cases) - n <= 1, "a select has at most one default case");
  static_assert(n > 0 || has_default, "a select needs a case (select_forever() is Go's select {})");
  if constexpr (n == 0) {
    (detail::run_case(cases), ...);  // the default case alone: nothing to wait for
    return -1;
  } else {
    return detail::run_select<n, has_default>(cases...);
  }
}

// Go's `select {}`: blocks the calling task for good. A run whose tasks are all blocked so ends in
// a deadlock error (fiber clocks), as Go's does.
[[noreturn]] void select_forever();

}  // namespace cacophony::runtime
