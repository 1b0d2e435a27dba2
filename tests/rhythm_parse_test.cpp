// The klick words and tempo maps (rhythm/parse.h): every form of the grammar, and every refusal
// with its line and the field it names.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "cacophony/rhythm/parse.h"

using namespace cacophony::rhythm;

namespace {

Performance words(std::vector<std::string> list) {
  return parse_words(list);
}

Section map_section(const std::string& line) {
  const Performance performance = parse_map(line, "test.map");
  EXPECT_EQ(performance.sections.size(), 1u);
  return performance.sections.at(0);
}

// The RhythmError `parse` throws; fails the test when it throws none.
RhythmError error_of(const std::function<void()>& parse) {
  try {
    parse();
  } catch (const RhythmError& error) {
    return error;
  }
  ADD_FAILURE() << "no RhythmError";
  return RhythmError("", -1, "");
}

void expect_map_error(const std::string& text, int line, const std::string& words) {
  const RhythmError error = error_of([&] { parse_map(text, "test.map"); });
  EXPECT_EQ(error.source, "test.map");
  EXPECT_EQ(error.line, line) << error.problem;
  EXPECT_NE(error.problem.find(words), std::string::npos) << error.problem;
}

void expect_words_error(std::vector<std::string> list, const std::string& words) {
  const RhythmError error = error_of([&] { parse_words(list); });
  EXPECT_EQ(error.source, "");
  EXPECT_EQ(error.line, 0);
  EXPECT_NE(error.problem.find(words), std::string::npos) << error.problem;
}

std::vector<Accent> accents(const std::string& pattern) {
  std::vector<Accent> result;
  for (const char c : pattern) result.push_back(static_cast<Accent>(c));
  return result;
}

// A folder of its own for one test's files, removed after it.
class MapFiles : public testing::Test {
 protected:
  void SetUp() override {
    std::string name = (std::filesystem::temp_directory_path() / "rhythm_parse_XXXXXX").string();
    ASSERT_NE(mkdtemp(name.data()), nullptr);
    folder_ = name;
  }
  void TearDown() override { std::filesystem::remove_all(folder_); }

  std::filesystem::path write(const std::string& name, const std::string& text) {
    const auto file = folder_ / name;
    std::ofstream(file, std::ios::binary) << text;
    return file;
  }

  RhythmError read_error(const std::filesystem::path& file) {
    const RhythmError error = error_of([&] { read_map(file); });
    EXPECT_EQ(error.source, file.string());
    return error;
  }

  std::filesystem::path folder_;
};

}  // namespace

TEST(WordsParser, TempoAloneIsEndlessInFourFour) {
  const Section section = words({"120"}).sections.at(0);
  EXPECT_EQ(section.beats, kEndless);
  EXPECT_EQ(section.meter.beats, 4);
  EXPECT_EQ(section.meter.unit, 4);
  EXPECT_EQ(section.tempo.kind, Tempo::Kind::constant);
  EXPECT_EQ(section.tempo.from, 120);
  EXPECT_TRUE(section.pattern.empty());
  EXPECT_EQ(section.line, 0);
}

TEST(WordsParser, FractionalTempo) {
  EXPECT_EQ(words({"92.5"}).sections.at(0).tempo.from, 92.5);
}

TEST(WordsParser, IntegerBeforeAnotherFieldIsBars) {
  const Section section = words({"8", "120"}).sections.at(0);
  EXPECT_EQ(section.beats, 32);
  EXPECT_EQ(section.tempo.from, 120);
}

TEST(WordsParser, IntegerBeforeAPatternIsTheTempo) {
  const Section section = words({"120", "X.x."}).sections.at(0);
  EXPECT_EQ(section.beats, kEndless);
  EXPECT_EQ(section.tempo.from, 120);
  EXPECT_EQ(section.pattern, accents("X.x."));
}

TEST(WordsParser, MeterTempoPattern) {
  const Section section = words({"7/8", "160", "X.xX.x."}).sections.at(0);
  EXPECT_EQ(section.meter.beats, 7);
  EXPECT_EQ(section.meter.unit, 8);
  EXPECT_EQ(section.tempo.from, 160);
  EXPECT_EQ(section.pattern, accents("X.xX.x."));
  EXPECT_EQ(section.beats, kEndless);
}

