#pragma once
// The command line as data, read off CLI11's own definitions, so that what is generated from it
// (the manual page, manual.cpp; the shell completions, completion.cpp) says what --help says and
// cannot drift from it.
//
// What an option's value is, the generators learn from its type name, set where the option is
// defined by the helpers below:
// - FILE: a path (completed as files);
// - ID: a scenario id (completed from the scenarios registered);
// - words joined by '|', e.g. real|threads|simulated: one of those (completed as words); a word
//   ending in ":PATH" (file:PATH) is a prefix followed by a path;
// - anything else (TEXT, N, ...): free text, not completed.

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace cacophony::cli {

CLI::Option* takes_file(CLI::Option* option);
CLI::Option* takes_scenarios(CLI::Option* option);
// `words`: the accepted values joined by '|'.
CLI::Option* takes_one_of(CLI::Option* option, const std::string& words);

struct OptionModel {
  std::vector<std::string> names;  // "-h", "--help"; a positional's one name ("id")
  std::string type;                // "" for a flag
  std::string help;
  std::string default_value;  // "" when none is shown
  bool repeatable = false;
};

struct CommandModel {
  std::string name;  // "" for the program itself (its main job)
  std::string help;
  std::string footer;
  std::vector<OptionModel> options;      // in the order --help lists them
  std::vector<OptionModel> positionals;  // in order
};

// The program first, then each command in the order --help lists them.
std::vector<CommandModel> command_model(const CLI::App& app);

enum class ValueKind { none, free, file, scenario, words };
ValueKind value_kind(const OptionModel& option);
// The words of a `words` type ("file:PATH" gives "file:"); empty for any other kind.
std::vector<std::string> value_words(const OptionModel& option);

}  // namespace cacophony::cli
