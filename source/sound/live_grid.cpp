#include "cacophony/sound/live_grid.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace cacophony::sound {

LiveGrid::LiveGrid(const rhythm::Section& section, int subdivide, int rate)
    : rate_(rate),
      unit_(section.meter.unit),
      total_(section.beats),
      pattern_(section.pattern),
      tempo_(section.tempo.from),
      beats_per_bar_(section.meter.beats),
      subdivide_(subdivide),
      segment_tempo_(section.tempo.from),
      subs_(subdivide),
      bar_beats_(section.meter.beats) {
  if (rate <= 0) throw std::invalid_argument("the sample rate must be positive");
  if (section.tempo.kind != rhythm::Tempo::Kind::constant)
    throw std::invalid_argument("a live grid plays one steady tempo");
}

long double LiveGrid::frame_at(double x) const {
  const long double beat_frames = rate_ * 60.0L * 4 / unit_ / segment_tempo_;
  return segment_start_ + x * beat_frames;
}

void LiveGrid::begin_block(std::int64_t first_frame, const BlockTime&) {
  block_first_ = first_frame;
}

void LiveGrid::take_changes() {
  const double tempo = tempo_.load(std::memory_order_relaxed);
  if (tempo != segment_tempo_ && std::isfinite(tempo) && tempo > 0) {
    segment_start_ = frame_at(static_cast<double>(beat_ - segment_beat_));
    segment_beat_ = beat_;
    segment_tempo_ = tempo;
  }
  subs_ = std::clamp(subdivide_.load(std::memory_order_relaxed), 1, kMaxSubdivide);
  if (in_bar_ == 0)
    bar_beats_ =
        std::clamp(beats_per_bar_.load(std::memory_order_relaxed), 1, rhythm::Meter::kMaxBeats);
}

void LiveGrid::step() {
  if (++sub_ < subs_) return;
  sub_ = 0;
  ++beat_;
  if (++in_bar_ >= bar_beats_) {
    in_bar_ = 0;
    ++bar_;
  }
}

bool LiveGrid::next_before(std::int64_t end, Onset& onset) {
  if (!playing_.load(std::memory_order_relaxed)) {
    was_playing_ = false;
    return false;
  }
  if (!was_playing_) {  // started again: bar 1 from this block's first frame
    was_playing_ = true;
    segment_start_ = static_cast<long double>(block_first_);
    segment_beat_ = beat_ = 0;
    sub_ = in_bar_ = 0;
    bar_ = 1;
  }
  while (true) {
    if (beat_ >= total_) {
      ended_.store(true, std::memory_order_relaxed);
      return false;
    }
    const double x = static_cast<double>(beat_ - segment_beat_) + static_cast<double>(sub_) / subs_;
    const auto frame = static_cast<std::int64_t>(std::llround(frame_at(x)));
    if (frame >= end) return false;
    if (sub_ == 0) take_changes();  // the beat starts: its interval takes what changed
    const rhythm::Accent accent = rhythm::accent_in(pattern_, in_bar_);
    if (accent == rhythm::Accent::rest) {  // no click, as in the rhythm's timeline: passed over
      sub_ = subs_ - 1;
      step();
      continue;
    }
    ClickKind kind = accent == rhythm::Accent::accent ? ClickKind::accent : ClickKind::normal;
    if (sub_ > 0) kind = ClickKind::subdivision;
    const rhythm::BarShape shape =
        rhythm::shape_of(bar_beats_, [&](int b) { return rhythm::accent_in(pattern_, b); });
    onset = Onset{frame, beat_, in_bar_, bar_beats_, kind, 1.0f, bar_, sub_, segment_tempo_, shape};
    step();
    return true;
  }
}

}  // namespace cacophony::sound
