#pragma once
// MidiOut: the live engine's MIDI, on a JACK MIDI port `midi_out` of the sink's client
// (jack_sink.h): a MIDI clock that follows the rhythm's timeline, and a note per click.
//
// Guarantees
// - Frames are the engine's: counted from its first frame (the sink's first playing period), and
//   counted on after the engine has finished, so that what follows its end (the clock's last
//   pulses when shifted later, a Stop, note-offs) still goes out. Each event is written at its own
//   frame within the period (jack_midi_event_write's offset), never at the period's start; an
//   event that would fall before the engine's first frame goes out on that frame.
// - Clock: 24 pulses (0xF8) a quarter note, each on the frame the timeline gives it
//   (rhythm::Timeline::next_pulse: exact from the start, never summed), moved by `clock_shift`
//   frames (negative: earlier, for a receiver that lags). Start (0xFA) goes with the first pulse,
//   before it; Stop (0xFC) at the timeline's end (shifted alike) or, when play is stopped before
//   (finish()), on the first frame of the next period. Alone the rhythm never pauses nor
//   relocates, so nothing but Start and Stop is sent about the position.
// - Under JACK transport (`transport` set: play --transport sync or master) the timeline's frame
//   is the transport's, read once a period: pulses go out only while it rolls, each on its
//   timeline frame counted from the period's transport frame. When it starts rolling, or is found
//   relocated while rolling (its frame not moved as the engine's has), the clock resumes at the
//   first 16th (6 pulses) at or after the transport frame: from pulse 0, Start; from 16th s > 0,
//   Song Position Pointer s (0xF2, 14 bits), then Continue (0xFB); both on the period's first
//   frame, the pulses on their own. A relocation while rolling sends Stop first, on that frame
//   too, since receivers take a position only while stopped; the transport stopping sends Stop.
// - With `clock_on_bbt` (play --transport follow) there is no timeline: the pulses are placed on
//   what the timebase master publishes each period, as TransportGrid places its beats: the song's
//   place in pulses at the period's first frame is ((bar - 1) * beats_per_bar + beat - 1 +
//   tick / ticks_per_beat) * 96 / beat_type, and pulse n falls (n - place) pulse lengths (at the
//   master's tempo) after that frame, rounded to the nearest frame. Start, Song Position Pointer,
//   Continue and Stop as under transport above, rolling meaning rolling with a usable BBT. The
//   place counts every bar as the current meter's (a song with meter changes gets Song Position
//   Pointers as if it had none).
// - Notes: each click the engine starts (note(), from the sink's beat hook) is a note-on on
//   `channel` at its frame, its key and velocity by its kind (accent, beat, subdivision,
//   count-in), the velocity times the click's level (its section's volume), 1..127; a click at
//   level 0 sends nothing. Its note-off follows kNoteMs later, or just before the key's next
//   note-on when that comes first. Stopping sends the note-offs still due, before the Stop.
// - At the same frame: note-offs, a relocation's Stop, Song Position Pointer, Start or Continue,
//   the pulse, note-ons, then Stop.
// - Up to kMaxEvents events a period; more are dropped and counted (dropped()), never waited for.
//
// Threads: the constructor, open(), connect() and finish() are for the application thread (they
// allocate and talk to the server); note() and process() are for the JACK process thread only:
// no lock, no allocation, no I/O (fixed arrays, the timeline's own rule). dropped() is for any
// thread.

#include <jack/jack.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>

#include "cacophony/rhythm/rhythm.h"
#include "cacophony/sound/grid.h"
#include "cacophony/sound/transport_grid.h"

namespace cacophony::sound {

struct MidiSettings {
  enum Key : std::size_t { accent, beat, subdivision, count_in };
  // General MIDI percussion (channel 10): Hi Wood Block, Low Wood Block, Closed Hi-Hat, Side Stick.
  static constexpr std::array<int, 4> kDefaultKeys{76, 77, 42, 37};
  static constexpr std::array<int, 4> kVelocities{112, 88, 64, 100};

