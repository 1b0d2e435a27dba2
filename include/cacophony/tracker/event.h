#pragma once
// Event: one thing the tracker saw. Kept as data; the text drawn for it is derived on demand.

#include <cstdint>
#include <string>

#include "cacophony/runtime/time.h"

namespace cacophony {

enum class Category {
  ghost,   // an ideal beat time
  volume,  // a volume measurement, a range [at, at + duration]
  beat,    // a beat as performed
  end,     // the metronome returned (the red line)
};

// How a beat is labelled: I/O by parity (tick, tock), or by its count.
enum class Label : std::uint8_t { io, count };

struct Event {
  Category category;
  // A measurement's number (from 0, in recording order), or the one a beat played; -1: none, or
  // unknown (a beat given a plain int). Here, where it fills the padding: an Event stays 40 bytes.
  int measurement = -1;
  runtime::Time at{0};            // start: a ranged event is back-dated to its start
  runtime::Duration duration{0};  // non-zero for measurements
  int number = -1;                // the beat or ghost count
  int volume = -1;                // the measured value, or the volume a beat used
  Label label = Label::io;
  bool after_end = false;  // recorded after the metronome had returned
  int task = -1;           // the number of the task that recorded it (runtime::task_number())
};

// The text drawn on the chart item: I/O, the count, or the measured value.
std::string content(const Event& e);
// The tooltip: "beat #3 at 65 power", "ghost #3".
std::string tooltip(const Event& e);

}  // namespace cacophony
