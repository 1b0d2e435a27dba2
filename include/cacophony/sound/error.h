#pragma once
// The sound layer's errors: what went wrong, as data (the value, the limit, the path, the reason).
// The caller words them; what() is only a short tag for logs.
//
// - BadInput and what derives from it: the metronome was given something it can't use (a rate it
//   doesn't support, an output it can't write, a recording it can't read, a render too long for
//   its file). Thrown before anything is written: nothing is left behind.
// - WriteFailed: writing the output failed midway; what to do with the partial output is the
//   caller's.
// - Unmeasurable: libebur128 does not take a format (channels, rate).

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <utility>

namespace cacophony::sound {

struct BadInput : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A sample rate outside [kMinRate, kMaxRate] (render.h).
struct BadRate : BadInput {
  explicit BadRate(std::int64_t rate) : BadInput("unsupported rate"), rate(rate) {}
  std::int64_t rate;
};

// An output file the render can't write.
struct BadOutput : BadInput {
  enum class Why {
    extension,     // not one of output_formats()'s (output_formats.h)
    rate,          // its container does not take `rate` Hz
    unstreamable,  // a pipe or a FIFO, and its container seeks back to finish its header
    refused,       // libsndfile could not write it; `reason` says why
  };
  BadOutput(std::filesystem::path path, Why why, std::string reason = {}, int rate = 0)
      : BadInput("bad output"),
        path(std::move(path)),
        why(why),
        reason(std::move(reason)),
        rate(rate) {}
  std::filesystem::path path;
  Why why;
  std::string reason;  // libsndfile's words, for `refused`
  int rate;            // for `rate`
};

// A recording (to meter, or to mix) that can't be used.
struct BadRecording : BadInput {
  enum class Why {
    missing,       // no such file
    folder,        // the path is a folder
    not_regular,   // a device, a FIFO or a socket: never opened, so never blocked on
    unreadable,    // libsndfile does not open it; `reason` says why
    channels,      // `found` channels: mono or stereo only
    empty,         // no frames
    truncated,     // shorter than its header says; `reason` is libsndfile's log line, if any
    damaged,       // `found` of `expected` frames decoded
    unseekable,    // can't be read from the start again
    unmeasurable,  // libebur128 does not take its format
    not_finite,    // a NaN or infinite sample at frame `found`
    rate,          // at `found` Hz, too far from the `expected` Hz it must be converted to
  };
  BadRecording(std::filesystem::path path, Why why, std::string reason = {}, std::int64_t found = 0,
               std::int64_t expected = 0)
      : BadInput("bad recording"),
        path(std::move(path)),
        why(why),
        reason(std::move(reason)),
        found(found),
        expected(expected) {}
  std::filesystem::path path;
  Why why;
  std::string reason;
  std::int64_t found;
  std::int64_t expected;
};

// A render longer than its file holds: most containers' sizes are 32-bit, FLAC counts samples in
// 36 bits, and no render is longer than 2^36 frames (about 400 hours at 48 kHz) in any container.
struct TooLong : BadInput {
  enum class Limit {
    four_gb,  // a container with 32-bit sizes
    flac,     // 2^36 samples
    render,   // 2^36 frames, in a container without a smaller limit
  };
  TooLong(std::int64_t frames, int rate, Limit limit, std::string extension)
      : BadInput("render too long"),
        frames(frames),
        rate(rate),
        limit(limit),
        extension(std::move(extension)) {}
  std::int64_t frames;  // the render's length
  int rate;
  Limit limit;
  std::string extension;  // the output's, lower case: ".wav"
};

struct WriteFailed : std::runtime_error {
  enum class Why {
    write,  // a block was not written; `reason` is libsndfile's
    close,  // the file could not be finished
  };
  WriteFailed(std::filesystem::path path, Why why, std::string reason = {})
      : std::runtime_error("write failed"),
        path(std::move(path)),
        why(why),
        reason(std::move(reason)) {}
  std::filesystem::path path;
  Why why;
  std::string reason;
};

struct Unmeasurable : std::runtime_error {
  Unmeasurable(int channels, int rate)
      : std::runtime_error("unmeasurable format"), channels(channels), rate(rate) {}
  int channels;
  int rate;
};

}  // namespace cacophony::sound
