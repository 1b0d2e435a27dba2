#include "cacophony/link/session.h"

#include <algorithm>

#include "ableton_link.h"

namespace cacophony::link {
namespace {

constexpr std::chrono::milliseconds kStartAhead{100};

}  // namespace

Session::Session(double bpm, double quantum, bool start_stop_sync)
    : quantum_(quantum),
      start_stop_sync_(start_stop_sync),
      link_(std::make_unique<Link>(std::clamp(bpm, kMinBpm, kMaxBpm))) {
  link_->link.enableStartStopSync(start_stop_sync);
  link_->link.enable(true);
}

Session::~Session() {
  link_->link.enable(false);
}

Status Session::status() const {
  const auto state = link_->link.captureAppSessionState();
  const auto now = link_->link.clock().micros();
  Status s;
  s.peers = link_->link.numPeers();
  s.bpm = state.tempo();
  s.beat = state.beatAtTime(now, quantum_);
  s.phase = state.phaseAtTime(now, quantum_);
  s.playing = !start_stop_sync_ || state.isPlaying();
  return s;
}

void Session::set_tempo(double bpm) {
  auto state = link_->link.captureAppSessionState();
  state.setTempo(std::clamp(bpm, kMinBpm, kMaxBpm), link_->link.clock().micros());
  link_->link.commitAppSessionState(state);
}

void Session::set_playing(bool playing) {
  auto state = link_->link.captureAppSessionState();
  // Starting again would request beat 0 anew, which alone shifts the beat line: the bar's first
  // beat would sound twice.
  if (playing && state.isPlaying()) return;
  const auto now = link_->link.clock().micros();
  // A start a little ahead leaves time to sound its first beat: blocks are made ahead of time.
  if (playing)
    state.setIsPlayingAndRequestBeatAtTime(true, now + kStartAhead, 0.0, quantum_);
  else
    state.setIsPlaying(false, now);
  link_->link.commitAppSessionState(state);
}

std::chrono::microseconds Session::now() const {
  return link_->link.clock().micros();
}

}  // namespace cacophony::link
