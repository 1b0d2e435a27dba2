#include "cacophony/rhythm/rhythm.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace cacophony::rhythm {
namespace {

[[noreturn]] void bad(const std::string& what) {
  throw std::invalid_argument(what);
}

bool tempo_in_range(double bpm) {
  return bpm >= Tempo::kMin && bpm <= Tempo::kMax;  // false for NaN
}

void check_tempo(const Section& s) {
  const Tempo& t = s.tempo;
  if (!tempo_in_range(t.from) || !tempo_in_range(t.to)) bad("tempo out of range");
  if (t.kind == Tempo::Kind::ramp && !(t.ramp_beats > 0 && std::isfinite(t.ramp_beats)))
    bad("a ramp needs a length in beats");
  if (t.kind != Tempo::Kind::list) return;
  if (s.beats == kEndless || t.per_beat.size() != static_cast<std::size_t>(s.beats))
    bad("a tempo list needs one tempo per beat");
  if (!std::all_of(t.per_beat.begin(), t.per_beat.end(), tempo_in_range)) bad("tempo out of range");
}

void check_voices(const Section& s) {
  if (s.voices.size() > Section::kMaxVoices) bad("voices");
  for (const Voice& v : s.voices) {
    if (v.clicks < 1 || v.clicks > Voice::kMaxClicks) bad("a voice's clicks");
    if (!v.pattern.empty() && v.pattern.size() != static_cast<std::size_t>(v.clicks))
      bad("a voice's pattern length");
    for (Accent a : v.pattern)
      if (a != Accent::accent && a != Accent::normal && a != Accent::rest) bad("a voice's pattern");
    if (!(v.volume >= 0 && v.volume <= Section::kMaxVolume)) bad("a voice's volume");
  }
}

void check_section(const Section& s, bool last) {
  if (s.beats < 1 || (s.beats == kEndless && !last)) bad("section length");
  const int d = s.meter.unit;
  if (s.meter.beats < 1 || s.meter.beats > Meter::kMaxBeats) bad("beats per bar");
  if (d != 1 && d != 2 && d != 4 && d != 8 && d != 16 && d != 32) bad("note value");
  if (!s.pattern.empty() && s.pattern.size() != static_cast<std::size_t>(s.meter.beats))
    bad("pattern length");
  for (Accent a : s.pattern)
    if (a != Accent::accent && a != Accent::normal && a != Accent::rest) bad("pattern");
  if (!(s.volume >= 0 && s.volume <= Section::kMaxVolume)) bad("volume");
  check_voices(s);
  check_tempo(s);
}

Accent accent_of(const Section& s, std::int64_t beat) {
  return accent_in(s.pattern, beat % s.meter.beats);
}

std::int64_t bars_of(const Section& s) {
  return (s.beats + s.meter.beats - 1) / s.meter.beats;
}

}  // namespace

Accent accent_in(const std::vector<Accent>& pattern, std::int64_t in_bar) {
  if (in_bar < static_cast<std::int64_t>(pattern.size()))
    return pattern[static_cast<std::size_t>(in_bar)];
  return pattern.empty() && in_bar == 0 ? Accent::accent : Accent::normal;
}

void check(const Performance& p) {
  if (p.sections.empty()) bad("no sections");
  for (std::size_t i = 0; i < p.sections.size(); ++i)
    check_section(p.sections[i], i + 1 == p.sections.size());
  const Feel& f = p.feel;
  if (f.subdivide < 1 || f.subdivide > 8) bad("subdivisions");
  if (!(f.swing >= 50 && f.swing <= 75)) bad("swing");
  if (f.count_in < Feel::kNoCountIn || f.count_in > Feel::kMaxCountIn) bad("count-in");
  if (!(f.delay >= 0 && f.delay <= Feel::kMaxDelay)) bad("delay");
  if (p.first_bar < 1) bad("first bar");
}

long double Timeline::Span::seconds_at(double x) const {
  const Tempo& t = section.tempo;
  const long double q = quarters * 60.0L;
  switch (t.kind) {
    case Tempo::Kind::list: {
      const auto i =
          std::clamp<std::int64_t>(static_cast<std::int64_t>(std::floor(x)), 0, section.beats - 1);
      const auto at = static_cast<std::size_t>(i);
      return list_starts[at] + (x - static_cast<double>(i)) * q / t.per_beat[at];
    }
    case Tempo::Kind::ramp: {
      if (t.from == t.to) break;
      const long double along = std::min<double>(x, t.ramp_beats);
      const long double slope = (static_cast<long double>(t.to) - t.from) / t.ramp_beats;
      // The integral of q / (from + slope * u) du from 0 to `along`, then the held tempo.
      return q / slope * std::log1p(slope * along / t.from) + (x - along) * q / t.to;
    }
    case Tempo::Kind::constant:
      break;
  }
  return x * q / t.from;
}

