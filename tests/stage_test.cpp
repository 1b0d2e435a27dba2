// Ready for the stage, rendered: what klick users reach for (a start delay, sound sets and pitch,
// the count-in's accent, the options a rhythm command refuses rather than ignores), and what klick
// lacks: polyrhythms, setlists and presets. klick itself is the oracle for -x, -e and -E
// (klick_oracle_test.cpp).

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "cacophony/sound/click.h"
#include "support/audio.h"
#include "support/command.h"
#include "support/folder.h"
#include "support/onsets.h"

namespace {

using cacophony::sound::Click;
using cacophony::sound::ClickKind;
using namespace cacophony::test_support;

struct Rendered {
  std::vector<float> samples;
  std::vector<std::size_t> onsets;
};

Rendered render(const Folder& dir, const std::string& args) {
  const std::string out = (dir / "r.wav").string();
  const CommandResult r = run_cacophony("render " + args + " --out " + out);
  EXPECT_EQ(r.code, 0) << args << ": " << r.out;
  if (r.code != 0) return {};
  Rendered rendered{read_audio(out).samples, {}};
  rendered.onsets = onsets(rendered.samples, 100);
  return rendered;
}

// Zero crossings in the 10 ms after `at`: twice the pitch, in hundreds of Hz (48 kHz).
int crossings(const std::vector<float>& s, std::size_t at) {
  int n = 0;
  for (std::size_t k = at + 1; k < at + 480 && k < s.size(); ++k)
    n += (s[k - 1] >= 0) != (s[k] >= 0);
  return n;
}

// The crossings a pure tone of `hz` has in 10 ms, give or take the decay's rounding.
void expect_pitch(int counted, double hz, const std::string& what) {
  EXPECT_NEAR(counted, 2 * hz / 100, 2) << what;
}

TEST(KlickParity, DelayPutsSilenceBeforeTheFirstClick) {
  const Folder dir("cacophony_parity_");
  const Rendered plain = render(dir, "1 4/4 120 --count-in 0");
  const Rendered delayed = render(dir, "1 4/4 120 --count-in 0 -d 0.5");
  ASSERT_EQ(plain.onsets.size(), 6u);
  ASSERT_EQ(delayed.onsets.size(), 6u);
  for (std::size_t i = 0; i < plain.onsets.size(); ++i)
    EXPECT_EQ(delayed.onsets[i], plain.onsets[i] + 24000) << "click " << i;
  EXPECT_EQ(delayed.samples.size(), plain.samples.size() + 24000);
  EXPECT_EQ(render(dir, "1 4/4 120 --delay 0.00001").onsets.front(), 0u);  // half a frame rounds
}

TEST(KlickParity, CountInAccentIsBrighterAndLouder) {
  const Folder dir("cacophony_parity_");
  const Rendered r = render(dir, "1 3/4 120 X.x --count-in 1 --volume 100");
  ASSERT_EQ(r.onsets.size(), 4u);  // the count-in keeps the pattern's rest: X . x, then X . x
  expect_pitch(crossings(r.samples, r.onsets[0]), Click::frequency_hz(ClickKind::count_in_accent),
               "the count-in's first beat");
  expect_pitch(crossings(r.samples, r.onsets[1]), Click::frequency_hz(ClickKind::count_in),
               "the count-in's third beat");
  EXPECT_GT(r.samples[r.onsets[0]], r.samples[r.onsets[1]] * 1.3f);
  expect_pitch(crossings(r.samples, r.onsets[2]), Click::frequency_hz(ClickKind::accent),
               "the song's first beat");
}

TEST(KlickParity, EachSoundSetAndPitchSoundsOnTheSameFrames) {
  const Folder dir("cacophony_parity_");
  const Rendered tone = render(dir, "1 4/4 120");
  ASSERT_EQ(tone.onsets.size(), 4u);
  for (const std::string set : {"tone", "square", "sine", "noise", "wood", "0", "1", "2", "3"}) {
    const Rendered r = render(dir, "1 4/4 120 -s " + set);
    EXPECT_EQ(r.onsets, tone.onsets) << set;
    if (r.onsets.empty()) continue;
    // Each starts at its loudest or near it: the onset marks the beat.
    float peak = 0;
    for (std::size_t k = 0; k < 960; ++k) peak = std::max(peak, std::abs(r.samples[k]));
    EXPECT_GE(std::abs(r.samples[0]), 0.5f * peak) << set;
  }
  const Rendered higher = render(dir, "1 4/4 120 --pitch 1.5,0.5");
  ASSERT_EQ(higher.onsets, tone.onsets);
  expect_pitch(crossings(higher.samples, higher.onsets[0]), 3000, "the accent at 1.5 times");
  expect_pitch(crossings(higher.samples, higher.onsets[1]), 500, "a beat at 0.5 times");
  const Rendered both = render(dir, "1 4/4 120 -w 2");
  expect_pitch(crossings(both.samples, both.onsets[0]), 4000, "the accent at 2 times");
  expect_pitch(crossings(both.samples, both.onsets[1]), 2000, "a beat at 2 times");
  // The timbres differ: the same frames, other samples.
  EXPECT_NE(render(dir, "1 4/4 120 -s square").samples, tone.samples);
  EXPECT_NE(render(dir, "1 4/4 120 -s noise").samples, tone.samples);
}

TEST(KlickParity, RepeatedLabelsPlayAndFromFindsTheFirst) {
  const Folder dir("cacophony_parity_");
  std::ofstream(dir / "dup.map") << "a: 1 2/4 120\nb: 1 3/4 120\na: 1 4/4 120\n";
  const std::string map = (dir / "dup.map").string();
  EXPECT_EQ(render(dir, "--map " + map).onsets.size(), 9u);
  EXPECT_EQ(render(dir, "--map " + map + " --from a").onsets.size(), 9u);
  EXPECT_EQ(render(dir, "--map " + map + " --from b").onsets.size(), 7u);
}

// Every option a rhythm command takes means something for it: a useless one is refused, and a
// command that plays nothing is not offered the sound's options.
TEST(KlickParity, UselessOrClashingOptionsAreRefused) {
  const Folder dir("cacophony_parity_");
  const std::string out = " --out " + (dir / "x.wav").string();
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"render 1 4/4 120 --swing 60" + out,
       "--swing delays every second subdivision: give --subdivide 2 or more"},
      {"render --bpm 3000 --beats 4" + out, "--bpm must be a number in [1, 1000], got '3000'"},
      {"render 1 4/4 120 -e -E" + out, "--no-accents and --all-accents: give one"},
      {"render 1 4/4 120 -x 0" + out, "--scale must be a number in [0.1, 10], got '0'"},
      {"render 1 4/4 600 -x 2" + out,
       "rhythm: at 2 times, a tempo would be 1200: tempi go from 1 to 1000"},
      {"render 1 4/4 120 -s bell" + out,
       "--sound-set takes tone, square, sine, noise or wood (or klick's 0..3), got 'bell'"},
      {"render 1 4/4 120 -w 5" + out, "--pitch must be a number in [0.25, 4], got '5'"},
      {"render 1 4/4 120 -w 1.2 --rate 8000" + out,
       "--pitch puts a click at 4320 Hz, too high for 8000 Hz (the clicks must stay under 4000 "
       "Hz)"},
      {"render 1 4/4 120 -d -1" + out, "--delay must be a number in [0, 3600], got '-1'"},
      {"play 4/4 120 -n a:b",
       "--name must be 1..63 bytes without ':' (JACK's ports are NAME:out), "
       "got 'a:b'"},
      {"analyze take.wav 4/4 120 --sounds a.wav",
       "The following argument was not expected: --sounds"},
      {"analyze take.wav 4/4 120 --volume 50", "The following argument was not expected: --volume"},
      {"practice 4/4 120 --follow simulated", "The following argument was not expected: --follow"},
      {"practice 4/4 120 -E", "The following argument was not expected: -E"},
  };
  for (const auto& [args, message] : cases) {
    const CommandResult r = run_cacophony(args);
    EXPECT_EQ(r.code, 2) << args << ": " << r.out;
    EXPECT_NE(r.out.find("error: " + message), std::string::npos) << args << ": " << r.out;
    EXPECT_EQ(r.out.find('\n'), r.out.size() - 1) << args << ": one line, got " << r.out;
  }
  EXPECT_FALSE(std::filesystem::exists(dir / "x.wav"));
}

