#pragma once
// render: the metronome played offline into an audio file, as fast as the disk takes it.
//
// Guarantees
// - The format follows the output's extension (any case): one of output_formats.h's, mono, in
//   its codec (16-bit PCM where the container takes it); any other extension is BadOutput, and
//   so is a container that does not take the rate. The rate is 48 000 Hz unless asked, and must
//   be in 8 000..192 000 Hz (BadRate otherwise).
// - Into a pipe or a FIFO, only a container that streams (output_formats.h's streams()) is
//   written; another is BadOutput (unstreamable), before anything is written.
// - The render writes to `fd`, which the caller opened and closes, from its current offset
//   (libsndfile's sf_open_fd); where the output goes, and how it is put in place, is the caller's.
//   The file is finished (its header complete) when render() returns.
// - The clicks are the performance's (rhythm/rhythm.h), each on the frame its timeline computes;
//   the file ends when the last beat's interval is over and the last click has rung out.
// - The volume of each click comes from the meter (meter.h), asked at the click's start. With
//   `mix`, that recording sounds under the clicks (mono as is, stereo averaged to mono,
//   resampled to the render's rate); samples beyond full scale are clipped.
// - `sounds` are the clicks (click.h's synthesised ones unless replaced, samples.h).
// - `stop`, when given, is checked between blocks (~85 ms of audio at 48 kHz): once set, the
//   render finishes the file with what it has (a valid, shorter file) and says it was interrupted.
// - `progress`, when given, is called on the rendering thread every 64 blocks with the frames
//   written and the track's length, and once more with `done` when the last block is written
//   (finished or stopped), before the file is closed. The render prints nothing.

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>

#include "cacophony/rhythm/rhythm.h"
#include "cacophony/sound/click.h"
#include "cacophony/sound/meter.h"
#include "cacophony/sound/setlist_grid.h"

namespace cacophony::sound {

constexpr int kMinRate = 8000;
constexpr int kMaxRate = 192000;
constexpr int kDefaultRate = 48000;

struct RenderOptions {
  using Progress = std::function<void(std::int64_t frames, std::int64_t total, bool done)>;

  std::filesystem::path out;        // the output's name: its extension picks the format
  int fd = -1;                      // where the output is written, open for writing
  rhythm::Performance performance;  // must end (no endless section)
  // A setlist instead (when not empty): its songs from `first_song` on, back to back.
  std::vector<SetlistGrid::Song> songs;
  std::size_t first_song = 0;
  int rate = kDefaultRate;
  ClickSounds sounds;         // at `rate`; empty: the synthesised clicks
  std::filesystem::path mix;  // a recording to sound under the clicks; empty: none
  const std::atomic<int>* stop = nullptr;
  Progress progress;
};

struct RenderResult {
  std::int64_t frames = 0;  // written to the file
  std::int64_t beats = 0;   // clicks started in it
  bool interrupted = false;
};

// Throws BadInput (error.h: BadRate, BadOutput, BadRecording for `mix`, TooLong, also for an
// endless performance) for anything in `options` it can't use, before writing anything, and
// WriteFailed when writing fails midway. A performance rhythm::check() refuses is
// std::invalid_argument. `options` by value: its performance (a map may be large) is moved on,
// not copied.
RenderResult render(RenderOptions options, Meter& meter);

// Throws BadRate unless kMinRate <= rate <= kMaxRate.
void check_rate(std::int64_t rate);

// Throws BadOutput (extension, rate) unless `out`'s extension names a container that takes
// `rate` Hz (output_formats.h's output_format()).
void check_output(const std::filesystem::path& out, int rate);

}  // namespace cacophony::sound
