#pragma once
// The rhythm model: what a musician's metronome plays, as a list of sections, and the timeline
// that places every click of it on a frame.
//
// A Performance is a list of Sections played one after the other, with a Feel over all of them
// (subdivisions, swing, count-in). A section has a meter n/d, a length in beats (whole bars from
// a map; any count from --beats), a tempo in quarter notes per minute (constant, a ramp, or one
// per beat), an accent pattern and a volume factor.
//
// Time (Timeline)
// - One beat of meter n/d is 4/d quarter notes: at tempo T it lasts 60 * 4 / (d * T) seconds.
// - A ramp from a to b over R beats makes the tempo linear in beat position x:
//   T(x) = a + (b - a) * x / R for x <= R, and b after. Time is its exact integral,
//   t(x) = 60 * q * R / (b - a) * ln(T(x) / a) (q the beat's quarters), so a beat that goes from
//   a to b lasts 60 * q * ln(b / a) / (b - a) seconds.
// - A tempo list holds each beat at its own tempo.
// - Every click's frame is round(rate * (section_start + t(x))), with x the click's position in
//   its section (its beat index plus the subdivision's fraction). Nothing is summed click by
//   click: only each section's start is the sum of the durations before it, so a section starts
//   exactly where the last beat of the one before it ends.
// - Subdivision k of N (0 < k < N) sits at x = beat + k / N; with swing P (50..75 %), an odd k
//   moves to beat + (k - 1 + 2P/100) / N: every second subdivision is delayed.
// - The count-in, when asked, comes before the first section: its meter, its pattern and its
//   first tempo, for `count_in` bars (0: two beats), in the count-in's sounds (its accents in
//   count_in_accent), without subdivisions.
// - A delay (Feel::delay, klick's -d) puts that many seconds of silence before everything, the
//   count-in included: it is added to the first section's start, so each click's frame is
//   round(rate * (delay + its time)).
// - A rest ('.') silences its beat and the beat's subdivisions.
// - A voice (a polyrhythm: 3 against 4) plays `clicks` even clicks across each bar of its
//   section: click j of bar b sits at x = b * n + j * n / clicks (n the bar's beats), where it is
//   before the section's end, in its own sound and at its volume times the section's. Clicks at
//   one frame come out the beat first, then the voices in order. The count-in has no voices.
//
// Thread safety: a Timeline is immutable once built; next() keeps its place in the caller's
// Cursor, and neither locks nor allocates, so it may run in an audio thread.

#include <array>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace cacophony::rhythm {

inline constexpr std::int64_t kEndless = std::numeric_limits<std::int64_t>::max();

enum class Accent : char { accent = 'X', normal = 'x', rest = '.' };

struct Meter {
  static constexpr int kMaxBeats = 64;
  int beats = 4;  // n: beats in a bar, 1..64
  int unit = 4;   // d: the note value of a beat, 1, 2, 4, 8, 16 or 32
  double quarters() const { return 4.0 / unit; }
};

struct Tempo {
  // Any tempo the model plays, in quarter notes per minute; maps and words take up to 1000.
  static constexpr double kMin = 1;
  static constexpr double kMax = 6000;
  enum class Kind { constant, ramp, list };
  Kind kind = Kind::constant;
  double from = 120;             // quarter notes per minute at the section's start
  double to = 120;               // ramp: the tempo reached after `ramp_beats`, held after
  double ramp_beats = 0;         // ramp: over how many beats, > 0
  std::vector<double> per_beat;  // list: one tempo per beat of the section

  static Tempo constant(double bpm) { return Tempo{Kind::constant, bpm, bpm, 0, {}}; }
};

// A polyrhythm's voice over a section's bars (Section::voices).
struct Voice {
  static constexpr int kMaxClicks = 64;
  int clicks = 3;               // even clicks in a bar, 1..kMaxClicks
  std::vector<Accent> pattern;  // `clicks` entries; empty: an accent on the first
  double volume = 1.0;          // times the section's, 0..Section::kMaxVolume
};

