#include "cacophony/sound/midi_clock_grid.h"

#include <jack/midiport.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "cacophony/sound/jack_sink.h"

namespace cacophony::sound {
namespace {

constexpr std::uint8_t kClock = 0xF8, kStart = 0xFA, kContinue = 0xFB, kStop = 0xFC,
                       kSongPosition = 0xF2;
constexpr int kPulsesPerSixteenth = 6;

}  // namespace

MidiClockGrid::MidiClockGrid(int rate, int beats, int subdivide)
    : rate_(rate), beats_(beats), per_click_(kPulsesPerQuarter / std::max(subdivide, 1)) {
  if (rate <= 0 || beats < 1 || subdivide < 1 || kPulsesPerQuarter % subdivide != 0)
    throw std::invalid_argument("MidiClockGrid: a rate, beats and a divisor of 24");
}

void MidiClockGrid::open(jack_client_t* client) {
  client_ = client;
  port_ = jack_port_register(client, "midi_in", JACK_DEFAULT_MIDI_TYPE, JackPortIsInput, 0);
  if (!port_) throw JackError(JackError::Step::register_port, "midi_in");
}

std::string MidiClockGrid::port_name() const {
  return port_ ? jack_port_name(port_) : "";
}

void MidiClockGrid::connect(const std::string& port) {
  if (jack_connect(client_, port.c_str(), jack_port_name(port_)) != 0)
    throw JackError(JackError::Step::connect_input, port_name(), port);
}

// Only the realtime bytes and the Song Position Pointer are kept: notes and the rest say nothing
// of time.
void MidiClockGrid::take(jack_nframes_t frames) {
  message_count_ = 0;
  void* buffer = jack_port_get_buffer(port_, frames);
  const jack_nframes_t count = jack_midi_get_event_count(buffer);
  for (jack_nframes_t i = 0; i < count && message_count_ < kMaxMessages; ++i) {
    jack_midi_event_t event;
    if (jack_midi_event_get(&event, buffer, i) != 0 || event.size == 0) continue;
    const std::uint8_t status = event.buffer[0];
    if (status == kSongPosition && event.size >= 3) {
      const auto sixteenths =
          static_cast<std::uint16_t>((event.buffer[1] & 0x7F) | ((event.buffer[2] & 0x7F) << 7));
      messages_[message_count_++] = {event.time, status, sixteenths};
    } else if (status == kClock || status == kStart || status == kContinue || status == kStop) {
      messages_[message_count_++] = {event.time, status, 0};
    }
  }
}

void MidiClockGrid::begin_block(std::int64_t first_frame, const BlockTime&) {
  click_count_ = click_next_ = 0;
  block_first_ = first_frame;
  // A clock that stopped sending pulses has no tempo to hold on to.
  if (line_ && static_cast<double>(first_frame - last_pulse_frame_) > kLostPulses * slope_)
    restart_fit();
  for (std::size_t i = 0; i < message_count_; ++i) on_message(messages_[i], first_frame);
  message_count_ = 0;
}

void MidiClockGrid::on_message(const Message& m, std::int64_t first_frame) {
  switch (m.status) {
    case kStart:
      position_ = 0;
      [[fallthrough]];
    case kContinue:
      running_ = true;
      restart_fit();  // the pulses before the pause are no guide to those after it
      break;
    case kStop:
      running_ = false;
      break;
    case kSongPosition:
      position_ = static_cast<std::int64_t>(m.value) * kPulsesPerSixteenth;
      break;
    default:
      on_pulse(first_frame + m.offset);
  }
}

// A pulse: fitted, and a click when it starts one (while the song runs).
void MidiClockGrid::on_pulse(std::int64_t frame) {
  if (!running_) return;  // a stopped song's pulses have no place in it
  const std::int64_t pulse = position_;
  const std::int64_t expected = predicted(pulse);
  if (pulse % per_click_ == 0) {
    const bool near = steady_ && std::abs(static_cast<double>(expected - frame)) <= slope_ / 2;
    queue_click(near ? expected : frame, pulse);
  }
  fit_pulse_[fit_next_] = pulse;
  fit_frame_[fit_next_] = frame;
  fit_next_ = (fit_next_ + 1) % kFitPulses;
  fitted_ = std::min(fitted_ + 1, kFitPulses);
  ++pulses_;
  last_pulse_frame_ = frame;
  fit();
  ++position_;
}

void MidiClockGrid::restart_fit() {
  fitted_ = fit_next_ = pulses_ = 0;
  line_ = steady_ = false;
  locked_.store(false, std::memory_order_relaxed);
}

std::int64_t MidiClockGrid::predicted(std::int64_t pulse) const {
  return line_ ? std::llround(intercept_ + slope_ * static_cast<double>(pulse)) : 0;
}

// The least-squares line through the ring's pulses, and whether every one lies within kJitterMs
// of it.
void MidiClockGrid::fit() {
  if (fitted_ < 2) return;
  const auto n = static_cast<double>(fitted_);
  const auto origin = static_cast<double>(fit_pulse_[0]);
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (std::size_t i = 0; i < fitted_; ++i) {
    const double x = static_cast<double>(fit_pulse_[i]) - origin;
    const auto y = static_cast<double>(fit_frame_[i]);
    sx += x;
    sy += y;
    sxx += x * x;
    sxy += x * y;
  }
  const double spread = n * sxx - sx * sx;
  if (spread <= 0) return;  // pulses at one position (no Start, a stopped clock): no line
  slope_ = (n * sxy - sx * sy) / spread;
  intercept_ = (sy - slope_ * sx) / n - slope_ * origin;
  line_ = slope_ > 0;
  double worst = 0;
  for (std::size_t i = 0; i < fitted_; ++i)
    worst =
        std::max(worst, std::abs(static_cast<double>(fit_frame_[i] - predicted(fit_pulse_[i]))));
  const bool was = steady_;
  steady_ = line_ && fitted_ >= kLockPulses && worst <= kJitterMs * rate_ / 1000.0;
  if (steady_ && !was) locked_after_.store(static_cast<int>(pulses_), std::memory_order_relaxed);
  locked_.store(steady_, std::memory_order_relaxed);
  if (line_) bpm_.store(60.0 * rate_ / (kPulsesPerQuarter * slope_), std::memory_order_relaxed);
}

void MidiClockGrid::queue_click(std::int64_t frame, std::int64_t pulse) {
  if (click_count_ == clicks_.size()) return;
  // Never before the period (a prediction near its edge), never two clicks on one frame.
  frame = std::max({frame, block_first_, last_click_frame_ + 1});
  clicks_[click_count_++] = {frame, pulse};
  last_click_frame_ = frame;
}

bool MidiClockGrid::next_before(std::int64_t end, Onset& onset) {
  if (click_next_ == click_count_ || clicks_[click_next_].frame >= end) return false;
  const Click& c = clicks_[click_next_++];
  const std::int64_t beat = c.pulse / kPulsesPerQuarter;
  const int sub = static_cast<int>(c.pulse % kPulsesPerQuarter) / per_click_;
  const int phase = static_cast<int>(beat % beats_);
  onset = Onset{};
  onset.frame = c.frame;
  onset.beat = beat;
  onset.phase = phase;
  onset.quantum = beats_;
  onset.kind = sub > 0      ? ClickKind::subdivision
               : phase == 0 ? ClickKind::accent
                            : ClickKind::normal;
  onset.bar = beat / beats_ + 1;
  onset.sub = sub;
  onset.tempo = bpm();
  onset.shape = rhythm::shape_of(
      beats_, [](int p) { return p == 0 ? rhythm::Accent::accent : rhythm::Accent::normal; });
  return true;
}

}  // namespace cacophony::sound
