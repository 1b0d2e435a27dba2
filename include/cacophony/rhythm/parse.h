#pragma once
// Reading a rhythm as a musician writes it: klick's positional words and klick's tempo maps.
//
// Positional words (parse_words): [bars] [meter] tempo[-tempo2[/accel]] [pattern]
// - bars: a whole number, 1..100000; without it the rhythm plays until stopped.
// - meter: n/d, n in 1..64, d in 1, 2, 4, 8, 16, 32; default 4/4.
// - tempo: quarter notes per minute, 1 <= tempo <= 1000, fractions allowed (92.5).
//   tempo-tempo2/accel is klick's speed trainer: from tempo, 1 bpm faster (or slower) every
//   `accel` bars, continuously, until tempo2, then steady. tempo-tempo2 without /accel ramps
//   across all the bars (and needs them).
// - pattern: X accent, x normal, . rest, one per beat of the bar.
// - voices (a polyrhythm), after everything else, up to three: +CLICKS[:PATTERN][@VOLUME], a voice
//   of CLICKS even clicks across each bar (+3 in 4/4 is 3 against 4), its own accents (one X, x
//   or . a click; default an accent on its first) and volume factor (0..10, default 1).
//
// Tempo maps (parse_map, read_map): klick's format, one section per line,
//   [label:] bars [meter] tempo[-tempo2 | ,t1,t2,...] [pattern] [volume] [voices]
// with `#` comments and blank lines, CRLF or LF line ends, and a UTF-8 byte-order mark at the
// start or not. The meter defaults to 4/4 (not to the line before, as in klick), the volume to
// 1.0 (0..10). tempo1-tempo2 ramps across the section; a tempo list has one tempo per beat of
// the section.
//
// Every error is a RhythmError naming the source (a file name, or "" for the command line), the
// line (1-based; 0 when no line applies) and what is wrong, in words for a musician.
// A map with no sections (empty, or only comments and blank lines) is an error on line 0.

#include <cstdint>
#include <filesystem>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "cacophony/rhythm/rhythm.h"

namespace cacophony::rhythm {

struct RhythmError : std::runtime_error {
  RhythmError(std::string source, int line, std::string problem)
      : std::runtime_error(problem),
        source(std::move(source)),
        line(line),
        problem(std::move(problem)) {}
  std::string source;
  int line;
  std::string problem;
};

inline constexpr std::int64_t kMaxBars = 100000;
inline constexpr double kMaxTempo = 1000;
// A map is read a line at a time; longer lines and bigger files are refused, unread. A map of
// more sections is refused at the first one too many: a section costs some 350 bytes by the time
// it plays (its Section, and its place on the Timeline), so 16 MiB of four-byte lines ("1 1")
// would otherwise take gigabytes. With the limit, the sections of the largest map take about
// 35 MB, and its tempo lists (two bytes of text a tempo at least) some 12 bytes a byte of text.
inline constexpr std::size_t kMaxLineBytes = 4096;
inline constexpr std::uintmax_t kMaxMapBytes = 16u << 20;
inline constexpr std::size_t kMaxSections = 100000;

// The positional words of render and play, in order. Empty `words` is an error.
Performance parse_words(std::span<const std::string> words);

// A map's text; `source` names it in errors.
Performance parse_map(std::string_view text, const std::string& source);

// Reads and parses the map at `file`: a missing or unreadable file, a folder, a file that is not
// text (a NUL byte, or not UTF-8), a line over kMaxLineBytes, a file over kMaxMapBytes or a map
// of more than kMaxSections sections is a RhythmError.
Performance read_map(const std::filesystem::path& file);

// A setlist, or the presets: one named rhythm a line, `NAME: RHYTHM`, with `#` comments and blank
// lines (CRLF, a byte-order mark and the map's size limits taken as a map's). NAME is written as
// a map's labels are, each once; RHYTHM is either the command line's words (8 4/4 120 X.x. +3),
// checked as parse_words checks them, or `map FILE`, a tempo map, relative to `folder`, read
// and checked. Every error is a RhythmError with the list's source and line; a map's own error
// names the map and its line after them.
struct NamedRhythm {
  std::string name;
  std::vector<std::string> words;  // empty for a map
  std::filesystem::path map;       // empty for words
  int line = 0;
};
std::vector<NamedRhythm> parse_named_rhythms(std::string_view text, const std::string& source,
                                             const std::filesystem::path& folder);
// Reads and parses the list at `file` (refused as read_map refuses a map file); an empty list (only
// comments) is an error on line 0.
std::vector<NamedRhythm> read_named_rhythms(const std::filesystem::path& file);
// The performance a named rhythm stands for.
Performance performance_of(const NamedRhythm& rhythm);

// The performance from the first section labelled `label` on (klick's -l finds the first of
// labels that repeat), its bars numbered as in the whole map.
// An unknown label is a RhythmError (source `source`, line 0) that lists the labels there are.
Performance start_at(const Performance& performance, std::string_view label,
                     const std::string& source);

// The performance cut after `beats` beats (1..), counted over its sections.
Performance limit_beats(const Performance& performance, std::int64_t beats);

// klick's -x: every tempo times `factor` (a constant tempo, a ramp's ends, each of a list's
// tempi), a ramp still over the same beats, as klick's is. A factor that is not positive and
// finite, or a tempo it takes outside [Tempo::kMin, kMaxTempo], is a RhythmError naming the
// section's line when it has one (`source`: where the performance came from).
void scale_tempo(Performance& performance, double factor, const std::string& source);

// klick's -e and -E: as written, no accents (every X played as x), or every beat an accent (every
// x played as X: klick's "emphasized beats only" means the accent's sound only). Rests stay
// rests. A default pattern (an accent on the first beat) is written out first. The count-in
// takes the first section's pattern, as always.
enum class Emphasis { as_written, none, all };
void set_emphasis(Performance& performance, Emphasis emphasis);

}  // namespace cacophony::rhythm