struct Section {
  std::string label;       // may be empty
  std::int64_t beats = 4;  // the section's length in beats, >= 1; kEndless (last section only)
  Meter meter;
  Tempo tempo;
  std::vector<Accent> pattern;  // meter.beats entries; empty: accent on the bar's first beat
  double volume = 1.0;          // scales every click of the section, 0..kMaxVolume
  int line = 0;                 // where a map defined it (1-based), 0 elsewhere
  std::vector<Voice> voices;    // a polyrhythm's other voices, at most kMaxVoices
  static constexpr double kMaxVolume = 10.0;
  static constexpr std::size_t kMaxVoices = 3;
};

struct Feel {
  static constexpr int kNoCountIn = -1;
  int subdivide = 1;          // clicks per beat, 1..8
  double swing = 50;          // percent, 50..75; 50 is straight
  int count_in = kNoCountIn;  // bars of count-in, up to kMaxCountIn; 0: two beats
  double delay = 0;           // seconds of silence before the first click, 0..kMaxDelay
  static constexpr int kMaxCountIn = 64;
  static constexpr double kMaxDelay = 3600;
};

struct Performance {
  std::vector<Section> sections;
  Feel feel;
  std::int64_t first_bar = 1;  // the number of the first section's first bar (after --from)
};

// Throws std::invalid_argument, naming the field, for a performance a Timeline can't play: no
// sections, an endless section before the last, a value outside its documented range, a pattern
// or tempo list of the wrong length, a tempo outside [Tempo::kMin, Tempo::kMax] (NaN included).
void check(const Performance& performance);

// A bar's shape, for a display: bit i of `accents` (of `rests`) is set when beat i (from 0) is an
// accent (a rest). Beats from the 64th on are not kept.
struct BarShape {
  std::uint64_t accents = 0;
  std::uint64_t rests = 0;
};
template <typename AccentAt>
BarShape shape_of(int beats, AccentAt accent_at) {
  BarShape shape;
  for (int i = 0; i < beats && i < 64; ++i) {
    const Accent a = accent_at(i);
    if (a == Accent::accent) shape.accents |= std::uint64_t{1} << i;
    if (a == Accent::rest) shape.rests |= std::uint64_t{1} << i;
  }
  return shape;
}

// The accent of beat `in_bar` (from 0) of a bar that plays `pattern`: its letter; on an empty
// pattern, an accent on the first beat and normal beats after; past a pattern's end (a bar
// lengthened as it plays), a normal beat.
Accent accent_in(const std::vector<Accent>& pattern, std::int64_t in_bar);

enum class Sound : std::uint8_t { accent, normal, subdivision, count_in, count_in_accent };
// Whether a click is the count-in's.
inline bool counts_in(Sound sound) {
  return sound == Sound::count_in || sound == Sound::count_in_accent;
}

// One click of the timeline.
struct Event {
  std::int64_t frame = 0;  // from the timeline's first frame
  Sound sound = Sound::accent;
  float level = 1.0f;    // the section's volume factor
  std::int64_t bar = 1;  // counted from Performance::first_bar; the count-in's bars are <= 0
  int beat = 1;          // in the bar, from 1
  int beats_in_bar = 4;
  int sub = 0;         // the subdivision, 0 on the beat
  double tempo = 120;  // quarter notes per minute where the click sounds
  BarShape shape;      // its bar's accents and rests
  // The label of its section, or of the nearest labelled one before it; nullptr when none. It
  // points into the Timeline, and lives as long as the Timeline does.
  const std::string* section = nullptr;
  int count_in_bar = 0;  // in the count-in: its bar, from 1; 0 elsewhere
  int voice = 0;         // 0: the beat; 1.. a polyrhythm's voice (then `beat` counts its clicks
                         // in the bar, `beats_in_bar` their number, `shape` their accents)
};

class Timeline {
 public:
  // Where next() is in the timeline.
  struct Cursor {
    std::size_t section = 0;  // into the timeline's sections (the count-in first, when asked)
    std::int64_t beat = 0;
    int sub = 0;
    std::array<std::int64_t, Section::kMaxVoices> voice{};  // each voice's next click
  };

