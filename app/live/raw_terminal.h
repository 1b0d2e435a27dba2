#pragma once
// RawTerminal: standard input as keys while `play` runs. When stdin is a terminal, its line
// editing and echo are turned off (signals stay on: Ctrl-C still stops play) and the terminal's
// settings are put back when this goes, whatever the way out (q, a signal, the server going, an
// error), and at exit if something skips that.

namespace cacophony::cli {

class RawTerminal {
 public:
  RawTerminal();
  ~RawTerminal();
  RawTerminal(const RawTerminal&) = delete;
  RawTerminal& operator=(const RawTerminal&) = delete;

  // Whether stdin is a terminal now in raw mode.
  bool active() const { return active_; }

 private:
  bool active_ = false;
};

}  // namespace cacophony::cli