TEST(WordsParser, SpeedTrainerWithBars) {
  const Section section = words({"32", "4/4", "80-120/4"}).sections.at(0);
  EXPECT_EQ(section.beats, 128);
  EXPECT_EQ(section.tempo.kind, Tempo::Kind::ramp);
  EXPECT_EQ(section.tempo.from, 80);
  EXPECT_EQ(section.tempo.to, 120);
  EXPECT_EQ(section.tempo.ramp_beats, 40 * 4 * 4);  // longer than the section: never reaches 120
}

TEST(WordsParser, SpeedTrainerDownwardsWithFractionalAccel) {
  const Section section = words({"3/4", "120-100/0.5"}).sections.at(0);
  EXPECT_EQ(section.beats, kEndless);
  EXPECT_EQ(section.tempo.kind, Tempo::Kind::ramp);
  EXPECT_EQ(section.tempo.from, 120);
  EXPECT_EQ(section.tempo.to, 100);
  EXPECT_EQ(section.tempo.ramp_beats, 20 * 0.5 * 3);
}

TEST(WordsParser, RampAcrossTheBars) {
  const Section section = words({"8", "100-120"}).sections.at(0);
  EXPECT_EQ(section.tempo.kind, Tempo::Kind::ramp);
  EXPECT_EQ(section.tempo.ramp_beats, 32);
}

TEST(WordsParser, EqualEndsAreAConstantTempo) {
  const Section section = words({"100-100/2"}).sections.at(0);
  EXPECT_EQ(section.tempo.kind, Tempo::Kind::constant);
  EXPECT_EQ(section.tempo.from, 100);
}

TEST(WordsParser, RampWithoutBarsOrAccelIsRefused) {
  expect_words_error({"100-120"}, "give the bars");
}

TEST(WordsParser, Refusals) {
  expect_words_error({}, "no tempo");
  expect_words_error({"0"}, "tempo '0'");
  expect_words_error({"-5"}, "from 1 to 1000");
  expect_words_error({"1000.5"}, "from 1 to 1000");
  expect_words_error({"0.5"}, "from 1 to 1000");
  expect_words_error({"nan"}, "tempo 'nan'");
  expect_words_error({"inf"}, "tempo 'inf'");
  expect_words_error({"0x10"}, "tempo '0x10'");
  expect_words_error({"120bpm"}, "tempo '120bpm'");
  expect_words_error({"0", "120"}, "bars '0'");
  expect_words_error({"0/4", "120"}, "1 to 64 beats");
  expect_words_error({"4/3", "120"}, "1, 2, 4, 8, 16 or 32");
  expect_words_error({"120", "X.x"}, "pattern 'X.x' has 3 beats, the bar of 4/4 has 4");
  expect_words_error({"80-120/0"}, "bars per bpm");
  expect_words_error({"80-120/x"}, "bars per bpm");
  expect_words_error({"120-120.0000001/1e-305"}, "bars per bpm");
  expect_words_error({"8", "120", "X.x.", "extra"}, "unknown field 'extra'");
  expect_words_error({"8", "4/4"}, "no tempo");
}

TEST(WordsParser, TheLastSupportedValues) {
  const Section section = words({"100000", "64/32", "1000"}).sections.at(0);
  EXPECT_EQ(section.beats, 100000 * 64);
  EXPECT_EQ(section.meter.unit, 32);
  expect_words_error({"100001", "120"}, "bars '100001'");
  expect_words_error({"65/4", "120"}, "1 to 64 beats");
}

TEST(MapParser, BarsAndTempo) {
  const Section section = map_section("8 120");
  EXPECT_EQ(section.beats, 32);
  EXPECT_EQ(section.tempo.kind, Tempo::Kind::constant);
  EXPECT_EQ(section.tempo.from, 120);
  EXPECT_EQ(section.volume, 1.0);
  EXPECT_EQ(section.line, 1);
  EXPECT_TRUE(section.label.empty());
}

TEST(MapParser, EveryField) {
  const Section section = map_section("verse:\t2 3/4 92.5 X.x 0.5");
  EXPECT_EQ(section.label, "verse");
  EXPECT_EQ(section.beats, 6);
  EXPECT_EQ(section.meter.beats, 3);
  EXPECT_EQ(section.tempo.from, 92.5);
  EXPECT_EQ(section.pattern, accents("X.x"));
  EXPECT_EQ(section.volume, 0.5);
}

