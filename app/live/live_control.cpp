#include "live/live_control.h"

#include "cacophony/rhythm/parse.h"
#include "cacophony/sound/click.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace cacophony::cli {
namespace {

constexpr const char* kFixedTempo = "the rhythm sets the tempo (a map, a ramp or --midi-clock)";
constexpr const char* kFixedBar = "the rhythm sets the bar (a map, a ramp, --link or --midi-clock)";

}  // namespace

LiveControl::LiveControl(sound::Engine& engine, sound::LiveGrid* grid, link::Session* session,
                         sound::SteadyMeter* steady, sound::SetlistGrid* setlist)
    : setlist_(setlist), engine_(engine), grid_(grid), session_(session), steady_(steady) {}

std::string LiveControl::step_song(int step) {
  if (!setlist_) return "no setlist (--setlist FILE)";
  const auto song = static_cast<long>(setlist_->playing()) + step;
  if (song < 0) return "the first song plays";
  if (song >= static_cast<long>(setlist_->songs())) return "the last song plays";
  setlist_->ask(static_cast<std::size_t>(song));
  return {};
}

double LiveControl::min_tempo() const {
  return session_ ? link::kMinBpm : rhythm::Tempo::kMin;
}

double LiveControl::max_tempo() const {
  return session_ ? link::kMaxBpm : rhythm::kMaxTempo;
}

std::string LiveControl::set_tempo(double bpm) {
  if (!grid_ && !session_) return kFixedTempo;
  if (!(bpm >= min_tempo() && bpm <= max_tempo()))
    return fmt::format("a tempo must be in [{:g}, {:g}]", min_tempo(), max_tempo());
  if (session_)
    session_->set_tempo(bpm);
  else
    grid_->set_tempo(bpm);
  return {};
}

std::string LiveControl::nudge_tempo(double delta) {
  if (!grid_ && !session_) return kFixedTempo;
  const double now = status().tempo;
  return set_tempo(std::clamp(std::round(now + delta), min_tempo(), max_tempo()));
}

std::string LiveControl::set_meter(int beats, int unit) {
  if (!grid_) return kFixedBar;
  if (unit != grid_->unit())
    return fmt::format("the beat stays a 1/{} note; give the beats per bar", grid_->unit());
  return set_beats(beats);
}

std::string LiveControl::set_beats(int beats) {
  if (!grid_) return kFixedBar;
  if (beats < 1 || beats > rhythm::Meter::kMaxBeats)
    return fmt::format("a bar has 1 to {} beats", rhythm::Meter::kMaxBeats);
  grid_->set_beats_per_bar(beats);
  return {};
}

// klick's beats: 0 while every beat is even.
int LiveControl::klick_beats() const {
  const bool even =
      grid_->beats_per_bar() == 1 && grid_->pattern() == std::vector{rhythm::Accent::normal};
  return even ? 0 : grid_->beats_per_bar();
}

std::string LiveControl::set_klick_meter(int beats, int unit) {
  if (!grid_) return kFixedBar;
  const int before = klick_beats();
  std::string why = set_meter(std::max(beats, 1), unit);
  if (why.empty() && beats != before)
    grid_->set_pattern(beats == 0 ? std::vector{rhythm::Accent::normal}
                                  : std::vector<rhythm::Accent>{});
  return why;
}

std::string LiveControl::set_pattern(const std::string& letters) {
  if (!grid_) return kFixedBar;
  const int beats = grid_->beats_per_bar();
  if (!letters.empty() && letters.size() != static_cast<std::size_t>(beats))
    return fmt::format("the pattern {} has {} beats, the bar {}", letters, letters.size(), beats);
  std::vector<rhythm::Accent> pattern;
  for (const char c : letters) pattern.push_back(static_cast<rhythm::Accent>(c));
  grid_->set_pattern(pattern);
  return {};
}

