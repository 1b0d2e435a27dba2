#pragma once
// The metronomes that more than one chart runs (the original ran them with different delays).

#include "cacophony/metronome/contract.h"

namespace cacophony::scenario {

Metronome synchronous_adaptive_delay(VolumeMeter meter, int beats);
Metronome synchronous_ticker_fire_immediately(VolumeMeter meter, int beats);

}  // namespace cacophony::scenario
