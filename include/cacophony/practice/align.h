#pragma once
// Alignment: where a rhythm starts in a take when nobody said (no --start, no click track), and
// whether the take's hits fit the rhythm's grid at all.
//
// Guarantees
// - find_start() places the rhythm's timeline (its count-in first, when it has one) on the take
//   where the most clicks have a hit near them (within kAlignToleranceMs, and a quarter of the
//   closest two clicks' spacing), less the grid positions left without one before the take's end
//   (a count-in the take does not hold costs nothing): offsets are tried from every pair of one
//   of the first kAlignHits hits and one of the timeline's first kAlignClicks clicks, and among
//   equals the earliest wins (a take starts with its first beat, not a beat into the rhythm; so a
//   missed first beat is told from a later start by a count-in heard, or by the rhythm's end
//   within the take, and otherwise not). The offset is then refined to the median residual of
//   the hits near the clicks.
// - When the rhythm has a count-in and the take holds it (all its clicks but one at most, two at
//   least, heard where they belong), the count-in's clicks alone refine the offset: they are the
//   click, so a player who is late throughout is measured late.
// - Without a count-in heard, a late start and a player late throughout look alike: the offset
//   is the one that puts the matched hits' median on the grid (From::hits says so).
// - judge_fit() calls a fit poor when fewer than half the hits are within kNearMs of their
//   positions, or when the hits' spacing gives a tempo more than kTempoOffShare off the grid's.
//
// Thread safety: pure functions.

#include <cstdint>
#include <optional>
#include <vector>

#include "cacophony/practice/practice.h"
#include "cacophony/rhythm/rhythm.h"

namespace cacophony::practice {

inline constexpr double kAlignToleranceMs = 50;  // a hit this near a position fits it
inline constexpr std::size_t kAlignHits = 32;    // the take's first hits, noise before included
inline constexpr std::size_t kAlignClicks = 32;  // the timeline's first clicks, count-in included
inline constexpr double kNearMs = 50;            // a hit this near its position fits the grid
inline constexpr double kTempoOffShare = 0.04;   // "a few percent" off the grid's tempo

struct Start {
  enum class From { count_in, hits };
  std::int64_t frame = 0;  // the timeline's first frame in the take (may be < 0)
  From from = From::hits;
};

// Where `performance` (whose grid is `grid`, as positions() gives it) starts in a take of
// `take_frames` frames at `rate` with `hits`; nothing without hits.
std::optional<Start> find_start(const rhythm::Performance& performance,
                                const std::vector<Position>& grid, const std::vector<Hit>& hits,
                                int rate, std::int64_t take_frames);

// The count-in's clicks heard in a take (a count-in found there, or a click bleeding into the
// microphone) are the click, not the player: drop_count_in() takes out of `hits` each one within
// kAlignToleranceMs of a count-in click of `performance` whose timeline starts at `start` (hits
// heard `latency_ms` after they sounded), and returns how many it took.
std::size_t drop_count_in(std::vector<Hit>& hits, const rhythm::Performance& performance, int rate,
                          std::int64_t start, double latency_ms);

struct Fit {
  bool poor = false;
  double near_share = 1;           // the share of hits within kNearMs of their positions
  std::optional<double> hits_bpm;  // the tempo of the hits' spacing, when it shows one
  bool tempo_off = false;          // hits_bpm more than kTempoOffShare off the grid's
};

Fit judge_fit(const Result& result);

}  // namespace cacophony::practice
