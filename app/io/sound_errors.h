#pragma once
// The sound layer's errors (sound/error.h, sound/jack_sink.h) in the command line's words.

#include <functional>

namespace cacophony::cli {

// Runs `command` and returns its exit code, turning the sound layer's errors into the command
// line's, each worded as one line: bad input (and no JACK server, or a connection JACK refuses)
// into UsageError, failures into std::runtime_error.
int with_sound_errors(const std::function<int()>& command);

}  // namespace cacophony::cli
