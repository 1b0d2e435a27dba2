#include "cacophony/sound/live_grid.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <thread>

namespace cacophony::sound {

LiveGrid::LiveGrid(const rhythm::Section& section, int subdivide, int rate)
    : rate_(rate),
      unit_(section.meter.unit),
      total_(section.beats),
      tempo_(section.tempo.from),
      beats_per_bar_(section.meter.beats),
      subdivide_(subdivide),
      segment_tempo_(section.tempo.from),
      subs_(subdivide),
      bar_beats_(section.meter.beats) {
  if (rate <= 0) throw std::invalid_argument("the sample rate must be positive");
  if (section.tempo.kind != rhythm::Tempo::Kind::constant)
    throw std::invalid_argument("a live grid plays one steady tempo");
  set_pattern(section.pattern);
  load_pattern(bar_pattern_);
  shape_bar();
}

void LiveGrid::shape_bar() {
  bar_shape_ = rhythm::shape_of(bar_beats_, [&](int b) { return bar_pattern_.at(b); });
}

// rhythm::accent_in's rule: past the pattern (a bar lengthened as it plays), normal beats; an
// empty pattern accents the first.
rhythm::Accent LiveGrid::PatternBits::at(int beat) const {
  if (beat >= size) return size == 0 && beat == 0 ? rhythm::Accent::accent : rhythm::Accent::normal;
  const std::uint64_t bit = std::uint64_t{1} << beat;
  if ((rests & bit) != 0) return rhythm::Accent::rest;
  return (accents & bit) != 0 ? rhythm::Accent::accent : rhythm::Accent::normal;
}

void LiveGrid::set_pattern(const std::vector<rhythm::Accent>& pattern) {
  if (pattern.size() > static_cast<std::size_t>(rhythm::Meter::kMaxBeats))
    throw std::invalid_argument("a pattern has at most 64 beats");
  PatternBits bits;
  bits.size = static_cast<int>(pattern.size());
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == rhythm::Accent::accent) bits.accents |= std::uint64_t{1} << i;
    if (pattern[i] == rhythm::Accent::rest) bits.rests |= std::uint64_t{1} << i;
  }
  // A sequence lock without fences (which TSan cannot follow): each value is stored with release,
  // so a reader that sees any of them sees the odd version before it too.
  const std::uint32_t version = pattern_version_.load(std::memory_order_relaxed);
  pattern_version_.store(version + 1, std::memory_order_relaxed);
  pattern_accents_.store(bits.accents, std::memory_order_release);
  pattern_rests_.store(bits.rests, std::memory_order_release);
  pattern_size_.store(bits.size, std::memory_order_release);
  pattern_version_.store(version + 2, std::memory_order_release);
}

bool LiveGrid::load_pattern(PatternBits& bits) const {
  const std::uint32_t before = pattern_version_.load(std::memory_order_acquire);
  if (before % 2 != 0) return false;
  const PatternBits read{pattern_accents_.load(std::memory_order_acquire),
                         pattern_rests_.load(std::memory_order_acquire),
                         pattern_size_.load(std::memory_order_acquire)};
  if (pattern_version_.load(std::memory_order_relaxed) != before) return false;
  bits = read;
  return true;
}

std::vector<rhythm::Accent> LiveGrid::pattern() const {
  PatternBits bits;
  // set_pattern() stores three values: a reader off the audio thread waits out that short while.
  while (!load_pattern(bits)) std::this_thread::yield();
  std::vector<rhythm::Accent> pattern;
  for (int i = 0; i < bits.size; ++i) pattern.push_back(bits.at(i));
  return pattern;
}

long double LiveGrid::frame_at(double x) const {
  const long double beat_frames = rate_ * 60.0L * 4 / unit_ / segment_tempo_;
  return segment_start_ + x * beat_frames;
}

void LiveGrid::begin_block(std::int64_t first_frame, const BlockTime&) {
  block_first_ = first_frame;
  // A restart is taken here, between blocks, so that no click of this block comes before one
  // already given: the block begins as after a stop.
  const std::uint32_t restarts = restarts_.load(std::memory_order_relaxed);
  if (restarts != restarts_seen_) {
    restarts_seen_ = restarts;
    was_playing_ = false;
  }
}

void LiveGrid::take_changes() {
  const double tempo = tempo_.load(std::memory_order_relaxed);
  if (tempo != segment_tempo_ && std::isfinite(tempo) && tempo > 0) {
    segment_start_ = frame_at(static_cast<double>(beat_ - segment_beat_));
    segment_beat_ = beat_;
    segment_tempo_ = tempo;
  }
  subs_ = std::clamp(subdivide_.load(std::memory_order_relaxed), 1, kMaxSubdivide);
  if (in_bar_ == 0) {
    bar_beats_ =
        std::clamp(beats_per_bar_.load(std::memory_order_relaxed), 1, rhythm::Meter::kMaxBeats);
    load_pattern(bar_pattern_);  // half-written: the bar keeps the one it had
    shape_bar();
  }
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
    const rhythm::Accent accent = bar_pattern_.at(in_bar_);
    if (accent == rhythm::Accent::rest) {  // no click, as in the rhythm's timeline: passed over
      sub_ = subs_ - 1;
      step();
      continue;
    }
    ClickKind kind = accent == rhythm::Accent::accent ? ClickKind::accent : ClickKind::normal;
    if (sub_ > 0) kind = ClickKind::subdivision;
    onset = Onset{frame, beat_, in_bar_, bar_beats_,     kind,
                  1.0f,  bar_,  sub_,    segment_tempo_, bar_shape_};
    step();
    return true;
  }
}

}  // namespace cacophony::sound