TEST(MapParser, RampAcrossTheSection) {
  const Section section = map_section("4 6/8 120-140");
  EXPECT_EQ(section.tempo.kind, Tempo::Kind::ramp);
  EXPECT_EQ(section.tempo.from, 120);
  EXPECT_EQ(section.tempo.to, 140);
  EXPECT_EQ(section.tempo.ramp_beats, 24);
}

TEST(MapParser, TempoListOnePerBeat) {
  const Section section = map_section("1 3/4 100,110.5,120");
  EXPECT_EQ(section.tempo.kind, Tempo::Kind::list);
  EXPECT_EQ(section.tempo.per_beat, (std::vector<double>{100, 110.5, 120}));
  EXPECT_EQ(section.tempo.from, 100);
  EXPECT_EQ(section.tempo.to, 120);
}

TEST(MapParser, VolumeWithoutPattern) {
  EXPECT_EQ(map_section("1 120 0").volume, 0);
  EXPECT_EQ(map_section("1 120 10").volume, 10);
}

TEST(MapParser, CommentsBlankLinesTabsAndCrlf) {
  const Performance performance =
      parse_map("# a map\r\n\r\n  \t\n8 120 # eight bars\r\n\tfill:\t1\t100\r\n", "test.map");
  ASSERT_EQ(performance.sections.size(), 2u);
  EXPECT_EQ(performance.sections[0].line, 4);
  EXPECT_EQ(performance.sections[1].line, 5);
  EXPECT_EQ(performance.sections[1].label, "fill");
  EXPECT_EQ(performance.sections[1].tempo.from, 100);
}

TEST(MapParser, LabelGluedToTheBars) {
  const Section section = map_section("a_1-b.2:4 120");
  EXPECT_EQ(section.label, "a_1-b.2");
  EXPECT_EQ(section.beats, 16);
}

TEST(MapParser, KlickManualExample) {
  const Performance performance = parse_map(
      "# the manual's example, in our own words\n"
      "intro:   4 120        X.x.\n"
      "verse:   8 120-140\n"
      "\n"
      "bridge:  4 3/4 140   0.5\n"
      "outro:   2 140-80     # slowing to the end\n",
      "example.map");
  const auto& s = performance.sections;
  ASSERT_EQ(s.size(), 4u);
  EXPECT_EQ(s[0].label, "intro");
  EXPECT_EQ(s[0].line, 2);
  EXPECT_EQ(s[0].beats, 16);
  EXPECT_EQ(s[0].pattern, accents("X.x."));
  EXPECT_EQ(s[0].tempo.kind, Tempo::Kind::constant);
  EXPECT_EQ(s[1].label, "verse");
  EXPECT_EQ(s[1].tempo.kind, Tempo::Kind::ramp);
  EXPECT_EQ(s[1].tempo.from, 120);
  EXPECT_EQ(s[1].tempo.to, 140);
  EXPECT_EQ(s[1].tempo.ramp_beats, 32);
  EXPECT_EQ(s[2].label, "bridge");
  EXPECT_EQ(s[2].line, 5);
  EXPECT_EQ(s[2].meter.beats, 3);
  EXPECT_EQ(s[2].beats, 12);
  EXPECT_EQ(s[2].volume, 0.5);
  EXPECT_EQ(s[3].label, "outro");
  EXPECT_EQ(s[3].meter.beats, 4);  // 4/4 again, not the line before's 3/4
  EXPECT_EQ(s[3].tempo.from, 140);
  EXPECT_EQ(s[3].tempo.to, 80);
  EXPECT_EQ(s[3].tempo.ramp_beats, 8);
}

