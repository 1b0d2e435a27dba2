// The rhythm on the command line: klick's words, --map and --from, the feel options, and every
// bad map refused with "FILE:LINE: what is wrong", exit 2 and no output file.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "support/audio.h"
#include "support/command.h"
#include "support/folder.h"
#include "support/onsets.h"

namespace {

using cacophony::test_support::CommandResult;
using cacophony::test_support::read_audio;
using cacophony::test_support::run_cacophony;
namespace fs = std::filesystem;

struct Folder : cacophony::test_support::Folder {
  Folder() : cacophony::test_support::Folder("cacophony_rhythm_cli_") {}
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(*this / name, std::ios::binary) << text;
    return (*this / name).string();
  }
};

std::vector<std::size_t> rendered_onsets(const Folder& dir, const std::string& args) {
  const std::string out = (dir / "out.wav").string();
  const CommandResult r = run_cacophony("render " + args + " --out " + out);
  EXPECT_EQ(r.code, 0) << args << "\n" << r.out;
  if (r.code != 0) return {};
  return cacophony::test_support::onsets(read_audio(out).samples, 240);
}

TEST(RhythmCli, BadMapsNameTheFileAndLine) {
  Folder dir;
  const std::vector<std::pair<std::string, std::string>> maps = {
      {"meter0.map", "# a comment\n2 0/4 120\n"},
      {"meter43.map", "1 120\n2 4/3 120\n"},
      {"bars0.map", "0 120\n"},
      {"tempo0.map", "\n\n1 0\n"},
      {"temponeg.map", "1 -120\n"},
      {"tempohigh.map", "1 1001\n"},
      {"pattern.map", "1 3/4 120 X.x.\n"},
      {"list.map", "1 2/4 120,130,140\n"},
      {"volume.map", "1 120 X.x. -1\n"},
      {"binary.map", std::string("1 120\n2 1\0\x01\x02 120\n", 14)},
  };
  for (const auto& [name, text] : maps) {
    const std::string path = dir.write(name, text);
    const CommandResult r =
        run_cacophony("render --map " + path + " --out " + (dir / "out.wav").string());
    EXPECT_EQ(r.code, 2) << name << "\n" << r.out;
    const int line = name == "tempo0.map"                                                    ? 3
                     : name == "meter0.map" || name == "meter43.map" || name == "binary.map" ? 2
                                                                                             : 1;
    EXPECT_NE(r.out.find(path + ":" + std::to_string(line) + ": "), std::string::npos)
        << name << "\n"
        << r.out;
    EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
    EXPECT_FALSE(fs::exists(dir / "out.wav")) << name;
  }
}

TEST(RhythmCli, UnusableMapFilesAreRefused) {
  Folder dir;
  const std::string empty = dir.write("empty.map", "");
  const std::string comments = dir.write("comments.map", "# nothing\n\n");
  const std::string long_line = dir.write("long.map", std::string(5000, '1') + "\n");
  const std::string song = dir.write("song.map", "intro: 1 120\nverse: 1 100\n");
  // A 100 MB line, as a sparse file: refused without being read whole.
  const fs::path huge = dir / "huge.map";
  std::ofstream(huge).close();
  fs::resize_file(huge, 100u << 20);
  for (const std::string& args :
       {"--map " + empty, "--map " + comments, "--map " + long_line, "--map " + huge.string(),
        "--map " + (dir / "missing.map").string(), "--map " + dir.path().string(),
        "--map " + song + " --from chorus"}) {
    const CommandResult r = run_cacophony("render " + args + " --out " + (dir / "o.wav").string());
    EXPECT_EQ(r.code, 2) << args << "\n" << r.out;
    EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
    EXPECT_FALSE(fs::exists(dir / "o.wav")) << args;
  }
  const CommandResult from =
      run_cacophony("render --map " + song + " --from chorus --out " + (dir / "o.wav").string());
  EXPECT_NE(from.out.find("intro"), std::string::npos) << "it lists the labels: " << from.out;
}

TEST(RhythmCli, FromALabelStartsThere) {
  Folder dir;
  const std::string song = dir.write("song.map", "intro: 1 120\nverse: 1 3/4 100\nout: 1 60\n");
  // From verse: 3 beats at 100 (28800 frames), then 4 at 60.
  EXPECT_EQ(rendered_onsets(dir, "--map " + song + " --from verse"),
            (std::vector<std::size_t>{0, 28800, 57600, 86400, 134400, 182400, 230400}));
}

TEST(RhythmCli, WordsFeelAndShorthand) {
  Folder dir;
  EXPECT_EQ(rendered_onsets(dir, "1 3/4 100 X.x"), (std::vector<std::size_t>{0, 57600}));
  EXPECT_EQ(rendered_onsets(dir, "--bpm 120 --beats 3"),
            (std::vector<std::size_t>{0, 24000, 48000}));
  EXPECT_EQ(rendered_onsets(dir, "1 2/4 120 --subdivide 2 --swing 75"),
            (std::vector<std::size_t>{0, 18000, 24000, 42000}));
  EXPECT_EQ(rendered_onsets(dir, "1 2/4 120 --count-in 0"),
            (std::vector<std::size_t>{0, 24000, 48000, 72000}));
  for (const char* bad :
       {"4/4 120", "1 4/3 120", "1 4/4 0", "1 4/4 120 X.", "1 4/4 120 --subdivide 9",
        "1 4/4 120 --swing 80", "1 4/4 120 --count-in 65", "1 4/4 120 --bpm 120",
        "1 4/4 120 --volume 101", "1 4/4 120 --volume 50 --follow simulated", "80-120",
        "--from x 1 120"}) {
    const CommandResult r =
        run_cacophony(std::string("render ") + bad + " --out " + (dir / "x.wav").string());
    EXPECT_EQ(r.code, 2) << bad << "\n" << r.out;
    EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
  }
}

TEST(RhythmCli, HelpShowsTheGrammarWithExamples) {
  for (const std::string command : {"render", "play"}) {
    const CommandResult r = run_cacophony(command + " --help");
    EXPECT_EQ(r.code, 0);
    EXPECT_NE(r.out.find("[bars] [meter] tempo[-tempo2[/accel]] [pattern]"), std::string::npos);
    EXPECT_NE(r.out.find("cacophony " + command + " 7/8 160 X.xX.x."), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("--follow"), std::string::npos);
  }
}

}  // namespace
