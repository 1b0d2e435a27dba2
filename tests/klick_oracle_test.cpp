// klick as the oracle: the same rhythms rendered by `klick -W` and by `cacophony render`, at
// 48 kHz, must have as many clicks, each within a frame of klick's (klick truncates a click's
// frame where we round it), with the accents on the same beats. Each sound is told from the
// other by its pitch, counted as zero crossings in its first 10 ms: klick's accent is about
// 1 kHz and its normal click about 500 Hz; ours are 2 kHz and 1 kHz (click.h).

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "support/audio.h"
#include "support/command.h"
#include "support/folder.h"
#include "support/onsets.h"
#include "support/process.h"

namespace {

using cacophony::test_support::read_audio;
namespace fs = std::filesystem;

struct Heard {
  std::int64_t frame;
  int crossings;  // in the first 480 samples
};

std::vector<Heard> heard(const fs::path& file) {
  const std::vector<float> s = read_audio(file).samples;
  std::vector<Heard> out;
  for (std::size_t at : cacophony::test_support::onsets(s, 480)) {
    int crossings = 0;
    for (std::size_t k = at + 1; k < at + 480 && k < s.size(); ++k)
      crossings += (s[k - 1] >= 0) != (s[k] >= 0);
    out.push_back({static_cast<std::int64_t>(at), crossings});
  }
  return out;
}

struct Case {
  std::string name;
  std::vector<std::string> klick;  // klick's arguments after -W FILE -r 48000
  std::string ours;                // cacophony render's, before --out FILE
  std::size_t count_in = 0;        // clicks of count-in, whose accents are not compared
};

struct Maps : cacophony::test_support::Folder {
  Maps() : cacophony::test_support::Folder("cacophony_klick_") {
    write("song.map",
          "# the shape of klick's manual example, shorter\n"
          "intro:    2 120\n"
          "verse:    2 120 X.x.     # 1 and 3 only\n"
          "          1 120-140 X.x.\n"
          "chorus:   2 140\n"
          "bridge:   2 3/4 140 0.5  # quieter\n"
          "          1 3/4 140\n"
          "outro:    1 140\n"
          "          1 140-80       # ritardando\n");
    // The numbers of klick's manual example: labels, an implied 4/4, a pattern, a ramp, a quieter
    // 3/4 bridge and a ritardando.
    write("manual.map",
          "intro: 8 120\nverse1: 12 120 X.x.\n4 120-140 X.x.\nchorus1: 16 140\n"
          "bridge: 8 3/4 140 0.5\n8 3/4 140\nverse2: 12 120\nchorus2: 16 140\noutro: 6 140\n"
          "2 140-80\n");
    write("tempi.map",
          "1 4/4 60-120\n"
          "1 2/4 60,120\n"
          "2 6/8 97.5 X..x..\n"
          "1 5/4 200-150 X.xx. 0.7\n"
          "1 7/8 160,150,140,130,120,110,100\n");
    // klick's file is as long as the map: its pre-roll pushes the map's end out of it, so the map
    // it renders has one bar more than ours, for it to cut.
    write("countin.map", "1 3/4 100 X.x\n");
    write("twobeats-klick.map", "2 6/8 120\n1 2/8 120\n");
    write("countin-klick.map", "1 3/4 100 X.x\n1 3/4 100\n");
  }
  void write(const std::string& name, const std::string& text) const {
    std::ofstream(*this / name) << text;
  }
};

void compare(const Maps& dir, const Case& c) {
  const fs::path theirs = dir / (c.name + "-klick.wav");
  const fs::path ours = dir / (c.name + "-ours.wav");
  // klick's export, its size capped: some of klick's bugs (a --from label that repeats) write
  // without end.
  std::string klick = "ulimit -f 200000; exec klick -W " + theirs.string() + " -r 48000";
  for (const std::string& word : c.klick) klick += " '" + word + "'";
  ASSERT_TRUE(cacophony::test_support::succeeds({"/bin/sh", "-c", klick})) << c.name;
  const auto r =
      cacophony::test_support::run_cacophony("render " + c.ours + " --out " + ours.string());
  ASSERT_EQ(r.code, 0) << c.name << ": " << r.out;
  const std::vector<Heard> k = heard(theirs), o = heard(ours);
  ASSERT_EQ(o.size(), k.size()) << c.name;
  ASSERT_GT(k.size(), c.count_in) << c.name;
  for (std::size_t i = 0; i < k.size(); ++i) {
    EXPECT_LE(std::abs(o[i].frame - k[i].frame), 1) << c.name << ", click " << i;
    if (i < c.count_in) continue;
    const bool their_accent = k[i].crossings > 14, our_accent = o[i].crossings > 30;
    EXPECT_EQ(our_accent, their_accent) << c.name << ", click " << i << ": " << o[i].crossings
                                        << " and " << k[i].crossings << " crossings";
  }
}

TEST(KlickOracle, PositionalForms) {
  ASSERT_TRUE(cacophony::test_support::succeeds({"/bin/sh", "-c", "command -v klick"}))
      << "klick is not installed (scripts/setup installs it)";
  const Maps dir;
  for (const Case& c : std::vector<Case>{
           {"four", {"2", "4/4", "120"}, "2 4/4 120"},
           {"three", {"2", "3/4", "100"}, "2 3/4 100"},
           {"six-eight", {"2", "6/8", "120"}, "2 6/8 120"},
           {"seven-eight", {"2", "7/8", "160", "X.xX.x."}, "2 7/8 160 X.xX.x."},
           {"five", {"2", "5/4", "90"}, "2 5/4 90"},
           {"fraction", {"3", "92.5"}, "3 92.5"},
           {"trainer", {"8", "4/4", "80-120/2"}, "8 4/4 80-120/2"},
           {"trainer-down", {"4", "3/4", "140-120/0.5"}, "4 3/4 140-120/0.5"},
       })
    compare(dir, c);
}

TEST(KlickOracle, TempoMaps) {
  const Maps dir;
  compare(dir,
          {"song", {"-f", (dir / "song.map").string()}, "--map " + (dir / "song.map").string()});
  compare(
      dir,
      {"manual", {"-f", (dir / "manual.map").string()}, "--map " + (dir / "manual.map").string()});
  compare(dir,
          {"tempi", {"-f", (dir / "tempi.map").string()}, "--map " + (dir / "tempi.map").string()});
}

// klick's -x: a tempo map, a tempo list and a speed trainer at 0.8 and 1.25 times.
TEST(KlickOracle, TempoScale) {
  const Maps dir;
  for (const std::string factor : {"0.8", "1.25"}) {
    compare(dir, {"song-x" + factor,
                  {"-x", factor, "-f", (dir / "song.map").string()},
                  "--map " + (dir / "song.map").string() + " -x " + factor});
    compare(dir, {"tempi-x" + factor,
                  {"-x", factor, "-f", (dir / "tempi.map").string()},
                  "--map " + (dir / "tempi.map").string() + " --scale " + factor});
    compare(dir, {"trainer-x" + factor,
                  {"-x", factor, "8", "4/4", "80-120/2"},
                  "8 4/4 80-120/2 -x " + factor});
  }
}

// klick's -e and -E: no accents; every beat an accent ("emphasized beats only" is the accent's
// sound only), rests still rests.
TEST(KlickOracle, EmphasisSwitches) {
  const Maps dir;
  compare(dir, {"no-accents", {"-e", "2", "7/8", "160", "X.xX.x."}, "2 7/8 160 X.xX.x. -e"});
  compare(dir, {"all-accents", {"-E", "2", "7/8", "160", "X.xX.x."}, "2 7/8 160 X.xX.x. -E"});
  compare(dir, {"map-all-accents",
                {"-E", "-f", (dir / "song.map").string()},
                "--map " + (dir / "song.map").string() + " --all-accents"});
}

TEST(KlickOracle, CountIn) {
  const Maps dir;
  // Two bars of 6/8, with klick's -c 0: two beats, and the end cut as klick's file is.
  compare(dir, {"two-beats",
                {"-c", "0", "-f", (dir / "twobeats-klick.map").string()},
                "2 6/8 120 --count-in 0",
                2});
  // A bar of count-in keeps the pattern's rest.
  compare(dir, {"one-bar",
                {"-c", "1", "-f", (dir / "countin-klick.map").string()},
                "--map " + (dir / "countin.map").string() + " --count-in 1",
                2});
}

}  // namespace
