#pragma once
// The practice corpus: takes of a drummer's performance made from recorded samples, with the
// truth known, over the conditions a detector meets in real rooms (issue 24). The benchmark
// (bench/practice_corpus) and the tests (tests/corpus_test.cpp) use it; detectors are tuned on
// the tuning half and reported on the held-out half.
//
// A take (make_take)
// - A rhythm of `bars` bars of 4/4 (4..8 from the seed) at 90..140 bpm (from the seed), its grid
//   from practice::positions(): beats, 8ths or 16ths (16ths only up to 110 bpm), no count-in. The
//   grid starts after a lead-in of 1..2 s (the seed) with nothing but the noise (and no click),
//   where a detector can learn the floor; 1.5 s follow the last position (decays, reverb).
// - The player hits every position but the skipped ones (about 1 in 20, at least one; never the
//   first), each stroke at a uniform offset within +-30 ms of its position. Levels, as the peak of
//   the sample (each sample is normalised to peak 1 first): the bar's first beat -6 dBFS (the
//   accent), other beats -8..-11 dB, subdivisions -11..-16 dB.
// - The rule for ghost notes and flams (the detector follows it):
//   - A ghost note is an intended stroke, soft (6..18 dB under the stroke before it, so never
//     more than 24 dB under the accent), played half way between two played strokes of the grid
//     at least 160 ms apart (so >= 80 ms from either). A detector must find it; measure() counts
//     it as an extra hit, as it is no grid position. At most one a bar: each pair of neighbouring
//     strokes that leaves room for one gets it with probability 1/2, until the bar has one.
//   - A flam is a grace stroke 10..30 ms before a main stroke and 6..12 dB softer than it: the two
//     are ONE stroke, timed at the main stroke's attack (kind flam). Finding the grace stroke as
//     well is an extra. About one stroke in ten has one (none on strokes under 120 ms apart).
// - A sample's attack is its first sample reaching a tenth of its peak (tests/practice_test.cpp
//   holds the detector to the same); a stroke's truth frame is where that sample lands.
// - The strokes (and the click, when it bleeds) go through the room (sox reverb, when rt60 > 0),
//   then the noise is added.
// - SNR: the softest intended stroke's RMS over the 50 ms from its attack, dry (before reverb) and
//   alone, against the noise's RMS over the whole take: 20 log10(stroke / noise). A condition
//   with noise_dbfs sets the noise's RMS in dBFS instead. Noises: white (Gaussian), pink (Paul
//   Kellet's filter on white), brown (white through a leaky integrator, pole 0.999 at 48 kHz:
//   rumble below ~10 Hz, falling 6 dB/octave), hum at 50 or 60 Hz with its first 6 harmonics at
//   1/k amplitude and phases from the seed.
// - Reverb: sox's `reverb REVERBERANCE 50 ROOM-SCALE` (dry and wet, no pre-delay), calibrated by
//   the Schroeder decay of an impulse (T20 x 3, at 48 kHz): rt60 0.15 s -> 0 0; 0.3 -> 42 20
//   (measured 0.31 s); 0.6 -> 62 20 (0.60 s); 1.0 -> 76 20 (1.02 s). 0.15 s is sox's shortest.
//   sox adds no delay: the dry attack keeps its frame (tested).
// - Click bleed: the metronome's own click (sound::ClickSounds::synthesised at the take's rate;
//   accent on beat 1, normal on other beats, subdivision between) starts on every grid frame, its
//   peak `bleed_db` relative to the accent stroke's peak, through the same room. It is not a
//   stroke: a detected click is an extra.
// - Samples: Debian's hydrogen-data kits (/usr/share/hydrogen/data/drumkits), read through
//   libsndfile, folded to mono, resampled with sound::Resampler; the non-drum notes are rendered
//   from FluidR3_GM.sf2 by `fluidsynth` once into the cache folder (the build folder's
//   corpus-cache/, where sox's temporary files go too, removed after each run).
// - Deterministic: the same condition and seed give the same samples, bit for bit.
//
// The split: seeds are 1, 2, 3...; odd seeds are held out, even seeds are for tuning.
//
// evaluate(): each detected hit is matched to at most one intended stroke and each stroke to at
// most one hit, within +-25 ms, nearest pair first. Matched: true positives; strokes left: misses;
// hits left: extras. Timing errors are hit minus stroke in ms.
//
// Thread safety: functions may run on several threads at once (the sample cache locks). Errors
// (a missing kit, sox or fluidsynth failing) throw std::runtime_error.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cacophony/practice/practice.h"

