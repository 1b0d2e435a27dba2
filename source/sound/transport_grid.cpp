#include "cacophony/sound/transport_grid.h"

#include <jack/jack.h>
#include <jack/transport.h>

#include <cmath>
#include <stdexcept>
#include <utility>

#include "cacophony/sound/rhythm_grid.h"

namespace cacophony::sound {

TransportPosition read_jack_transport(void* client) {
  jack_position_t p{};
  const jack_transport_state_t state =
      jack_transport_query(static_cast<jack_client_t*>(client), &p);
  TransportPosition t;
  t.rolling = state == JackTransportRolling;
  t.bbt = (p.valid & JackPositionBBT) != 0;
  t.frame = p.frame;
  t.rate = static_cast<int>(p.frame_rate);
  t.bar = p.bar;
  t.beat = p.beat;
  t.tick = p.tick;
  t.ticks_per_beat = p.ticks_per_beat;
  t.beats_per_minute = p.beats_per_minute;
  t.beats_per_bar = p.beats_per_bar;
  t.beat_type = p.beat_type;
  return t;
}

bool TransportGrid::usable(const TransportPosition& p) {
  if (!p.bbt || p.rate <= 0 || !(p.ticks_per_beat > 0) || !(p.beats_per_minute > 0) ||
      !std::isfinite(p.ticks_per_beat) || !std::isfinite(p.beats_per_minute) ||
      !(p.beats_per_bar >= 1) || p.beats_per_bar > 1e6 || p.bar < 1 || p.beat < 1 ||
      !(p.tick >= 0) || !(p.tick < p.ticks_per_beat))
    return false;
  return p.rate * 60.0 / p.beats_per_minute >= 1;  // a beat at least a frame long
}

void TransportGrid::begin_block(std::int64_t first_frame, const BlockTime&) {
  at_ = read_(context_);
  first_frame_ = first_frame;
  playing_ = at_.rolling && usable(at_);
  if (!playing_) {
    clicked_ = false;  // a start or a relocation plays the beat it lands on
    return;
  }
  beat_frames_ = at_.rate * 60.0 / at_.beats_per_minute;
  first_beat_ = -at_.tick / at_.ticks_per_beat * beat_frames_;
  next_ = 0;
  // Where the transport has not moved as the engine has, it jumped: the beat last clicked is
  // another's. (JACK2 passes through Starting on a relocation, which clears it too; a server
  // need not.)
  if (clicked_ && at_.frame - clicked_transport_ != first_frame - clicked_engine_) clicked_ = false;
}

bool TransportGrid::next_before(std::int64_t end, Onset& onset) {
  if (!playing_) return false;
  const auto per_bar = static_cast<std::int64_t>(std::llround(at_.beats_per_bar));
  while (true) {
    const double at = first_beat_ + static_cast<double>(next_) * beat_frames_;
    const auto offset = static_cast<std::int64_t>(std::floor(at + 0.5));
    if (offset < 0) {  // the beat under way began before this period
      ++next_;
      continue;
    }
    const std::int64_t frame = first_frame_ + offset;
    if (frame >= end) return false;
    const std::int64_t beats = at_.beat - 1 + next_;
    const auto bar = static_cast<std::int32_t>(at_.bar + beats / per_bar);
    const auto beat = static_cast<std::int32_t>(beats % per_bar + 1);
    ++next_;
    if (clicked_ && bar == clicked_bar_ && beat == clicked_beat_) continue;
    clicked_ = true;
    clicked_bar_ = bar;
    clicked_beat_ = beat;
    clicked_engine_ = first_frame_;
    clicked_transport_ = at_.frame;
    onset = Onset{};
    onset.frame = frame;
    onset.beat = count_++;
    onset.phase = beat - 1;
    onset.quantum = static_cast<int>(per_bar);
    onset.kind = beat == 1 ? ClickKind::accent : ClickKind::normal;
    onset.bar = bar;
    onset.tempo = at_.beats_per_minute * 4 / (at_.beat_type > 0 ? at_.beat_type : 4);
    onset.shape.accents = 1;
    return true;
  }
}

TransportRhythmGrid::TransportRhythmGrid(TransportGrid::Reader read, void* context,
                                         rhythm::Performance performance, int rate)
    : read_(read), context_(context), timeline_(std::move(performance), rate) {}

void TransportRhythmGrid::begin_block(std::int64_t first_frame, const BlockTime&) {
  const TransportPosition at = read_(context_);
  // A transport that has not moved as the engine has was relocated (JACK2 passes through
  // Starting then, which rewinds too; a server need not).
  const bool moved = at.frame - transport_frame_ != first_frame - first_frame_;
  rolling_ = at.rolling;
  if (!rolling_ || moved) located_ = false;
  first_frame_ = first_frame;
  transport_frame_ = at.frame;
  if (!rolling_ || located_) return;
  cursor_ = {};
  has_pending_ = false;
  while (timeline_.next(cursor_, pending_))
    if (pending_.frame >= at.frame) {
      has_pending_ = true;
      break;
    }
  located_ = true;
}

bool TransportRhythmGrid::next_before(std::int64_t end, Onset& onset) {
  if (!rolling_) return false;
  if (!has_pending_) has_pending_ = timeline_.next(cursor_, pending_);
  if (!has_pending_) return false;  // past the rhythm's end: silent until a relocation
  const std::int64_t offset = first_frame_ - transport_frame_;
  if (pending_.frame + offset >= end) return false;
  onset = onset_of(pending_, count_++, offset);
  has_pending_ = false;
  return true;
}

namespace {

constexpr double kTicksPerBeat = 1920;

void publish(jack_transport_state_t, jack_nframes_t, jack_position_t* pos, int, void* timeline) {
  const rhythm::Timeline::Place place =
      static_cast<const rhythm::Timeline*>(timeline)->place_at(pos->frame);
  pos->valid = JackPositionBBT;
  pos->bar = static_cast<std::int32_t>(place.bar);
  pos->beat = place.beat;
  pos->tick = static_cast<std::int32_t>(place.fraction * kTicksPerBeat);
  pos->beats_per_bar = static_cast<float>(place.meter.beats);
  pos->beat_type = static_cast<float>(place.meter.unit);
  pos->ticks_per_beat = kTicksPerBeat;
  pos->beats_per_minute = place.tempo / place.meter.quarters();
  pos->bar_start_tick = 0;
}

}  // namespace

void become_timebase_master(jack_client_t* client, const rhythm::Timeline& timeline) {
  if (jack_set_timebase_callback(client, 0, publish, const_cast<rhythm::Timeline*>(&timeline)) != 0)
    throw std::runtime_error("JACK refused to make us the timebase master");
}

}  // namespace cacophony::sound
