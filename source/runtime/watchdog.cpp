#include "watchdog.h"

#include <string_view>

namespace cacophony::runtime {
namespace {

std::atomic<Runtime::StuckHandler> g_stuck_handler{nullptr};

}  // namespace

void Runtime::set_stuck_handler(StuckHandler handler) {
  g_stuck_handler.store(handler, std::memory_order_release);
}

namespace detail {

Runtime::StuckHandler stuck_handler() {
  return g_stuck_handler.load(std::memory_order_acquire);
}

std::string task_origin(std::uint64_t task, std::string_view file, unsigned line) {
  if (task == 0) return "the main task";
  if (const auto slash = file.rfind('/'); slash != std::string_view::npos)
    file.remove_prefix(slash + 1);
  return "go at " + std::string(file) + ":" + std::to_string(line);
}

Watchdog::Watchdog() : handler_(stuck_handler()) {
  if (handler_) thread_ = std::thread([this] { watch(); });
}

Watchdog::~Watchdog() {
  if (!thread_.joinable()) return;
  {
    std::scoped_lock lock(stop_lock_);
    stop_ = true;
  }
  stop_signal_.notify_one();
  thread_.join();
}

// The same task running since the last switch seen, for kStuckAfter: stuck.
void Watchdog::watch() {
  std::uint64_t seen = switches_.load(std::memory_order_relaxed);
  auto since = std::chrono::steady_clock::now();
  std::unique_lock lock(stop_lock_);
  while (!stop_signal_.wait_for(lock, kLookEvery, [this] { return stop_; })) {
    const std::uint64_t now_seen = switches_.load(std::memory_order_relaxed);
    const auto now = std::chrono::steady_clock::now();
    if (now_seen != seen || !in_task_.load(std::memory_order_relaxed)) {
      seen = now_seen;
      since = now;
      continue;
    }
    if (now - since < Runtime::kStuckAfter) continue;
    const std::uint64_t task = task_.load(std::memory_order_relaxed);
    handler_("task " + std::to_string(task) + " (" +
             task_origin(task, file_.load(std::memory_order_relaxed),
                         line_.load(std::memory_order_relaxed)) +
             ") ran " + std::to_string(Runtime::kStuckAfter.count()) +
             " s without blocking or yielding: a busy-wait must call yield() to let the other "
             "tasks, and time, move");
  }
}

}  // namespace detail
}  // namespace cacophony::runtime
