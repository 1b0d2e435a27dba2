#include "signals.h"

#include <unistd.h>

#include <csignal>
#include <cstdlib>

#include "output_file.h"
#include "standard_input.h"

namespace cacophony::cli {
namespace {

std::atomic<int> received{0};
// Set before the handler is installed, only read by it.
OnStop answer;

extern "C" void on_stop_signal(int) {
  if (received.fetch_add(1) > 0) {
    if (!answer.second_exits) return;
    remove_temporaries_now();
    std::_Exit(130);
  }
  if (!answer.note.empty()) (void)!write(STDERR_FILENO, answer.note.data(), answer.note.size());
}

}  // namespace

void catch_stop_signals(std::initializer_list<int> signals, OnStop how) {
  answer = how;
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;  // no SA_RESTART: a blocked write returns EINTR
  for (int signal : signals) sigaction(signal, &action, nullptr);
}

void prepare_process() {
  keep_standard_descriptors_open();
  std::signal(SIGPIPE, SIG_IGN);
  remove_temporaries_on_signals();
}

const std::atomic<int>& stop_signals() {
  return received;
}

}  // namespace cacophony::cli