TEST(MapParser, RefusalsNameTheLine) {
  expect_map_error("8 120\n0/4 120", 2, "bars '0/4'");
  expect_map_error("# c\n1 0/4 120", 2, "1 to 64 beats");
  expect_map_error("1 4/3 120", 1, "1, 2, 4, 8, 16 or 32");
  expect_map_error("0 120", 1, "bars '0'");
  expect_map_error("1.5 120", 1, "bars '1.5'");
  expect_map_error("1 0", 1, "tempo '0'");
  expect_map_error("1 -120", 1, "tempo '-120'");
  expect_map_error("1 1001", 1, "from 1 to 1000");
  expect_map_error("1 120-0", 1, "tempo '0'");
  expect_map_error("\n\n1 120 X.x", 3, "pattern 'X.x' has 3 beats, the bar of 4/4 has 4");
  expect_map_error("1 120 1 -1", 1, "unknown field '-1'");
  expect_map_error("1 120 -1", 1, "volume '-1' must be from 0 to 10");
  expect_map_error("1 120 10.5", 1, "volume '10.5'");
  expect_map_error("1 120 X.x. 1 more", 1, "unknown field 'more'");
  expect_map_error("1 120 loud", 1, "unknown field 'loud'");
  expect_map_error("1", 1, "no tempo");
  expect_map_error("1 fast", 1, "expected a tempo");
  expect_map_error("a:\n", 1, "no section after it");
  expect_map_error("my@label: 1 120", 1, "label 'my@label'");
}

TEST(MapParser, TempoListOfTheWrongLength) {
  expect_map_error("1 120\n2 100,110,120", 2, "3 tempi for 8 beats (2 bars of 4/4)");
  expect_map_error("1 100,,", 1, "1 tempi for 4 beats");
}

// klick takes a map whose labels repeat; --from (klick's -l) finds the first.
TEST(MapParser, LabelsMayRepeatAndFromFindsTheFirst) {
  const Performance whole = parse_map("a: 1 120\nb: 2 120\na: 3 100\nb: 1 90", "test.map");
  ASSERT_EQ(whole.sections.size(), 4u);
  const Performance from_a = start_at(whole, "a", "test.map");
  EXPECT_EQ(from_a.sections.size(), 4u);
  EXPECT_EQ(from_a.first_bar, 1);
  const Performance from_b = start_at(whole, "b", "test.map");
  EXPECT_EQ(from_b.sections.size(), 3u);
  EXPECT_EQ(from_b.first_bar, 2);
  // An unknown label lists each label once.
  const RhythmError error = error_of([&] { start_at(whole, "c", "test.map"); });
  EXPECT_NE(error.problem.find("the labels are a, b"), std::string::npos) << error.problem;
  EXPECT_EQ(error.problem.find("a, b, a"), std::string::npos) << error.problem;
}

TEST(MapParser, NoSections) {
  expect_map_error("", 0, "no sections");
  expect_map_error("# only\n\n   # comments\r\n", 0, "no sections");
}

TEST(MapParser, NotText) {
  expect_map_error(std::string("1 120\n1 1\0 20\n", 14), 2, "not a text file");
  expect_map_error("1 120\n\n# caf\xC3\n", 3, "not a text file");
  expect_map_error("# \xC0\xAF overlong\n", 1, "not a text file");
  EXPECT_EQ(map_section("# caf\xC3\xA9 \xF0\x9F\xA5\x81\n1 120").line, 2);
}

TEST(MapParser, LongLine) {
  const std::string longest = "1 120 #" + std::string(kMaxLineBytes - 7, '-');
  EXPECT_EQ(map_section(longest).tempo.from, 120);
  expect_map_error("1 120\n" + longest + "-", 2, "longer than 4096 bytes");
}

TEST(StartAt, KeepsTheSectionsFromTheLabelAndNumbersTheBars) {
  const Performance whole = parse_map("a: 2 120\n3 3/4 100\nb: 1 5/8 90\nc: 4 80", "test.map");
  const Performance from = start_at(whole, "b", "test.map");
  ASSERT_EQ(from.sections.size(), 2u);
  EXPECT_EQ(from.sections[0].label, "b");
  EXPECT_EQ(from.sections[1].label, "c");
  EXPECT_EQ(from.first_bar, 6);
  EXPECT_EQ(start_at(whole, "a", "test.map").first_bar, 1);
}

