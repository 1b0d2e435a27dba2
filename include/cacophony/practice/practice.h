#pragma once
// Practice: the project's measurements pointed at the player. A player's hits (onsets found in
// what they played) are matched to the rhythm's grid (its beats and subdivisions), and each one
// is measured as the scenarios' beats are: how early or late, how steady, what was missed, what
// was extra, and at what tempo the player really played, also where the click was muted.
//
// Guarantees
// - detect_hits() finds strokes where a band of the signal rises sharply over the room's noise
//   floor (learnt from the take's first half second, then from its last seconds) and over the
//   projected decay of what sounded before, and refines each to its attack, its first sample at
//   a tenth of its peak (over a tail, where what a predictor could not foretell first steps up;
//   see onsets.cpp for the method, thresholds and why). Decay tails, reverb, noise and hum do not
//   fire, nor a stroke's own decay rattling more than 32 dB under it. Its levels are the take's
//   own (its floor, its loudest sample so far; only digital near-silence is a level in dBFS): a
//   take recorded 20 dB lower gives the same hits, to the frame.
// - Flams and ghost notes, one rule: strokes closer than kFlamMs are one hit (a flam: a grace
//   stroke and its main stroke, or a clap's bursts), timed by the first that comes within 3 dB
//   of the loudest (each weighed by its own peak, before the next starts): a grace stroke 6 dB or
//   more under its main stroke gives way to it. A main stroke that starts while its grace note
//   still sounds is found where the signal starts again as the grace note did (a flam of one
//   sample, as a drum machine plays it; see onsets.cpp). Any other stroke is a hit, however soft
//   (a ghost note), if it rises over the floor and over what came before as above, and peaks no
//   more than 57 dB under the loudest sample heard so far.
// - measure() matches each position of the grid with at most one hit: the nearest within half
//   the interval to each neighbouring position (and never beyond kMaxOffsetMs). A position
//   without one is missed; a hit without one is extra. Offsets are hit minus position, in ms,
//   after `latency_ms` is taken from each hit (negative: early).
// - The player's tempo is fitted by least squares to the matched hits' times against their
//   positions' times (player_bpm = the grid's first tempo / slope); muted_bpm the same over the
//   hits in muted bars only (absent without two of them).
//
// Thread safety: functions are pure; an OnsetDetector is used by one thread at a time. Not for
// the audio thread (it allocates). Memory: an OnsetDetector holds a few seconds of levels and
// the signal back to its earliest undecided stroke, however long the take.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cacophony/rhythm/rhythm.h"

namespace cacophony::practice {

inline constexpr double kFlamMs = 35;
inline constexpr double kMaxOffsetMs = 150;

// A grid position the player should hit.
struct Position {
  std::int64_t frame = 0;  // from the grid's first frame
  std::int64_t bar = 1;
  int beat = 1;  // from 1
  int sub = 0;   // 0 on the beat
  bool muted = false;
  int voice = 0;  // 0: the beat; 1.. a polyrhythm's voice, `beat` then counting its clicks
};

// A hit found in what the player played.
struct Hit {
  std::int64_t frame = 0;  // its attack
  float peak = 0;          // the largest absolute sample within kFlamMs of the attack
};

// Which bars the click is silent in (gap training): `on` bars played then `off` bars muted, over
// and over, or each bar muted with probability `random` (from `seed`). No bar muted by default.
struct MutePlan {
  int on = 0;
  int off = 0;
  double random = 0;
  std::uint64_t seed = 1;
  bool muted(std::int64_t bar) const;
};

// Every beat and subdivision of `performance` (count-in left out), at `rate`, muted as `plan`
// says. The performance must end.
std::vector<Position> positions(const rhythm::Performance& performance, int rate,
                                const MutePlan& plan);

// The click as the microphone hears it, when the player practises with speakers: its sounds (at
// the take's rate, each kind at its level) and where each click starts, in order. The click is
// not the player: the detector takes each click out of the signal before it looks for strokes,
// scaled by the median of the least-squares gains of the last 16 clicks (robust to a stroke on
// the click, and following a speaker turned down). Hits near a click come out once all of it has
// come in. Where the clicks told are where they went out rather than where the microphone hears
// them (a click track beside a take: the speaker is metres from the microphone), `max_delay`
// says how much later they may be heard, in frames: the detector finds the delay within
// [0, max_delay] on which the first kBleedDelayClicks clicks' correlations with the signal agree,
// and holds back the signal from the first click on until it has them.
struct ClickBleed {
  struct Click {
    std::int64_t frame = 0;
    std::size_t sound = 0;  // into `sounds`
  };
  std::vector<std::vector<float>> sounds;
  std::vector<Click> clicks;
  std::int64_t max_delay = 0;
};
inline constexpr std::size_t kBleedDelayClicks = 16;

// Streaming onset detection: mono blocks in, hits out, in order.
class OnsetDetector {
 public:
  // Throws std::invalid_argument if `rate` is not positive, or the clicks are out of order, name
  // a sound not given or may come a negative delay late.
  explicit OnsetDetector(int rate, ClickBleed bleed = {});
  ~OnsetDetector();
  OnsetDetector(const OnsetDetector&) = delete;
  OnsetDetector& operator=(const OnsetDetector&) = delete;

