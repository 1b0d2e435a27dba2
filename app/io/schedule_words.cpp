#include "io/schedule_words.h"

#include <fmt/format.h>

#include <string>

#include "cacophony/runtime/runtime.h"

namespace cacophony::cli {
namespace {

std::string task_words(const runtime::Narrator& narrator, std::uint64_t task) {
  return fmt::format("task {} ({})", task, narrator.origin(task));
}

}  // namespace

runtime::Narrator::SwitchObserver switch_printer(FILE* log) {
  return [log](std::uint64_t task, const std::string& origin) {
    std::fprintf(log, "   %10.3f ms  -> task %llu (%s)\n",
                 static_cast<double>(runtime::now().count()) / 1e6,
                 static_cast<unsigned long long>(task), origin.c_str());
  };
}

void print_schedule(FILE* log, const runtime::Narrator& narrator) {
  const auto& steps = narrator.steps();
  std::fprintf(log, "   schedule, %zu choice%s%s\n", steps.size(), steps.size() == 1 ? "" : "s",
               steps.empty() ? " (never two tasks ready at once)" : ":");
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const auto& step = steps[i];
    std::string others;
    for (std::size_t k = 0; k < step.ready.size(); ++k) {
      if (k == step.taken) continue;
      others += (others.empty() ? "" : ", ") + task_words(narrator, step.ready[k]);
    }
    std::fprintf(log, "   step %zu: %s ran before %s\n", i + 1,
                 task_words(narrator, step.ready[step.taken]).c_str(), others.c_str());
  }
}

}  // namespace cacophony::cli
