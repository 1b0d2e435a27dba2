#pragma once
// Samples for the clicks (--sounds), and resampling, through libsndfile and libsamplerate.
//
// - load_sounds() reads ACCENT[,NORMAL] (one file: the same sample for both) at any rate and
//   channel count, folds it to mono, keeps at most kMaxSampleSeconds, and resamples it to the
//   engine's rate. The accent sample plays the accent; the normal sample the normal beats, the
//   subdivisions and the count-in, at those kinds' levels (click.h), so they stay apart by level.
// - Resampler converts a stream block by block (the --mix recording), with libsamplerate's
//   SRC_SINC_MEDIUM_QUALITY converter.
//
// Not for the audio thread: both allocate.

#include <filesystem>
#include <memory>
#include <vector>

#include "cacophony/sound/click.h"

namespace cacophony::sound {

inline constexpr double kMaxSampleSeconds = 2.0;

// Throws BadRecording (error.h) for a file it can't use: missing, a folder, not regular,
// unreadable, empty.
ClickSounds load_sounds(const std::vector<std::filesystem::path>& paths, int rate);

// A recording, folded to mono, at its own rate.
struct Recording {
  int rate = 0;
  std::vector<float> samples;
};

// The recording at `path`, its first `max_seconds` at most. Throws BadRecording as load_sounds.
Recording read_recording(const std::filesystem::path& path, double max_seconds);

// Mono samples at `from` Hz in, at `to` Hz out.
class Resampler {
 public:
  Resampler(int from, int to);
  ~Resampler();
  Resampler(const Resampler&) = delete;
  Resampler& operator=(const Resampler&) = delete;

  // Converts `in` (empty with `last` at the end of the stream) and appends what comes out to
  // `out`.
  void convert(const std::vector<float>& in, bool last, std::vector<float>& out);

 private:
  struct State;
  std::unique_ptr<State> state_;
  double ratio_;
};

}  // namespace cacophony::sound
