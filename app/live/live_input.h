#pragma once
// LiveInput: what the player types while `play` runs, read from stdin without blocking.
//
// - On a terminal (keys): Up/Down ±10 bpm, Right/Left ±1 bpm, 1-9 beats per bar, s the next
//   subdivision, Space stop/start, t tap tempo, +/= and - volume, m mute, n and p a setlist's
//   next and previous song, q or Esc quit.
// - Otherwise (lines): a tempo and Enter, `start` or `stop`, as `play --link` has always taken
//   them; a tempo is a number as the options take it (read_number in options.h: 120, 92.5, not
//   0x10 or inf). A line over 256 bytes is refused unread; a refused line is shown with its bytes
//   other than printable ASCII escaped.
//
// poll() reads at most 4 KiB in at most about 5 ms a call (the rest waits for the next), so input
// that never pauses (a pipe from `yes`) holds up neither the play loop nor its signals, nor grows
// memory. At end of input it stops reading (a last line without a newline is dropped). For the
// play command's main thread only.

#include <array>
#include <chrono>
#include <string>

#include "live/live_control.h"

namespace cacophony::cli {

class LiveInput {
 public:
  // `keys`: stdin is a terminal in raw mode (see raw_terminal.h).
  LiveInput(LiveControl& control, bool keys) : control_(control), keys_(keys) {}

  void poll();
  // Whether stdin may still bring something: false at its end (poll() reads no more then).
  bool reading() const { return !closed_; }
  bool quit() const { return quit_; }
  // What the latest key could not do, for the display, for kMessageShownFor after it; empty when
  // it did, and after that: a message must not stay on the line when it no longer applies.
  static constexpr std::chrono::seconds kMessageShownFor{4};
  const std::string& message() const;
  // How many keys and lines it has taken: it changed when something was typed.
  long taken() const { return taken_; }

 private:
  bool read_some(std::size_t& budget);
  void take_line_byte(char c);
  void run_line(std::string line);
  void take_key(char c);
  void run_key(char c);
  void run_arrow(char c);
  void say(std::string message);

  LiveControl& control_;
  bool keys_;
  std::array<char, 1024> chunk_{};
  std::size_t next_ = 0;  // chunk_[next_, read_) is read and not yet taken
  std::size_t read_ = 0;
  std::string line_;
  bool overlong_ = false;
  bool closed_ = false;
  int escape_ = 0;  // bytes of an escape sequence seen: 1 after ESC, 2 after ESC [
  bool quit_ = false;
  std::string message_;
  std::chrono::steady_clock::time_point said_at_;
  long taken_ = 0;
};

}  // namespace cacophony::cli