std::string LiveControl::next_subdivision() {
  if (!grid_) return kFixedBar;
  grid_->set_subdivide(grid_->subdivide() % 4 + 1);  // 1, 2, 3, 4, then 1 again
  return {};
}

std::string LiveControl::set_playing(bool playing) {
  if (session_ && session_->start_stop_sync()) {
    session_->set_playing(playing);
    return {};
  }
  if (grid_) {
    grid_->set_playing(playing);
    return {};
  }
  if (!session_) return "the rhythm plays to its end (a map, a ramp or --midi-clock)";
  stopped_ = !playing;  // linked without sync: this peer alone falls silent
  engine_.set_muted(stopped_);
  return {};
}

std::string LiveControl::klick_start() {
  if (!grid_ || !grid_->playing()) return set_playing(true);
  grid_->restart();
  return {};
}

std::string LiveControl::toggle_playing() {
  return set_playing(!status().playing);
}

std::string LiveControl::set_volume(int volume) {
  if (!steady_) return "the volume follows a loudness (--follow)";
  if (volume < sound::kMinVolume || volume > sound::kMaxVolume) return "a volume is 0 to 100";
  steady_->set(volume);
  engine_.set_volume(volume);  // a steady volume has no meter thread to pass it on (live_rig.h)
  return {};
}

std::string LiveControl::nudge_volume(int delta) {
  if (!steady_) return "the volume follows a loudness (--follow)";
  return set_volume(std::clamp(steady_->get() + delta, sound::kMinVolume, sound::kMaxVolume));
}

std::string LiveControl::set_gain(double gain) {
  const double db = sound::volume_gain_db(sound::kMaxVolume) + 20 * std::log10(gain);
  int nearest = sound::kMinVolume;
  for (int v = sound::kMinVolume; v <= sound::kMaxVolume; ++v)
    if (std::abs(sound::volume_gain_db(v) - db) < std::abs(sound::volume_gain_db(nearest) - db))
      nearest = v;
  return set_volume(nearest);
}

void LiveControl::toggle_mute() {
  engine_.set_muted(!engine_.muted());
}

std::string LiveControl::tap(double seconds) {
  return tap_with(taps_, seconds);
}

std::string LiveControl::klick_tap(double seconds) {
  return tap_with(klick_taps_, seconds);
}

std::string LiveControl::tap_with(rhythm::TapTempo& taps, double seconds) {
  tapped_ = taps.tap(seconds);
  if (!tapped_) return {};
  return set_tempo(std::clamp(std::round(tapped_->bpm * 10) / 10, min_tempo(), max_tempo()));
}

std::string LiveControl::go_to_song(const std::string& name) {
  if (!setlist_) return "no setlist (--setlist FILE)";
  for (std::size_t song = 0; song < setlist_->songs(); ++song)
    if (setlist_->name(song) == name) {
      setlist_->ask(song);
      return {};
    }
  return fmt::format("no song '{}' in the setlist", name);
}

LiveStatus LiveControl::status() const {
  LiveStatus s;
  if (grid_) {
    s.tempo = grid_->tempo();
    s.beats = grid_->beats_per_bar();
    s.unit = grid_->unit();
    s.subdivide = grid_->subdivide();
    s.playing = grid_->playing();
    for (const rhythm::Accent accent : grid_->pattern()) s.pattern += static_cast<char>(accent);
  }
  if (session_) {
    const link::Status link = session_->status();
    s.tempo = link.bpm;
    s.beats = static_cast<int>(session_->quantum());
    s.playing = session_->start_stop_sync() ? link.playing : !stopped_;
    s.peers = link.peers;
  }
  if (clock_) {
    s.tempo = clock_->bpm();
    s.clock_locked = clock_->locked();
    s.clock_locked_after = clock_->locked_after();
  }
  s.muted = engine_.muted() && !stopped_;
  if (steady_) s.volume = steady_->get();
  s.tap = tapped_;
  return s;
}

}  // namespace cacophony::cli
