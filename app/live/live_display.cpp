#include "live/live_display.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdio>

namespace cacophony::cli {
namespace {

// bar.beat[.sub]; in a count-in, "in" and the count-in's own bar.beat; a polyrhythm voice's
// click, the bar, +voice and its click ("1 +1.2").
std::string place_of(const sound::Onset& o) {
  if (o.voice > 0) return fmt::format("{} +{}.{}", o.bar, o.voice, o.phase + 1);
  std::string place = o.count_in_bar > 0 ? fmt::format("in {}.{}", o.count_in_bar, o.phase + 1)
                                         : fmt::format("{}.{}", o.bar, o.phase + 1);
  if (o.sub > 0) place += fmt::format(".{}", o.sub + 1);
  return place;
}

std::string tempo_text(double bpm) {
  return fmt::format("{:g}", std::round(bpm * 100) / 100);
}

// The bar as its pattern reads (X accent, x beat, . rest), the sounding beat in parentheses:
// [(X) .  x  . ] on the one of X.x., [ X  . (x) . ] on its third beat.
std::string bar_text(const sound::Onset& o) {
  constexpr int kShown = 16;
  std::string bar = "[";
  for (int b = 0; b < o.quantum && b < kShown; ++b) {
    const std::uint64_t bit = std::uint64_t{1} << b;
    const char letter = (o.shape.rests & bit) ? '.' : (o.shape.accents & bit) ? 'X' : 'x';
    bar += b == o.phase ? fmt::format("({})", letter) : fmt::format(" {} ", letter);
  }
  if (o.quantum > kShown) bar += " …";
  return bar + "]";
}

// The volume the last click sounded at, and the one the next takes when a key changed it since.
std::string volume_text(const sound::BeatEvent& e, const LiveStatus& s) {
  if (!s.volume) return fmt::format("  loudness {}", e.volume);
  if (*s.volume == e.volume) return fmt::format("  vol {}", e.volume);
  return fmt::format("  vol {} -> {}", e.volume, *s.volume);
}

void print_beat_line(const sound::BeatEvent& e, bool link) {
  const sound::Onset& o = e.onset;
  std::printf("%s at %s bpm: beat #%lld at %d power (frame %lld", place_of(o).c_str(),
              tempo_text(o.tempo).c_str(), static_cast<long long>(e.beat), e.volume,
              static_cast<long long>(o.frame));
  if (link)
    std::printf(", link beat %lld, phase %d/%d, jack frame %u", static_cast<long long>(o.beat),
                o.phase, o.quantum, e.jack_frame);
  std::printf(")\n");
  std::fflush(stdout);
}

}  // namespace

std::string live_line(const sound::BeatEvent& e, const LiveStatus& s, const std::string& message,
                      bool link) {
  const sound::Onset& o = e.onset;
  std::string line = fmt::format("{:>7}  {}  {} bpm", place_of(o), bar_text(o),
                                 tempo_text(s.tempo > 0 ? s.tempo : o.tempo));
  if (o.song) line += "  " + *o.song + ":";
  if (o.count_in_bar > 0)
    line += "  count-in";
  else if (o.section)
    line += "  " + *o.section;
  if (s.tap) line += fmt::format("  tap {:.1f} ±{:.1f}%", s.tap->bpm, s.tap->spread_percent);
  line += volume_text(e, s);
  if (s.subdivide > 1) line += fmt::format("  sub {}", s.subdivide);
  if (s.clock_locked) line += *s.clock_locked ? "  clock locked" : "  clock unlocked";
  if (s.muted) line += "  muted";
  if (!s.playing) line += "  stopped";
  if (link)
    line += fmt::format("  link {} peer{} {}/{}", s.peers, s.peers == 1 ? "" : "s", o.phase + 1,
                        o.quantum);
  if (!message.empty()) line += "  (" + message + ")";
  return line;
}

LiveDisplay::~LiveDisplay() {
  end_line();
}

void LiveDisplay::end_line() {
  if (drawn_) std::printf("\n");
  drawn_ = false;
  std::fflush(stdout);
}

void LiveDisplay::click(const sound::BeatEvent& event, const LiveStatus& status,
                        const std::string& message) {
  if (mode_ == Mode::beats) print_beat_line(event, link_);
  if (event.onset.voice > 0) return;  // the line follows the beat; a voice's clicks are printed
  last_ = event;
  if (mode_ == Mode::line) draw(status, message);
}

void LiveDisplay::refresh(const LiveStatus& status, const std::string& message) {
  if (mode_ == Mode::line && drawn_) draw(status, message);
}

void LiveDisplay::draw(const LiveStatus& status, const std::string& message) {
  // \r back to the start, \x1b[K clear to the end of the line: the line is rewritten in place.
  std::printf("\r%s\x1b[K", live_line(last_, status, message, link_).c_str());
  std::fflush(stdout);
  drawn_ = true;
}

}  // namespace cacophony::cli
