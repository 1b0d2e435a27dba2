#include "signals.h"

#include <unistd.h>

#include <csignal>
#include <cstdlib>

#include "output_file.h"

namespace cacophony::cli {
namespace {

std::atomic<int> received{0};
// Set before the handler is installed, only read by it.
OnStop answer;

extern "C" void on_stop_signal(int) {
  const bool again = received.fetch_add(1) > 0;
  if (answer.first_exits || (again && answer.second_exits)) {
    remove_temporaries_now();
    std::_Exit(130);
  }
  if (again) return;
  if (!answer.note.empty()) (void)!write(STDERR_FILENO, answer.note.data(), answer.note.size());
}

}  // namespace

void catch_stop_signals(std::initializer_list<int> signals, OnStop how) {
  answer = how;
  for (int signal : signals) std::signal(signal, on_stop_signal);
}

const std::atomic<int>& stop_signals() {
  return received;
}

}  // namespace cacophony::cli
