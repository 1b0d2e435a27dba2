#pragma once
// BadInput: the offline metronome was given something it can't use (a rate it doesn't support, an
// output it can't write, a recording it can't read, a meter it doesn't know). The command line
// reports it as one line and exit code 2; nothing is left behind.

#include <stdexcept>

namespace cacophony::sound {

struct BadInput : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace cacophony::sound
