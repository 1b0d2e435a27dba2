#pragma once
// The subcommands. Each adds itself to the command line and returns what to run once parsed.

#include <CLI/CLI.hpp>
#include <functional>
#include <string>

namespace cacophony::cli {

// What a parsed command does; returns the exit code.
using Action = std::function<int()>;

// The exit-code table every --help ends with, and the manual's EXIT STATUS.
extern const char* const kExitCodes;

// The check of an output's name (--json, --report, --trace): "" would mean none, silently.
extern const CLI::Validator kOutputName;

// What each anomaly counted in a run's figures and explore's classes is (analysis/metrics.h's
// kAnomalies), for the footers of --help.
std::string anomalies_help();

// `run ID...` and, on `app` itself, the main job (all fourteen) with the same options.
void add_run_commands(CLI::App& app, Action& action);
void add_list_command(CLI::App& app, Action& action);
void add_pipeline_command(CLI::App& app, Action& action);
// `render`: the metronome offline, into an audio file whose extension picks its format.
void add_render_command(CLI::App& app, Action& action);
// `play`: the metronome live, through a running JACK server.
void add_play_command(CLI::App& app, Action& action);
// `explore`: scenarios under many schedules, in simulated time.
void add_explore_command(CLI::App& app, Action& action);
// `analyze`: a recording of a performance measured offline.
void add_analyze_command(CLI::App& app, Action& action);
// `practice`: the click played and the player measured, live.
void add_practice_command(CLI::App& app, Action& action);
// `link`: watch an Ableton Link session live.
void add_link_command(CLI::App& app, Action& action);
// `completion bash|zsh` and `manual`: scripts and the manual page generated from `app`'s own
// definitions; add them last, so that they see every other command.
void add_completion_command(CLI::App& app, Action& action);
void add_manual_command(CLI::App& app, Action& action);

}  // namespace cacophony::cli
