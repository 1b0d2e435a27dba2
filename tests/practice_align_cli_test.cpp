// `analyze` without --start (issue 24): it finds where the rhythm starts in takes of drum strokes
// (GMRockKit) that begin 0.3 to 3 s in, from the hits or from the count-in heard, says so on
// stderr and in the JSON; and a take that fits the grid poorly is said to, with what to try.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/audio.h"
#include "support/command.h"
#include "support/folder.h"
#include "support/kit_take.h"

namespace {

using cacophony::test_support::CommandResult;
using cacophony::test_support::KitTake;
using cacophony::test_support::run_cacophony;

constexpr int kRate = 48000;

struct Folder : cacophony::test_support::Folder {
  Folder() : cacophony::test_support::Folder("cacophony_align_cli_") {}
};

// A take of 16 strokes (kick and snare in turn) every 60/bpm s from `first_beat_s`, after the
// count-in's `count_in` side-stick clicks at 120 (two a second), with a second of noise after.
void write_take(const std::string& path, double first_beat_s, int count_in, double bpm = 120) {
  KitTake take(kRate, first_beat_s + 16 * 60 / bpm + 1, -60, 3);
  for (int i = 0; i < count_in; ++i)
    take.place("SideStick-Hard", std::llround((first_beat_s - (count_in - i) * 0.5) * kRate));
  for (int i = 0; i < 16; ++i)
    take.place(i % 2 ? "Snare-Med" : "Kick-Med",
               std::llround((first_beat_s + i * 60 / bpm) * kRate));
  cacophony::test_support::write_audio(path, kRate, take.samples());
}

nlohmann::json read_json(const std::string& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(
      std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>()));
}

// The line of `out` that starts with `prefix`, without its newline; empty without one.
std::string line_of(const std::string& out, const std::string& prefix) {
  const auto at = out.find(prefix);
  return at == std::string::npos ? "" : out.substr(at, out.find('\n', at) - at);
}

constexpr const char* kStartsAt = "cacophony: the rhythm starts at ";

// The start the note says, checked within 1 ms of `seconds`, and the note's line exactly.
void expect_start_note(const CommandResult& r, double seconds, const std::string& rest) {
  const std::string line = line_of(r.out, kStartsAt);
  ASSERT_FALSE(line.empty()) << r.out;
  const double said = std::stod(line.substr(std::string(kStartsAt).size()));
  EXPECT_NEAR(said, seconds, 1e-3) << r.out;
  char number[32];
  std::snprintf(number, sizeof number, "%.3f", said);
  EXPECT_EQ(line, kStartsAt + std::string(number) + " s in the take" + rest);
}

TEST(AnalyzeAlignCli, FindsTheStartFromTheHits) {
  Folder dir;
  for (const double start : {0.3, 0.7, 1.5, 3.0}) {
    SCOPED_TRACE(start);
    write_take(dir.at("take.wav"), start, 0);
    const CommandResult r =
        run_cacophony("analyze " + dir.at("take.wav") + " 4 4/4 120 --json " + dir.at("t.json"));
    ASSERT_EQ(r.code, 0) << r.out;
    expect_start_note(r, start,
                      " (found from the hits, so their median is on the beat: give --start or "
                      "--click-track to measure lateness)");
    EXPECT_NE(r.out.find("overall: 16 hits, 0 missed"), std::string::npos) << r.out;
    const nlohmann::json a = read_json(dir.at("t.json"))["alignment"];
    EXPECT_NEAR(a["start_s"].get<double>(), start, 1e-3);
    EXPECT_EQ(a["found_by"], "hits");
    EXPECT_EQ(a["fit"], "good");
    EXPECT_EQ(a["advice"], "");
  }
}

TEST(AnalyzeAlignCli, FindsTheStartFromTheCountInHeard) {
  Folder dir;
  for (const double start : {0.3, 0.7, 1.5, 3.0}) {
    SCOPED_TRACE(start);
    write_take(dir.at("take.wav"), start + 2, 4);  // the count-in's bar first
    const CommandResult r = run_cacophony("analyze " + dir.at("take.wav") +
                                          " 4 4/4 120 --count-in 1 --json " + dir.at("t.json"));
    ASSERT_EQ(r.code, 0) << r.out;
    expect_start_note(r, start,
                      ", its count-in first (found from its count-in; give --start to set it)");
    EXPECT_NE(r.out.find("overall: 16 hits, 0 missed"), std::string::npos) << r.out;
    const nlohmann::json take = read_json(dir.at("t.json"));
    EXPECT_NEAR(take["alignment"]["start_s"].get<double>(), start, 1e-3);
    EXPECT_EQ(take["alignment"]["found_by"], "count-in");
    // The count-in's clicks are the click, not the player: no extra before the first beat.
    for (const nlohmann::json& extra : take["extra"])
      EXPECT_GT(extra["time_ms"].get<double>(), 2000) << extra.dump();
  }
}

