#include "io/signals.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <string>
#include <thread>

#include "io/output_file.h"
#include "io/standard_input.h"
#include "io/voice.h"

namespace cacophony::cli {
namespace {

std::atomic<int> received{0};
// Set before the handler is installed, only read by it.
OnStop answer;
// The note the handler writes, composed before it is installed: "\nNAME: NOTE\n".
std::array<char, 512> note_buffer{};
std::size_t note_size = 0;
// give_up_after_stop()'s seconds; 0: never.
std::atomic<unsigned> give_up_seconds{0};
// stop_signal_fd()'s pipe: [0] read, [1] written by the handler. Made before it is installed.
int wake_pipe[2] = {-1, -1};
// The signals catch_stop_signals() was given.
sigset_t stop_set;

extern "C" void on_give_up(int) {
  remove_temporaries_now();
  std::_Exit(130);
}

extern "C" void on_stop_signal(int) {
  const bool again = received.fetch_add(1) > 0;
  if (answer.first_exits || (again && answer.second_exits)) {
    remove_temporaries_now();
    std::_Exit(130);
  }
  if (again) return;
  const int saved = errno;
  if (wake_pipe[1] >= 0) (void)!write(wake_pipe[1], "s", 1);
  errno = saved;
  if (const unsigned seconds = give_up_seconds.load()) alarm(seconds);
  if (note_size > 0) (void)!write(STDERR_FILENO, note_buffer.data(), note_size);
}

}  // namespace

void catch_stop_signals(std::initializer_list<int> signals, OnStop how) {
  answer = how;
  note_size = 0;
  if (!how.note.empty()) {
    const std::string line = "\n" + program_name() + ": " + std::string(how.note) + "\n";
    note_size = std::min(line.size(), note_buffer.size());
    std::copy_n(line.begin(), note_size, note_buffer.begin());
    note_buffer[note_size - 1] = '\n';
  }
  if (wake_pipe[0] < 0 && pipe2(wake_pipe, O_NONBLOCK | O_CLOEXEC) != 0)
    wake_pipe[0] = wake_pipe[1] = -1;  // no wake-up then: stop_requested() still counts
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;  // no SA_RESTART: a blocked write returns EINTR
  sigemptyset(&stop_set);
  for (int signal : signals) {
    sigaddset(&stop_set, signal);
    sigaction(signal, &action, nullptr);
  }
}

namespace {

// The thread StopSignalsElsewhere leaves the stop signals to: it only waits for them, and the
// handler runs on it as on any thread.
void start_stop_signal_thread() {
  static const bool started = [] {
    std::thread([] {
      pthread_sigmask(SIG_UNBLOCK, &stop_set, nullptr);
      sigset_t waiting;
      pthread_sigmask(SIG_BLOCK, nullptr, &waiting);
      for (;;) sigsuspend(&waiting);
    }).detach();
    return true;
  }();
  static_cast<void>(started);
}

}  // namespace

StopSignalsElsewhere::StopSignalsElsewhere() {
  start_stop_signal_thread();
  pthread_sigmask(SIG_BLOCK, &stop_set, &before_);
}

StopSignalsElsewhere::~StopSignalsElsewhere() {
  pthread_sigmask(SIG_SETMASK, &before_, nullptr);
}

void give_up_after_stop(unsigned seconds) {
  if (seconds > 0) std::signal(SIGALRM, on_give_up);
  give_up_seconds.store(seconds);
  if (seconds == 0) alarm(0);
}

void prepare_process() {
  keep_standard_descriptors_open();
  std::signal(SIGPIPE, SIG_IGN);
  remove_temporaries_on_signals();
}

int stop_signal_fd() {
  return wake_pipe[0];
}

void sleep_unless_stopped(std::chrono::milliseconds limit) {
  pollfd fd{stop_signal_fd(), POLLIN, 0};  // a negative descriptor is skipped: a plain sleep
  static_cast<void>(poll(&fd, 1, static_cast<int>(limit.count())));
}

const std::atomic<int>& stop_signals() {
  return received;
}

}  // namespace cacophony::cli
