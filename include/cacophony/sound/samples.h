#pragma once
// Samples for the clicks (--sounds), and resampling, through libsndfile and libsamplerate.
//
// - load_sounds() reads ACCENT[,NORMAL] (one file: the same sample for both) at any rate and
//   channel count, folds it to mono, keeps at most kMaxSampleSeconds, and resamples it to the
//   engine's rate. The accent sample plays the accents (the count-in's too); the normal sample
//   the normal beats, the subdivisions and the rest of the count-in, at those kinds' levels
//   (click.h), so they stay apart by level. A polyrhythm's voices play the same two samples.
// - Resampler converts a stream block by block (the --mix recording), with libsamplerate's
//   SRC_SINC_MEDIUM_QUALITY converter.
//
// Not for the audio thread: both allocate.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <vector>

#include "cacophony/sound/click.h"

namespace cacophony::sound {

inline constexpr double kMaxSampleSeconds = 2.0;

// Throws BadRecording (error.h) for a file it can't use: missing, a folder, not regular,
// unreadable, empty, holding a NaN or infinite sample (not_finite), or at a rate too far from
// `rate` to convert (rate).
ClickSounds load_sounds(const std::vector<std::filesystem::path>& paths, int rate);

// A recording read a block at a time, folded to mono, at its own rate: memory stays bounded
// (a few blocks) however long it is.
class RecordingReader {
 public:
  static constexpr std::size_t kBlock = 65536;  // frames

  // Opens the recording at `path`, to read its first `max_seconds` at most. Throws BadRecording
  // as load_sounds.
  RecordingReader(const std::filesystem::path& path, double max_seconds);
  ~RecordingReader();
  RecordingReader(const RecordingReader&) = delete;
  RecordingReader& operator=(const RecordingReader&) = delete;

  int rate() const { return rate_; }
  // The next block (kBlock frames at most) into `mono`; false, with `mono` empty, at the end.
  // Throws BadRecording: `empty` when the first read gives nothing, `not_finite` at a NaN or
  // infinite sample.
  bool read(std::vector<float>& mono);

 private:
  struct File;
  std::filesystem::path path_;
  std::unique_ptr<File> file_;
  int rate_ = 0;
  std::size_t channels_ = 1;
  std::int64_t left_ = 0;  // frames still to read
  std::int64_t read_ = 0;  // frames read so far
  std::vector<float> interleaved_;
};

// Mono samples at `from` Hz in, at `to` Hz out; libsamplerate converts only between rates at
// most 256 times apart, so the layer checks a file's rate before (BadRecording::Why::rate).
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