// 3 against 4 and 5 against 4, rendered: every voice's click on its exact frame (a 4/4 bar at 120
// is 96000 frames: thirds at 32000, fifths at 19200), in the voice's own pitch.
TEST(Polyrhythm, ThreeAndFiveAgainstFourOnTheirExactFrames) {
  const Folder dir("cacophony_poly_");
  const Rendered three = render(dir, "2 4/4 120 +3");
  EXPECT_EQ(three.onsets, (std::vector<std::size_t>{0, 24000, 32000, 48000, 64000, 72000, 96000,
                                                    120000, 128000, 144000, 160000, 168000}));
  const Rendered five = render(dir, "1 4/4 120 +5");
  EXPECT_EQ(five.onsets,
            (std::vector<std::size_t>{0, 19200, 24000, 38400, 48000, 57600, 72000, 76800}));
  if (three.onsets.size() < 3 || five.onsets.size() < 2) return;
  // The first voice's normal click is 1.25 times the beat's (1250 Hz), told from the beat's 1 kHz.
  expect_pitch(crossings(three.samples, three.onsets[2]), 1250, "voice 1 of 3 against 4");
  expect_pitch(crossings(three.samples, three.onsets[1]), 1000, "a beat");
  expect_pitch(crossings(five.samples, five.onsets[1]), 1250, "voice 1 of 5 against 4");
  // Two voices at once, with their own accents and volume: the second voice 0.8 times as high.
  const Rendered both = render(dir, "1 4/4 240 +3 +5:X.xx.@0.5 --volume 100");
  // The fifths' rests (9600, 38400) are silent.
  EXPECT_EQ(both.onsets,
            (std::vector<std::size_t>{0, 12000, 16000, 19200, 24000, 28800, 32000, 36000}));
  if (both.onsets.size() < 8) return;
  expect_pitch(crossings(both.samples, both.onsets[3]), 800, "voice 2's normal click");
  EXPECT_NEAR(std::abs(both.samples[both.onsets[3]]), 0.5f * std::abs(both.samples[both.onsets[1]]),
              1e-4)
      << "voice 2 at half the volume";
}