double Timeline::Span::tempo_at(double x) const {
  const Tempo& t = section.tempo;
  if (t.kind == Tempo::Kind::list)
    return t.per_beat[static_cast<std::size_t>(
        std::clamp<std::int64_t>(static_cast<std::int64_t>(x), 0, section.beats - 1))];
  if (t.kind == Tempo::Kind::ramp)
    return t.from + (t.to - t.from) * std::min(x, t.ramp_beats) / t.ramp_beats;
  return t.from;
}

namespace {

// The count-in: the first section's meter, pattern, volume and first tempo, for `bars` bars or,
// at 0, two beats.
Section count_in_of(const Section& first, int bars) {
  Section s;
  s.meter = first.meter;
  s.pattern = first.pattern;
  s.volume = first.volume;
  s.beats = bars == 0 ? 2 : std::int64_t{bars} * first.meter.beats;
  const double bpm =
      first.tempo.kind == Tempo::Kind::list ? first.tempo.per_beat.front() : first.tempo.from;
  s.tempo = Tempo::constant(bpm);
  return s;
}

bool all_rests(const std::vector<Accent>& pattern) {
  return !pattern.empty() &&
         std::all_of(pattern.begin(), pattern.end(), [](Accent a) { return a == Accent::rest; });
}

// Nothing of the section sounds: its beats all rest, and its voices' clicks too.
bool all_rests(const Section& s) {
  return all_rests(s.pattern) && std::all_of(s.voices.begin(), s.voices.end(),
                                             [](const Voice& v) { return all_rests(v.pattern); });
}

}  // namespace

Timeline::Timeline(Performance performance, int rate) : feel_(performance.feel), rate_(rate) {
  check(performance);
  if (rate <= 0) bad("the sample rate must be positive");
  std::vector<Section>& sections = performance.sections;
  const bool count_in = feel_.count_in != Feel::kNoCountIn;
  if (count_in) sections.insert(sections.begin(), count_in_of(sections.front(), feel_.count_in));
  spans_.reserve(sections.size());  // exactly: a map may hold millions of sections
  long double start = feel_.delay;
  std::int64_t bar = performance.first_bar - (count_in ? bars_of(sections.front()) : 0);
  for (std::size_t i = 0; i < sections.size(); ++i) {
    Span span;
    span.section = std::move(sections[i]);
    span.count_in = count_in && i == 0;
    span.silent = all_rests(span.section);
    span.start = start;
    span.first_bar = bar;
    span.quarters = span.section.meter.quarters();
    span.shape = shape_of(span.section.meter.beats,
                          [&](int beat) { return accent_in(span.section.pattern, beat); });
    if (span.count_in) span.section.voices.clear();
    for (const Voice& v : span.section.voices)
      span.voice_shapes.push_back(
          shape_of(v.clicks, [&](int click) { return accent_in(v.pattern, click); }));
    if (span.section.tempo.kind == Tempo::Kind::list) {
      long double at = 0;
      for (double bpm : span.section.tempo.per_beat) {
        span.list_starts.push_back(at);
        at += span.quarters * 60.0L / bpm;
      }
      span.list_starts.push_back(at);
    }
    if (span.section.beats != kEndless) {
      start += span.seconds_at(static_cast<double>(span.section.beats));
      bar += bars_of(span.section);
    }
    spans_.push_back(std::move(span));
  }
  // Labels point into spans_, whole now: an unlabelled section goes by the label before it.
  const std::string* label = nullptr;
  for (Span& span : spans_) {
    if (!span.section.label.empty()) label = &span.section.label;
    if (!span.count_in) span.label = label;
  }
  const Span& last = spans_.back();
  if (last.section.beats != kEndless)
    end_frame_ = std::llround(frame_at(last, static_cast<double>(last.section.beats)));
  last_click_ = find_last_click();
}

long double Timeline::frame_at(const Span& span, double x) const {
  return (span.start + span.seconds_at(x)) * rate_;
}

double Timeline::sub_position(int sub) const {
  const double n = feel_.subdivide;
  if (sub % 2 == 0) return sub / n;
  return (sub - 1 + 2 * feel_.swing / 100) / n;
}

