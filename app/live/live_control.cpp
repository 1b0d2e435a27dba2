#include "live/live_control.h"

#include "cacophony/rhythm/parse.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace cacophony::cli {
namespace {

constexpr const char* kFixedTempo = "the rhythm sets the tempo (a map or a ramp)";
constexpr const char* kFixedBar = "the rhythm sets the bar (a map, a ramp or --link)";

}  // namespace

LiveControl::LiveControl(sound::Engine& engine, sound::LiveGrid* grid, link::Session* session,
                         sound::SteadyMeter* steady)
    : engine_(engine), grid_(grid), session_(session), steady_(steady) {}

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
  if (!session_) return "the rhythm plays to its end (a map or a ramp)";
  stopped_ = !playing;  // linked without sync: this peer alone falls silent
  engine_.set_muted(stopped_);
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

void LiveControl::toggle_mute() {
  engine_.set_muted(!engine_.muted());
}

std::string LiveControl::tap(double seconds) {
  tapped_ = taps_.tap(seconds);
  if (!tapped_) return {};
  return set_tempo(std::clamp(std::round(tapped_->bpm * 10) / 10, min_tempo(), max_tempo()));
}

LiveStatus LiveControl::status() const {
  LiveStatus s;
  if (grid_) {
    s.tempo = grid_->tempo();
    s.beats = grid_->beats_per_bar();
    s.unit = grid_->unit();
    s.subdivide = grid_->subdivide();
    s.playing = grid_->playing();
  }
  if (session_) {
    const link::Status link = session_->status();
    s.tempo = link.bpm;
    s.beats = static_cast<int>(session_->quantum());
    s.playing = session_->start_stop_sync() ? link.playing : !stopped_;
    s.peers = link.peers;
  }
  s.muted = engine_.muted() && !stopped_;
  if (steady_) s.volume = steady_->get();
  s.tap = tapped_;
  return s;
}

}  // namespace cacophony::cli