namespace cacophony::corpus {

enum class Noise { none, white, pink, brown, hum50, hum60 };

struct Condition {
  std::string name;    // short and stable, e.g. "snare-soft/48k/pink/snr20/rt0.3/bleed-20"
  std::string family;  // base, instrument, rate, noise, snr, reverb, bleed, hard, issue
  // kit (GMRockKit kick, snare, hat), snare-soft, snare-hard, kick, hat-closed, hat-open, clap,
  // rimshot, toms, cymbal, 808 (TR808EmulationKit kit), marimba, guitar (fluidsynth), and the
  // issue's 808-snare.
  std::string instrument = "kit";
  int rate = 48000;
  Noise noise = Noise::pink;
  double snr_db = 30;                // against the softest intended stroke (above)
  std::optional<double> noise_dbfs;  // the noise's RMS instead of an SNR
  double rt60 = 0;                   // s; 0: dry
  std::optional<double> bleed_db;    // the click's peak relative to the accent's; none: no click
  int bars = 0;                      // 0: 4..8 from the seed
  int subdivide = 0;                 // 1, 2 or 4; 0: from the seed
  int skipped = -1;                  // positions the player skips; -1: about 1 in 20
  bool ornaments = true;             // ghost notes and flams
};

// Every condition, or those of one family (the base condition belongs to every family).
// Throws std::invalid_argument for an unknown family.
std::vector<Condition> conditions(std::string_view family = {});
// The family names conditions() takes.
std::vector<std::string> families();

bool held_out(std::uint64_t seed);
enum class Set { tuning, held_out };
// The first `n` seeds of a set.
std::vector<std::uint64_t> seeds(Set set, std::size_t n);

enum class Kind { main, ghost, flam };

struct Stroke {
  std::int64_t frame = 0;  // its attack, in the take's samples
  Kind kind = Kind::main;
  std::optional<std::size_t> position;  // into Take::grid; none for a ghost
  double peak_db = 0;                   // the sample's peak as played, dBFS
};

struct Take {
  Condition condition;
  std::uint64_t seed = 1;
  int rate = 48000;
  double bpm = 120;
  std::vector<float> samples;
  std::int64_t grid_start = 0;           // the grid's first frame in `samples`
  std::vector<practice::Position> grid;  // frames from grid_start, as positions() gives
  std::vector<Stroke> strokes;           // the intended strokes, in order of frame
  std::vector<std::size_t> skipped;      // into grid
  std::vector<std::int64_t> clicks;      // the bleeding clicks' first frames, in `samples`
  double softest_rms = 0;                // the SNR's reference stroke (above)
  double noise_rms = 0;
};

Take make_take(const Condition& condition, std::uint64_t seed);

// The click as the metronome that played it knows it (its sounds, and where each started), for a
// detector told to tell it from the player; empty when the take has no click. As with
// `analyze --click-track`, the detector is not told how late the microphone hears it
// (ClickBleed::max_delay is practice::kBleedDelayMs): it finds that.
practice::ClickBleed told_click(const Take& take);

struct Score {
  std::size_t strokes = 0;
  std::size_t true_positives = 0;
  std::size_t misses = 0;
  std::size_t extras = 0;
  double precision = 1;  // 1 with no hit at all
  double recall = 1;     // 1 with no stroke at all
  double f = 1;
  std::vector<double> errors_ms;  // hit minus stroke, of each match, in order of stroke
  std::vector<std::optional<std::size_t>> match;  // per stroke: the hit matched to it
};

inline constexpr double kMatchMs = 25;

Score evaluate(const std::vector<Stroke>& truth, const std::vector<practice::Hit>& hits, int rate);

}  // namespace cacophony::corpus