bool Timeline::fill(const Span& span, const Cursor& c, Event& e) const {
  const Section& s = span.section;
  const Accent accent = accent_of(s, c.beat);
  if (accent == Accent::rest) return false;
  const double x = static_cast<double>(c.beat) + sub_position(c.sub);
  e.frame = std::llround(frame_at(span, x));
  if (span.count_in)
    e.sound = accent == Accent::accent ? Sound::count_in_accent : Sound::count_in;
  else if (c.sub > 0)
    e.sound = Sound::subdivision;
  else
    e.sound = accent == Accent::accent ? Sound::accent : Sound::normal;
  e.level = static_cast<float>(s.volume);
  e.bar = span.first_bar + c.beat / s.meter.beats;
  e.beat = static_cast<int>(c.beat % s.meter.beats) + 1;
  e.beats_in_bar = s.meter.beats;
  e.sub = c.sub;
  e.tempo = span.tempo_at(x);
  e.shape = span.shape;
  e.section = span.label;
  e.count_in_bar = span.count_in ? static_cast<int>(e.bar - span.first_bar + 1) : 0;
  e.voice = 0;
  return true;
}

// The next sounding beat (or subdivision) of `span` at or after `c`; false at the span's end.
bool Timeline::next_beat(const Span& span, Cursor& c, Event& e) const {
  const int subs = span.count_in ? 1 : feel_.subdivide;
  while (!span.silent && c.beat < span.section.beats) {
    if (c.sub >= subs) {
      c.beat += 1;
      c.sub = 0;
      continue;
    }
    if (!fill(span, c, e)) {  // a rest: its subdivisions rest too
      c.beat += 1;
      c.sub = 0;
      continue;
    }
    ++c.sub;
    return true;
  }
  return false;
}

double Timeline::voice_position(const Span& span, std::size_t v, std::int64_t click) const {
  const Voice& voice = span.section.voices[v];
  const std::int64_t n = span.section.meter.beats;
  return static_cast<double>(click / voice.clicks * n) +
         static_cast<double>(click % voice.clicks) * static_cast<double>(n) / voice.clicks;
}

// The next sounding click of voice `v` of `span` at or after `c`; false at the span's end.
bool Timeline::next_of_voice(const Span& span, std::size_t v, Cursor& c, Event& e) const {
  const Voice& voice = span.section.voices[v];
  for (std::int64_t& click = c.voice[v];; ++click) {
    const double x = voice_position(span, v, click);
    if (x >= static_cast<double>(span.section.beats)) return false;
    const int j = static_cast<int>(click % voice.clicks);
    const Accent accent = accent_in(voice.pattern, j);
    if (accent == Accent::rest) continue;
    const std::int64_t in_section = static_cast<std::int64_t>(x) / span.section.meter.beats;
    e = Event{std::llround(frame_at(span, x)),
              accent == Accent::accent ? Sound::accent : Sound::normal,
              static_cast<float>(span.section.volume * voice.volume),
              span.first_bar + in_section,
              j + 1,
              voice.clicks,
              0,
              span.tempo_at(x),
              span.voice_shapes[v],
              span.label,
              0,
              static_cast<int>(v) + 1};
    ++click;
    return true;
  }
}

bool Timeline::next(Cursor& c, Event& e) const {
  for (; c.section < spans_.size(); c = Cursor{c.section + 1}) {
    const Span& span = spans_[c.section];
    Cursor best = c;
    bool found = next_beat(span, best, e);
    // The earliest of the beat's and the voices' next clicks; at one frame, the beat's first.
    for (std::size_t v = 0; v < span.section.voices.size(); ++v) {
      Cursor voiced = c;
      Event heard;
      if (next_of_voice(span, v, voiced, heard) && (!found || heard.frame < e.frame)) {
        best = c;
        best.voice[v] = voiced.voice[v];
        e = heard;
        found = true;
      }
    }
    if (found) {
      c = best;
      return true;
    }
  }
  return false;
}

// The frame of the last sounding click of `span`'s voices, or -1.
std::int64_t Timeline::last_voice_click(const Span& span) const {
  std::int64_t last = -1;
  for (std::size_t v = 0; v < span.section.voices.size(); ++v) {
    const Voice& voice = span.section.voices[v];
    const std::int64_t bars = bars_of(span.section);
    // The last sounding click is within the last two bars' reach (a partial bar may hold none).
    for (std::int64_t click = bars * voice.clicks - 1;
         click >= std::max<std::int64_t>(0, (bars - 2) * voice.clicks); --click) {
      if (voice_position(span, v, click) >= static_cast<double>(span.section.beats)) continue;
      if (accent_in(voice.pattern, click % voice.clicks) == Accent::rest) continue;
      last = std::max<std::int64_t>(last,
                                    std::llround(frame_at(span, voice_position(span, v, click))));
      break;
    }
  }
  return last;
}

