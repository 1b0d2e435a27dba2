#include "live/live_display.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdio>

namespace cacophony::cli {
namespace {

std::string place_of(const sound::Onset& o) {
  std::string place = fmt::format("{}.{}", o.bar, o.phase + 1);
  if (o.sub > 0) place += fmt::format(".{}", o.sub + 1);
  return place;
}

std::string tempo_text(double bpm) {
  return fmt::format("{:g}", std::round(bpm * 100) / 100);
}

// The bar's beats, the sounding one marked: [X . . .] on the one, [. x . .] on the second.
std::string bar_text(const sound::Onset& o) {
  std::string bar = "[";
  for (int b = 0; b < o.quantum && b < 16; ++b) {
    if (b > 0) bar += ' ';
    bar += b != o.phase ? '.' : o.kind == sound::ClickKind::accent ? 'X' : 'x';
  }
  if (o.quantum > 16) bar += " …";
  return bar + "]";
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
  if (s.tap) line += fmt::format("  tap {:.1f} ±{:.1f}%", s.tap->bpm, s.tap->spread_percent);
  line += s.volume ? fmt::format("  vol {}", *s.volume) : fmt::format("  loudness {}", e.volume);
  if (s.subdivide > 1) line += fmt::format("  sub {}", s.subdivide);
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
  last_ = event;
  if (mode_ == Mode::beats) print_beat_line(event, link_);
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
