#include "live/raw_terminal.h"

#include <termios.h>
#include <unistd.h>

#include <cstdlib>

namespace cacophony::cli {
namespace {

termios saved{};
bool saved_valid = false;

void restore() {
  if (saved_valid) tcsetattr(STDIN_FILENO, TCSANOW, &saved);
}

}  // namespace

RawTerminal::RawTerminal() {
  if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved) != 0) return;
  if (!saved_valid) std::atexit(restore);
  saved_valid = true;
  termios raw = saved;
  raw.c_lflag &= static_cast<tcflag_t>(~(ICANON | ECHO));
  raw.c_cc[VMIN] = 0;
  raw.c_cc[VTIME] = 0;
  active_ = tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
}

RawTerminal::~RawTerminal() {
  if (active_) restore();
}

}  // namespace cacophony::cli
