#include "stack_pool.h"

#include <sys/mman.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

#include "cacophony/runtime/runtime.h"
#include "fiber_switch.h"
#include "stack_guard.h"

#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102  // Linux 6.13's uapi value, for older headers
#endif

namespace cacophony::runtime {
namespace {

constexpr std::size_t kPage = 4096;
// 16 KiB: with -fstack-clash-protection (runtime's CMakeLists) every frame touches each page it
// spans, so one page would do; four also catch up to 16 KiB of frame from code built without it.
// In the page tables a guard costs address space only.
constexpr std::size_t kGuard = 4 * kPage;
// Returned stacks up to this many bytes of them stay resident, to be reused at no cost; beyond
// it returned stacks are given back to the kernel whole (MADV_DONTNEED), so that a million tasks
// that ended don't keep their pages for the rest of the run. They go kTrimmed at a time, each run
// of neighbours in one call: one call per stack cost 6-7 us a stack on this machine, a call per
// 256 neighbours 1.1-1.6 us (the kernel frees the pages either way). Guards stay through it.
constexpr std::size_t kWarmBytes = std::size_t{64} << 20;
constexpr std::size_t kTrimmed = 256;
// Chunks grow: the first holds kFirstSlots stacks, each next one twice as many, up to 512 MiB of
// address space (6553 slots of 64 KiB; 161 chunks for a million tasks). A run of a few tasks
// then reserves about a MiB, not 512, which matters under an address-space limit (ulimit -v),
// and a large run still needs few mappings.
constexpr std::size_t kFirstSlots = 16;
constexpr std::size_t kChunkBytes = std::size_t{512} << 20;

std::atomic<std::size_t> chosen_stack_size{Runtime::kDefaultStackSize};

// Whether this kernel takes guards in the page tables; learnt on the first guard.
enum class Guards { unknown, page_tables, mappings };
std::atomic<Guards> guards{Guards::unknown};

}  // namespace

void Runtime::set_stack_size(std::size_t bytes) {
  if (bytes < kMinStackSize || bytes > kMaxStackSize)
    throw std::invalid_argument(
        "a task's stack size must be in [" + std::to_string(kMinStackSize / 1024) + ", " +
        std::to_string(kMaxStackSize / 1024) + "] KiB, got " + std::to_string(bytes) + " bytes");
  chosen_stack_size.store((bytes + kPage - 1) / kPage * kPage, std::memory_order_relaxed);
}

std::size_t Runtime::stack_size() {
  return chosen_stack_size.load(std::memory_order_relaxed);
}

namespace detail {

StackPool::StackPool(std::size_t stack_size)
    : stack_(stack_size),
      warm_(std::max<std::size_t>(1, kWarmBytes / stack_size)),
      slot_(kGuard + stack_size),
      max_slots_(std::max<std::size_t>(1, kChunkBytes / slot_)) {}

StackPool::~StackPool() {
  for (const Chunk& chunk : chunks_) {
    stack_guard::forget_range(chunk.base);
    munmap(chunk.base, slot_ * chunk.slots);
  }
}

boost::context::stack_context StackPool::allocate() {
  char* slot;
  {
    const std::lock_guard lock(mutex_);
    if (free_.empty()) {
      slot = carve();
    } else {
      slot = free_.back();
      free_.pop_back();
    }
  }
  boost::context::stack_context sc;
  sc.size = stack_;
  sc.sp = slot + slot_;
  return sc;
}

void StackPool::deallocate(boost::context::stack_context& sc) {
  char* bottom = static_cast<char*>(sc.sp) - sc.size;
  fiber_switch::unpoison_stack(bottom, sc.size);
  std::vector<char*> cold;
  {
    const std::lock_guard lock(mutex_);
    if (free_.size() < warm_) {
      free_.push_back(bottom - kGuard);
      return;
    }
    cold_.push_back(bottom - kGuard);
    if (cold_.size() < kTrimmed) return;
    cold.swap(cold_);
  }
  // In no list meanwhile: no task can run on a stack while its pages go.
  trim(cold);
  const std::lock_guard lock(mutex_);
  free_.insert(free_.end(), cold.begin(), cold.end());
}

// Gives the pages of `slots` back to the kernel, neighbours in one call (guards and all).
void StackPool::trim(std::vector<char*>& slots) const {
  std::sort(slots.begin(), slots.end());
  for (std::size_t i = 0; i < slots.size();) {
    std::size_t end = i + 1;
    while (end < slots.size() && slots[end] == slots[end - 1] + slot_) ++end;
    char* bottom = slots[i] + kGuard;
    madvise(bottom, static_cast<std::size_t>(slots[end - 1] + slot_ - bottom),
            MADV_DONTNEED);  // a hint: on failure the pages stay
    i = end;
  }
}

// A slot never handed out before, its guard in place.
char* StackPool::carve() {
  if (chunks_.empty() || carved_in_last_ == chunks_.back().slots) add_chunk();
  char* slot = chunks_.back().base + carved_in_last_ * slot_;
  install_guard(slot);
  ++carved_in_last_;
  ++carved_;
  return slot;
}

void StackPool::add_chunk() {
  const std::size_t slots = chunks_.empty() ? std::min(kFirstSlots, max_slots_)
                                            : std::min(2 * chunks_.back().slots, max_slots_);
  const std::size_t bytes = slot_ * slots;
  void* chunk = mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (chunk == MAP_FAILED) refused("mmap");
  // A huge page would make a few bytes of stack two megabytes resident.
  madvise(chunk, bytes, MADV_NOHUGEPAGE);
  if (!stack_guard::watch_range(chunk, slot_, kGuard, slots, stack_)) {
    munmap(chunk, bytes);
    errno = ENOMEM;
    refused("the overflow watch's table of ranges");
  }
  chunks_.push_back({static_cast<char*>(chunk), slots});
  carved_in_last_ = 0;
}

// Never skipped: a stack without its guard would overflow into the slot below it.
void StackPool::install_guard(char* slot) {
  if (guards.load(std::memory_order_relaxed) != Guards::mappings) {
    if (madvise(slot, kGuard, MADV_GUARD_INSTALL) == 0) {
      guards.store(Guards::page_tables, std::memory_order_relaxed);
      return;
    }
    if (errno != EINVAL) refused("madvise");
    guards.store(Guards::mappings, std::memory_order_relaxed);
  }
  if (mprotect(slot, kGuard, PROT_NONE) != 0) refused("mprotect");
}

// A stack the kernel would not give: the task is not started, and the run fails with why.
void StackPool::refused(const char* call) const {
  std::string why = std::string("cannot start a task: the kernel refused its stack (") + call +
                    ": " + std::strerror(errno) + ") with " + std::to_string(carved_) +
                    " stacks of " + std::to_string(stack_ / 1024) + " KiB";
  if (guards.load(std::memory_order_relaxed) == Guards::mappings)
    why +=
        "; without MADV_GUARD_INSTALL (Linux 6.13) each stack's guard takes two of the "
        "process's memory maps, which vm.max_map_count bounds (65530 by default: some 32,000 "
        "tasks)";
  throw std::runtime_error(why);
}

}  // namespace detail
}  // namespace cacophony::runtime
