// `analyze` on the command line: a click track measured against its own rhythm, aligned by
// --start or by --click-track, its reports; and each bad input refused with one line.

#include <gtest/gtest.h>
#include <sndfile.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "support/command.h"
#include "support/files.h"
#include "support/folder.h"

namespace {

using cacophony::test_support::CommandResult;
using cacophony::test_support::run_cacophony;
namespace fs = std::filesystem;

struct Folder : cacophony::test_support::Folder {
  Folder() : cacophony::test_support::Folder("cacophony_practice_cli_") {}
};

// `seconds` of silence with 10 ms of a square burst at half scale at each of `at`, at `rate`, its
// half period `half` frames long.
void write_take(const fs::path& path, int rate, double seconds, const std::vector<long>& at,
                long half = 12) {
  std::vector<float> s(static_cast<std::size_t>(seconds * rate), 0.0f);
  for (long start : at)
    for (long i = 0; i < rate / 100 && start + i < static_cast<long>(s.size()); ++i)
      s[static_cast<std::size_t>(start + i)] = (i / half) % 2 ? 0.5f : -0.5f;
  SF_INFO info{};
  info.samplerate = rate;
  info.channels = 1;
  info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
  SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
  sf_writef_float(f, s.data(), static_cast<sf_count_t>(s.size()));
  sf_close(f);
}

TEST(AnalyzeCli, AClickTrackMeasuredAgainstItsOwnRhythmIsOnTheBeat) {
  Folder dir;
  const std::string take = dir.at("take.wav");
  // The first beat rests: a stroke needs some signal before it to be told from its background.
  ASSERT_EQ(run_cacophony("render 2 4/4 120 .xxx --volume 100 --out " + take).code, 0);
  const CommandResult r = run_cacophony("analyze " + take + " 2 4/4 120 .xxx --json " +
                                        dir.at("take.json") + " --report " + dir.at("take.html"));
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("overall: 6 hits, 0 missed, 0 extra"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("you played at 120.0 bpm"), std::string::npos) << r.out;
  std::ifstream json(dir / "take.json");
  const std::string text((std::istreambuf_iterator<char>(json)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("\"hits\""), std::string::npos);
  EXPECT_TRUE(fs::exists(dir / "take.html"));
}

// A polyrhythm's voices are on the grid analyze measures against, each click on its exact frame:
// a render of 3 against 4 measured against itself has every one of them hit, on time.
TEST(AnalyzeCli, APolyrhythmsVoicesAreMeasuredToo) {
  Folder dir;
  const std::string take = dir.at("poly.wav");
  // The bar's one rests in both voices, as above: 3 beats and 2 of the voice's 3 clicks a bar.
  ASSERT_EQ(run_cacophony("render 2 4/4 120 .xxx +3:.xx --volume 100 --out " + take).code, 0);
  const CommandResult r = run_cacophony(
      "analyze " + take + " 2 4/4 120 .xxx +3:.xx --start 0 --csv " + dir.at("poly.csv"));
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("overall: 10 hits, 0 missed, 0 extra"), std::string::npos) << r.out;
  const std::string csv = cacophony::test_support::slurp(dir.at("poly.csv"));
  // The voice's second click of bar 1, 2/3 of the bar's 2 s in, hit on its frame.
  EXPECT_NE(csv.find("\n1,2,0,0.666667,no,0.666667,0.000,hit,1\n"), std::string::npos) << csv;
  EXPECT_NE(csv.find("\n2,3,0,3.333333,no,3.333333,0.000,hit,1\n"), std::string::npos) << csv;
}

TEST(AnalyzeCli, StartAndClickTrackAlignTheGrid) {
  Folder dir;
  // Hits every 24000 frames from 0.5 s on, each 480 frames (10 ms) late, of another pitch than
  // the clicks': the click's own burst 10 ms late would be the click, heard 3.4 m from a speaker.
  std::vector<long> hits, clicks;
  for (long k = 0; k < 8; ++k) {
    clicks.push_back(24000 + 24000 * k);
    hits.push_back(24000 + 24000 * k + 480);
  }
  write_take(dir / "take.wav", 48000, 5, hits, 7);
  write_take(dir / "clicks.wav", 48000, 5, clicks);
  for (const std::string& align :
       {std::string(" --start 0.5"), " --click-track " + dir.at("clicks.wav")}) {
    const CommandResult r = run_cacophony("analyze " + dir.at("take.wav") + " 2 4/4 120" + align);
    EXPECT_EQ(r.code, 0) << r.out;
    EXPECT_NE(r.out.find("overall: 8 hits, 0 missed, 0 extra; 10.0 ms late on average (dragging)"),
              std::string::npos)
        << align << "\n"
        << r.out;
  }
}

TEST(AnalyzeCli, NoHitsIsSaidAndExitsZero) {
  Folder dir;
  write_take(dir / "silent.wav", 48000, 2, {});
  const CommandResult r = run_cacophony("analyze " + dir.at("silent.wav") + " 4/4 120");
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("no hits found"), std::string::npos) << r.out;
}

TEST(AnalyzeCli, BadInputIsOneLineAndExitCode2) {
  Folder dir;
  write_take(dir / "take.wav", 48000, 2, {0, 24000});
  write_take(dir / "clicks44.wav", 44100, 2, {0, 22050});
  std::ofstream(dir / "empty.wav").close();
  const std::string take = dir.at("take.wav");
  for (const std::string& args :
       {take + " 4/4 120 --click-track " + dir.at("clicks44.wav"), dir.at("empty.wav") + " 4/4 120",
        dir.at("missing.wav") + " 4/4 120", take + " 4/4 120 --mute 0/0",
        take + " 4/4 120 --mute 2", take + " 4/4 120 --mute-random 2",
        take + " 4/4 120 --latency x", take + " 4/4 120 --start 1 --click-track " + take, take}) {
    const CommandResult r = run_cacophony("analyze " + args);
    EXPECT_EQ(r.code, 2) << args << "\n" << r.out;
    EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << args << "\n" << r.out;
  }
}

TEST(PracticeCli, NoJackServerIsOneLineAndExitCode2) {
  const CommandResult r = run_cacophony("practice 4/4 120", "JACK_DEFAULT_SERVER=cacophony-none ");
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("no JACK server running"), std::string::npos) << r.out;
}

// --speakers tells the detector the click a take plays; the calibration's clicks are what it
// measures, so the two are refused together, before any server is asked for.
TEST(PracticeCli, SpeakersWithCalibrateIsOneLineAndExitCode2) {
  const CommandResult r =
      run_cacophony("practice --calibrate --speakers", "JACK_DEFAULT_SERVER=cacophony-none ");
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
  EXPECT_NE(r.out.find("--speakers"), std::string::npos) << r.out;
}

}  // namespace
