#pragma once
// A take's shape over time, as a musician reads it: the phases in which the player rushed,
// dragged or sat on the beat, and the tempo they played, bar by bar and in phases. An overall
// mean of -0.2 ms can hide four bars rushed by 15 ms and four dragged by 20.
//
// Guarantees
// - phases(): each bar with at least one hit leans one way: rushed or dragged when it has
//   kMinLeaningHits hits or more, its mean offset is at least kLeanMs from the grid and at least
//   kStandardErrors standard errors (its hits' sd / sqrt(hits)) from it, so that a mean the bar's
//   own scatter would give by chance is not called a lean; steady otherwise. Neighbouring bars
//   (bars without hits are passed over) that lean the same way are one run; a rushed or dragged
//   run shorter than kMinPhaseBars is a moment, not a phase, and counts as steady; steady runs
//   that then touch are one. The phases cover every bar with hits, in order; a phase's mean is
//   over all its hits.
// - tempo_by_bar(): the tempo of each bar with two hits or more, fitted as fitted_bpm() over that
//   bar's hits alone.
// - tempo_phases(): the same rule over those tempi: a bar is faster or slower when its tempo is
//   kTempoShare or more off the grid's, held otherwise; runs of kMinPhaseBars or more; a phase's
//   bpm is the mean of its bars'.
// - fitted_bpm(): the slope of hit times against position times, by least squares, as a tempo:
//   `grid_bpm` / slope. Absent without two hits at different positions, or for a slope <= 0.
//
// Tempi are relative to the grid's first tempo (Result::grid_bpm), as Result::player_bpm is: a
// player who follows a ramp in the grid has the first tempo in every bar.
//
// Thread safety: pure functions.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "cacophony/practice/practice.h"

namespace cacophony::practice {

// 5 ms: beyond the detector's own timing error (±2 ms, BENCHMARKS.md) with room to spare, and
// about where trained drummers hear themselves off the click.
inline constexpr double kLeanMs = 5;
// One hit says nothing about a bar's spread; two at least.
inline constexpr std::size_t kMinLeaningHits = 2;
// Two standard errors: a mean the hits' scatter gives by chance about one bar in twenty.
inline constexpr double kStandardErrors = 2;
// One bar off is a slip; two in a row are a phase (and a musician counts in bars).
inline constexpr std::int64_t kMinPhaseBars = 2;
// 2 %: about 2.4 bpm at 120, more than a bar's fit varies with hits ±10 ms off (about 1 %), less
// than the drift a player notices (3-5 %).
inline constexpr double kTempoShare = 0.02;

enum class Lean { steady, rushed, dragged };

struct Phase {
  std::int64_t first_bar = 1;
  std::int64_t last_bar = 1;
  Lean lean = Lean::steady;
  double mean_offset_ms = 0;  // over the phase's hits
  std::size_t hits = 0;
};

std::vector<Phase> phases(const Result& result);

struct BarTempo {
  std::int64_t bar = 1;
  double bpm = 0;
  std::size_t hits = 0;
};

std::vector<BarTempo> tempo_by_bar(const Result& result);

enum class Pace { held, faster, slower };

struct TempoPhase {
  std::int64_t first_bar = 1;
  std::int64_t last_bar = 1;
  Pace pace = Pace::held;
  double bpm = 0;  // the mean of its bars' tempi
};

std::vector<TempoPhase> tempo_phases(const Result& result);

std::optional<double> fitted_bpm(const std::vector<Matched>& hits, double grid_bpm);

}  // namespace cacophony::practice
