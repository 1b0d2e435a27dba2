#pragma once
// cacophony's command line as a library call. `cacophony` itself is main() calling this; a program
// that adds metronomes of its own (cacophony::add_scenario, scenario/scenario.h) calls it too and
// gets every command for them: run, list, --report, --trace. Installed as <cacophony/cli.h>.
//
// Returns the exit code (0 ok, 1 failure while running, 2 bad usage or input, 130 interrupted);
// it prints what the commands print. Call once, from the program's main thread.

namespace cacophony::cli {

int main(int argc, char** argv);

}  // namespace cacophony::cli
