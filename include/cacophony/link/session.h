#pragma once
// Session: this process as one peer of an Ableton Link session, the standard by which music
// apps on a local network share one tempo and one beat phase.
//
// Guarantees
// - Constructing a Session joins the network at once. With other peers about, it takes the
//   session's tempo and beat phase; alone, it starts a session at the tempo it was given. With no
//   network at all it still runs alone: a Session never fails for want of peers.
// - Every method here is for application threads (it may lock); the audio thread reads the
//   session through LinkGrid (link_grid.h) only.
// - Tempos are clamped by Link to [20, 999] bpm.
// - With start/stop sync, the peers share "playing" too; without it a Session reports itself
//   playing always.

#include <chrono>
#include <cstddef>
#include <memory>

namespace cacophony::link {

constexpr double kMinBpm = 20.0;
constexpr double kMaxBpm = 999.0;

// The session as this peer sees it now.
struct Status {
  std::size_t peers = 0;  // other peers, not counting this one
  double bpm = 0;
  double beat = 0;   // on this peer's beat line
  double phase = 0;  // 0 <= phase < quantum: where in the bar the session is
  bool playing = true;
};

class Session {
 public:
  // Proposes `bpm` when alone; beats group into bars of `quantum` beats.
  Session(double bpm, double quantum, bool start_stop_sync);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  double quantum() const { return quantum_; }
  bool start_stop_sync() const { return start_stop_sync_; }
  Status status() const;
  // Proposes a new tempo to every peer, from now on.
  void set_tempo(double bpm);
  // Starts (at beat 0 of a bar, as soon as the session's phase allows) or stops every peer that
  // syncs start and stop. Starting a session that plays changes nothing.
  void set_playing(bool playing);
  // Link's clock: microseconds of CLOCK_MONOTONIC_RAW.
  std::chrono::microseconds now() const;

 private:
  friend class LinkGrid;
  friend class LinkRhythmGrid;
  struct Link;  // ableton::Link, kept out of this header

  double quantum_;
  bool start_stop_sync_;
  std::unique_ptr<Link> link_;
};

}  // namespace cacophony::link
