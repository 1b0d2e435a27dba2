// `manual`: the manual page cacophony(1), in roff. Its synopsis, commands, options and exit codes
// are generated from the same definitions --help prints (command_model.h); the tempo-map format,
// files, environment and examples are hand-written (manual/sections.roff).

#include <fmt/format.h>

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "commands.h"
#include "commands/manual_assets.h"
#include "options/command_model.h"

namespace cacophony::cli {
namespace {

// Text as roff shows it: backslashes and minus signs escaped, and a line that would start with a
// control character ('.' or ''') guarded.
std::string roff(std::string_view text) {
  std::string out;
  bool line_start = true;
  for (char c : text) {
    if (line_start && (c == '.' || c == '\'')) out += "\\&";
    if (c == '\\')
      out += "\\e";
    else if (c == '-')
      out += "\\-";
    else
      out += c;
    line_start = c == '\n';
  }
  return out;
}

std::string option_item(const OptionModel& o) {
  std::string names;
  for (const std::string& n : o.names)
    names += (names.empty() ? "" : ", ") + ("\\fB" + roff(n) + "\\fR");
  if (!o.type.empty()) names += " \\fI" + roff(o.type) + "\\fR";
  if (o.repeatable && o.names.front().starts_with('-')) names += " ...";
  std::string help = roff(o.help);
  if (!o.default_value.empty()) help += " (default: " + roff(o.default_value) + ")";
  return fmt::format(".TP\n{}\n{}\n", names, help);
}

std::string synopsis(const std::string& program, const CommandModel& c) {
  std::string line = fmt::format("\\fB{}\\fR", roff(program));
  if (!c.name.empty()) line += fmt::format(" \\fB{}\\fR", roff(c.name));
  if (!c.options.empty()) line += " [\\fIOPTIONS\\fR]";
  for (const OptionModel& p : c.positionals)
    line += fmt::format(" \\fI{}\\fR{}", roff(p.names[0]), p.repeatable ? "..." : "");
  return line;
}

// A footer (a grammar, examples) kept as laid out.
std::string verbatim(const std::string& text) {
  if (text.empty()) return "";
  return ".PP\n.nf\n" + roff(text) + "\n.fi\n";
}

std::string command_section(const std::string& program, const CommandModel& c) {
  std::string out =
      fmt::format(".SS {}\n{}\n.PP\n{}\n", c.name, synopsis(program, c), roff(c.help));
  for (const OptionModel& p : c.positionals) out += option_item(p);
  for (const OptionModel& o : c.options) out += option_item(o);
  return out + verbatim(c.footer);
}

std::string manual_page(const std::string& program, const std::string& version,
                        const std::vector<CommandModel>& model) {
  const CommandModel& main = model.front();
  std::string page =
      fmt::format(".TH {} 1 \"\" \"{} {}\" \"User Commands\"\n.SH NAME\n{} \\- {}\n.SH SYNOPSIS\n",
                  fmt::format("\"{}\"", roff(program)), roff(program), roff(version), roff(program),
                  "one metronome built fourteen ways, a concurrency lab and a click for musicians");
  for (const CommandModel& c : model) page += synopsis(program, c) + "\n.br\n";
  page += ".SH DESCRIPTION\n" + roff(main.help) + "\n.SH OPTIONS\n";
  for (const OptionModel& o : main.options) page += option_item(o);
  page += ".SH COMMANDS\n";
  for (const CommandModel& c : model)
    if (!c.name.empty()) page += command_section(program, c);
  page += ".SH EXIT STATUS\n" + verbatim(kExitCodes);
  page += manual_assets::sections_roff();
  return page;
}

}  // namespace

void add_manual_command(CLI::App& app, Action& action) {
  app.add_subcommand("manual",
                     "Print the manual page cacophony(1) in roff (man -l <(cacophony manual))")
      ->callback([&app, &action] {
        action = [&app] {
          const std::string page =
              manual_page(app.get_name(), CACOPHONY_VERSION, command_model(app));
          std::fputs(page.c_str(), stdout);
          return 0;
        };
      });
}

}  // namespace cacophony::cli
