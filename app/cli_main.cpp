// The command line, as a library call (cacophony_cli.h): cacophony's own main is one line, and a
// program with metronomes of its own gets the same commands.

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>

#include "cacophony/runtime/runtime.h"
#include "cacophony_cli.h"
#include "commands.h"
#include "io/output_file.h"
#include "io/signals.h"
#include "io/terminal_text.h"
#include "io/voice.h"
#include "options/options.h"

namespace cacophony::cli {

// The exit-code table, as README.md gives it.
const char* const kExitCodes =
    "Exit codes:\n"
    "  0    success\n"
    "  1    failure while running (I/O, a server gone)\n"
    "  2    bad usage or input\n"
    "  130  interrupted";

}  // namespace cacophony::cli

namespace {

// Every --help, the program's and each command's, ends with the exit-code table.
class Formatter : public CLI::Formatter {
 public:
  std::string make_footer(const CLI::App* app) const override {
    return CLI::Formatter::make_footer(app) + cacophony::cli::kExitCodes + "\n";
  }
};

// An empty value would read as "not given" wherever a command tests for one: refused for every
// option of every command, so that none is silently ignored.
void refuse_empty_values(CLI::App& app) {
  static const CLI::Validator kNotEmpty(
      [](const std::string& value) {
        return value.empty() ? std::string("needs a value, got ''") : std::string();
      },
      "");
  for (CLI::Option* option : app.get_options())
    if (option->get_expected_max() > 0) option->check(kNotEmpty);
  for (CLI::App* command : app.get_subcommands([](CLI::App*) { return true; }))
    refuse_empty_values(*command);
}

// --help and --version go out a line at a time, each flushed as a command's lines are, so that a
// failed write keeps its reason for finish_standard_output().
int print_exit_text(const CLI::App& app, const CLI::ParseError& e) {
  std::ostringstream text;
  const int code = app.exit(e, text, text);
  std::istringstream lines(text.str());
  for (std::string line; std::getline(lines, line);) {
    line += '\n';
    std::fputs(line.c_str(), stdout);
    if (!cacophony::cli::flush(stdout)) break;
  }
  return code;
}

constexpr std::size_t kMaxWord = 200;   // bytes of one word (an argument, a path) echoed
constexpr std::size_t kMaxLine = 1000;  // bytes of a whole message echoed

// Cuts `text` to at most `max` bytes, backing off to the start of a UTF-8 character, and says how
// many bytes were left out.
std::string cut(std::string_view text, std::size_t max) {
  if (text.size() <= max) return std::string(text);
  std::size_t keep = max;
  while (keep > 0 && (static_cast<unsigned char>(text[keep]) & 0xC0) == 0x80) --keep;
  return fmt::format("{}… ({} more bytes)", text.substr(0, keep), text.size() - keep);
}

// An error message as it may be echoed: each word, and the whole, cut to a size a terminal shows,
// and control bytes as \xNN, so that what the user typed can neither flood nor drive the terminal.
std::string printable(std::string_view message) {
  std::string words;
  for (std::size_t from = 0; from < message.size();) {
    const std::size_t space = std::min(message.find(' ', from), message.size());
    words += cut(message.substr(from, space - from), kMaxWord);
    if (space < message.size()) words += ' ';
    from = space + 1;
  }
  using namespace cacophony::cli;
  return escaped(cut(words, kMaxLine), Keep::utf8);
}

// One line on stderr, what the user typed in it made printable.
void say_printable(const char* kind, const std::string& message, const std::string& after = "") {
  cacophony::cli::say(kind, printable(message) + after);
}

// A fiber task that never blocks or yields holds its run's one thread for good, and nothing can
// stop it: said, and the process ends at once.
[[noreturn]] void stuck(const std::string& message) {
  cacophony::cli::say("failed", message);
  std::fflush(nullptr);
  std::_Exit(1);
}

int run(int argc, char** argv) {
  using namespace cacophony::cli;
  set_program_name(argc, argv);
  prepare_process();
  cacophony::runtime::Runtime::set_stuck_handler(&stuck);
  const std::string& program = program_name();
  CLI::App app(
      "One metronome built fourteen ways, after \"Metronome's Cacophony\" "
      "(S. Walak, 2018).\nWith no command it runs all fourteen scenarios and prints what each "
      "does to tempo, beat order, lost beats and stale volume.",
      program);
  app.formatter(std::make_shared<Formatter>());
  app.set_version_flag("--version", std::string("cacophony ") + CACOPHONY_VERSION);
  app.require_subcommand(0, 1);
  Action action;
  add_run_commands(app, action);
  add_list_command(app, action);
  add_explore_command(app, action);
  add_pipeline_command(app, action);
  add_render_command(app, action);
  add_play_command(app, action);
  add_practice_command(app, action);
  add_analyze_command(app, action);
  add_link_command(app, action);
  add_completion_command(app, action);
  add_manual_command(app, action);
  refuse_empty_values(app);

  try {
    app.parse(argc, argv);
    return action();
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return print_exit_text(app, e);
    say_printable("error", e.what(), " (see " + program + " --help)");
    return 2;
  } catch (const Interrupted&) {
    return 130;
  } catch (const UsageError& e) {
    say_printable("error", e.what());
    return 2;
  } catch (const std::exception& e) {
    say_printable("failed", e.what());
    return 1;
  }
}

}  // namespace

namespace cacophony::cli {

int main(int argc, char** argv) {
  return finish_standard_output(run(argc, argv));
}

}  // namespace cacophony::cli
