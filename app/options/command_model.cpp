#include "options/command_model.h"

namespace cacophony::cli {
namespace {

constexpr const char* kFile = "FILE";
constexpr const char* kScenario = "ID";

OptionModel option_model(const CLI::Option& option) {
  OptionModel o;
  if (option.nonpositional()) {
    for (const std::string& s : option.get_snames()) o.names.push_back("-" + s);
    for (const std::string& l : option.get_lnames()) o.names.push_back("--" + l);
  } else {
    o.names.push_back(option.get_name(true));
  }
  if (option.get_expected_max() > 0) o.type = option.get_type_name();
  o.help = option.get_description();
  o.default_value = option.get_default_str();
  o.repeatable = option.get_items_expected_max() > 1;
  return o;
}

CommandModel command(const CLI::App& app) {
  CommandModel c;
  c.name = app.get_parent() ? app.get_name() : "";
  c.help = app.get_description();
  c.footer = app.get_footer();
  for (const CLI::Option* option : app.get_options()) {
    if (option->get_group().empty()) continue;  // hidden
    OptionModel o = option_model(*option);
    (option->nonpositional() ? c.options : c.positionals).push_back(std::move(o));
  }
  return c;
}

}  // namespace

CLI::Option* takes_file(CLI::Option* option) {
  return option->type_name(kFile);
}

CLI::Option* takes_scenarios(CLI::Option* option) {
  return option->type_name(kScenario);
}

CLI::Option* takes_one_of(CLI::Option* option, const std::string& words) {
  return option->type_name(words);
}

std::vector<CommandModel> command_model(const CLI::App& app) {
  std::vector<CommandModel> model{command(app)};
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; }))
    if (!sub->get_group().empty()) model.push_back(command(*sub));
  return model;
}

ValueKind value_kind(const OptionModel& option) {
  if (option.type.empty()) return ValueKind::none;
  if (option.type == kFile) return ValueKind::file;
  if (option.type == kScenario) return ValueKind::scenario;
  if (option.type.find('|') != std::string::npos) return ValueKind::words;
  return ValueKind::free;
}

std::vector<std::string> value_words(const OptionModel& option) {
  std::vector<std::string> words;
  if (value_kind(option) != ValueKind::words) return words;
  for (std::size_t from = 0; from <= option.type.size();) {
    const std::size_t bar = std::min(option.type.find('|', from), option.type.size());
    std::string word = option.type.substr(from, bar - from);
    if (word.ends_with(":PATH")) word.resize(word.size() - 4);
    words.push_back(std::move(word));
    from = bar + 1;
  }
  return words;
}

}  // namespace cacophony::cli