// A loopback without delay: the first click at the take's first frame is beat 1.1, heard.
TEST(AnalyzeAlignCli, OurOwnClickFromItsFirstFrameStartsAtZero) {
  Folder dir;
  ASSERT_EQ(run_cacophony("render 2 4/4 120 --out " + dir.at("take.wav")).code, 0);
  const CommandResult r =
      run_cacophony("analyze " + dir.at("take.wav") + " 2 4/4 120 --json " + dir.at("t.json"));
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(line_of(r.out, kStartsAt),
            std::string(kStartsAt) +
                "0.000 s in the take (found from the hits, so their median is on the beat: give "
                "--start or --click-track to measure lateness)");
  EXPECT_NE(r.out.find("bar 1: 4 hits, 0 missed, 0 extra"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("overall: 8 hits, 0 missed, 0 extra"), std::string::npos) << r.out;
}

TEST(AnalyzeAlignCli, ATakeAtAnotherTempoIsSaidToBeAndWhatToTry) {
  Folder dir;
  write_take(dir.at("take.wav"), 0.7, 0, 96);
  const CommandResult r =
      run_cacophony("analyze " + dir.at("take.wav") + " 4 4/4 120 --json " + dir.at("t.json"));
  ASSERT_EQ(r.code, 0) << r.out;
  const std::string advice =
      "the hits are at 96 bpm and the rhythm at 120: is its tempo right? try it at 96";
  EXPECT_NE(r.out.find("\ncacophony: " + advice + "\n"), std::string::npos) << r.out;
  const nlohmann::json a = read_json(dir.at("t.json"))["alignment"];
  EXPECT_EQ(a["fit"], "poor");
  EXPECT_EQ(a["advice"], advice);
}

// Triplets against a grid of quarter notes: two hits of three are far from any position.
TEST(AnalyzeAlignCli, HitsFarFromTheGridAreSaidToBe) {
  Folder dir;
  KitTake take(kRate, 10, -60, 4);
  for (int i = 0; i < 48; ++i) take.place("Snare-Med", std::llround((1 + i * 0.5 / 3) * kRate));
  cacophony::test_support::write_audio(dir.at("take.wav"), kRate, take.samples());
  const CommandResult r =
      run_cacophony("analyze " + dir.at("take.wav") + " 4 4/4 120 --json " + dir.at("t.json"));
  ASSERT_EQ(r.code, 0) << r.out;
  const std::string advice =
      "most hits are far from the grid: is the rhythm right? give --start or --click-track to "
      "place it";
  EXPECT_NE(r.out.find("\ncacophony: " + advice + "\n"), std::string::npos) << r.out;
  const nlohmann::json a = read_json(dir.at("t.json"))["alignment"];
  EXPECT_EQ(a["found_by"], "hits");
  EXPECT_EQ(a["fit"], "poor");
  EXPECT_EQ(a["advice"], advice);
}

// The take: its first beat 0.25 s in, measured from 0 as told, is far from the grid.
TEST(AnalyzeAlignCli, AStartThatPutsTheHitsFarFromTheGridIsSaidToBeWrong) {
  Folder dir;
  write_take(dir.at("take.wav"), 0.25, 0);
  const CommandResult r = run_cacophony("analyze " + dir.at("take.wav") +
                                        " 4 4/4 120 --start 0 --json " + dir.at("t.json"));
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(line_of(r.out, kStartsAt), "") << "--start was given";
  EXPECT_NE(r.out.find("cacophony: most hits are far from the grid: is --start right?\n"),
            std::string::npos)
      << r.out;
  const nlohmann::json a = read_json(dir.at("t.json"))["alignment"];
  EXPECT_EQ(a["start_s"], 0.0);
  EXPECT_EQ(a["found_by"], "--start");
  EXPECT_EQ(a["fit"], "poor");
}

// Speakers rather than headphones: the click (rendered, its first beat 1 s in) bleeds into the
// microphone 12 dB under its track and 3 ms late (a metre away); the player, 5 ms late on each
// beat (kick, snare, in turn), skips two. Given as --click-track, the click is taken out of the
// take: the skipped beats are missed, no click is an extra, and every stroke is timed 5 ms late,
// though each click but the skipped beats' has a stroke 2 ms after it (the bars' accents, a sound
// of their own, always a kick); the delay found is said. Placed by --start alone, the same take
// has the click play the beats the player skipped.
TEST(AnalyzeAlignCli, AClickTrackBleedingIntoTheTakeIsNotThePlayer) {
  Folder dir;
  ASSERT_EQ(run_cacophony("render 4 4/4 120 --delay 1 --out " + dir.at("clicks.wav")).code, 0);
  const cacophony::test_support::Audio clicks =
      cacophony::test_support::read_audio(dir.at("clicks.wav"));
  ASSERT_EQ(clicks.rate, kRate);
  KitTake take(kRate, 9.5, -60, 4);
  std::vector<float> bleed(take.samples().size(), 0.0f);
  const std::size_t late = kRate * 3 / 1000;
  for (std::size_t i = 0; i < clicks.samples.size() && i + late < bleed.size(); ++i)
    bleed[i + late] = 0.25f * clicks.samples[i];
  take.add(bleed);
  for (int b = 0; b < 16; ++b)
    if (b != 5 && b != 10)
      take.place(b % 2 ? "Snare-Med" : "Kick-Med", std::llround((1 + b * 0.5 + 0.005) * kRate));
  cacophony::test_support::write_audio(dir.at("take.wav"), kRate, take.samples());
  const std::string analyze = "analyze " + dir.at("take.wav") + " 4 4/4 120 ";
  const CommandResult told = run_cacophony(analyze + "--click-track " + dir.at("clicks.wav") +
                                           " --json " + dir.at("t.json"));
  ASSERT_EQ(told.code, 0) << told.out;
  EXPECT_NE(told.out.find("overall: 14 hits, 2 missed, 0 extra"), std::string::npos) << told.out;
  EXPECT_NE(told.out.find("clicks were heard in the take 3.0 ms after the track's"),
            std::string::npos)
      << told.out;
  const nlohmann::json json = read_json(dir.at("t.json"));  // kept: the loop reads into it
  for (const nlohmann::json& hit : json["hits"]) {
    EXPECT_NEAR(hit["offset_ms"].get<double>(), 5, 0.25) << hit.dump();
  }
  const CommandResult untold = run_cacophony(analyze + "--start 1");
  ASSERT_EQ(untold.code, 0) << untold.out;
  EXPECT_NE(untold.out.find("overall: 16 hits, 0 missed"), std::string::npos) << untold.out;
}

}  // namespace