  // Checks `performance` (check() above) and `rate` (> 0).
  Timeline(Performance performance, int rate);
  // Its events point into it (Event::section): it is moved, never copied.
  Timeline(const Timeline&) = delete;
  Timeline& operator=(const Timeline&) = delete;
  Timeline(Timeline&&) = default;
  Timeline& operator=(Timeline&&) = default;

  int rate() const { return rate_; }
  // The next sounding click at or after `cursor` into `event`, moving the cursor past it; false
  // when the timeline has no more.
  bool next(Cursor& cursor, Event& event) const;
  // Where the last beat's interval ends, or kEndless.
  std::int64_t end_frame() const { return end_frame_; }
  // The frame of the last click, or kEndless; -1 when nothing sounds at all.
  std::int64_t last_click_frame() const { return last_click_; }
  // Where bar `bar` (as Event::bar counts, the count-in's too) starts; end_frame() for a bar past
  // the end, the first frame for one before the start. Never locks or allocates.
  std::int64_t bar_start(std::int64_t bar) const;

  // MIDI clock: 24 pulses a quarter note from the first beat (the count-in's included) to
  // end_frame(). A beat of meter n/d is 96 / d pulses, a whole number for every d, so pulse k of a
  // section sits at x = k * d / 96 and its frame is round(rate * (section_start + t(x))), as a
  // click there would be: exact at every tempo, ramps and lists included; nothing is summed pulse
  // by pulse.
  // Where frame `frame` falls in the rhythm: its bar and beat (the count-in's bars <= 0), how far
  // into the beat (0..1), the tempo there (quarter notes per minute) and the bar's meter; before
  // the first beat, the first; past the end, the end (`ended`). A click's frame is its beat's
  // first. Exact on ramps and lists (the inverse of the clicks' time formula, by bisection).
  // Never locks or allocates.
  struct Place {
    std::int64_t bar = 1;
    int beat = 1;
    double fraction = 0;
    double tempo = 120;
    Meter meter;
    bool ended = false;
  };
  Place place_at(std::int64_t frame) const;

  static constexpr int kPulsesPerQuarter = 24;
  struct PulseCursor {
    std::size_t section = 0;
    std::int64_t pulse = 0;  // in the section
  };
  // The frame of the pulse at `cursor` into `frame`, moving the cursor past it; false past the
  // end. Never locks or allocates.
  bool next_pulse(PulseCursor& cursor, std::int64_t& frame) const;

 private:
  // A section placed on the timeline.
  struct Span {
    Section section;
    bool count_in = false;
    bool silent = false;                   // every beat of its pattern rests
    long double start = 0;                 // seconds from the timeline's start
    std::int64_t first_bar = 1;            // the number of its first bar
    double quarters = 1;                   // a beat's length in quarter notes
    std::vector<long double> list_starts;  // a tempo list's beat starts in the section, and its end
    BarShape shape;                        // its bars' accents and rests
    std::vector<BarShape> voice_shapes;    // each voice's
    const std::string* label = nullptr;    // its label, or the nearest before it; none: nullptr

    // Seconds from the section's start to beat position x; the tempo there.
    long double seconds_at(double x) const;
    double tempo_at(double x) const;
  };

  long double frame_at(const Span& span, double x) const;
  // The beat position in `span` at `seconds` from its start (>= 0), up to `beats` for a span
  // that ends.
  static double position_in(const Span& span, long double seconds);
  double sub_position(int sub) const;
  bool fill(const Span& span, const Cursor& cursor, Event& event) const;
  bool next_beat(const Span& span, Cursor& cursor, Event& event) const;
  bool next_of_voice(const Span& span, std::size_t v, Cursor& cursor, Event& event) const;
  double voice_position(const Span& span, std::size_t v, std::int64_t click) const;
  std::int64_t last_voice_click(const Span& span) const;
  std::int64_t find_last_click() const;

  std::vector<Span> spans_;
  Feel feel_;
  int rate_;
  std::int64_t end_frame_ = kEndless;
  std::int64_t last_click_ = kEndless;
};

}  // namespace cacophony::rhythm
