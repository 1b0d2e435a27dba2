#pragma once
// render: the metronome played offline into an audio file, as fast as the disk takes it.
//
// Guarantees
// - The format follows the output's extension: .wav or .flac (any case), 16-bit PCM, mono; any
//   other extension is BadOutput. The rate is 48 000 Hz unless asked, and must be in
//   8 000..192 000 Hz (BadRate otherwise).
// - The render writes to `fd`, which the caller opened and closes, from its current offset
//   (libsndfile's sf_open_fd); where the output goes, and how it is put in place, is the caller's.
//   The file is finished (its header complete) when render() returns.
// - The volume of each beat comes from the meter (meter.h), asked at the beat's start. With
//   `mix`, that recording sounds under the clicks (it must have the render's rate; mono as is,
//   stereo averaged to mono); samples beyond full scale are clipped.
// - `stop`, when given, is checked between blocks (~85 ms of audio at 48 kHz): once set, the
//   render finishes the file with what it has (a valid, shorter file) and says it was interrupted.
// - `progress`, when given, is called on the rendering thread every 64 blocks with the frames
//   written and the track's length, and once more with `done` when the last block is written
//   (finished or stopped), before the file is closed. The render prints nothing.

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>

#include "cacophony/bpm/bpm.h"
#include "cacophony/sound/meter.h"

namespace cacophony::sound {

constexpr int kMinRate = 8000;
constexpr int kMaxRate = 192000;
constexpr int kDefaultRate = 48000;

struct RenderOptions {
  using Progress = std::function<void(std::int64_t frames, std::int64_t total, bool done)>;

  std::filesystem::path out;  // the output's name: its extension picks the format
  int fd = -1;                // where the output is written, open for writing
  Bpm bpm = Bpm::unchecked(120);
  std::int64_t beats = 16;  // at least 1
  int rate = kDefaultRate;
  std::filesystem::path mix;  // a recording to sound under the clicks; empty: none
  const std::atomic<int>* stop = nullptr;
  Progress progress;
};

struct RenderResult {
  std::int64_t frames = 0;  // written to the file
  std::int64_t beats = 0;   // started in it
  bool interrupted = false;
};

// Throws BadInput (error.h: BadRate, BadOutput, BadRecording for `mix`, TooLong) for anything in
// `options` it can't use, before writing anything, and WriteFailed when writing fails midway.
RenderResult render(const RenderOptions& options, Meter& meter);

// Throws BadRate unless kMinRate <= rate <= kMaxRate.
void check_rate(std::int64_t rate);

// Throws BadOutput (extension) unless `out` ends in .wav or .flac, in any case.
void check_extension(const std::filesystem::path& out);

}  // namespace cacophony::sound
