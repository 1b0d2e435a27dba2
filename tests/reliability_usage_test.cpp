// Issue 22, the command line's usage and messages: no option takes an empty value or a bad unused
// one silently; --replay says it is simulated; a rhythm of rests lasts what it says and play
// counts the clicks render does; a map's byte-order mark; every --help's exit-code table; and a
// completion script that never runs its program's name as code.

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "cacophony/rhythm/parse.h"
#include "cacophony/sound/engine.h"
#include "cacophony/sound/live_grid.h"
#include "cacophony/sound/rhythm_grid.h"
#include "support/command.h"
#include "support/files.h"
#include "support/folder.h"
#include "support/process.h"

namespace {

using cacophony::test_support::CommandResult;
using cacophony::test_support::Folder;
using cacophony::test_support::run_cacophony;

constexpr const char* kExitCodes =
    "Exit codes:\n"
    "  0    success\n"
    "  1    failure while running (I/O, a server gone)\n"
    "  2    bad usage or input\n"
    "  130  interrupted\n";

// Bounded: an option that were ignored could leave a command running (link, play).
CommandResult cacophony(const std::string& args) {
  return run_cacophony(args, "timeout 20 ");
}

// The command line as the program models it (command_model.h), read off its bash completion,
// which is generated from that model: each option that takes a value, as {command, option}
// (command "" for the program's own options), by its long name: errors name an option so.
std::vector<std::pair<std::string, std::string>> options_taking_values() {
  const CommandResult script = cacophony("completion bash");
  EXPECT_EQ(script.code, 0) << script.out;
  std::vector<std::pair<std::string, std::string>> options;
  for (const std::string& line : cacophony::test_support::lines(script.out)) {
    if (!line.starts_with("    \"") || line.find(") ") == std::string::npos) continue;
    // Each quoted "COMMAND OPTION" before the `)`: COMMAND is [a-z]* and OPTION starts with '-'.
    // A line names one option, its short name first: the last is the long one.
    const std::string patterns = line.substr(0, line.find(')'));
    std::optional<std::pair<std::string, std::string>> last;
    for (std::size_t open = patterns.find('"'); open != std::string::npos;) {
      const std::size_t close = patterns.find('"', open + 1);
      if (close == std::string::npos) break;
      const std::string quoted = patterns.substr(open + 1, close - open - 1);
      const std::size_t space = quoted.find(' ');
      if (space != std::string::npos && quoted.compare(space + 1, 1, "-") == 0)
        last.emplace(quoted.substr(0, space), quoted.substr(space + 1));
      open = patterns.find('"', close + 1);
    }
    if (last) options.push_back(*last);
  }
  return options;
}

TEST(ReliabilityUsage, EveryOptionOfEveryCommandRefusesAnEmptyValue) {
  const auto options = options_taking_values();
  // The ones issue 22 found ignored are among those swept.
  for (const std::pair<std::string, std::string>& listed :
       std::vector<std::pair<std::string, std::string>>{{"render", "--count-in"},
                                                        {"render", "--volume"},
                                                        {"render", "--beats"},
                                                        {"analyze", "--start"},
                                                        {"analyze", "--latency"},
                                                        {"analyze", "--mute"},
                                                        {"analyze", "--mute-random"},
                                                        {"play", "--osc"},
                                                        {"link", "--seconds"},
                                                        {"render", "--from"},
                                                        {"run", "--replay"},
                                                        {"", "--bpm"}})
    EXPECT_NE(std::find(options.begin(), options.end(), listed), options.end()) << listed.second;
  ASSERT_GT(options.size(), 60u);
  // The outputs' own check speaks first for the files run and explore write.
  const std::set<std::string> outputs{"--json", "--report", "--trace"};
  for (const auto& [command, option] : options) {
    const CommandResult r = cacophony(command + " " + option + " ''");
    const bool output =
        outputs.contains(option) && (command.empty() || command == "run" || command == "explore");
    const std::string why =
        output ? "needs a file name ('-' for standard output)" : "needs a value, got ''";
    EXPECT_EQ(r.code, 2) << command << " " << option << "\n" << r.out;
    EXPECT_EQ(r.out, "cacophony: error: " + option + ": " + why + " (see cacophony --help)\n")
        << command;
  }
}

TEST(ReliabilityUsage, AnUnusedValueIsCheckedAll) {
  Folder dir("reliability_usage_");
  const std::string seed =
      "cacophony: error: --seed must be a whole number in [0, 2^64), got "
      "'nan'\n";
  const std::string wav = dir.at("out.wav");
  const std::vector<std::pair<std::string, std::string>> cases{
      // The seed of --follow simulated, with no --follow.
      {"render 1 4/4 120 --seed nan --out " + wav, seed},
      {"play 4/4 120 --seed nan", seed},
      {"practice 1 4/4 120 --seed nan", seed},
      {"practice --calibrate --seed nan", seed},
      // analyze plays nothing: it is not offered the sound's options at all.
      {"analyze " + dir.at("no.wav") + " 4/4 120 --volume 200",
       "cacophony: error: The following argument was not expected: --volume (see cacophony "
       "--help)\n"},
      {"analyze " + dir.at("no.wav") + " 4/4 120 --sounds ,x",
       "cacophony: error: The following argument was not expected: --sounds (see cacophony "
       "--help)\n"},
      {"practice 1 4/4 120 --sounds ,x",
       "cacophony: error: --sounds takes ACCENT.wav or ACCENT.wav,NORMAL.wav, got ',x'\n"},
      {"practice --calibrate --latency 5000",
       "cacophony: error: --latency must be a number in [-1000, 1000], got '5000'\n"},
      {"play 4/4 120 --osc-host 127.0.0.2", "cacophony: error: --osc-host needs --osc\n"}};
  for (const auto& [args, message] : cases) {
    const CommandResult r = cacophony(args);
    EXPECT_EQ(r.code, 2) << args << "\n" << r.out;
    EXPECT_EQ(r.out, message) << args;
  }
  EXPECT_TRUE(dir.names().empty());
}

TEST(ReliabilityUsage, ReplayRefusesAClockOtherThanSimulatedEvenTheDefaultOneNamed) {
  for (const char* time : {"real", "threads"}) {
    const CommandResult r =
        cacophony(std::string("run async_naive --replay random:1:1 --time ") + time);
    EXPECT_EQ(r.code, 2) << r.out;
    EXPECT_EQ(r.out, std::string("cacophony: error: --replay runs in simulated time (a schedule "
                                 "orders simulated tasks), not --time ") +
                         time + "\n");
  }
  const CommandResult simulated =
      cacophony("run async_naive --replay random:1:1 --time simulated --beats 4");
  EXPECT_EQ(simulated.code, 0) << simulated.out;
  EXPECT_TRUE(simulated.out.starts_with(
      "cacophony: 1 scenario at 6000 bpm, 4 beats, seed 1, simulated time\n"))
      << simulated.out;
  // Not given, --time is still real, and says so.
  const CommandResult help = cacophony("run --help");
  EXPECT_NE(help.out.find("  --time real|threads|simulated=real\n"), std::string::npos) << help.out;
}

// What render says it wrote, without the time it took.
std::string wrote(const std::string& out) {
  return out.substr(0, out.rfind(", in "));
}

TEST(ReliabilityUsage, ARhythmOfRestsLastsItsBarsInSilence) {
  Folder dir("reliability_usage_");
  const std::string wav = dir.at("rests.wav");
  const CommandResult r = cacophony("render 4 4/4 120 .... --out " + wav);
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(wrote(r.out), "wrote " + wav + ": 0 clicks, 8.000 s of audio at 48000 Hz");
  const CommandResult one = cacophony("render 1 4/4 600 X... --out " + wav);
  ASSERT_EQ(one.code, 0) << one.out;
  EXPECT_EQ(wrote(one.out), "wrote " + wav + ": 1 clicks, 0.400 s of audio at 48000 Hz");
}

// The clicks an engine starts over `grid` to its end (bounded).
std::vector<cacophony::sound::Onset> clicks(cacophony::sound::Grid& grid) {
  struct Hook {
    static void on(void* self, std::int64_t, const cacophony::sound::Onset& o) {
      static_cast<std::vector<cacophony::sound::Onset>*>(self)->push_back(o);
    }
  };
  std::vector<cacophony::sound::Onset> out;
  cacophony::sound::Engine engine(48000, grid, cacophony::sound::Engine::kEndless);
  engine.set_beat_hook(Hook::on, &out);
  std::vector<float> block(1024);
  for (int i = 0; i < 10000 && !engine.finished(); ++i) engine.process(block.data(), block.size());
  EXPECT_TRUE(engine.finished());
  EXPECT_EQ(engine.beats_started(), static_cast<std::int64_t>(out.size()));
  return out;
}

// play plays a steady rhythm on a LiveGrid (a player may change it) and any other on the
// RhythmGrid render uses: both start the same clicks, rests none.
TEST(ReliabilityUsage, PlayAndRenderCountTheSameClicksOfARhythmWithRests) {
  struct Case {
    std::vector<std::string> words;
    int subdivide;
    std::size_t clicks;
  };
  for (const Case& c : std::vector<Case>{{{"1", "4/4", "600", "X..."}, 1, 1},
                                         {{"4", "4/4", "120", "...."}, 1, 0},
                                         {{"2", "4/4", "120", ".x.X"}, 2, 8},
                                         {{"3", "3/4", "90", "X.x"}, 3, 18}}) {
    cacophony::rhythm::Performance p = cacophony::rhythm::parse_words(c.words);
    p.feel.subdivide = c.subdivide;
    cacophony::sound::RhythmGrid rendered(p, 48000);
    cacophony::sound::LiveGrid played(p.sections[0], c.subdivide, 48000);
    const auto a = clicks(rendered);
    const auto b = clicks(played);
    ASSERT_EQ(a.size(), c.clicks) << c.words.back();
    ASSERT_EQ(b.size(), c.clicks) << c.words.back();
    for (std::size_t i = 0; i < a.size(); ++i) {
      EXPECT_NEAR(static_cast<double>(a[i].frame), static_cast<double>(b[i].frame), 1) << i;
      EXPECT_EQ(a[i].kind, b[i].kind) << i;
      EXPECT_EQ(a[i].bar, b[i].bar) << i;
      EXPECT_EQ(a[i].phase, b[i].phase) << i;
      EXPECT_EQ(a[i].sub, b[i].sub) << i;
    }
  }
}

TEST(ReliabilityUsage, AMapsByteOrderMarkIsNotPartOfItsFirstLabel) {
  Folder dir("reliability_usage_");
  std::ofstream(dir / "bom.txt") << "\xEF\xBB\xBFintro: 1 4/4 120\nverse: 2 4/4 120\n";
  const cacophony::rhythm::Performance p = cacophony::rhythm::read_map(dir / "bom.txt");
  ASSERT_EQ(p.sections.size(), 2u);
  EXPECT_EQ(p.sections[0].label, "intro");
  const std::string wav = dir.at("out.wav");
  const CommandResult r =
      cacophony("render --map " + dir.at("bom.txt") + " --from intro --out " + wav);
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(wrote(r.out), "wrote " + wav + ": 12 clicks, 6.000 s of audio at 48000 Hz");
  // Only at the start of the text: anywhere else it is not a label's.
  std::ofstream(dir / "inside.txt") << "intro: 1 4/4 120\n\xEF\xBB\xBFverse: 2 4/4 120\n";
  const CommandResult inside = cacophony("render --map " + dir.at("inside.txt") + " --out " + wav);
  EXPECT_EQ(inside.code, 2);
  EXPECT_EQ(inside.out, "cacophony: error: " + dir.at("inside.txt") +
                            ":2: label '\xEF\xBB\xBFverse' may hold only letters, digits, _, - "
                            "and .\n");
}

TEST(ReliabilityUsage, EveryHelpEndsWithTheExitCodeTableAndTheManualHasItOnce) {
  const CommandResult script = cacophony("completion bash");
  const std::string cases = script.out.substr(script.out.find("case ${COMP_WORDS[i]} in ") + 25);
  std::vector<std::string> commands{""};
  const std::string names = cases.substr(0, cases.find(')'));
  for (std::size_t from = 0; from <= names.size();) {
    const std::size_t bar = std::min(names.find('|', from), names.size());
    commands.push_back(names.substr(from, bar - from));
    from = bar + 1;
  }
  for (const char* expected : {"render", "play", "practice", "analyze", "link", "run"})
    EXPECT_NE(std::find(commands.begin(), commands.end(), expected), commands.end());
  for (const std::string& command : commands) {
    const CommandResult r = cacophony(command + " --help");
    EXPECT_EQ(r.code, 0) << command;
    EXPECT_TRUE(r.out.ends_with(std::string("\n") + kExitCodes)) << command << "\n" << r.out;
  }
  const CommandResult manual = cacophony("manual");
  ASSERT_EQ(manual.code, 0);
  const std::size_t table = manual.out.find("Exit codes:");
  EXPECT_NE(table, std::string::npos);
  EXPECT_EQ(manual.out.find("Exit codes:", table + 1), std::string::npos) << "once";
  EXPECT_NE(manual.out.find(".SH EXIT STATUS\n.PP\n.nf\nExit codes:"), std::string::npos);
}

// `command` through /bin/sh: its exit code and its output, merged.
CommandResult shell(const std::string& command) {
  cacophony::test_support::Process sh({"/bin/sh", "-c", command},
                                      cacophony::test_support::Output::pipe());
  std::string out = sh.read_all();
  const int status = sh.wait();
  return {status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1, std::move(out)};
}

// The completion script of the program when called `name` (exec -a), written to `file`.
void completion(const std::string& shell_name, const std::string& name, const std::string& file) {
  const CommandResult r =
      shell("bash -c 'exec -a \"$0\" \"$@\"' '" + name + "' " + CACOPHONY_BINARY + " completion " +
            shell_name + " > '" + file + "'");
  ASSERT_EQ(r.code, 0) << r.out;
}

TEST(ReliabilityUsage, ACompletionScriptNeverRunsItsProgramsName) {
  Folder dir("reliability_usage_");
  const std::string bad = "cac;touch X;x";
  completion("bash", bad, dir.at("bad.bash"));
  // A line break would end the comment the name is in.
  completion("bash", "cac\ntouch Y", dir.at("line.bash"));
  completion("bash", "my-tool", dir.at("good.bash"));
  completion("zsh", bad, dir.at("bad.zsh"));
  completion("zsh", "my-tool", dir.at("good.zsh"));
  const std::string in_dir = "cd '" + dir.path().string() + "' && ";
  const CommandResult bash = shell(
      in_dir +
      "bash -c 'source bad.bash && source line.bash && source good.bash && complete -p' 2>&1");
  EXPECT_EQ(bash.code, 0) << bash.out;
  EXPECT_NE(bash.out.find("complete -F _cac_touch_X_x 'cac;touch X;x'\n"), std::string::npos)
      << bash.out;
  EXPECT_NE(bash.out.find("complete -F _my_tool my-tool\n"), std::string::npos) << bash.out;
  EXPECT_NE(bash.out.find("complete -F _cac_touch_Y 'cac\ntouch Y'\n"), std::string::npos)
      << bash.out;
  const CommandResult zsh = shell(
      in_dir +
      "zsh -f -c 'autoload -U compinit && compinit -D -u && source bad.zsh && source good.zsh && "
      "print -r -- \"${_comps[cac;touch X;x]} ${_comps[my-tool]}\"' 2>&1");
  EXPECT_EQ(zsh.code, 0) << zsh.out;
  EXPECT_EQ(zsh.out, "_cac_touch_X_x _my_tool\n");
  EXPECT_EQ(dir.names(),
            (std::vector<std::string>{"bad.bash", "bad.zsh", "good.bash", "good.zsh", "line.bash"}))
      << "the name ran as a command";
}

}  // namespace
