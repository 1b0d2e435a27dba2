// cacophony: the metronome of "Metronome's Cacophony", fourteen ways, measured.

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>

#include "commands.h"
#include "options.h"
#include "standard_input.h"

int main(int argc, char** argv) {
  using namespace cacophony::cli;
  keep_standard_input_open();
  CLI::App app(
      "cacophony: one metronome built fourteen ways, after \"Metronome's Cacophony\" "
      "(S. Walak, 2018).\nWith no command it runs all fourteen scenarios and prints what each "
      "does to tempo, beat order, lost beats and stale volume.",
      "cacophony");
  app.require_subcommand(0, 1);
  Action action;
  add_run_commands(app, action);
  add_list_command(app, action);
  add_pipeline_command(app, action);
  add_render_command(app, action);
  add_play_command(app, action);
  add_link_command(app, action);

  try {
    app.parse(argc, argv);
    return action();
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);
    std::fprintf(stderr, "cacophony: error: %s (see cacophony --help)\n", e.what());
    return 2;
  } catch (const UsageError& e) {
    std::fprintf(stderr, "cacophony: error: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "cacophony: failed: %s\n", e.what());
    return 1;
  }
}
