// analyze's report read at a glance (issue 24): plain words in the bar lines and the summary, the
// take's phases and tempo in words, and --csv's rows.

#include <gtest/gtest.h>
#include <sndfile.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "cacophony/practice/practice.h"
#include "cacophony/report/practice_csv.h"
#include "support/audio.h"
#include "support/command.h"
#include "support/files.h"
#include "support/folder.h"

namespace {

using cacophony::test_support::CommandResult;
using cacophony::test_support::run_cacophony;
namespace fs = std::filesystem;

struct Folder : cacophony::test_support::Folder {
  Folder() : cacophony::test_support::Folder("cacophony_practice_report_") {}
};

constexpr int kRate = 48000;

// 4/4 at 120 from 0.5 s in (24000 frames a beat): a 10 ms square burst at each beat of `bars`
// bars, `late[bar - 1]` ms late, but for the beats in `skip` (from 0); and one burst at `extra`.
void write_take(const fs::path& path, const std::vector<double>& late,
                const std::vector<int>& skip = {}, long extra = -1) {
  const int bars = static_cast<int>(late.size());
  std::vector<float> s(static_cast<std::size_t>(kRate) * (bars * 2 + 2), 0.0f);
  std::vector<long> at;
  for (int k = 0; k < 4 * bars; ++k)
    if (std::find(skip.begin(), skip.end(), k) == skip.end())
      at.push_back(24000 + 24000L * k + std::lround(late[k / 4] * kRate / 1000));
  if (extra >= 0) at.push_back(extra);
  for (long start : at)
    for (long i = 0; i < kRate / 100; ++i)
      s[static_cast<std::size_t>(start + i)] = (i / 12) % 2 ? 0.5f : -0.5f;
  cacophony::test_support::write_audio(path, kRate, s, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// A CSV row's fields.
std::vector<std::string> fields(const std::string& row) {
  std::vector<std::string> out(1);
  for (const char c : row) {
    if (c == ',')
      out.emplace_back();
    else
      out.back() += c;
  }
  return out;
}

TEST(AnalyzeReport, PhasesAndTempoInWordsThatAnOverallMeanHides) {
  Folder dir;
  write_take(dir / "take.wav", {0, 0, -15, -15, 15, 15});
  const CommandResult r = run_cacophony("analyze " + dir.at("take.wav") + " 6 4/4 120 --start 0.5");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("\nphases: bars 1–2 steady (+0.0 ms); bars 3–4 rushed by 15 ms; bars 5–6 "
                       "dragged by 15 ms\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("\ntempo: held 120 bpm throughout\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\nbar 3: 4 hits, 0 missed, 0 extra; 15.0 ms early on average (rushing), "
                       "steadiness ±0.0 ms; 0% within ±10 ms, 100% within ±25 ms\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("overall: 24 hits, 0 missed, 0 extra; on the beat on average, steadiness "
                       "±12.2 ms; 33% within ±10 ms, 100% within ±25 ms\n"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find(" sd "), std::string::npos) << r.out;
}

TEST(AnalyzeReport, CsvHasARowPerPositionAndPerExtraHit) {
  Folder dir;
  // Beat 2 of bar 1 missed (k = 1), an extra hit at 1.25 s (between beats 2 and 3 of bar 2).
  write_take(dir / "take.wav", {10, 10}, {1}, 24000 + 24000 * 5 + 12000);
  const CommandResult r =
      run_cacophony("analyze " + dir.at("take.wav") + " 2 4/4 120 --start 0.5 --mute 1/1 --csv " +
                    dir.at("take.csv"));
  ASSERT_EQ(r.code, 0) << r.out;
  const std::vector<std::string> rows =
      lines_of(cacophony::test_support::slurp(dir.at("take.csv")));
  const std::vector<std::string> expected = {
      "bar,beat,sub,position_s,muted,hit_s,offset_ms,status,voice",
      "1,1,0,0.000000,no,0.010000,10.000,hit,0",
      "1,2,0,0.500000,no,,,missed,0",
      "1,3,0,1.000000,no,1.010000,10.000,hit,0",
      "1,4,0,1.500000,no,1.510000,10.000,hit,0",
      "2,1,0,2.000000,yes,2.010000,10.000,hit,0",
      "2,2,0,2.500000,yes,2.510000,10.000,hit,0",
      ",,,,,2.750000,,extra,",
      "2,3,0,3.000000,yes,3.010000,10.000,hit,0",
      "2,4,0,3.500000,yes,3.510000,10.000,hit,0"};
  ASSERT_EQ(rows.size(), expected.size()) << r.out;
  EXPECT_EQ(rows[0], expected[0]);
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const std::vector<std::string> got = fields(rows[i]), want = fields(expected[i]);
    ASSERT_EQ(got.size(), 9u) << rows[i];
    for (std::size_t f = 0; f < 9; ++f) {
      // The times and offsets as the detector finds them: within 0.5 ms of the take's.
      const bool measured = (f == 5 || f == 6) && !want[f].empty();
      if (measured)
        EXPECT_NEAR(std::stod(got[f]), std::stod(want[f]), f == 5 ? 0.0005 : 0.5) << rows[i];
      else
        EXPECT_EQ(got[f], want[f]) << rows[i];
    }
  }
}

TEST(AnalyzeReport, CsvIsAnOutputLikeTheOthers) {
  Folder dir;
  write_take(dir / "take.wav", {0});
  const std::string take = dir.at("take.wav");
  const CommandResult same = run_cacophony("analyze " + take + " 1 4/4 120 --json " + dir.at("x") +
                                           " --csv " + dir.at("x"));
  EXPECT_EQ(same.code, 2) << same.out;
  EXPECT_NE(same.out.find("--json and --csv name the same file"), std::string::npos) << same.out;
  const CommandResult input = run_cacophony("analyze " + take + " 1 4/4 120 --csv " + take);
  EXPECT_EQ(input.code, 2) << input.out;
  EXPECT_NE(input.out.find("--csv '" + take + "' is the take"), std::string::npos) << input.out;
  const CommandResult out =
      run_cacophony("analyze " + take + " 1 4/4 120 --start 0.5 --csv - 2>/dev/null");
  EXPECT_EQ(out.code, 0) << out.out;
  EXPECT_EQ(out.out.rfind("bar,beat,sub,position_s,muted,hit_s,offset_ms,status,voice\n1,1,0,", 0),
            0)
      << out.out;
  for (const char* command : {"analyze", "practice"}) {
    const CommandResult help = run_cacophony(std::string(command) + " --help");
    EXPECT_NE(help.out.find("--csv FILE"), std::string::npos) << command;
    EXPECT_NE(help.out.find("status (hit|missed)"), std::string::npos) << command;
  }
}

TEST(PracticeCsv, ExtrasGoWhereTheyFallAndWhatIsNotFiniteIsEmpty) {
  namespace practice = cacophony::practice;
  practice::Result r;
  r.rate = 1000;
  practice::Position one, two;
  one.frame = 0;
  two.frame = 500;
  two.beat = 2;
  two.sub = 1;
  two.muted = true;
  r.grid = {one, two};
  r.hits = {{two, 480, std::nan("")}};
  r.extra = {{-30, -30}, {500, 500}, {900, 900}};
  EXPECT_EQ(cacophony::practice_csv(r),
            "bar,beat,sub,position_s,muted,hit_s,offset_ms,status,voice\n"
            ",,,,,-0.030000,,extra,\n"
            "1,1,0,0.000000,no,,,missed,0\n"
            "1,2,1,0.500000,yes,0.480000,,hit,0\n"
            ",,,,,0.500000,,extra,\n"
            ",,,,,0.900000,,extra,\n");
  r.rate = 0;
  EXPECT_THROW(cacophony::practice_csv(r), std::invalid_argument);
}

}  // namespace
