#pragma once
// The --follow option: which loudness the volume follows, in the command line's words.
//
//   simulated   a seeded random volume (--seed)
//   file:PATH   the momentary loudness of a recording
//   jack        live play only: the momentary loudness of the input port cacophony:in

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "cacophony/sound/meter.h"

namespace cacophony::cli {

struct MeterChoice {
  enum class Kind { simulated, file, jack };
  Kind kind = Kind::simulated;
  std::filesystem::path file;  // for `file`
};

// Throws UsageError naming the accepted forms on anything else; "jack" only when `live`.
MeterChoice parse_meter(const std::string& text, bool live);

// The meter for a `simulated` or `file` choice (the JACK meter needs the sink: the play command
// makes it). Throws sound::BadRecording for a file it can't use.
std::unique_ptr<sound::Meter> make_meter(const MeterChoice& choice, std::uint64_t seed);

}  // namespace cacophony::cli