TEST(StartAt, UnknownLabelListsTheLabels) {
  const Performance whole = parse_map("a: 2 120\nb: 1 90", "test.map");
  const RhythmError error = error_of([&] { start_at(whole, "chorus", "test.map"); });
  EXPECT_EQ(error.source, "test.map");
  EXPECT_EQ(error.line, 0);
  EXPECT_NE(error.problem.find("'chorus'"), std::string::npos) << error.problem;
  EXPECT_NE(error.problem.find("a, b"), std::string::npos) << error.problem;
  const Performance unlabelled = parse_map("2 120", "test.map");
  EXPECT_NE(error_of([&] { start_at(unlabelled, "", "test.map"); }).problem.find("no labels"),
            std::string::npos);
}

TEST(StartAt, ListsAtMostTenLabels) {
  std::string text;
  for (int i = 0; i < 13; ++i) text += "l" + std::to_string(i) + ": 1 120\n";
  const RhythmError error = error_of([&] { start_at(parse_map(text, "m"), "x", "m"); });
  EXPECT_NE(error.problem.find("l9 and 3 more"), std::string::npos) << error.problem;
  EXPECT_EQ(error.problem.find("l10"), std::string::npos) << error.problem;
}

TEST(LimitBeats, CutsTheLastKeptSection) {
  const Performance whole = parse_map("2 120\n1 100,101,102,103\n4 120-140", "test.map");
  const Performance list_cut = limit_beats(whole, 10);
  ASSERT_EQ(list_cut.sections.size(), 2u);
  EXPECT_EQ(list_cut.sections[1].beats, 2);
  EXPECT_EQ(list_cut.sections[1].tempo.per_beat, (std::vector<double>{100, 101}));
  EXPECT_EQ(list_cut.sections[1].tempo.to, 101);
  const Performance ramp_cut = limit_beats(whole, 13);
  ASSERT_EQ(ramp_cut.sections.size(), 3u);
  EXPECT_EQ(ramp_cut.sections[2].beats, 1);
  EXPECT_EQ(ramp_cut.sections[2].tempo.ramp_beats, 16);  // the same curve, cut short
  EXPECT_EQ(limit_beats(whole, 8).sections.size(), 1u);
  EXPECT_EQ(limit_beats(whole, 1000).sections.size(), 3u);
}

TEST(LimitBeats, EndsAnEndlessRhythm) {
  const Performance cut = limit_beats(words({"7/8", "160"}), 20);
  ASSERT_EQ(cut.sections.size(), 1u);
  EXPECT_EQ(cut.sections[0].beats, 20);
}

TEST_F(MapFiles, ReadsAMap) {
  const auto file = write("song.map", "intro: 2 120\r\n# end\r\n4 3/4 100-90 X.. 2\r\n");
  const Performance performance = read_map(file);
  ASSERT_EQ(performance.sections.size(), 2u);
  EXPECT_EQ(performance.sections[1].line, 3);
  EXPECT_EQ(performance.sections[1].volume, 2);
}

TEST_F(MapFiles, ErrorsCarryTheFileAndLine) {
  const RhythmError error = read_error(write("bad.map", "1 120\n\n1 120 -1\n"));
  EXPECT_EQ(error.line, 3);
  EXPECT_NE(error.problem.find("volume"), std::string::npos);
}

TEST_F(MapFiles, LongLineIsRefused) {
  const RhythmError error =
      read_error(write("long.map", "1 120\n" + std::string(kMaxLineBytes + 1, '#') + "\n"));
  EXPECT_EQ(error.line, 2);
  EXPECT_NE(error.problem.find("longer than"), std::string::npos);
  const auto longest = write("longest.map", "1 120 #" + std::string(kMaxLineBytes - 7, '-'));
  EXPECT_EQ(read_map(longest).sections.size(), 1u);
}

TEST_F(MapFiles, BinaryFileIsRefused) {
  const RhythmError error = read_error(write("bin.map", std::string("1 120\n\x7f"
                                                                    "ELF\0\1",
                                                                    12)));
  EXPECT_EQ(error.line, 2);
  EXPECT_NE(error.problem.find("not a text file"), std::string::npos);
}

TEST_F(MapFiles, BigFileIsRefusedUnread) {
  const auto file = write("big.map", "");
  ASSERT_EQ(truncate(file.c_str(), static_cast<off_t>(kMaxMapBytes + 1)), 0);  // sparse
  const RhythmError error = read_error(file);
  EXPECT_EQ(error.line, 0);
  EXPECT_NE(error.problem.find("larger than 16 MiB"), std::string::npos) << error.problem;
}

