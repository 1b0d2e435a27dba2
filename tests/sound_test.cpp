// The offline metronome: the click, the engine's onsets (against klick's), the loudness meter,
// the render and its command line.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sndfile.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <numbers>
#include <numeric>
#include <string>
#include <thread>
#include <vector>

#include "cacophony/sound/click.h"
#include "cacophony/sound/engine.h"
#include "cacophony/sound/error.h"
#include "cacophony/sound/file_meter.h"
#include "cacophony/sound/live_grid.h"
#include "cacophony/sound/loudness.h"
#include "cacophony/sound/meter.h"
#include "cacophony/sound/render.h"
#include "cacophony/sound/rhythm_grid.h"
#include "cacophony/sound/simulated_meter.h"
#include "support/audio.h"
#include "support/command.h"
#include "support/folder.h"
#include "support/onsets.h"
#include "support/proc.h"
#include "support/process.h"

namespace {

using namespace cacophony;
using namespace cacophony::sound;
using cacophony::test_support::Audio;
using cacophony::test_support::onsets;
using cacophony::test_support::open_in;
using cacophony::test_support::Process;
using cacophony::test_support::read_audio;
using cacophony::test_support::succeeds;
using cacophony::test_support::write_audio;
namespace fs = std::filesystem;

// A fresh folder per test, removed at its end.
struct Folder : test_support::Folder {
  Folder() : test_support::Folder("cacophony_sound_") {}
};

std::vector<float> sine(int rate, double seconds, double hz, double peak) {
  std::vector<float> s(static_cast<std::size_t>(seconds * rate));
  for (std::size_t i = 0; i < s.size(); ++i)
    s[i] = static_cast<float>(peak * std::sin(2 * std::numbers::pi * hz * i / rate));
  return s;
}

float peak_near(const std::vector<float>& s, std::int64_t from, std::int64_t frames) {
  float p = 0;
  for (std::int64_t i = from; i < from + frames && i < static_cast<std::int64_t>(s.size()); ++i)
    p = std::max(p, std::abs(s[static_cast<std::size_t>(i)]));
  return p;
}

// Renders into `o.out`, created or truncated, as the command line would.
RenderResult render_file(RenderOptions o, Meter& meter) {
  o.fd = open(o.out.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (o.fd < 0) throw std::runtime_error("cannot create " + o.out.string());
  try {
    const RenderResult r = render(o, meter);
    close(o.fd);
    return r;
  } catch (...) {
    close(o.fd);
    throw;
  }
}

// `beats` beats of 4/4 at `bpm` (rhythm::kEndless: until stopped).
rhythm::Performance steady(double bpm, std::int64_t beats) {
  rhythm::Performance p;
  p.sections.emplace_back();
  p.sections[0].beats = beats;
  p.sections[0].tempo = rhythm::Tempo::constant(bpm);
  return p;
}

// Where beat n of a steady tempo starts, as the rhythm's timeline puts it.
std::int64_t onset_frame(std::int64_t n, int rate, double bpm) {
  const rhythm::Timeline timeline(steady(bpm, rhythm::kEndless), rate);
  rhythm::Timeline::Cursor cursor{0, n, 0};
  rhythm::Event event;
  EXPECT_TRUE(timeline.next(cursor, event));
  return event.frame;
}

using CliRun = cacophony::test_support::CommandResult;

CliRun cacophony_cli(const std::string& args) {
  return cacophony::test_support::run_cacophony(args);
}

// --- The click --------------------------------------------------------------------------------

TEST(SoundClick, ShortEndsAtZeroWithoutDcAndPeaksAtOne) {
  for (int rate : {8000, 44100, 48000, 96000, 192000})
    for (ClickKind kind : {ClickKind::accent, ClickKind::normal}) {
      const Click click(kind, rate);
      const auto s = click.samples();
      ASSERT_GT(s.size(), Click::kSilentTail);
      EXPECT_LE(static_cast<double>(s.size()), 0.030 * rate) << rate;
      for (std::size_t i = s.size() - Click::kSilentTail; i < s.size(); ++i) EXPECT_EQ(s[i], 0.0f);
      EXPECT_EQ(s[0], 1.0f) << "the onset sample is the peak";
      double sum = 0, peak = 0;
      for (float x : s) {
        sum += x;
        peak = std::max(peak, std::abs(static_cast<double>(x)));
      }
      EXPECT_LE(peak, 1.0);
      EXPECT_NEAR(sum / static_cast<double>(s.size()), 0.0, 1e-6) << "no DC";
    }
}

TEST(SoundClick, AccentAndNormalDiffer) {
  const Click i(ClickKind::accent, 48000), o(ClickKind::normal, 48000);
  EXPECT_NE(Click::frequency_hz(i.kind()), Click::frequency_hz(o.kind()));
  ASSERT_EQ(i.samples().size(), o.samples().size());
  double diff = 0;
  for (std::size_t k = 0; k < i.samples().size(); ++k)
    diff += std::abs(i.samples()[k] - o.samples()[k]);
  EXPECT_GT(diff, 10.0);
}

// Four pitches, and each kind's peak at its documented level.
TEST(SoundClick, EachKindHasItsPitchAndLevel) {
  std::vector<double> pitches;
  for (ClickKind kind :
       {ClickKind::accent, ClickKind::normal, ClickKind::subdivision, ClickKind::count_in}) {
    const Click c(kind, 48000);
    pitches.push_back(Click::frequency_hz(kind));
    EXPECT_NEAR(c.samples()[0], std::pow(10.0, Click::level_db(kind) / 20), 1e-6);
    // Zero crossings in the first 10 ms: two per period.
    int crossings = 0;
    for (std::size_t k = 1; k < 480; ++k)
      crossings += (c.samples()[k - 1] >= 0) != (c.samples()[k] >= 0);
    EXPECT_NEAR(crossings, 2 * Click::frequency_hz(kind) / 100, 1) << static_cast<int>(kind);
  }
  std::sort(pitches.begin(), pitches.end());
  EXPECT_EQ(std::adjacent_find(pitches.begin(), pitches.end()), pitches.end());
  EXPECT_LT(Click::level_db(ClickKind::subdivision), Click::level_db(ClickKind::normal));
}

TEST(SoundClick, VolumeMapsToDbfs) {
  EXPECT_DOUBLE_EQ(volume_gain_db(0), -40.0);
  EXPECT_DOUBLE_EQ(volume_gain_db(100), -1.0);
  EXPECT_DOUBLE_EQ(volume_gain_db(50), -20.5);
  EXPECT_DOUBLE_EQ(volume_gain_db(-5), -40.0);
  EXPECT_DOUBLE_EQ(volume_gain_db(500), -1.0);
  EXPECT_NEAR(volume_gain(0), 0.01f, 1e-6) << "volume 0 is quiet, not silent";
  EXPECT_LT(volume_gain(100), 1.0f);
  EXPECT_GT(volume_gain(0) * 32767, 100) << "volume 0 still shows in 16 bits";
}

// --- The engine -------------------------------------------------------------------------------

TEST(SoundEngine, OnsetFramesAreExactIntegerRounding) {
  EXPECT_EQ(onset_frame(6600, 48000, 110), 172'800'000) << "one hour at 110 bpm";
  EXPECT_EQ(onset_frame(1, 48000, 120), 24000);
  EXPECT_EQ(onset_frame(1, 48000, 110), 26182);  // 26181.8...
  EXPECT_EQ(onset_frame(2, 44100, 7), 756000);
  EXPECT_EQ(onset_frame(3, 48000, 6000), 1440);
  // Never accumulated: beat n is n intervals from 0 rounded once, for n far beyond an hour.
  for (std::int64_t n : {0LL, 1LL, 7LL, 6599LL, 10'000'000LL}) {
    const long double exact = static_cast<long double>(n) * 44100 * 60 / 113;
    EXPECT_EQ(onset_frame(n, 44100, 113), static_cast<std::int64_t>(std::llround(exact)));
  }
}

TEST(SoundEngine, ProcessStartsEachBeatAtItsOnsetAcrossBlocks) {
  RhythmGrid grid(steady(6000, 40), 44100);
  Engine engine(44100, grid, Engine::kEndless);  // 441 frames apart, clicks of 882 frames overlap
  std::vector<std::int64_t> seen;
  engine.set_beat_hook(
      [](void* ctx, std::int64_t count, const Onset& onset) {
        auto* v = static_cast<std::vector<std::int64_t>*>(ctx);
        EXPECT_EQ(static_cast<std::int64_t>(v->size()), count);
        EXPECT_EQ(onset.beat, count);
        EXPECT_EQ(onset.kind, count % 4 == 0 ? ClickKind::accent : ClickKind::normal);
        v->push_back(onset.frame);
      },
      &seen);
  seen.reserve(40);
  std::vector<float> out;
  std::vector<float> block(1000);  // not a multiple of the interval: clicks cross blocks
  while (!engine.finished()) {
    const std::size_t n = engine.process(block.data(), block.size());
    out.insert(out.end(), block.begin(), block.begin() + static_cast<std::ptrdiff_t>(n));
  }
  ASSERT_EQ(seen.size(), 40u);
  for (std::int64_t n = 0; n < 40; ++n) EXPECT_EQ(seen[static_cast<std::size_t>(n)], 441 * n);
  EXPECT_EQ(static_cast<std::int64_t>(out.size()), engine.total_frames());
  // Overlapping clicks are mixed: each sample is the sum of the clicks sounding there.
  const Click i(ClickKind::accent, 44100), o(ClickKind::normal, 44100);
  const float g = volume_gain(100);
  for (std::size_t f = 0; f < out.size(); f += 37) {
    float expected = 0;
    for (std::int64_t n = 0; n < 40; ++n) {
      const auto start = static_cast<std::size_t>(441 * n);
      const auto s = n % 4 == 0 ? i.samples() : o.samples();
      if (f >= start && f - start < s.size()) expected += s[f - start] * g;
    }
    EXPECT_NEAR(out[f], expected, 1e-5) << f;
  }
}

TEST(SoundEngine, VolumeIsReadOnceAtEachBeatStart) {
  RhythmGrid grid(steady(120, 2), 48000);
  Engine engine(48000, grid, Engine::kEndless);
  engine.set_volume(0);
  std::vector<float> block(100);
  engine.process(block.data(), block.size());
  EXPECT_NEAR(block[0], volume_gain(0), 1e-7);
  engine.set_volume(100);  // mid-click: this click keeps its volume
  engine.process(block.data(), block.size());
  double peak = 0;
  for (float x : block) peak = std::max(peak, std::abs(static_cast<double>(x)));
  EXPECT_LE(peak, volume_gain(0));
  std::vector<float> rest(24000);
  engine.process(rest.data(), rest.size());
  EXPECT_NEAR(rest[24000 - 200], volume_gain(100), 1e-6) << "the next beat has the new volume";
}

// Muted, a click starting is silent but still counted; unmuted, the next click sounds again.
TEST(SoundEngine, MutedClicksAreSilentAndCounted) {
  RhythmGrid grid(steady(120, 4), 48000);
  Engine engine(48000, grid, Engine::kEndless);
  const auto peak = [](const std::vector<float>& v) {
    double p = 0;
    for (float x : v) p = std::max(p, std::abs(static_cast<double>(x)));
    return p;
  };
  std::vector<float> beat(24000);
  engine.set_muted(true);
  engine.process(beat.data(), beat.size());
  engine.process(beat.data(), beat.size());
  EXPECT_EQ(peak(beat), 0.0);
  EXPECT_EQ(engine.beats_started(), 2);
  engine.set_muted(false);
  engine.process(beat.data(), beat.size());
  EXPECT_GT(peak(beat), 0.5);
  EXPECT_EQ(engine.beats_started(), 3);
}

// A section that starts inside a block (as a JACK period of 1024 frames) starts on its own frame.
TEST(SoundEngine, ASectionChangeInsideABlockLandsOnItsFrame) {
  rhythm::Performance p = steady(200, 3);  // a bar of 3/4 at 200: 3 * 14400 = 43200 frames
  p.sections[0].meter = {3, 4};
  p.sections.push_back(p.sections[0]);
  p.sections[1].meter = {4, 4};
  p.sections[1].beats = 4;
  p.sections[1].tempo = rhythm::Tempo::constant(90);  // 32000 frames a beat
  RhythmGrid grid(p, 48000);
  Engine engine(48000, grid, Engine::kEndless);
  std::vector<float> out, block(1024);
  while (!engine.finished()) {
    const std::size_t n = engine.process(block.data(), block.size());
    out.insert(out.end(), block.begin(), block.begin() + static_cast<std::ptrdiff_t>(n));
  }
  EXPECT_EQ(onsets<std::int64_t>(out, 480),
            (std::vector<std::int64_t>{0, 14400, 28800, 43200, 75200, 107200, 139200}));
  EXPECT_EQ(static_cast<std::int64_t>(out.size()), 43200 + 4 * 32000);
}

// The live grid's clicks, block by block, with `change` called before the block at `at`.
std::vector<Onset> live_onsets(LiveGrid& grid, std::int64_t frames, std::int64_t at,
                               const std::function<void()>& change) {
  std::vector<Onset> out;
  Onset o;
  for (std::int64_t first = 0; first < frames; first += 1024) {
    if (first <= at && at < first + 1024) change();
    grid.begin_block(first, {});
    while (grid.next_before(std::min(first + 1024, frames), o)) out.push_back(o);
  }
  return out;
}

TEST(LiveGrid, ATempoChangeTakesEffectAtTheNextBeatToTheFrame) {
  rhythm::Section s = steady(120, rhythm::kEndless).sections[0];
  LiveGrid grid(s, 1, 48000);
  // Changed at frame 50000, inside beat 2's interval: beat 3 starts at 72000 as planned, and the
  // interval after it is 130 bpm's, 22153.85 frames, each beat rounded from there.
  const auto o = live_onsets(grid, 200000, 50000, [&] { grid.set_tempo(130); });
  ASSERT_GE(o.size(), 8u);
  for (std::size_t i = 0; i <= 3; ++i) EXPECT_EQ(o[i].frame, 24000 * static_cast<std::int64_t>(i));
  for (std::size_t i = 4; i < o.size(); ++i)
    EXPECT_EQ(o[i].frame, 72000 + std::llround((i - 3) * 48000.0 * 60 / 130)) << i;
  EXPECT_DOUBLE_EQ(o[3].tempo, 130);
}

TEST(LiveGrid, AMeterChangeTakesEffectAtTheNextBar) {
  rhythm::Section s = steady(240, rhythm::kEndless).sections[0];  // 12000 frames a beat
  LiveGrid grid(s, 1, 48000);
  const auto o = live_onsets(grid, 12000 * 14, 12000 * 5 + 10, [&] { grid.set_beats_per_bar(3); });
  std::vector<int> phases;
  for (const Onset& x : o) phases.push_back(x.phase);
  // Bar 2 (beats 4..7) stays 4/4; bar 3 is 3/4.
  EXPECT_EQ(phases, (std::vector<int>{0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 0, 1, 2}));
  EXPECT_EQ(o[8].kind, ClickKind::accent);
  EXPECT_EQ(o[8].bar, 3);
}

TEST(LiveGrid, SubdivisionsStopAndStartAndTheEnd) {
  rhythm::Section s = steady(240, 6).sections[0];
  LiveGrid grid(s, 2, 48000);
  Onset o;
  grid.begin_block(0, {});
  ASSERT_TRUE(grid.next_before(1024, o));
  EXPECT_EQ(o.kind, ClickKind::accent);
  ASSERT_TRUE(grid.next_before(6001, o));
  EXPECT_EQ(o.frame, 6000);
  EXPECT_EQ(o.kind, ClickKind::subdivision);
  grid.set_playing(false);
  grid.begin_block(20000, {});
  EXPECT_FALSE(grid.next_before(100000, o)) << "stopped: nothing";
  grid.set_playing(true);
  grid.begin_block(100000, {});
  ASSERT_TRUE(grid.next_before(101024, o));
  EXPECT_EQ(o.frame, 100000) << "started again on the block's first frame";
  EXPECT_EQ(o.bar, 1);
  EXPECT_EQ(o.kind, ClickKind::accent);
  int clicks = 1;
  while (grid.next_before(1'000'000, o)) ++clicks;
  EXPECT_EQ(clicks, 12) << "6 beats of 2 clicks";
  EXPECT_TRUE(grid.ended());
}

// --- Render: onsets, against klick too -------------------------------------------------------

TEST(SoundRender, OnsetsEvery24000FramesAt120BpmAnd48kHz) {
  Folder dir;
  RenderOptions o;
  o.out = dir / "click.wav";
  o.performance = steady(120, 16);
  SimulatedMeter meter(1);
  const RenderResult r = render_file(o, meter);
  EXPECT_FALSE(r.interrupted);
  EXPECT_EQ(r.beats, 16);
  const Audio a = read_audio(o.out);
  EXPECT_EQ(a.rate, 48000);
  EXPECT_EQ(a.channels, 1);
  EXPECT_EQ(a.samples.size(), 16u * 24000);
  std::vector<std::int64_t> expected;
  for (std::int64_t n = 0; n < 16; ++n) expected.push_back(24000 * n);
  EXPECT_EQ(onsets<std::int64_t>(a.samples, 480), expected);
  EXPECT_EQ(dir.names(), std::vector<std::string>{"click.wav"}) << "no temporary file left";
}

TEST(SoundRender, FlacAndOtherRatesToo) {
  Folder dir;
  RenderOptions o;
  o.out = dir / "click.FLAC";
  o.performance = steady(110, 5);
  o.rate = 44100;
  SimulatedMeter meter(1);
  render_file(o, meter);
  const Audio a = read_audio(o.out);
  EXPECT_EQ(a.rate, 44100);
  std::vector<std::int64_t> expected;
  for (std::int64_t n = 0; n < 5; ++n) expected.push_back(onset_frame(n, 44100, 110));
  EXPECT_EQ(onsets<std::int64_t>(a.samples, 441), expected);
}

TEST(SoundRender, OnsetsMatchKlick) {
  ASSERT_TRUE(succeeds({"/bin/sh", "-c", "command -v klick"}))
      << "klick is not installed (scripts/setup installs it)";
  Folder dir;
  auto both = [&](int bpm) {
    // klick: 2 bars of 4/4 = 8 beats.
    const fs::path theirs = dir / ("klick" + std::to_string(bpm) + ".wav");
    EXPECT_TRUE(
        succeeds({"klick", "-W", theirs.string(), "-r", "48000", "2", "4/4", std::to_string(bpm)}))
        << "klick -W " << theirs << " at " << bpm << " bpm";
    RenderOptions o;
    o.out = dir / ("ours" + std::to_string(bpm) + ".wav");
    o.performance = steady(bpm, 8);
    SimulatedMeter meter(1);
    render_file(o, meter);
    return std::pair(onsets<std::int64_t>(read_audio(o.out).samples, 480),
                     onsets<std::int64_t>(read_audio(theirs).samples, 480));
  };
  // Where the interval is a whole number of frames, every onset is the same frame.
  for (int bpm : {120, 60, 100, 150, 240}) {
    const auto [ours, klick] = both(bpm);
    EXPECT_EQ(klick.size(), 8u) << bpm;
    EXPECT_EQ(ours, klick) << bpm << " bpm";
  }
  // Where it isn't, klick truncates n * rate * 60 / bpm and we round it: never more than a frame
  // apart, and the same wherever the fraction is below one half.
  for (int bpm : {110, 97}) {
    const auto [ours, klick] = both(bpm);
    ASSERT_EQ(klick.size(), 8u) << bpm;
    ASSERT_EQ(ours.size(), 8u) << bpm;
    for (std::int64_t n = 0; n < 8; ++n) {
      const std::int64_t floor = n * 48000 * 60 / bpm;
      EXPECT_EQ(klick[static_cast<std::size_t>(n)], floor) << bpm << " bpm, beat " << n;
      EXPECT_EQ(ours[static_cast<std::size_t>(n)], onset_frame(n, 48000, bpm));
      EXPECT_LE(ours[static_cast<std::size_t>(n)] - klick[static_cast<std::size_t>(n)], 1);
    }
  }
}

// --- Loudness -----------------------------------------------------------------------------------

TEST(Loudness, VolumeRule) {
  EXPECT_EQ(loudness_to_volume(-HUGE_VAL), 0);
  EXPECT_EQ(loudness_to_volume(-100.0), 0);
  EXPECT_EQ(loudness_to_volume(-60.0), 0);
  EXPECT_EQ(loudness_to_volume(-30.0), 50);
  EXPECT_EQ(loudness_to_volume(-23.0), 62);
  EXPECT_EQ(loudness_to_volume(0.0), 100);
  EXPECT_EQ(loudness_to_volume(3.0), 100);
  EXPECT_EQ(loudness_to_volume(std::nan("")), 0);
}

TEST(Loudness, SineAtMinus20DbfsPeakReadsMinus23Lufs) {
  Folder dir;
  for (int format : {SF_FORMAT_WAV | SF_FORMAT_PCM_16, SF_FORMAT_FLAC | SF_FORMAT_PCM_24}) {
    const fs::path path =
        dir / ((format & SF_FORMAT_TYPEMASK) == SF_FORMAT_WAV ? "sine.wav" : "sine.flac");
    write_audio(path, 48000, sine(48000, 3.0, 1000.0, 0.1), format);
    FileMeter meter(path);
    EXPECT_EQ(meter.rate(), 48000);
    EXPECT_EQ(meter.frames(), 3 * 48000);
    EXPECT_NEAR(meter.loudness_at(3 * 48000), -23.0, 0.1) << path;
  }
}

TEST(Loudness, StereoAndOtherRates) {
  Folder dir;
  // The same sine on both channels of a 44.1 kHz file: 3 dB louder than mono.
  const auto s = sine(44100, 2.0, 1000.0, 0.1);
  std::vector<float> stereo;
  for (float x : s) stereo.insert(stereo.end(), {x, x});
  SF_INFO info{};
  info.samplerate = 44100;
  info.channels = 2;
  info.format = SF_FORMAT_WAV | SF_FORMAT_FLOAT;
  SNDFILE* f = sf_open((dir / "stereo.wav").c_str(), SFM_WRITE, &info);
  ASSERT_NE(f, nullptr);
  sf_writef_float(f, stereo.data(), static_cast<sf_count_t>(s.size()));
  sf_close(f);
  FileMeter meter(dir / "stereo.wav");
  EXPECT_EQ(meter.channels(), 2);
  EXPECT_NEAR(meter.loudness_at(44100 * 2), -20.0, 0.1);
  // Ogg Vorbis too (lossy: a little looser).
  write_audio(dir / "sine.ogg", 48000, sine(48000, 2.0, 1000.0, 0.1),
              SF_FORMAT_OGG | SF_FORMAT_VORBIS);
  FileMeter ogg(dir / "sine.ogg");
  EXPECT_NEAR(ogg.loudness_at(48000 * 2), -23.0, 0.3);
  // After the recording's end: silence.
  EXPECT_EQ(loudness_to_volume(meter.loudness_at(44100 * 3)), 0);
}

TEST(Loudness, QuietThenLoudRecordingGivesQuietThenLoudClicks) {
  Folder dir;
  auto song = sine(48000, 2.0, 440.0, 0.001);      // about -63 LUFS: volume 0
  const auto loud = sine(48000, 2.0, 440.0, 0.5);  // about -9 LUFS: volume 84
  song.insert(song.end(), loud.begin(), loud.end());
  write_audio(dir / "song.wav", 48000, song, SF_FORMAT_WAV | SF_FORMAT_FLOAT);

  RenderOptions o;
  o.out = dir / "metered.wav";
  o.performance = steady(120, 8);  // beats at 0, 0.5, ..., 3.5 s
  FileMeter meter(dir / "song.wav");
  render_file(o, meter);
  const Audio a = read_audio(o.out);
  for (std::int64_t n : {0, 1, 2, 3})
    EXPECT_NEAR(peak_near(a.samples, 24000 * n, 960), volume_gain(0), 1e-3) << n;
  for (std::int64_t n : {5, 6, 7}) {
    EXPECT_GT(peak_near(a.samples, 24000 * n, 960), 20 * volume_gain(0)) << n;
    EXPECT_GE(peak_near(a.samples, 24000 * n, 960), volume_gain(80)) << n;
    EXPECT_LE(peak_near(a.samples, 24000 * n, 960), volume_gain(90)) << n;
  }

  // --mix: the recording sounds under the clicks.
  o.out = dir / "mixed.wav";
  o.mix = dir / "song.wav";
  FileMeter again(dir / "song.wav");
  render_file(o, again);
  const Audio m = read_audio(o.out);
  EXPECT_NEAR(peak_near(m.samples, 24000 * 7 + 2000, 20000), 0.5, 0.01);
  EXPECT_GT(peak_near(m.samples, 24000 * 7, 100), 0.5);
}

TEST(Loudness, BadRecordingsAreRejected) {
  Folder dir;
  EXPECT_THROW(FileMeter(dir / "missing.wav"), BadInput);
  std::ofstream(dir / "text.wav") << "not audio at all\n";
  EXPECT_THROW(FileMeter(dir / "text.wav"), BadInput);
  write_audio(dir / "whole.wav", 48000, sine(48000, 1.0, 440.0, 0.5),
              SF_FORMAT_WAV | SF_FORMAT_PCM_16);
  write_audio(dir / "whole.flac", 48000, sine(48000, 1.0, 440.0, 0.5),
              SF_FORMAT_FLAC | SF_FORMAT_PCM_16);
  EXPECT_NO_THROW(FileMeter(dir / "whole.wav"));
  EXPECT_NO_THROW(FileMeter(dir / "whole.flac"));
  for (const char* name : {"whole.wav", "whole.flac"}) {
    const fs::path cut = dir / (std::string("cut_") + name);
    fs::copy_file(dir / name, cut);
    fs::resize_file(cut, fs::file_size(cut) / 2);
    EXPECT_THROW(FileMeter{cut}, BadInput) << name;
  }
}

// Issue 11, item 5: a recording that ends loud read about -50 LUFS (volume 14) at every beat
// after its end, the filters' ringing caught in the window; past the end it reads silence.
TEST(Loudness, PastTheEndOfALoudRecordingIsSilence) {
  Folder dir;
  write_audio(dir / "loud.wav", 48000, sine(48000, 1.0, 3000.0, 1.0),
              SF_FORMAT_WAV | SF_FORMAT_FLOAT);
  FileMeter meter(dir / "loud.wav");
  EXPECT_GT(meter.volume_at(1, 48000, 48000), 50);
  for (std::int64_t frame = 48000 + 19200; frame < 48000 * 6; frame += 4801)
    EXPECT_EQ(meter.volume_at(0, frame, 48000), 0) << frame;
}

// A recording at a rate too low to measure is refused, not handed to libebur128 (at 16 Hz it
// corrupted the heap: fuzz/corpus/fuzz_file_meter/rate-16-hz.wav).
TEST(Loudness, ARecordingBelowTheLowestRateIsRefused) {
  Folder dir;
  for (const int rate : {16, 17, Loudness::kMinRate - 1}) {
    write_audio(dir / "low.wav", rate, sine(rate, 1.0, rate / 4.0, 0.5),
                SF_FORMAT_WAV | SF_FORMAT_FLOAT);
    try {
      FileMeter meter(dir / "low.wav");
      ADD_FAILURE() << rate << " Hz was taken";
    } catch (const BadRecording& e) {
      EXPECT_EQ(e.why, BadRecording::Why::unmeasurable) << rate;
    }
  }
  write_audio(dir / "low.wav", Loudness::kMinRate, sine(Loudness::kMinRate, 1.0, 1000.0, 0.5),
              SF_FORMAT_WAV | SF_FORMAT_FLOAT);
  EXPECT_GT(FileMeter(dir / "low.wav").volume_at(1, 8000, 8000), 0);
}

// A folder, a FIFO or a device is named for what it is, and never opened (a FIFO would block).
TEST(Loudness, ANonRegularRecordingIsNamed) {
  Folder dir;
  fs::create_directories(dir / "folder");
  ASSERT_EQ(::mkfifo((dir / "fifo").c_str(), 0600), 0);
  const std::string out = " --out " + (dir / "out.wav").string();
  for (const auto& [path, words] :
       {std::pair<std::string, std::string>{(dir / "folder").string(), "it is a folder"},
        {(dir / "fifo").string(), "not a regular file"},
        {"/dev/zero", "not a regular file"},
        {(dir / "none.wav").string(), "no such file"}}) {
    const CliRun r = cacophony_cli("render --bpm 120 --beats 2 --follow file:" + path + out);
    EXPECT_EQ(r.code, 2) << path << "\n" << r.out;
    EXPECT_NE(r.out.find(words), std::string::npos) << path << "\n" << r.out;
  }
}

TEST(Loudness, SimulatedMeterIsSeeded) {
  SimulatedMeter a(7), b(7), c(8);
  std::vector<int> va, vb, vc;
  for (int n = 0; n < 50; ++n) {
    va.push_back(a.volume_at(n, 0, 48000));
    vb.push_back(b.volume_at(n, 0, 48000));
    vc.push_back(c.volume_at(n, 0, 48000));
  }
  EXPECT_EQ(va, vb);
  EXPECT_NE(va, vc);
  for (int v : va) EXPECT_TRUE(v >= 0 && v <= 100);
}

// --- The command line ---------------------------------------------------------------------------

TEST(SoundRender, CommandWritesTheFile) {
  Folder dir;
  const CliRun r = cacophony_cli("render --bpm 120 --beats 4 --out " + (dir / "c.wav").string());
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(read_audio(dir / "c.wav").samples.size(), 4u * 24000);
}

TEST(SoundRender, BadInputGetsOneLineAndExitCodeTwoAndNoFile) {
  Folder dir;
  write_audio(dir / "song.wav", 44100, sine(44100, 1.0, 440.0, 0.5),
              SF_FORMAT_WAV | SF_FORMAT_PCM_16);
  fs::copy_file(dir / "song.wav", dir / "cut.wav");
  fs::resize_file(dir / "cut.wav", fs::file_size(dir / "cut.wav") / 2);
  std::ofstream(dir / "text.flac") << "not audio\n";
  fs::create_directory(dir / "folder.wav");
  const std::string out = " --out " + (dir / "out.wav").string();
  const std::string song = (dir / "song.wav").string();
  for (const std::string& args : {
           "--bpm 0 --beats 4" + out, "--bpm abc --beats 4" + out, "--bpm 120 --beats 0" + out,
           "--bpm 120 --beats 99999999999" + out, "--bpm 120 --beats 4 --rate 7999" + out,
           "--bpm 120 --beats 4 --rate 192001" + out, "--bpm 120 --beats 4 --rate fast" + out,
           "--bpm 120 --beats 4 --out " + (dir / "out.xyz").string(),
           "--bpm 120 --beats 4 --out " + (dir / "no/such/folder/out.wav").string(),
           "--bpm 120 --beats 4 --out " + (dir / "folder.wav").string(),
           "--bpm 120 --beats 4 --follow loud" + out,
           "--bpm 120 --beats 4 --follow file:" + (dir / "missing.wav").string() + out,
           "--bpm 120 --beats 4 --follow file:" + (dir / "cut.wav").string() + out,
           "--bpm 120 --beats 4 --follow file:" + (dir / "text.flac").string() + out,
           "--bpm 120 --beats 4 --mix" + out,
           "--bpm 1 --beats 10000000" + out,                                 // far beyond 4 GB
           "--bpm 1 --beats 10000000 --out " + (dir / "out.flac").string(),  // and 2^36 samples
       }) {
    const CliRun r = cacophony_cli("render " + args);
    EXPECT_EQ(r.code, 2) << args << "\n" << r.out;
    EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << args << "\n" << r.out;
    EXPECT_EQ(dir.names(),
              (std::vector<std::string>{"cut.wav", "folder.wav", "song.wav", "text.flac"}))
        << args;
  }
  const CliRun rate = cacophony_cli("render --bpm 120 --beats 4 --rate 5" + out);
  EXPECT_NE(rate.out.find("unsupported rate"), std::string::npos) << rate.out;
}

// --sounds: a 500 Hz accent and a 250 Hz normal sample at 44.1 kHz, resampled to 48 kHz, sound on
// the clicks' frames with their pitches; a sample that isn't there is bad input.
TEST(SoundRender, SoundsReplaceTheClicksAtAnyRate) {
  Folder dir;
  write_audio(dir / "hi.wav", 44100, sine(44100, 0.05, 500.0, 0.5),
              SF_FORMAT_WAV | SF_FORMAT_PCM_16);
  write_audio(dir / "lo.wav", 44100, sine(44100, 0.05, 250.0, 0.5),
              SF_FORMAT_WAV | SF_FORMAT_PCM_16);
  const fs::path out = dir / "samples.wav";
  const CliRun r = cacophony_cli("render 1 2/4 120 --volume 100 --sounds " + dir.at("hi.wav") +
                                 "," + dir.at("lo.wav") + " --out " + out.string());
  ASSERT_EQ(r.code, 0) << r.out;
  const Audio a = read_audio(out);
  const auto crossings = [&](std::size_t from) {
    int n = 0;
    for (std::size_t k = from + 1; k < from + 2400; ++k)
      n += (a.samples[k - 1] >= 0) != (a.samples[k] >= 0);
    return n;
  };
  EXPECT_NEAR(crossings(0), 50, 2) << "500 Hz for 50 ms";
  EXPECT_NEAR(crossings(24000), 25, 2) << "250 Hz for 50 ms";
  EXPECT_NEAR(peak_near(a.samples, 0, 2400), 0.5 * volume_gain(100), 0.01);
  const CliRun missing = cacophony_cli("render 1 2/4 120 --sounds " + dir.at("none.wav") +
                                       " --out " + dir.at("x.wav"));
  EXPECT_EQ(missing.code, 2) << missing.out;
  EXPECT_NE(missing.out.find("none.wav"), std::string::npos) << missing.out;
  EXPECT_FALSE(fs::exists(dir / "x.wav"));
}

// A recording at another rate is resampled under the clicks: a 440 Hz sine at 44.1 kHz mixed into
// a 48 kHz render is still 440 Hz, as long, and the clicks stay on their frames.
TEST(SoundRender, MixResamplesARecordingAtAnotherRate) {
  Folder dir;
  write_audio(dir / "song.wav", 44100, sine(44100, 2.0, 440.0, 0.25),
              SF_FORMAT_WAV | SF_FORMAT_PCM_16);
  const fs::path out = dir / "mixed.wav";
  const CliRun r =
      cacophony_cli("render --bpm 120 --beats 4 --follow file:" + (dir / "song.wav").string() +
                    " --mix --out " + out.string());
  ASSERT_EQ(r.code, 0) << r.out;
  const Audio a = read_audio(out);
  ASSERT_EQ(a.samples.size(), 4u * 24000);
  // Between clicks (20 ms to 500 ms), only the sine: count its zero crossings over 0.4 s.
  int crossings = 0;
  for (std::size_t k = 12000 + 1; k < 12000 + 19200; ++k)
    crossings += (a.samples[k - 1] >= 0) != (a.samples[k] >= 0);
  EXPECT_NEAR(crossings, 2 * 440 * 0.4, 2);
  EXPECT_NEAR(peak_near(a.samples, 12000, 4800), 0.25, 0.01);
  // The recording lasts 2 s of the render's 2 s: it reaches the end, at 48 kHz.
  EXPECT_GT(peak_near(a.samples, 4 * 24000 - 2400, 2000), 0.2);
}

TEST(SoundRender, SigintFinishesAValidFileAndExits130) {
  Folder dir;
  const fs::path out = dir / "long.wav";
  // 200 000 s at 8 kHz: 3.2 GB if it ran to the end, which it won't.
  Process rendering({CACOPHONY_BINARY, "render", "--bpm", "60", "--beats", "200000", "--rate",
                     "8000", "--out", out.string()});
  ASSERT_TRUE(rendering.started());

  // Wait for the output to be open: by then the handler is in place.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!open_in(dir.path()) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  rendering.signal(SIGINT);
  const int status = rendering.wait();
  ASSERT_NE(status, -1);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 130);
  EXPECT_EQ(dir.names(), std::vector<std::string>{"long.wav"});
  SF_INFO info{};
  SNDFILE* f = sf_open(out.c_str(), SFM_READ, &info);
  ASSERT_NE(f, nullptr) << sf_strerror(nullptr);
  EXPECT_GT(info.frames, 0);
  EXPECT_LT(info.frames, 200000LL * 8000);
  EXPECT_EQ(static_cast<std::uintmax_t>(info.frames) * 2 + 44, fs::file_size(out));
  sf_close(f);
}

}  // namespace
