#include "cacophony/link/link_grid.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <utility>

#include "ableton_link.h"

namespace cacophony::link {

struct LinkGrid::Captured {
  std::optional<ableton::Link::SessionState> state;
};

LinkGrid::LinkGrid(Session& session, std::vector<rhythm::Accent> pattern)
    : session_(session), pattern_(std::move(pattern)), captured_(std::make_unique<Captured>()) {}

rhythm::Accent LinkGrid::accent_at(std::int64_t phase) const {
  if (pattern_.empty()) return phase == 0 ? rhythm::Accent::accent : rhythm::Accent::normal;
  return pattern_[static_cast<std::size_t>(phase) % pattern_.size()];
}

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
  double first = std::ceil(state.beatAtTime(micros(from_us), quantum));
  if (!std::isfinite(first)) return false;
  const auto bar = static_cast<std::int64_t>(std::llround(quantum));
  const auto phase_of = [bar](std::int64_t b) { return ((b % bar) + bar) % bar; };
  // Rests are skipped: the next beat that sounds, within a bar (none when the whole bar rests).
  std::int64_t skipped = 0;
  while (accent_at(phase_of(static_cast<std::int64_t>(first))) == rhythm::Accent::rest) {
    if (++skipped >= bar) return false;
    first += 1;
  }
  const auto beat = static_cast<std::int64_t>(first);
  const double at = static_cast<double>(state.timeAtBeat(first, quantum).count());
  const auto offset =
      std::max<std::int64_t>(0, std::llround((at - time_.first_frame_us) / time_.us_per_frame));
  const std::int64_t frame = first_frame_ + offset;
  if (frame >= end) return false;
  const int phase = static_cast<int>(phase_of(beat));
  const bool accent = accent_at(phase) == rhythm::Accent::accent;
  onset =
      sound::Onset{frame,
                   beat,
                   phase,
                   static_cast<int>(bar),
                   accent ? sound::ClickKind::accent : sound::ClickKind::normal,
                   1.0f,
                   (beat - phase) / bar + 1,
                   0,
                   state.tempo(),
                   rhythm::shape_of(static_cast<int>(bar), [&](int p) { return accent_at(p); })};
  played_ = true;
  last_us_ = at;
  return true;
}

}  // namespace cacophony::link