TEST_F(MapFiles, EmptyFileHasNoSections) {
  EXPECT_NE(read_error(write("empty.map", "")).problem.find("no sections"), std::string::npos);
}

TEST_F(MapFiles, MissingFileFolderAndFifo) {
  EXPECT_NE(read_error(folder_ / "missing.map").problem.find("no such file"), std::string::npos);
  EXPECT_NE(read_error(folder_).problem.find("folder"), std::string::npos);
  const auto fifo = folder_ / "fifo.map";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_NE(read_error(fifo).problem.find("not a regular file"), std::string::npos);
  EXPECT_NE(read_error("/dev/null").problem.find("not a regular file"), std::string::npos);
}

// klick's -x: every tempo scaled, a ramp over the same beats (klick -x 0.8 on 80-120/2 is
// 64-96/2.5: 80 bars of ramp either way).
TEST(ScaleTempo, ScalesEveryTempoAndKeepsRampsLength) {
  Performance p = parse_map("2 120\n1 100,110,120,130\n4 120-140\n", "test.map");
  const Performance words = parse_words(std::vector<std::string>{"8", "4/4", "80-120/2"});
  Performance trainer = words;
  scale_tempo(p, 0.8, "test.map");
  scale_tempo(trainer, 0.8, "");
  EXPECT_DOUBLE_EQ(p.sections[0].tempo.from, 96);
  ASSERT_EQ(p.sections[1].tempo.per_beat.size(), 4u);
  EXPECT_DOUBLE_EQ(p.sections[1].tempo.per_beat[3], 104);
  EXPECT_DOUBLE_EQ(p.sections[2].tempo.from, 96);
  EXPECT_DOUBLE_EQ(p.sections[2].tempo.to, 112);
  EXPECT_EQ(p.sections[2].tempo.ramp_beats, 16);
  EXPECT_DOUBLE_EQ(trainer.sections[0].tempo.from, 64);
  EXPECT_DOUBLE_EQ(trainer.sections[0].tempo.to, 96);
  EXPECT_EQ(trainer.sections[0].tempo.ramp_beats, words.sections[0].tempo.ramp_beats);
}

TEST(ScaleTempo, RefusesATempoOutOfRangeNamingItsLine) {
  Performance p = parse_map("2 120\n1 600", "test.map");
  const RhythmError error = error_of([&] { scale_tempo(p, 2, "test.map"); });
  EXPECT_EQ(error.line, 2);
  EXPECT_EQ(error.problem, "at 2 times, a tempo would be 1200: tempi go from 1 to 1000");
  Performance slow = parse_words(std::vector<std::string>{"4/4", "2"});
  EXPECT_EQ(error_of([&] { scale_tempo(slow, 0.25, ""); }).problem,
            "at 0.25 times, a tempo would be 0.5: tempi go from 1 to 1000");
  for (const double bad : {0.0, -1.0, std::nan("")})
    EXPECT_EQ(error_of([&] { scale_tempo(slow, bad, ""); }).problem,
              "the tempo factor must be a positive number");
}

TEST(SetEmphasis, NoAccentsOrAllAccents) {
  const Performance written = parse_map("1 4/4 120\n1 7/8 120 X.xX.x.\n", "test.map");
  Performance none = written, all = written, same = written;
  set_emphasis(none, Emphasis::none);
  set_emphasis(all, Emphasis::all);
  set_emphasis(same, Emphasis::as_written);
  const auto text = [](const Section& s) {
    std::string out;
    for (const Accent a : s.pattern) out += static_cast<char>(a);
    return out;
  };
  EXPECT_EQ(text(none.sections[0]), "xxxx");
  EXPECT_EQ(text(none.sections[1]), "x.xx.x.");
  EXPECT_EQ(text(all.sections[0]), "XXXX");
  EXPECT_EQ(text(all.sections[1]), "X.XX.X.");
  EXPECT_EQ(text(same.sections[0]), "");
}

