#pragma once
// SpscRing: a wait-free queue between exactly one producer thread and one consumer thread, of
// fixed size: push() and pop() never lock, allocate or wait, so either side may be a real-time
// thread. Holds up to Capacity - 1 items; Capacity is a power of two.
//
// Memory ordering: push() publishes the item with a release store of the head, which pop()
// acquires; pop() hands the slot back with a release store of the tail, which push() acquires.

#include <array>
#include <atomic>
#include <cstddef>

namespace cacophony::sound {

template <typename T, std::size_t Capacity>
class SpscRing {
  static_assert(Capacity >= 2 && (Capacity & (Capacity - 1)) == 0);

 public:
  // Producer only. False (and nothing stored) when full.
  bool push(const T& item) {
    const std::size_t head = head_.load(std::memory_order_relaxed);
    const std::size_t next = (head + 1) & (Capacity - 1);
    if (next == tail_.load(std::memory_order_acquire)) return false;
    items_[head] = item;
    head_.store(next, std::memory_order_release);
    return true;
  }
  // Consumer only. False when empty.
  bool pop(T& item) {
    const std::size_t tail = tail_.load(std::memory_order_relaxed);
    if (tail == head_.load(std::memory_order_acquire)) return false;
    item = items_[tail];
    tail_.store((tail + 1) & (Capacity - 1), std::memory_order_release);
    return true;
  }

 private:
  std::array<T, Capacity> items_{};
  alignas(64) std::atomic<std::size_t> head_{0};  // next slot to write
  alignas(64) std::atomic<std::size_t> tail_{0};  // next slot to read
};

}  // namespace cacophony::sound
