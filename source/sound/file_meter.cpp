#include "cacophony/sound/file_meter.h"

#include <sndfile.h>

#include <algorithm>
#include <cmath>
#include <string_view>

#include "cacophony/sound/error.h"
#include "regular_file.h"

namespace cacophony::sound {
namespace {

constexpr std::int64_t kBlock = 4096;

using Why = BadRecording::Why;

// A recording cut short, as libsndfile notes it in its log (for WAV, "data : N (should be M)").
void check_log(SNDFILE* file, const std::filesystem::path& path) {
  char log[8192] = {};
  sf_command(file, SFC_GET_LOG_INFO, log, sizeof log);
  for (std::string_view rest(log); !rest.empty();) {
    const std::size_t eol = std::min(rest.find('\n'), rest.size());
    const std::string_view line = rest.substr(0, eol);
    rest.remove_prefix(std::min(eol + 1, rest.size()));
    if ((line.starts_with("data") || line.starts_with("SSND")) &&
        line.find("should be") != std::string_view::npos)
      throw BadRecording(path, Why::truncated, std::string(line));
    if (line.find("runcated") != std::string_view::npos) throw BadRecording(path, Why::truncated);
  }
}

}  // namespace

struct FileMeter::File {
  SNDFILE* handle = nullptr;
  ~File() {
    if (handle) sf_close(handle);
  }
};

FileMeter::FileMeter(const std::filesystem::path& path) : file_(std::make_unique<File>()) {
  check_regular(path);
  SF_INFO info{};
  file_->handle = sf_open(path.c_str(), SFM_READ, &info);
  if (!file_->handle) throw BadRecording(path, Why::unreadable, sf_strerror(nullptr));
  rate_ = info.samplerate;
  channels_ = info.channels;
  frames_ = info.frames;
  if (channels_ < 1 || channels_ > 2) throw BadRecording(path, Why::channels, {}, channels_);
  if (frames_ <= 0) throw BadRecording(path, Why::empty);
  check_log(file_->handle, path);
  buffer_.resize(static_cast<std::size_t>(kBlock * channels_));
  check_whole(path);
  try {
    loudness_ = std::make_unique<Loudness>(channels_, rate_);
  } catch (const Unmeasurable&) {
    throw BadRecording(path, Why::unmeasurable);
  }
}

FileMeter::~FileMeter() = default;

// Decodes every frame once, then goes back to the start: a recording that decodes fewer frames
// than its header promised, or holds a sample that is not finite, is caught before the render
// begins.
void FileMeter::check_whole(const std::filesystem::path& path) {
  std::int64_t decoded = 0;
  for (sf_count_t got; (got = sf_readf_float(file_->handle, buffer_.data(), kBlock)) > 0;) {
    check_finite(path, buffer_.data(), got, channels_, decoded);
    decoded += got;
  }
  if (sf_error(file_->handle) != SF_ERR_NO_ERROR || decoded != frames_)
    throw BadRecording(path, Why::damaged, {}, decoded, frames_);
  if (sf_seek(file_->handle, 0, SEEK_SET) != 0) throw BadRecording(path, Why::unseekable);
}

void FileMeter::feed_until(std::int64_t file_frame) {
  while (fed_ < file_frame) {
    const std::int64_t want = std::min(kBlock, file_frame - fed_);
    std::int64_t got = 0;
    if (fed_ < frames_) got = sf_readf_float(file_->handle, buffer_.data(), want);
    if (got < want)
      std::fill(buffer_.begin() + got * channels_, buffer_.begin() + want * channels_, 0.0f);
    loudness_->add(buffer_.data(), static_cast<std::size_t>(want));
    fed_ += want;
  }
}

double FileMeter::loudness_at(std::int64_t file_frame) {
  // Once the 400 ms window is past the end it holds only silence. Metered, it would not read so:
  // the K-weighting filters ring on after the last sample (about -50 LUFS, volume 14, just after
  // a loud end), and that ringing would stay in the window for good.
  const std::int64_t window = (rate_ * std::int64_t{2} + 4) / 5;
  if (file_frame >= frames_ + window) return -HUGE_VAL;
  feed_until(file_frame);
  return loudness_->momentary();
}

int FileMeter::volume_at(std::int64_t, std::int64_t frame, int rate) {
  const auto file_frame = static_cast<std::int64_t>(static_cast<__int128>(frame) * rate_ / rate);
  return loudness_to_volume(loudness_at(file_frame));
}

}  // namespace cacophony::sound