  // The next `n` samples; appends the hits that are certain by now to `out`.
  void feed(const float* samples, std::size_t n, std::vector<Hit>& out);
  // The end of the signal: appends the hits still held.
  void finish(std::vector<Hit>& out);
  // Every hit whose frame is before this one has been given out by feed(): no later hit can come
  // before it.
  std::int64_t settled() const;
  // How much later than told the clicks told (ClickBleed) were heard, in frames, once found from
  // the first kBleedDelayClicks clicks (or at finish()); none before, without clicks told, or with
  // max_delay 0 (then none is looked for).
  std::optional<std::int64_t> click_delay() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// All the hits in `samples`, at `rate`.
std::vector<Hit> detect_hits(const std::vector<float>& samples, int rate, ClickBleed bleed = {});

struct Matched {
  Position position;
  std::int64_t hit_frame = 0;  // as heard, latency taken off
  double offset_ms = 0;
};

struct Extra {
  std::int64_t frame = 0;
  double time_ms = 0;  // from the grid's first frame
};

struct Figures {
  std::size_t hits = 0;
  std::size_t missed = 0;
  std::size_t extra = 0;
  double mean_offset_ms = 0;  // rushing (< 0) or dragging (> 0)
  double sd_ms = 0;           // steadiness
  double within_10ms = 0;     // share of hits, 0..1
  double within_25ms = 0;
};

struct BarFigures {
  std::int64_t bar = 1;
  bool muted = false;
  Figures figures;
};

// How a take's grid was placed in it (analyze), for the reports: the caller's words, as measure()
// knows nothing of where the grid came from.
struct Alignment {
  double start_s = 0;  // where the rhythm (its count-in first) starts in the take
  // What placed it, in the caller's words: "--start", "--click-track", "count-in", "hits" (or
  // "none": no hits to place it by).
  std::string found_by;
  bool good_fit = true;  // align.h's judge_fit()
  std::string advice;    // what to try when the fit is poor, else empty
};

struct Result {
  int rate = 48000;
  std::vector<Position> grid;
  std::vector<Matched> hits;
  std::vector<Position> missed;
  std::vector<Extra> extra;
  std::vector<BarFigures> bars;
  Figures overall;
  std::optional<double> player_bpm;
  std::optional<double> muted_bpm;     // the player's tempo in muted bars
  double grid_bpm = 0;                 // the grid's first tempo
  std::optional<Alignment> alignment;  // set by analyze, not by measure()
};

Result measure(const std::vector<Position>& grid, const std::vector<Hit>& hits, int rate,
               double latency_ms, double grid_bpm);

// A take measured bar by bar as it comes in (practice, live), each bar once and at the same cost
// however long the take: a bar's figures are those measure() gives that bar of the whole take,
// found from its own positions, their neighbours and the hits between those alone. (The one
// exception: a hit exactly half way between a bar's first or last position and its neighbour in
// the bar before or after is a candidate for both, which measure() settles by what else is near
// them.)
// The grid's last bar is never complete here: it has no next bar (measure() the take for it).
class BarMeasure {
 public:
  BarMeasure(std::vector<Position> grid, int rate, double latency_ms, double grid_bpm);
  // The next hit found, in order of frame.
  void add(const Hit& hit);
  // The bars now complete, in order, each once: `settled` says that every hit before that frame
  // has been added (OnsetDetector::settled()).
  std::vector<BarFigures> complete(std::int64_t settled);

 private:
  std::vector<Position> grid_;
  int rate_;
  double latency_ms_;
  std::int64_t latency_;  // frames, as measure() rounds it
  double grid_bpm_;
  std::size_t next_ = 0;   // the first position of the first bar not yet measured
  std::vector<Hit> held_;  // the hits from the previous bar's last position on
};

}  // namespace cacophony::practice
