#pragma once
// A practice take, reported: its data as JSON, and one self-contained HTML page (style, script
// and data inlined, nothing fetched from the network) that draws the take against the grid.
//
// Guarantees
// - practice_json() holds every grid position, hit, missed position, extra hit and bar of the
//   Result, and the figures; times are in ms from the grid's first frame. A figure that is absent
//   (a tempo not fitted, a mean over no hits) or not finite is null, never NaN.
// - practice_page() holds the same JSON (its script draws the grid row, the hits coloured by
//   their error, the muted bars, the missed positions, the extra hits, a plot of the offsets
//   over time with the phases across their bars, and a plot of the tempo bar by bar from it),
//   and, written here and readable without the script: the take at a glance in words (its
//   phases and its tempo over time, practice_words.h), a summary table, and the muted bars' key
//   only when some bar was muted.
// - Text from PracticePageInfo is escaped wherever it appears on the page.
//
// Thread safety: pure functions.

#include <string>

#include "cacophony/practice/practice.h"

namespace cacophony {

// What the page says about the take beyond its measurements.
struct PracticePageInfo {
  std::string take;    // the take's name, e.g. its file's name; any text
  std::string rhythm;  // the rhythm's words as the player gave them, e.g. "4/4 120 x8"
};

// The take's data: `rate`, `grid_bpm`; `grid` [{bar, beat, sub, time_ms, muted}]; `hits`
// [{bar, beat, sub, time_ms (the position's), hit_ms, offset_ms, muted}]; `missed` [{bar, beat,
// sub, time_ms, muted}]; `extra` [{time_ms}]; `bars` [{bar, muted, start_ms, end_ms, hits,
// missed, extra, mean_offset_ms, sd_ms, within_10ms, within_25ms}]; `summary` {hits, missed,
// extra, mean_offset_ms, sd_ms, within_10ms, within_25ms, player_bpm, muted_bpm}; `phases`
// [{first_bar, last_bar, lean (rushed|dragged|steady), mean_offset_ms, hits, words}]; `tempo`
// [{bar, bpm, hits}] (bars with two hits or more); `tempo_phases` [{first_bar, last_bar, pace
// (held|faster|slower), bpm}]; `tempo_words` [sentence] (practice/phases.h, practice_words.h);
// with an Alignment, `alignment` {start_s, found_by, fit ("good" or "poor"), advice} (not on
// the page).
// Bars and beats count from 1, `sub` is 0 on the beat, shares are 0..1.
std::string practice_json(const practice::Result& result);

std::string practice_page(const practice::Result& result, const PracticePageInfo& info);

}  // namespace cacophony
