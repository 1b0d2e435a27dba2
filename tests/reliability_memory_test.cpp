// Issue 22, memory, streaming and audio input: a run under an address-space limit fails in one
// line; analyze streams its takes in bounded memory, finds a click at frame 0 and agrees with
// whole-buffer detection; WAV inputs with NaN or infinite samples, and samples at rates
// libsamplerate can't convert, are refused with exit 2.

#include <gtest/gtest.h>
#include <sndfile.h>

#include <cmath>
#include <cstdint>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "cacophony/practice/practice.h"
#include "cacophony/rhythm/parse.h"
#include "cacophony/sound/samples.h"
#include "support/audio.h"
#include "support/command.h"
#include "support/folder.h"

namespace cacophony {
namespace {

using test_support::Folder;
using test_support::run_cacophony;
using test_support::write_audio;
using test_support::write_repeated;

constexpr int kRate = 48000;

// A click like ours: a 1 kHz tone decaying with a 4 ms time constant, 20 ms long.
void add_click(std::vector<float>& take, std::int64_t at, float level = 0.8f, double hz = 1000) {
  for (std::int64_t i = 0; i < kRate / 50 && at + i < static_cast<std::int64_t>(take.size()); ++i)
    take[static_cast<std::size_t>(at + i)] +=
        level * static_cast<float>(std::sin(2 * M_PI * hz * static_cast<double>(i) / kRate) *
                                   std::exp(-static_cast<double>(i) / (0.004 * kRate)));
}

// Address-space limits (ulimit -v) can't hold a sanitized build: its shadow memory reserves
// terabytes of address space at start. These run in the default build, which `make test` uses.
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)

// The smallest address-space limit from `from_kb` up, in steps of `step_kb`, under which `args`
// exits 0: the room the executable and its libraries take, which differs between machines.
std::int64_t smallest_limit_kb(const std::string& args, std::int64_t from_kb = 64 << 10,
                               std::int64_t step_kb = 8 << 10) {
  for (std::int64_t kb = from_kb; kb < (1 << 20); kb += step_kb)
    if (run_cacophony(args + " >/dev/null 2>&1", "ulimit -v " + std::to_string(kb) + " && exec ")
            .code == 0)
      return kb;
  ADD_FAILURE() << "no limit under 1 GiB lets `" << args << "` run";
  return 1 << 20;
}

// Item 1: a thread the system refuses used to leave claimed, unjoined threads behind, and their
// destruction aborted ("terminate called without an active exception", SIGABRT).
TEST(ReliabilityMemory, ThreadsThatCannotStartFailTheRunInOneLine) {
  // To the MiB, then 4 MiB more: less than one task thread's 8 MiB stack, so the limit holds
  // however few of the run's threads happen to be alive at once.
  const std::int64_t room =
      smallest_limit_kb("run async_naive --time simulated --beats 1", 8 << 10, 1 << 10);
  for (int i = 0; i < 3; ++i) {
    const auto r = run_cacophony("run async_naive --time threads --beats 600 2>&1 >/dev/null",
                                 "ulimit -v " + std::to_string(room + (4 << 10)) + " && exec ");
    EXPECT_EQ(r.code, 1) << r.out;
    EXPECT_EQ(r.out,
              "cacophony: failed: cannot start a thread for a task: the system has no memory or "
              "threads left for it\n");
  }
}

// 300 s at kRate written a second at a time, a burst of `hz` on each beat at 120 bpm.
void write_long_take(const std::string& path, double hz) {
  std::vector<float> second(kRate, 0.0f);
  add_click(second, 0, 0.8f, hz);
  add_click(second, kRate / 2, 0.8f, hz);
  write_repeated(path, kRate, second, 300, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
}

// Item 2: five minutes at 48 kHz decoded whole took 12 bytes a frame (the interleaved and mono
// buffers, and the detector's copy), 165 MiB; streamed, analyze fits in 48 MiB over what a
// minimal take needs, with a --click-track as long too (its two sounds kept once each: 13 MiB, a
// sound a click, before). The player's strokes are not the click's sound: a take that is its own
// click track is all click, and analyze takes it all out.
TEST(ReliabilityMemory, AnalyzeStreamsALongTakeInBoundedMemory) {
  Folder dir("reliability_memory_");
  std::vector<float> tiny(kRate, 0.0f);
  add_click(tiny, kRate / 2);
  write_audio(dir / "tiny.wav", kRate, tiny, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
  const std::int64_t room = smallest_limit_kb("analyze " + dir.at("tiny.wav") + " 1 4/4 120");
  write_long_take(dir.at("long.wav"), 2500);
  write_long_take(dir.at("clicks.wav"), 1000);
  const std::string limit = "ulimit -v " + std::to_string(room + (48 << 10)) + " && exec ";
  for (const std::string& click_track : {std::string(), " --click-track " + dir.at("clicks.wav")}) {
    const auto r = run_cacophony(
        "analyze " + dir.at("long.wav") + " 150 4/4 120" + click_track + " 2>&1", limit);
    EXPECT_EQ(r.code, 0) << r.out;
    EXPECT_NE(r.out.find("overall: 600 hits, 0 missed, 0 extra"), std::string::npos) << r.out;
  }
}

TEST(ReliabilityMemory, TheLargestMapsRenderInBoundedMemory) {
  Folder dir("reliability_memory_");
  std::ofstream(dir / "tiny.txt") << "1 120\n";
  const std::int64_t room =
      smallest_limit_kb("render --map " + dir.at("tiny.txt") + " --out " + dir.at("tiny.wav"));
  const std::string limit = "ulimit -v " + std::to_string(room + (32 << 10)) + " && exec ";
  {
    std::ofstream map(dir / "sections.txt");
    for (std::uint64_t i = 0; i < rhythm::kMaxMapBytes / 4; ++i) map << "1 1\n";
  }
  auto r = run_cacophony(
      "render --map " + dir.at("sections.txt") + " --out " + dir.at("out.flac") + " 2>&1", limit);
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_EQ(r.out, "cacophony: error: " + dir.at("sections.txt") +
                       ":100001: the map has more than 100000 sections\n");
  // Tempo lists, two bytes of text a tempo, to 16 MiB: 8.4 M tempi, about 13 bytes each on the
  // Timeline. (The copy of the rhythm that render made took 4 more.)
  {
    std::string line = "2040 1/4 1";
    for (int i = 1; i < 2040; ++i) line += ",1";
    std::ofstream map(dir / "lists.txt");
    for (std::uint64_t i = 0; i < rhythm::kMaxMapBytes / (line.size() + 1); ++i)
      map << line << '\n';
  }
  r = run_cacophony(
      "render --map " + dir.at("lists.txt") + " --out " + dir.at("out.flac") + " 2>&1",
      "ulimit -v " + std::to_string(room + (240 << 10)) + " && exec ");
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_EQ(r.out,
            "cacophony: error: the rhythm lasts 139502.0 hours, more than a FLAC file holds\n");
  EXPECT_FALSE(std::filesystem::exists(dir / "out.flac"));
}

#endif

// Item 2: the hits of a recording read block by block are those of the whole buffer, with clicks
// just before, on and just after the reader's block boundaries.
TEST(ReliabilityMemory, BlockStreamedDetectionEqualsWholeBuffer) {
  Folder dir("reliability_memory_");
  constexpr auto kBlock = static_cast<std::int64_t>(sound::RecordingReader::kBlock);
  std::vector<float> take(static_cast<std::size_t>(6 * kBlock), 0.0f);
  const std::int64_t offsets[] = {-300, -1, 0, 1, 200};
  for (std::int64_t k = 1; k <= 5; ++k) add_click(take, k * kBlock + offsets[k - 1]);
  write_audio(dir / "take.wav", kRate, take);

  const std::vector<practice::Hit> whole =
      practice::detect_hits(test_support::read_audio(dir / "take.wav").samples, kRate);
  sound::RecordingReader reader(dir / "take.wav", 3600);
  practice::OnsetDetector detector(reader.rate());
  std::vector<practice::Hit> streamed;
  int blocks = 0;
  for (std::vector<float> block; reader.read(block); ++blocks)
    detector.feed(block.data(), block.size(), streamed);
  detector.finish(streamed);
  EXPECT_EQ(blocks, 6);
  ASSERT_EQ(whole.size(), 5u);
  ASSERT_EQ(streamed.size(), whole.size());
  for (std::size_t i = 0; i < whole.size(); ++i) {
    EXPECT_EQ(streamed[i].frame, whole[i].frame) << i;
    EXPECT_EQ(streamed[i].peak, whole[i].peak) << i;
    EXPECT_NEAR(static_cast<double>(whole[i].frame),
                static_cast<double>(static_cast<std::int64_t>(i + 1) * kBlock + offsets[i]), 24)
        << i;
  }
}

// Item 5: a click at frame 0 was taken for aubio's start-of-file onset and lost.
TEST(ReliabilityMemory, AClickAtFrameZeroIsFound) {
  std::vector<float> take(kRate, 0.0f);
  add_click(take, 0);
  add_click(take, kRate / 2);
  const std::vector<practice::Hit> hits = practice::detect_hits(take, kRate);
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_LE(hits[0].frame, 24);  // within half a millisecond
  // A signal that merely starts loud (noise from its first frame) is still no stroke.
  std::vector<float> hum(kRate);
  for (std::size_t i = 0; i < hum.size(); ++i) hum[i] = 0.03f * ((i * 7919 % 101) / 50.f - 1);
  EXPECT_TRUE(practice::detect_hits(hum, kRate).empty());
}

// At every rate: aubio counts its minimum interval between onsets from its own frame 0.
TEST(ReliabilityMemory, AnalyzeFindsTheFirstClickOfOurOwnRender) {
  Folder dir("reliability_memory_");
  for (const char* rate : {"48000", "96000", "192000"}) {
    const std::string click = dir.at(std::string("click") + rate + ".wav");
    ASSERT_EQ(
        run_cacophony(std::string("render 2 4/4 120 --rate ") + rate + " --out " + click).code, 0);
    const auto r = run_cacophony("analyze " + click + " 2 4/4 120 2>&1");
    EXPECT_EQ(r.code, 0) << r.out;
    EXPECT_NE(r.out.find("overall: 8 hits, 0 missed, 0 extra"), std::string::npos) << rate << "\n"
                                                                                   << r.out;
  }
}

// Item 4: a NaN or an infinity in any WAV input is refused before use, naming the file.
TEST(ReliabilityMemory, NonFiniteSamplesAreRefusedInEveryInput) {
  Folder dir("reliability_memory_");
  std::vector<float> good(kRate, 0.0f);
  add_click(good, kRate / 4);
  write_audio(dir / "good.wav", kRate, good);
  std::vector<float> nan = good;
  nan[1000] = std::numeric_limits<float>::quiet_NaN();
  write_audio(dir / "nan.wav", kRate, nan);
  std::vector<float> inf = good;
  inf[2000] = -std::numeric_limits<float>::infinity();
  write_audio(dir / "inf.wav", kRate, inf);
  const std::string out = " --out " + dir.at("out.wav") + " 2>&1";
  const struct {
    std::string args;
    std::string file;
    int frame;
  } cases[] = {
      {"analyze " + dir.at("nan.wav") + " 1 4/4 120 2>&1", "nan.wav", 1000},
      {"analyze " + dir.at("good.wav") + " 1 4/4 120 --click-track " + dir.at("inf.wav") + " 2>&1",
       "inf.wav", 2000},
      {"render 1 4/4 120 --follow file:" + dir.at("nan.wav") + out, "nan.wav", 1000},
      {"render 1 4/4 120 --sounds " + dir.at("inf.wav") + out, "inf.wav", 2000},
  };
  for (const auto& c : cases) {
    const auto r = run_cacophony(c.args);
    EXPECT_EQ(r.code, 2) << c.args << "\n" << r.out;
    EXPECT_EQ(r.out, "cacophony: error: cannot read '" + dir.at(c.file) +
                         "': it holds a sample that is not a number or infinite (at frame " +
                         std::to_string(c.frame) + ")\n")
        << c.args;
  }
  // --mix reads along with the render: a NaN there stops it, and no output is left.
  const auto r =
      run_cacophony("render 1 4/4 120 --follow file:" + dir.at("nan.wav") + " --mix" + out);
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_FALSE(std::filesystem::exists(dir / "out.wav"));
}

// Item 4: libsamplerate converts rates at most 256 times apart; an 8 Hz sample for 48 kHz was
// refused in its words ("SRC ratio outside [1/256, 256] range"), with exit 1.
TEST(ReliabilityMemory, SamplesAtUnconvertibleRatesAreRefused) {
  Folder dir("reliability_memory_");
  write_audio(dir / "slow.wav", 8, std::vector<float>(8, 0.5f));
  const auto r = run_cacophony("render 1 4/4 120 --sounds " + dir.at("slow.wav") + " --out " +
                               dir.at("out.wav") + " 2>&1");
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_EQ(r.out, "cacophony: error: cannot read '" + dir.at("slow.wav") +
                       "': its sample rate, 8 Hz, is more than 256 times from the 48000 Hz it "
                       "must be converted to\n");
  write_audio(dir / "ok.wav", 200, std::vector<float>(200, 0.5f));  // 240 times: converted
  EXPECT_EQ(
      run_cacophony("render 1 4/4 120 --sounds " + dir.at("ok.wav") + " --out " + dir.at("out.wav"))
          .code,
      0);
}

// Item 3: 16 MiB of "1 1" lines, 4 194 304 sections, took 686 MB to parse and 2.1 GB before
// render refused it as too long. A map holds at most kMaxSections sections; the rest is refused
// at the first line over, unparsed.
TEST(ReliabilityMemory, AMapOfMoreSectionsThanTheLimitIsRefusedAtTheFirstOneOver) {
  std::string text;
  for (std::size_t i = 0; i < rhythm::kMaxSections; ++i) text += "1 1\n";
  EXPECT_EQ(rhythm::parse_map(text, "m").sections.size(), rhythm::kMaxSections);
  text += "1 1\n";
  try {
    rhythm::parse_map(text, "m");
    ADD_FAILURE() << "parsed";
  } catch (const rhythm::RhythmError& e) {
    EXPECT_EQ(e.line, 100001);
    EXPECT_EQ(e.problem, "the map has more than 100000 sections");
  }
}

}  // namespace
}  // namespace cacophony
