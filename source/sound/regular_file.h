#pragma once
// The sound layer's rules for files it reads: only a regular file is opened (opening a FIFO would
// block, and a device never ends); every sample is finite (a NaN or an infinity would play as
// silence or full-scale DC); a file is resampled only between rates libsamplerate converts.
// Private to the layer.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <system_error>

#include "cacophony/sound/error.h"

namespace cacophony::sound {

// Throws BadRecording (missing, folder or not_regular) unless `path` is a regular file; a path
// that can't even be looked at (a symlink loop, a name too long) is unreadable, with the reason.
inline void check_regular(const std::filesystem::path& path) {
  using Why = BadRecording::Why;
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (std::filesystem::is_regular_file(status)) return;
  if (std::filesystem::is_directory(status)) throw BadRecording(path, Why::folder);
  if (std::filesystem::exists(status)) throw BadRecording(path, Why::not_regular);
  if (status.type() != std::filesystem::file_type::not_found && ec)
    throw BadRecording(path, Why::unreadable, ec.message());
  throw BadRecording(path, Why::missing);
}

// Throws BadRecording (not_finite, naming the frame) unless the `frames` interleaved frames of
// `channels` samples, the first being frame `first`, are all finite.
inline void check_finite(const std::filesystem::path& path, const float* samples,
                         std::int64_t frames, std::int64_t channels, std::int64_t first) {
  const float* end = samples + frames * channels;
  const float* bad = std::find_if(samples, end, [](float s) { return !std::isfinite(s); });
  if (bad != end)
    throw BadRecording(path, BadRecording::Why::not_finite, {}, first + (bad - samples) / channels);
}

// libsamplerate's limit: it converts between rates at most this many times apart.
inline constexpr std::int64_t kMaxRateRatio = 256;

// Throws BadRecording (rate) unless the file at `path`, at `from` Hz, can be converted to `to` Hz.
inline void check_rates(const std::filesystem::path& path, std::int64_t from, std::int64_t to) {
  if (from <= 0 || from * kMaxRateRatio < to || to * kMaxRateRatio < from)
    throw BadRecording(path, BadRecording::Why::rate, {}, from, to);
}

}  // namespace cacophony::sound
