#pragma once
// Internal: the stuck-task watch of a fiber run (Runtime::set_stuck_handler, runtime.h).
//
// The run's thread reports each switch: entered() when a task starts running, left() when the
// scheduler has the thread back. A thread of the watch's own looks every kLookEvery: when a task
// has been running with no switch at all for Runtime::kStuckAfter, it calls the handler with a
// sentence naming that task. Without a handler nothing is started, and the reports cost a test.
//
// Thread safety: entered() and left() are for the run's thread only; they store relaxed atomics
// (one writer), so a switch costs a few plain stores. The watching thread only loads them. The
// destructor stops and joins the watching thread.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "cacophony/runtime/runtime.h"

namespace cacophony::runtime::detail {

// The handler set by Runtime::set_stuck_handler(), or nullptr.
Runtime::StuckHandler stuck_handler();

// "the main task" for task 0, else "go at FILE:LINE" (the file's name without its folders).
std::string task_origin(std::uint64_t task, std::string_view file, unsigned line);

class Watchdog {
 public:
  static constexpr std::chrono::milliseconds kLookEvery{100};

  Watchdog();
  ~Watchdog();
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

  void entered(std::uint64_t task, const char* file, unsigned line) {
    if (!handler_) return;
    task_.store(task, std::memory_order_relaxed);
    file_.store(file, std::memory_order_relaxed);
    line_.store(line, std::memory_order_relaxed);
    in_task_.store(true, std::memory_order_relaxed);
    switches_.store(switches_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }
  void left() {
    if (!handler_) return;
    in_task_.store(false, std::memory_order_relaxed);
    switches_.store(switches_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }

 private:
  void watch();

  const Runtime::StuckHandler handler_;
  std::atomic<std::uint64_t> switches_{0};
  std::atomic<bool> in_task_{false};
  std::atomic<std::uint64_t> task_{0};
  std::atomic<const char*> file_{""};
  std::atomic<unsigned> line_{0};
  std::mutex stop_lock_;
  std::condition_variable stop_signal_;
  bool stop_ = false;  // guarded by stop_lock_
  std::thread thread_;
};

}  // namespace cacophony::runtime::detail
