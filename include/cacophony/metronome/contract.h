#pragma once
// The three contracts of the original, as function types.

#include <functional>

#include "cacophony/bpm/bpm.h"

namespace cacophony {

// Performs one beat: the count's parity may pick tick or tock, the volume sets its strength.
using BeatPerformer = std::function<void(int count, int volume)>;

// Returns the ambient volume, 0..100. It may be slow.
using VolumeMeter = std::function<int()>;

// The engine: calls the performer at the bpm rate; returning means "done".
using Metronome = std::function<void(Bpm bpm, const BeatPerformer& perform)>;

}  // namespace cacophony
