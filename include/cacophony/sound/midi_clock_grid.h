#pragma once
// MidiClockGrid: the metronome following an incoming MIDI clock (24 pulses a quarter note), on a
// JACK MIDI input port `midi_in` of the sink's client (JackSink::attach_clock_in).
//
// Guarantees
// - Each period the sink hands the port's events to the grid (take()) before the engine asks it
//   for clicks, so a pulse that starts a beat is heard in the same period, on its own frame: a
//   sender earlier in JACK's graph (jack_midi_clock) and this client share the period's frames.
// - Transport, as the MIDI spec has it: Start (0xFA) puts the song at its top, and the next pulse
//   is the first beat's; Continue (0xFB) goes on from where it stopped, or from the Song Position
//   Pointer (0xF2, in sixteenths) received while stopped; Stop (0xFC) silences the clicks. Before
//   any of them (a clock that sends none, or one joined while it runs) the first pulse heard is
//   taken as a bar's first beat.
// - Beat b of the song sounds with pulse 24 b (a subdivision of n with every 24/n-th pulse); beat
//   b is beat b % beats of its bar (the bar's first accented), bar b / beats + 1.
// - Lock: the pulses' frames since the last Start or Continue are fitted by least squares (the
//   last kFitPulses of them), which gives the tempo. The grid is locked once kLockPulses pulses are
//   fitted and none strays more than kJitterMs from the line; then a click sounds on the frame
//   the line predicts for its pulse (from the pulses before it), not where the pulse came: a clock
//   that jitters gives a steady click. Unlocked, a click sounds on its pulse's own frame.
//   A pause of kLostPulses pulse intervals without a pulse loses the lock.
// - take(), begin_block() and next_before() are for the JACK process thread: fixed arrays, no
//   lock, no allocation, no I/O. locked() and bpm() may be read from any thread. open() and
//   connect() are for the application thread, before and after the client's activation.

#include <jack/jack.h>

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>

#include "cacophony/sound/grid.h"

namespace cacophony::sound {

class MidiClockGrid final : public Grid {
 public:
  static constexpr int kPulsesPerQuarter = 24;
  static constexpr std::size_t kFitPulses = 48;
  static constexpr std::size_t kLockPulses = 6;
  static constexpr double kJitterMs = 2;
  static constexpr double kLostPulses = 4;
  static constexpr std::size_t kMaxMessages = 512;  // in a period; more are dropped

  // `beats`: the bar's beats (1..64); `subdivide`: clicks a beat (1, 2, 3, 4, 6, 8 or 12: a
  // divisor of 24).
  MidiClockGrid(int rate, int beats, int subdivide);

  // Registers `midi_in` on `client` (before activation); throws JackError (register_port).
  void open(jack_client_t* client);
  std::string port_name() const;
  // Connects the output port `port` to `midi_in`; throws JackError (connect_input).
  void connect(const std::string& port);

  // The period's events, from the port's buffer; for the process thread, before the engine.
  void take(jack_nframes_t frames);

  bool follows_clock() const override { return false; }
  void begin_block(std::int64_t first_frame, const BlockTime& time) override;
  bool next_before(std::int64_t end, Onset& onset) override;
  std::int64_t planned_onset(std::int64_t) const override { return kUnknown; }

  bool locked() const { return locked_.load(std::memory_order_relaxed); }
  // How many pulses, since the last Start or Continue, it took to lock (when locked).
  int locked_after() const { return locked_after_.load(std::memory_order_relaxed); }
  // The clock's tempo, quarter notes a minute; 0 before two pulses.
  double bpm() const { return bpm_.load(std::memory_order_relaxed); }

 private:
  struct Message {
    std::uint32_t offset;  // in the period
    std::uint8_t status;
    std::uint16_t value;  // the Song Position Pointer's sixteenths
  };
  struct Click {
    std::int64_t frame;
    std::int64_t pulse;
  };

  void on_message(const Message& m, std::int64_t first_frame);
  void on_pulse(std::int64_t frame);
  void restart_fit();
  std::int64_t predicted(std::int64_t pulse) const;
  void fit();
  void queue_click(std::int64_t frame, std::int64_t pulse);

  int rate_;
  int beats_;
  int per_click_;  // pulses between two clicks
  jack_client_t* client_ = nullptr;
  jack_port_t* port_ = nullptr;

  std::array<Message, kMaxMessages> messages_{};
  std::size_t message_count_ = 0;

  bool running_ = true;        // the song runs: Start or Continue, or no transport heard yet
  std::int64_t position_ = 0;  // the next pulse's, from the song's top
  std::array<std::int64_t, kFitPulses> fit_pulse_{}, fit_frame_{};  // a ring
  std::size_t fitted_ = 0;                                          // pulses in the ring
  std::size_t fit_next_ = 0;                                        // where the next goes
  std::size_t pulses_ = 0;                                          // since the fit restarted
  double slope_ = 0, intercept_ = 0;  // frame = intercept + slope * pulse
  bool line_ = false;                 // the fit has two pulses or more
  bool steady_ = false;               // locked
  std::int64_t last_pulse_frame_ = 0;

  std::array<Click, 64> clicks_{};  // of this period, in order
  std::size_t click_count_ = 0, click_next_ = 0;
  std::int64_t block_first_ = 0;
  std::int64_t last_click_frame_ = -1;

  std::atomic<bool> locked_{false};
  std::atomic<int> locked_after_{0};
  std::atomic<double> bpm_{0};
};

}  // namespace cacophony::sound
