#pragma once
// The program's one voice on stderr: every line it says there starts with the name it was called
// by ("cacophony", or "my_metronome" for a program of one's own), so that no message names the
// program by hand.
//
// set_program_name() is called once, by cli::main first thing, while the process has a single
// thread; the rest may be called from any thread afterwards (each line is one fprintf).

#include <string>
#include <string_view>

namespace cacophony::cli {

// Sets the name from argv[0] (its last path component; "cacophony" when there is none).
void set_program_name(int argc, char** argv);
// The name set, "cacophony" before it is.
const std::string& program_name();

// "NAME: KIND: MESSAGE" on stderr, e.g. say("error", "...") or say("failed", "...").
void say(std::string_view kind, std::string_view message);
// "NAME: MESSAGE" on stderr: a note that is neither an error nor a failure.
void note(std::string_view message);

}  // namespace cacophony::cli
