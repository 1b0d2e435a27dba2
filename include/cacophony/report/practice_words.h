#pragma once
// A practice take in a musician's words: the sentences the report page shows and the command
// line prints, the same on both. Plain words, no statistics' names: "bars 5–8 rushed by 15 ms",
// "slowed from 122 to 114 bpm in bars 9–12", "12.0 ms late", "steadiness ±13.0 ms".
//
// Thread safety: pure functions.

#include <cstdint>
#include <string>
#include <vector>

#include "cacophony/practice/phases.h"
#include "cacophony/practice/practice.h"

namespace cacophony {

// "bar 3", "bars 5–8".
std::string bars_words(std::int64_t first, std::int64_t last);
// A mean offset: "12.0 ms late", "3.1 ms early", "on the beat" (under 0.05 ms either way).
std::string offset_words(double mean_ms);
// "bars 5–8 rushed by 15 ms", "bars 9–12 dragged by 20 ms", "bars 1–4 steady (+0.4 ms)".
std::string phase_words(const practice::Phase& phase);
// One sentence a phase of practice::phases(), in order; none without hits.
std::vector<std::string> phases_words(const practice::Result& result);
// The tempo over time, one sentence a phase of practice::tempo_phases(): "held 120 bpm
// throughout" for one held phase; else "held 120 bpm in bars 1–8", "slowed from 120 to 114 bpm
// in the last four bars", "sped up from 114 to 121 bpm in bars 9–12", the first phase off the
// click as "started at 126 bpm, faster than the click (120), in bars 1–4". None without two bars'
// tempi.
std::vector<std::string> tempo_words(const practice::Result& result);

}  // namespace cacophony