// A polyrhythm's voices, after everything else, in the words and in a map.
TEST(Voices, WordsAndMapsTakeThem) {
  const Performance words =
      parse_words(std::vector<std::string>{"2", "4/4", "90", "X.x.", "+3", "+5:X.x.x@0.6"});
  const Section& s = words.sections[0];
  ASSERT_EQ(s.voices.size(), 2u);
  EXPECT_EQ(s.voices[0].clicks, 3);
  EXPECT_TRUE(s.voices[0].pattern.empty());
  EXPECT_EQ(s.voices[0].volume, 1.0);
  EXPECT_EQ(s.voices[1].clicks, 5);
  EXPECT_EQ(s.voices[1].pattern.size(), 5u);
  EXPECT_EQ(s.voices[1].pattern[1], Accent::rest);
  EXPECT_DOUBLE_EQ(s.voices[1].volume, 0.6);
  const Performance map = parse_map("v: 2 4/4 120 X.x. 0.8 +3\n1 3/4 100 +2@2\n", "m");
  EXPECT_DOUBLE_EQ(map.sections[0].volume, 0.8);
  EXPECT_EQ(map.sections[0].voices.size(), 1u);
  EXPECT_EQ(map.sections[1].voices.at(0).clicks, 2);
  EXPECT_DOUBLE_EQ(map.sections[1].voices.at(0).volume, 2);
}

TEST(Voices, BadVoicesAreSaidWithTheirLine) {
  const std::string grammar = " (a voice is +CLICKS[:PATTERN][@VOLUME], like +3 or +5:X.x.x@0.7)";
  expect_map_error("1 120 +0", 1, "voice '+0': its clicks in a bar must be 1 to 64" + grammar);
  expect_map_error("1 120\n1 120 +65", 2, "voice '+65': its clicks in a bar must be 1 to 64");
  expect_map_error("1 120 +3:X.", 1,
                   "voice '+3:X.': its pattern must have one X, x or . for each of its 3 clicks");
  expect_map_error("1 120 +3@11", 1, "voice '+3@11': its volume must be 0 to 10");
  expect_map_error("1 120 +2 +3 +4 +5", 1, "at most 3 voices besides the beat");
  expect_map_error("1 120 +3 0.5", 1, "unknown field '0.5' after the tempo");
}

// A setlist's (and the presets') lines: NAME: words, or NAME: map FILE beside the list.
TEST(NamedRhythms, WordsAndMapsByName) {
  const std::filesystem::path folder =
      std::filesystem::temp_directory_path() / ("cacophony_named_" + std::to_string(getpid()));
  std::filesystem::create_directories(folder);
  std::ofstream(folder / "s.map") << "1 4/4 120\n";
  const std::vector<NamedRhythm> list = parse_named_rhythms(
      "\xEF\xBB\xBF# set\r\nopen: 8 4/4 120 +3\r\n\r\nsong: map s.map\n", "set", folder);
  std::filesystem::remove_all(folder);
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].name, "open");
  EXPECT_EQ(list[0].words, (std::vector<std::string>{"8", "4/4", "120", "+3"}));
  EXPECT_EQ(list[0].line, 2);
  EXPECT_EQ(list[1].name, "song");
  EXPECT_EQ(list[1].map, folder / "s.map");
  EXPECT_EQ(list[1].line, 4);
}

TEST(NamedRhythms, ErrorsNameTheListAndLine) {
  const auto error = [](const std::string& text) {
    return error_of([&] { parse_named_rhythms(text, "set", "/none"); });
  };
  EXPECT_EQ(error("a: 1 4/4 120\nb 4/4").line, 2);
  EXPECT_EQ(error("a: 1 4/4 120\nb 4/4").problem, "a line is NAME: followed by a rhythm, got 'b'");
  EXPECT_EQ(error("a: 1 4/4 120\na: 2 100").problem, "'a' is named on line 1 already");
  EXPECT_EQ(error("a: 1 4/4 1200").problem,
            "tempo '1200' must be a number of quarter notes per minute from 1 to 1000");
  EXPECT_EQ(error("a: map").problem, "map takes one file, as in NAME: map song.txt");
  EXPECT_EQ(error("a: map x.map").problem, "/none/x.map: no such file");
  EXPECT_EQ(error("").line, 0);
  EXPECT_EQ(error("@x: 1 120").problem, "label '@x' may hold only letters, digits, _, - and .");
}
