#pragma once
// render: the metronome played offline into an audio file, as fast as the disk takes it.
//
// Guarantees
// - The format follows the output's extension: .wav or .flac (any case), 16-bit PCM, mono; any
//   other extension is BadInput. The rate is 48 000 Hz unless asked, and must be in
//   8 000..192 000 Hz ("unsupported rate" otherwise).
// - The file is written under a temporary name beside the output and renamed at the end: on any
//   error nothing is left behind, and a reader never sees a half-written file.
// - The volume of each beat comes from the meter (meter.h), asked at the beat's start. With `mix`,
//   the metered recording sounds under the clicks (it must have the render's rate; mono as is,
//   stereo averaged to mono); samples beyond full scale are clipped.
// - `stop`, when given, is checked between blocks (~85 ms of audio at 48 kHz): once set, the
//   render finishes the file with what it has (a valid, shorter file) and says it was interrupted.
// - With `progress`, a render taking more than a second shows "\rrender: NN%" on stderr.

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <string>

#include "cacophony/bpm/bpm.h"

namespace cacophony::sound {

constexpr int kMinRate = 8000;
constexpr int kMaxRate = 192000;
constexpr int kDefaultRate = 48000;

struct RenderOptions {
  std::filesystem::path out;
  Bpm bpm = Bpm::unchecked(120);
  std::int64_t beats = 16;
  int rate = kDefaultRate;
  std::string meter = "simulated";  // see make_meter
  std::uint64_t seed = 1;
  bool mix = false;
  const std::atomic<int>* stop = nullptr;
  bool progress = false;
};

struct RenderResult {
  std::int64_t frames = 0;  // written to the file
  std::int64_t beats = 0;   // started in it
  bool interrupted = false;
  double seconds = 0.0;  // wall-clock time of the render
};

// Throws BadInput for anything in `options` it can't use, before writing anything, and
// std::runtime_error when writing fails midway (the temporary file is removed).
RenderResult render(const RenderOptions& options);

// Throws BadInput unless kMinRate <= rate <= kMaxRate.
void check_rate(std::int64_t rate);

}  // namespace cacophony::sound