  const rhythm::Timeline* clock = nullptr;  // the clock's timeline; null: no clock
  std::int64_t clock_shift = 0;             // frames the clock is moved by; negative: earlier
  // With the clock on JACK transport: what reads it (real-time safe), and its context.
  TransportGrid::Reader transport = nullptr;
  void* transport_context = nullptr;
  // With the clock on the bars, beats and tempo a timebase master publishes (play --transport
  // follow), not on a timeline.
  bool clock_on_bbt = false;
  bool notes = false;
  std::array<int, 4> keys = kDefaultKeys;  // by Key, each 0..127
  int channel = 10;                        // 1..16
};

class MidiOut {
 public:
  static constexpr std::size_t kMaxEvents = 1024;  // in a period
  static constexpr int kNoteMs = 20;

  // `settings.clock`, when set, must outlive the MidiOut. `rate`: the server's.
  MidiOut(const MidiSettings& settings, int rate);
  MidiOut(const MidiOut&) = delete;
  MidiOut& operator=(const MidiOut&) = delete;

  // Registers `midi_out` on `client`, before it is activated; throws JackError (register_port).
  void open(jack_client_t* client);
  // The full name of `midi_out`, e.g. "cacophony:midi_out".
  std::string port_name() const;
  // Connects `midi_out` to `port`; throws JackError (connect_output) when JACK refuses.
  void connect(const std::string& port);
  // Asks the process thread to stop (the note-offs due, then Stop) and waits up to `patience` for
  // it to have done so: false when it did not (a server stopped or wedged). Once; afterwards
  // nothing more is sent.
  bool finish(std::chrono::milliseconds patience);
  std::int64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }

  // Process thread: a click the engine starts in this period.
  void note(const Onset& onset);
  // Process thread, every period: `rolling` from the engine's first period on.
  void process(jack_nframes_t frames, bool rolling);

 private:
  struct Event {
    std::int64_t frame = 0;
    int order = 0;        // at one frame: as the Order in midi_out.cpp
    std::size_t seq = 0;  // then in the order added
    std::uint8_t size = 0;
    std::array<std::uint8_t, 3> bytes{};
  };
  struct Click {
    std::int64_t frame = 0;
    int key = 0;
    int velocity = 0;
  };
  static constexpr std::size_t kMaxClicks = 256;  // in a period
  static constexpr std::int64_t kNone = -1;

  void add(std::int64_t frame, int order, std::initializer_list<std::uint8_t> bytes);
  void clock(std::int64_t first, std::int64_t end);
  void transport_clock(std::int64_t first, std::int64_t end);
  void resume(std::int64_t first, std::int64_t transport_frame);
  void bbt_clock(std::int64_t first, std::int64_t end);
  void announce(std::int64_t first, std::int64_t pulse_number);
  void notes(std::int64_t first, std::int64_t end);
  void stop_now(std::int64_t first);
  void write(void* buffer, std::int64_t first);

  MidiSettings settings_;
  std::int64_t note_frames_;
  std::uint8_t note_on_;
  std::uint8_t note_off_;
  jack_client_t* client_ = nullptr;
  jack_port_t* port_ = nullptr;

  std::atomic<bool> stop_asked_{false};
  std::atomic<bool> stop_done_{false};
  std::atomic<std::int64_t> dropped_{0};

  // The process thread's own.
  std::int64_t position_ = 0;
  bool stopped_ = false;
  bool started_ = false;      // Start sent
  bool clock_ended_ = false;  // Stop sent at the timeline's end
  rhythm::Timeline::PulseCursor cursor_;
  bool has_pulse_ = false;
  std::int64_t pulse_ = 0;  // the next pulse's frame, unshifted
  // Under transport: the next pulse's number from the timeline's start, and the transport frame
  // the next period starts at unless relocated.
  std::int64_t pulse_number_ = 0;
  bool rolling_ = false;
  std::int64_t transport_next_ = 0;
  std::array<Click, kMaxClicks> clicks_{};
  std::size_t click_count_ = 0;
  std::array<std::int64_t, 128> off_at_{};  // each key's note-off due, or kNone
  std::array<Event, kMaxEvents> events_{};
  std::size_t event_count_ = 0;
};

}  // namespace cacophony::sound
