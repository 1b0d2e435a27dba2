#include "cacophony/link/link_grid.h"

#include <algorithm>
#include <cmath>
#include <optional>

#include "ableton_link.h"

namespace cacophony::link {

struct LinkGrid::Captured {
  std::optional<ableton::Link::SessionState> state;
};

LinkGrid::LinkGrid(Session& session) : session_(session), captured_(std::make_unique<Captured>()) {}

LinkGrid::~LinkGrid() = default;

void LinkGrid::begin_block(std::int64_t first_frame, const sound::BlockTime& time) {
  first_frame_ = first_frame;
  time_ = time;
  if (time.known) captured_->state.emplace(session_.link_->link.captureAudioSessionState());
}

bool LinkGrid::next_before(std::int64_t end, sound::Onset& onset) {
  if (!time_.known || !captured_->state) return false;
  const auto& state = *captured_->state;
  const double quantum = session_.quantum();
  const bool sync = session_.start_stop_sync();
  if (sync && !state.isPlaying()) {
    played_ = false;
    return false;
  }
  const double half_beat_us = 30e6 / state.tempo();
  const auto micros = [](double us) { return std::chrono::microseconds(std::llround(us)); };
  // The first whole beat whose nearest frame is in this block or later, not before the session's
  // first bar since it started playing, and half a beat or more after the latest click.
  double from_us = time_.first_frame_us - time_.us_per_frame / 2;
  if (sync) {
    // Playing starts with the first bar that begins at the start or after it (within a
    // microsecond's rounding).
    const double start = state.beatAtTime(state.timeForIsPlaying(), quantum);
    const double bar = std::ceil(start / quantum - 1e-6) * quantum;
    from_us = std::max(from_us, static_cast<double>(state.timeAtBeat(bar, quantum).count()));
  }
  if (played_) from_us = std::max(from_us, last_us_ + half_beat_us);
  const double first = std::ceil(state.beatAtTime(micros(from_us), quantum));
  if (!std::isfinite(first)) return false;
  const auto beat = static_cast<std::int64_t>(first);
  const double at = static_cast<double>(state.timeAtBeat(first, quantum).count());
  const auto offset =
      std::max<std::int64_t>(0, std::llround((at - time_.first_frame_us) / time_.us_per_frame));
  const std::int64_t frame = first_frame_ + offset;
  if (frame >= end) return false;
  const auto bar = static_cast<std::int64_t>(std::llround(quantum));
  const int phase = static_cast<int>(((beat % bar) + bar) % bar);
  onset = sound::Onset{frame, beat, phase, static_cast<int>(bar),
                       phase == 0 ? sound::ClickKind::accent : sound::ClickKind::normal};
  played_ = true;
  last_us_ = at;
  return true;
}

}  // namespace cacophony::link
