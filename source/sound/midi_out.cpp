#include "cacophony/sound/midi_out.h"

#include <jack/midiport.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <thread>

#include "cacophony/sound/jack_sink.h"

namespace cacophony::sound {
namespace {

constexpr std::uint8_t kClock = 0xF8;
constexpr std::uint8_t kStart = 0xFA;
constexpr std::uint8_t kContinue = 0xFB;
constexpr std::uint8_t kStop = 0xFC;
constexpr std::uint8_t kSongPosition = 0xF2;
constexpr std::int64_t kPulsesPerSixteenth = 6;
constexpr std::int64_t kMaxSongPosition = 0x3FFF;  // 14 bits
// At one frame, in this order.
enum Order { note_off, halt, position, start, pulse, note_on, stop };

MidiSettings::Key key_of(ClickKind kind) {
  switch (kind) {
    case ClickKind::accent:
      return MidiSettings::accent;
    case ClickKind::normal:
      return MidiSettings::beat;
    case ClickKind::subdivision:
      return MidiSettings::subdivision;
    case ClickKind::count_in:
    case ClickKind::count_in_accent:
      return MidiSettings::count_in;
  }
  return MidiSettings::beat;
}

}  // namespace

MidiOut::MidiOut(const MidiSettings& settings, int rate)
    : settings_(settings),
      note_frames_(std::int64_t{rate} * kNoteMs / 1000),
      note_on_(static_cast<std::uint8_t>(0x90 | (settings.channel - 1))),
      note_off_(static_cast<std::uint8_t>(0x80 | (settings.channel - 1))) {
  off_at_.fill(kNone);
  if (settings_.clock) has_pulse_ = settings_.clock->next_pulse(cursor_, pulse_);
}

void MidiOut::open(jack_client_t* client) {
  client_ = client;
  port_ = jack_port_register(client, "midi_out", JACK_DEFAULT_MIDI_TYPE, JackPortIsOutput, 0);
  if (!port_) throw JackError(JackError::Step::register_port, "midi_out");
}

std::string MidiOut::port_name() const {
  return jack_port_name(port_);
}

void MidiOut::connect(const std::string& port) {
  const int rc = jack_connect(client_, jack_port_name(port_), port.c_str());
  if (rc != 0 && rc != EEXIST) throw JackError(JackError::Step::connect_output, port_name(), port);
}

bool MidiOut::finish(std::chrono::milliseconds patience) {
  stop_asked_.store(true, std::memory_order_release);
  const auto deadline = std::chrono::steady_clock::now() + patience;
  while (!stop_done_.load(std::memory_order_acquire)) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

void MidiOut::note(const Onset& onset) {
  if (!settings_.notes || onset.level <= 0) return;
  if (click_count_ == clicks_.size()) {
    dropped_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  const MidiSettings::Key key = key_of(onset.kind);
  int base = MidiSettings::kVelocities[key];
  if (onset.kind == ClickKind::count_in_accent) base = MidiSettings::kVelocities[0];
  const auto velocity = static_cast<int>(std::lround(base * static_cast<double>(onset.level)));
  clicks_[click_count_++] = Click{onset.frame, settings_.keys[key], std::clamp(velocity, 1, 127)};
}

void MidiOut::process(jack_nframes_t frames, bool rolling) {
  void* buffer = jack_port_get_buffer(port_, frames);
  jack_midi_clear_buffer(buffer);
  event_count_ = 0;
  const bool asked = stop_asked_.load(std::memory_order_acquire);
  if (stopped_ || !rolling) {
    // Asked before the engine's first period: nothing was sent, nothing is to end.
    if (asked) {
      stopped_ = true;
      stop_done_.store(true, std::memory_order_release);
    }
    return;
  }
  const std::int64_t first = position_;
  const std::int64_t end = first + frames;
  if (asked) {
    stop_now(first);
  } else {
    if (settings_.transport)
      transport_clock(first, end);
    else
      clock(first, end);
    notes(first, end);
  }
  click_count_ = 0;
  write(buffer, first);
  position_ = end;
}

void MidiOut::add(std::int64_t frame, int order, std::initializer_list<std::uint8_t> bytes) {
  if (event_count_ == events_.size()) {
    dropped_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  Event& e = events_[event_count_++];
  e.frame = frame;
  e.order = order;
  e.seq = event_count_;
  e.size = static_cast<std::uint8_t>(bytes.size());
  std::copy(bytes.begin(), bytes.end(), e.bytes.begin());
}

void MidiOut::clock(std::int64_t first, std::int64_t end) {
  if (!settings_.clock || clock_ended_) return;
  const std::int64_t shift = settings_.clock_shift;
  // Before the engine's first frame, an event goes out on it.
  const auto at = [&](std::int64_t frame) { return std::max(frame + shift, first); };
  if (has_pulse_ && !started_ && at(pulse_) < end) {
    add(at(pulse_), start, {kStart});
    started_ = true;
  }
  while (has_pulse_ && at(pulse_) < end) {
    add(at(pulse_), pulse, {kClock});
    has_pulse_ = settings_.clock->next_pulse(cursor_, pulse_);
  }
  const std::int64_t last = settings_.clock->end_frame();
  if (!has_pulse_ && started_ && last != rhythm::kEndless && at(last) < end) {
    add(at(last), stop, {kStop});
    clock_ended_ = true;
  }
}

void MidiOut::transport_clock(std::int64_t first, std::int64_t end) {
  if (settings_.clock_on_bbt) {
    bbt_clock(first, end);
    return;
  }
  if (!settings_.clock) return;
  const TransportPosition at = settings_.transport(settings_.transport_context);
  const bool resumed = at.rolling && (!rolling_ || at.frame != transport_next_);
  if (started_ && (!at.rolling || resumed)) {
    add(first, at.rolling ? halt : stop, {kStop});
    started_ = false;
  }
  rolling_ = at.rolling;
  transport_next_ = at.frame + (at.rolling ? end - first : 0);
  if (resumed) resume(first, at.frame);
  if (!started_) return;  // past the timeline's end
  const std::int64_t shift = settings_.clock_shift + first - at.frame;
  const auto at_frame = [&](std::int64_t frame) { return std::max(frame + shift, first); };
  while (has_pulse_ && at_frame(pulse_) < end) {
    add(at_frame(pulse_), pulse, {kClock});
    has_pulse_ = settings_.clock->next_pulse(cursor_, pulse_);
    ++pulse_number_;
  }
  const std::int64_t last = settings_.clock->end_frame();
  if (!has_pulse_ && last != rhythm::kEndless && at_frame(last) < end) {
    add(at_frame(last), stop, {kStop});
    started_ = false;
  }
}

void MidiOut::bbt_clock(std::int64_t first, std::int64_t end) {
  const TransportPosition at = settings_.transport(settings_.transport_context);
  const bool playing = at.rolling && TransportGrid::usable(at);
  const bool resumed = playing && (!rolling_ || at.frame != transport_next_);
  if (started_ && (!playing || resumed)) {
    add(first, playing ? halt : stop, {kStop});
    started_ = false;
  }
  rolling_ = playing;
  transport_next_ = at.frame + (at.rolling ? end - first : 0);
  if (!playing) return;
  // The song's place in pulses at the period's first frame, from the master's bar, beat and tick;
  // a beat of n/d is 96 / d pulses.
  const double per_beat = 96.0 / (at.beat_type > 0 ? at.beat_type : 4);
  const double beats =
      (at.bar - 1) * std::floor(at.beats_per_bar) + (at.beat - 1) + at.tick / at.ticks_per_beat;
  const double place = beats * per_beat;
  const double pulse_frames = at.rate * 60.0 / at.beats_per_minute / per_beat;
  auto next = static_cast<std::int64_t>(std::ceil(place));
  if (resumed) {
    next = (next + kPulsesPerSixteenth - 1) / kPulsesPerSixteenth * kPulsesPerSixteenth;
    announce(first, next);
  } else {
    next = std::max(next, pulse_number_);  // a pulse a master's rounding puts in two periods
  }
  for (;; ++next) {
    const double offset = (static_cast<double>(next) - place) * pulse_frames;
    const auto frame = first + static_cast<std::int64_t>(std::floor(offset + 0.5));
    if (frame + settings_.clock_shift >= end) break;
    add(std::max(frame + settings_.clock_shift, first), pulse, {kClock});
  }
  pulse_number_ = next;
}

void MidiOut::announce(std::int64_t first, std::int64_t pulse_number) {
  started_ = true;
  if (pulse_number == 0) {
    add(first, start, {kStart});
    return;
  }
  const std::int64_t sixteenth = std::min(pulse_number / kPulsesPerSixteenth, kMaxSongPosition);
  add(first, position,
      {kSongPosition, static_cast<std::uint8_t>(sixteenth & 0x7F),
       static_cast<std::uint8_t>(sixteenth >> 7)});
  add(first, start, {kContinue});
}

void MidiOut::resume(std::int64_t first, std::int64_t transport_frame) {
  // A seek from the start, as TransportRhythmGrid's: no allocation, time with the pulses before.
  cursor_ = {};
  pulse_number_ = 0;
  has_pulse_ = settings_.clock->next_pulse(cursor_, pulse_);
  while (has_pulse_ && (pulse_ < transport_frame || pulse_number_ % kPulsesPerSixteenth != 0)) {
    has_pulse_ = settings_.clock->next_pulse(cursor_, pulse_);
    ++pulse_number_;
  }
  if (has_pulse_) announce(first, pulse_number_);
}

void MidiOut::notes(std::int64_t first, std::int64_t end) {
  const auto key_byte = [](int key) { return static_cast<std::uint8_t>(key); };
  for (std::size_t i = 0; i < click_count_; ++i) {
    const Click& c = clicks_[i];
    std::int64_t& off = off_at_[static_cast<std::size_t>(c.key)];
    if (off != kNone)
      add(std::max(std::min(off, c.frame), first), note_off, {note_off_, key_byte(c.key), 0});
    add(c.frame, note_on, {note_on_, key_byte(c.key), static_cast<std::uint8_t>(c.velocity)});
    off = c.frame + note_frames_;
  }
  for (std::size_t key = 0; key < off_at_.size(); ++key) {
    if (off_at_[key] == kNone || off_at_[key] >= end) continue;
    add(std::max(off_at_[key], first), note_off, {note_off_, key_byte(static_cast<int>(key)), 0});
    off_at_[key] = kNone;
  }
}

void MidiOut::stop_now(std::int64_t first) {
  for (std::size_t key = 0; key < off_at_.size(); ++key) {
    if (off_at_[key] == kNone) continue;
    add(first, note_off, {note_off_, static_cast<std::uint8_t>(key), 0});
    off_at_[key] = kNone;
  }
  if (started_ && !clock_ended_) add(first, stop, {kStop});
  stopped_ = true;
  stop_done_.store(true, std::memory_order_release);
}

void MidiOut::write(void* buffer, std::int64_t first) {
  const auto begin = events_.begin();
  const auto end = begin + static_cast<std::ptrdiff_t>(event_count_);
  // In place, no allocation (unlike std::stable_sort): `seq` keeps the order of adding among
  // equals.
  std::sort(begin, end, [](const Event& a, const Event& b) {
    if (a.frame != b.frame) return a.frame < b.frame;
    return a.order != b.order ? a.order < b.order : a.seq < b.seq;
  });
  for (auto e = begin; e != end; ++e)
    if (jack_midi_event_write(buffer, static_cast<jack_nframes_t>(e->frame - first),
                              e->bytes.data(), e->size) != 0)
      dropped_.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace cacophony::sound
