#pragma once
// The three contracts of the original, as function types.

#include <atomic>
#include <functional>

#include "cacophony/bpm/bpm.h"

namespace cacophony {

// A measured volume, 0..100, and which measurement took it. It converts to and from int, so a
// metronome may use it as one; the lab follows the identity from the meter to the beat that plays
// it, to tell a beat that replays an old measurement (stale) from one whose fresh measurement
// happens to have the same value. A volume kept as an int (or made from one) has no identity:
// the lab cannot call its beats stale. Aligned to its size so that std::atomic<Volume> is one
// lock-free word with every compiler (clang would otherwise call libatomic for it).
struct alignas(8) Volume {
  static constexpr int kUnknown = -1;
  int value = 0;
  int measurement = kUnknown;  // the run's measurements, numbered from 0 as they end

  // Implicit both ways: a metronome passes it where an int goes, and an int where it goes.
  constexpr Volume(int v = 0) : value(v) {}
  constexpr Volume(int v, int id) : value(v), measurement(id) {}
  constexpr operator int() const { return value; }
};
static_assert(std::atomic<Volume>::is_always_lock_free);

// Performs one beat: the count's parity may pick tick or tock, the volume sets its strength.
using BeatPerformer = std::function<void(int count, Volume volume)>;

// Returns the ambient volume, 0..100. It may be slow.
using VolumeMeter = std::function<Volume()>;

// The engine: calls the performer at the bpm rate; returning means "done".
using Metronome = std::function<void(Bpm bpm, const BeatPerformer& perform)>;

}  // namespace cacophony