// A setlist renders its songs back to back, each from where the one before ended (a bar
// boundary), on its own exact frames; --song starts at the one it names.
TEST(Setlist, RendersTheSongsBackToBackOnTheirFrames) {
  const Folder dir("cacophony_setlist_");
  std::ofstream(dir / "set.txt") << "# tonight\nopener: 2 4/4 120\nwaltz: 2 3/4 180 X.x\n"
                                    "closer: map closer.map   # a map beside the list\n";
  std::ofstream(dir / "closer.map") << "1 4/4 240\n";
  const Rendered set = render(dir, "--setlist " + dir.at("set.txt"));
  std::vector<std::size_t> expected;
  for (std::size_t i = 0; i < 8; ++i) expected.push_back(i * 24000);  // 96000 frames a bar
  for (const std::size_t at : {0, 32000, 48000, 80000}) expected.push_back(192000 + at);  // X.x
  for (std::size_t i = 0; i < 4; ++i) expected.push_back(288000 + i * 12000);
  EXPECT_EQ(set.onsets, expected);
  EXPECT_EQ(set.samples.size(), 336000u);
  const Rendered from = render(dir, "--setlist " + dir.at("set.txt") + " --song closer");
  EXPECT_EQ(from.onsets, (std::vector<std::size_t>{0, 12000, 24000, 36000}));
}

TEST(Setlist, ABadListIsSaidWithItsLine) {
  const Folder dir("cacophony_setlist_");
  const auto refused = [&](const std::string& text, const std::string& args) {
    std::ofstream(dir / "l.txt") << text;
    const CommandResult r =
        run_cacophony("render --setlist " + dir.at("l.txt") + args + " --out " + dir.at("x.wav"));
    EXPECT_EQ(r.code, 2) << r.out;
    EXPECT_FALSE(std::filesystem::exists(dir / "x.wav"));
    return r.out;
  };
  const std::string list = dir.at("l.txt");
  EXPECT_EQ(refused("a: 2 4/4 120\nb: 2 3/4 zz\n", ""),
            "cacophony: error: " + list +
                ":2: tempo 'zz' must be a number of quarter notes per minute from 1 to 1000\n");
  EXPECT_EQ(refused("a: 2 4/4 120\n\na: 1 4/4 100\n", ""),
            "cacophony: error: " + list + ":3: 'a' is named on line 1 already\n");
  EXPECT_EQ(refused("just 4/4 120\n", ""), "cacophony: error: " + list +
                                               ":1: a line is NAME: followed by a rhythm, got "
                                               "'just'\n");
  EXPECT_EQ(refused("a: 4/4 120\n", ""),
            "cacophony: error: " + list + ":1: the song 'a' has no end: give it bars\n");
  EXPECT_EQ(refused("a: map gone.map\n", ""),
            "cacophony: error: " + list + ":1: " + dir.at("gone.map") + ": no such file\n");
  EXPECT_EQ(refused("a: 1 4/4 120\n", " --song b"),
            "cacophony: error: --song: no song 'b' in " + list + "\n");
  EXPECT_EQ(refused("# nothing\n", ""),
            "cacophony: error: " + list + ": no rhythms: only comments and blank lines\n");
}

// A preset is a named rhythm in $XDG_CONFIG_HOME/cacophony/presets, played as @name.
TEST(Presets, AtNamePlaysThePresetsRhythm) {
  const Folder dir("cacophony_presets_");
  std::filesystem::create_directories(dir / "config" / "cacophony");
  std::ofstream(dir / "config" / "cacophony" / "presets")
      << "seven: 1 7/8 160 X.xX.x.\nsong: map song.map\n";
  std::ofstream(dir / "config" / "cacophony" / "song.map") << "1 4/4 120\n";
  const std::string env = "XDG_CONFIG_HOME=" + dir.at("config") + " ";
  const std::string out = dir.at("p.wav"), words = dir.at("w.wav");
  ASSERT_EQ(run_cacophony("render @seven --out " + out, env).code, 0);
  ASSERT_EQ(run_cacophony("render 1 7/8 160 X.xX.x. --out " + words).code, 0);
  EXPECT_EQ(read_audio(out).samples, read_audio(words).samples);
  ASSERT_EQ(run_cacophony("render @song --out " + out, env).code, 0);
  EXPECT_EQ(onsets(read_audio(out).samples, 100).size(), 4u);
  const CommandResult unknown = run_cacophony("render @nope --out " + out, env);
  EXPECT_EQ(unknown.code, 2);
  EXPECT_EQ(unknown.out,
            "cacophony: error: no preset 'nope' in " + dir.at("config") + "/cacophony/presets\n");
}

}  // namespace