std::int64_t Timeline::find_last_click() const {
  if (spans_.back().section.beats == kEndless) return kEndless;
  for (auto span = spans_.rbegin(); span != spans_.rend(); ++span) {
    if (span->silent) continue;
    const std::int64_t voices = last_voice_click(*span);
    const std::int64_t beats = span->section.beats;
    // The pattern repeats every bar, so the last sounding beat is within the last bar's reach.
    const std::int64_t lowest = std::max<std::int64_t>(0, beats - span->section.meter.beats);
    for (std::int64_t beat = beats - 1; beat >= lowest; --beat) {
      if (accent_of(span->section, beat) == Accent::rest) continue;
      const int subs = span->count_in ? 1 : feel_.subdivide;
      return std::max<std::int64_t>(
          voices,
          std::llround(frame_at(*span, static_cast<double>(beat) + sub_position(subs - 1))));
    }
    if (voices >= 0) return voices;
  }
  return -1;
}

std::int64_t Timeline::bar_start(std::int64_t bar) const {
  // The last span that starts at or before the bar.
  const auto after =
      std::upper_bound(spans_.begin(), spans_.end(), bar,
                       [](std::int64_t b, const Span& s) { return b < s.first_bar; });
  if (after == spans_.begin()) return std::llround(frame_at(spans_.front(), 0));
  const Span& span = *(after - 1);
  const auto beat = static_cast<double>((bar - span.first_bar) * span.section.meter.beats);
  if (span.section.beats != kEndless && beat >= static_cast<double>(span.section.beats))
    return after == spans_.end() ? end_frame_ : std::llround(frame_at(*after, 0));
  return std::llround(frame_at(span, beat));
}

double Timeline::position_in(const Span& span, long double seconds) {
  const bool ends = span.section.beats != kEndless;
  const Tempo& t = span.section.tempo;
  if (t.kind == Tempo::Kind::constant || (t.kind == Tempo::Kind::ramp && t.from == t.to)) {
    const long double x = seconds * t.from / (60.0L * span.quarters);
    return static_cast<double>(ends ? std::min<long double>(x, span.section.beats) : x);
  }
  double lo = 0;
  double hi = ends ? static_cast<double>(span.section.beats) : 1;
  while (!ends && span.seconds_at(hi) < seconds && hi < 1e15) hi *= 2;
  if (span.seconds_at(hi) <= seconds) return hi;
  for (int i = 0; i < 80 && hi - lo > 1e-12 * std::max(1.0, hi); ++i) {
    const double mid = (lo + hi) / 2;
    (span.seconds_at(mid) <= seconds ? lo : hi) = mid;
  }
  return lo;
}

Timeline::Place Timeline::place_at(std::int64_t frame) const {
  const long double seconds = static_cast<long double>(frame) / rate_;
  // The last span that starts at or before `seconds`.
  auto after = std::upper_bound(spans_.begin(), spans_.end(), seconds,
                                [](long double t, const Span& s) { return t < s.start; });
  if (after == spans_.begin()) ++after;
  const Span& span = *(after - 1);
  double x = position_in(span, std::max(seconds - span.start, 0.0L));
  // A click sounds on its beat's nearest frame, which may be up to half a frame early: that frame
  // is the beat's first.
  const double rounded = position_in(span, std::max(seconds + 0.5L / rate_ - span.start, 0.0L));
  if (std::floor(rounded) > std::floor(x)) x = std::floor(rounded);
  Place place;
  place.ended = span.section.beats != kEndless && x >= static_cast<double>(span.section.beats);
  if (place.ended) x = std::nextafter(x, 0.0);
  const auto beat = static_cast<std::int64_t>(std::floor(x));
  place.meter = span.section.meter;
  place.bar = span.first_bar + beat / place.meter.beats;
  place.beat = static_cast<int>(beat % place.meter.beats) + 1;
  place.fraction = x - static_cast<double>(beat);
  place.tempo = span.tempo_at(x);
  return place;
}

bool Timeline::next_pulse(PulseCursor& cursor, std::int64_t& frame) const {
  for (; cursor.section < spans_.size(); ++cursor.section, cursor.pulse = 0) {
    const Span& span = spans_[cursor.section];
    const std::int64_t per_beat = 4 * kPulsesPerQuarter / span.section.meter.unit;
    if (span.section.beats != kEndless && cursor.pulse / per_beat >= span.section.beats) continue;
    frame = std::llround(frame_at(span, static_cast<double>(cursor.pulse) / per_beat));
    ++cursor.pulse;
    return true;
  }
  return false;
}

}  // namespace cacophony::rhythm
