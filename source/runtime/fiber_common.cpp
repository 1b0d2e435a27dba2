#include "fiber_common.h"

#include "watchdog.h"

namespace cacophony::runtime::detail {

std::string deadlock_error(const std::vector<const Task*>& blocked) {
  constexpr std::size_t kNamed = 8;
  std::string out = "deadlock: all " + std::to_string(blocked.size()) +
                    " tasks are blocked and no timer is due: ";
  for (std::size_t i = 0; i < blocked.size(); ++i) {
    if (i == kNamed) return out + "; and " + std::to_string(blocked.size() - kNamed) + " more";
    const Task& t = *blocked[i];
    if (i > 0) out += "; ";
    const auto number = static_cast<std::uint64_t>(t.number);
    out += "task " + std::to_string(number) + " (" +
           task_origin(number, t.started_file, t.started_line) + ") ";
    out += t.waits_on ? std::string("waits on ") + t.waits_on : "is parked";
  }
  return out;
}

}  // namespace cacophony::runtime::detail
