#include "stack_guard.h"

#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>

#include "cacophony/runtime/runtime.h"

namespace cacophony::runtime {
namespace detail::stack_guard {
namespace {

// Read by the signal handler, so every field is a lock-free atomic; `begin` is published last
// (release) and withdrawn first.
struct Range {
  std::atomic<std::uintptr_t> begin{0};
  std::atomic<std::size_t> slot{0}, guard{0}, slots{0}, stack{0};
};
// 4096 ranges of a pool's chunks (stack_pool.cpp) hold some 26 million tasks of 64 KiB.
constexpr std::size_t kRanges = 4096;
std::array<Range, kRanges> ranges;
std::mutex writers;

std::atomic<const char*> overflow_message{nullptr};
struct sigaction previous_action;

// The guarded stack's size if `address` is in a guard of a watched range, else 0.
std::size_t stack_of_guard(std::uintptr_t address) {
  for (const Range& r : ranges) {
    const std::uintptr_t begin = r.begin.load(std::memory_order_acquire);
    if (begin == 0 || address < begin) continue;
    const std::size_t slot = r.slot.load(std::memory_order_relaxed);
    if (address - begin >= slot * r.slots.load(std::memory_order_relaxed)) continue;
    if ((address - begin) % slot < r.guard.load(std::memory_order_relaxed))
      return r.stack.load(std::memory_order_relaxed);
  }
  return 0;
}

// "a task overflowed its 64 KiB stack\n", without the allocator or stdio (async-signal-safe).
void say_default(std::size_t stack) {
  char digits[24];
  std::size_t n = 0;
  for (std::size_t kib = stack / 1024; n == 0 || kib > 0; kib /= 10)
    digits[n++] = static_cast<char>('0' + kib % 10);
  char line[80] = "a task overflowed its ";
  std::size_t at = sizeof "a task overflowed its " - 1;
  while (n > 0) line[at++] = digits[--n];
  for (const char* tail = " KiB stack\n"; *tail;) line[at++] = *tail++;
  [[maybe_unused]] const ssize_t written = write(STDERR_FILENO, line, at);
}

void say(const char* message) {
  std::size_t length = 0;
  while (message[length] != '\0') ++length;
  [[maybe_unused]] const ssize_t written = write(STDERR_FILENO, message, length);
}

// An overflow ends the process at once: the task can't go on, and unwinding would run on the
// stack that has no room. Any other fault goes to the handler before ours (by default the
// kernel's: a core dump), by returning into the faulting instruction, or raised again if sent.
void on_fault(int signal, siginfo_t* info, void*) {
  const bool fault = info->si_code > 0;
  if (fault) {
    if (const std::size_t stack = stack_of_guard(reinterpret_cast<std::uintptr_t>(info->si_addr))) {
      if (const char* message = overflow_message.load(std::memory_order_relaxed))
        say(message);
      else
        say_default(stack);
      _exit(1);
    }
  }
  sigaction(signal, &previous_action, nullptr);
  if (!fault) raise(signal);
}

// The thread's alternate signal stack, while the thread lives.
class AltStack {
 public:
  AltStack() {
    stack_t current;
    if (sigaltstack(nullptr, &current) == 0 && !(current.ss_flags & SS_DISABLE)) return;
    void* memory = mmap(nullptr, kSize, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (memory == MAP_FAILED) return;  // then an overflow is a plain SIGSEGV: still no corruption
    const stack_t ours{memory, 0, kSize};
    if (sigaltstack(&ours, nullptr) == 0)
      memory_ = memory;
    else
      munmap(memory, kSize);
  }
  ~AltStack() {
    if (!memory_) return;
    const stack_t off{nullptr, SS_DISABLE, 0};
    sigaltstack(&off, nullptr);
    munmap(memory_, kSize);
  }
  AltStack(const AltStack&) = delete;
  AltStack& operator=(const AltStack&) = delete;

 private:
  static constexpr std::size_t kSize = 64 * 1024;  // more than SIGSTKSZ; committed as touched
  void* memory_ = nullptr;
};

}  // namespace

bool watch_range(const void* begin, std::size_t slot, std::size_t guard, std::size_t slots,
                 std::size_t stack) {
  const std::lock_guard lock(writers);
  for (Range& r : ranges) {
    if (r.begin.load(std::memory_order_relaxed) != 0) continue;
    r.slot.store(slot, std::memory_order_relaxed);
    r.guard.store(guard, std::memory_order_relaxed);
    r.slots.store(slots, std::memory_order_relaxed);
    r.stack.store(stack, std::memory_order_relaxed);
    r.begin.store(reinterpret_cast<std::uintptr_t>(begin), std::memory_order_release);
    return true;
  }
  return false;
}

void forget_range(const void* begin) {
  const std::lock_guard lock(writers);
  for (Range& r : ranges)
    if (r.begin.load(std::memory_order_relaxed) == reinterpret_cast<std::uintptr_t>(begin))
      r.begin.store(0, std::memory_order_release);
}

void watch_this_thread() {
  static std::once_flag installed;
  std::call_once(installed, [] {
    struct sigaction action {};
    action.sa_sigaction = on_fault;
    action.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&action.sa_mask);
    sigaction(SIGSEGV, &action, &previous_action);
  });
  static thread_local AltStack alternate;
}

}  // namespace detail::stack_guard

void Runtime::set_overflow_message(const char* line) {
  detail::stack_guard::overflow_message.store(line, std::memory_order_relaxed);
}

}  // namespace cacophony::runtime
