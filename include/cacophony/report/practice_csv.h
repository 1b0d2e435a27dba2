#pragma once
// A practice take as CSV, for a spreadsheet: one row per grid position, and one per extra hit.
//
// Guarantees
// - The first line names the columns: bar,beat,sub,position_s,muted,hit_s,offset_ms,status.
// - A position's row: its bar, beat (from 1), sub (0 on the beat), position_s (seconds from the
//   grid's first position), muted (yes|no), and, when it was hit, hit_s (the hit as heard,
//   latency taken off, in seconds from the same origin) and offset_ms (hit minus position,
//   negative: early); status hit, or missed with hit_s and offset_ms empty.
// - An extra hit's row: only hit_s, and status extra; bar, beat, sub, position_s, muted and
//   offset_ms empty.
// - Rows in order of time (a position's, or an extra hit's), positions first at equal times. A
//   value that is not finite is empty. Lines end with "\n"; no field needs quoting.
//
// Thread safety: a pure function.

#include <string>

#include "cacophony/practice/practice.h"

namespace cacophony {

std::string practice_csv(const practice::Result& result);

}  // namespace cacophony
