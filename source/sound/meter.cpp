#include "cacophony/sound/meter.h"

#include <ebur128.h>
#include <fmt/format.h>
#include <sndfile.h>

#include <algorithm>
#include <cmath>

#include "cacophony/sound/click.h"
#include "cacophony/sound/error.h"

namespace cacophony::sound {

int loudness_to_volume(double lufs) {
  if (!std::isfinite(lufs)) return lufs > 0 ? kMaxVolume : kMinVolume;
  const double v = std::round((lufs + 60.0) * 100.0 / 60.0);
  return static_cast<int>(std::clamp(v, 0.0, 100.0));
}

int SimulatedMeter::volume_at(std::int64_t, std::int64_t, int) {
  return static_cast<int>(random_() % (kMaxVolume + 1));
}

namespace {
constexpr std::int64_t kBlock = 4096;
}

struct FileMeter::Handles {
  SNDFILE* file = nullptr;
  ebur128_state* state = nullptr;
  ~Handles() {
    if (state) ebur128_destroy(&state);
    if (file) sf_close(file);
  }
};

FileMeter::FileMeter(const std::filesystem::path& path) : handles_(std::make_unique<Handles>()) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    throw BadInput(fmt::format("cannot read '{}': no such file", path.string()));
  SF_INFO info{};
  SNDFILE* file = handles_->file = sf_open(path.c_str(), SFM_READ, &info);
  if (!file)
    throw BadInput(fmt::format("cannot read '{}': {}", path.string(), sf_strerror(nullptr)));
  rate_ = info.samplerate;
  channels_ = info.channels;
  frames_ = info.frames;
  auto fail = [&](const std::string& why) {
    throw BadInput(fmt::format("cannot read '{}': {}", path.string(), why));
  };
  if (channels_ < 1 || channels_ > 2)
    fail(fmt::format("{} channels (mono or stereo only)", channels_));
  if (frames_ <= 0) fail("no audio in it");

  // A recording cut short: libsndfile notes it in its log (for WAV, "data : N (should be M)"),
  // or decodes fewer frames than its header promised.
  char log[8192] = {};
  sf_command(file, SFC_GET_LOG_INFO, log, sizeof log);
  for (std::string_view rest(log); !rest.empty();) {
    const std::size_t eol = std::min(rest.find('\n'), rest.size());
    const std::string_view line = rest.substr(0, eol);
    rest.remove_prefix(std::min(eol + 1, rest.size()));
    if ((line.starts_with("data") || line.starts_with("SSND")) &&
        line.find("should be") != std::string_view::npos)
      fail(fmt::format("it is truncated ({})", line));
    if (line.find("runcated") != std::string_view::npos) fail("it is truncated");
  }
  buffer_.resize(static_cast<std::size_t>(kBlock * channels_));
  std::int64_t decoded = 0;
  for (sf_count_t got; (got = sf_readf_float(file, buffer_.data(), kBlock)) > 0;) decoded += got;
  if (sf_error(file) != SF_ERR_NO_ERROR || decoded != frames_)
    fail(fmt::format("it is truncated or damaged ({} of {} frames decoded)", decoded, frames_));
  if (sf_seek(file, 0, SEEK_SET) != 0) fail("it can't be read from the start again");

  handles_->state = ebur128_init(static_cast<unsigned>(channels_),
                                 static_cast<unsigned long>(rate_), EBUR128_MODE_M);
  if (!handles_->state) fail("the loudness meter does not take its format");
}

FileMeter::~FileMeter() = default;

void FileMeter::feed_until(std::int64_t file_frame) {
  // Past the end, silence: 400 ms of it empties the momentary window, then nothing changes.
  const std::int64_t limit = frames_ + rate_ * 2 / 5 + 1;
  file_frame = std::min(file_frame, limit);
  while (fed_ < file_frame) {
    const std::int64_t want = std::min(kBlock, file_frame - fed_);
    std::int64_t got = 0;
    if (fed_ < frames_) got = sf_readf_float(handles_->file, buffer_.data(), want);
    if (got < want)
      std::fill(buffer_.begin() + got * channels_, buffer_.begin() + want * channels_, 0.0f);
    ebur128_add_frames_float(handles_->state, buffer_.data(), static_cast<std::size_t>(want));
    fed_ += want;
  }
}

double FileMeter::loudness_at(std::int64_t file_frame) {
  feed_until(file_frame);
  double lufs = -HUGE_VAL;
  if (ebur128_loudness_momentary(handles_->state, &lufs) != EBUR128_SUCCESS) return -HUGE_VAL;
  return lufs;
}

int FileMeter::volume_at(std::int64_t, std::int64_t frame, int rate) {
  const auto file_frame = static_cast<std::int64_t>(static_cast<__int128>(frame) * rate_ / rate);
  return loudness_to_volume(loudness_at(file_frame));
}

std::filesystem::path meter_file(std::string_view spec) {
  if (spec.starts_with("file:")) return std::filesystem::path(spec.substr(5));
  return {};
}

MeterKind meter_kind(std::string_view spec, bool live) {
  if (spec == "simulated") return MeterKind::simulated;
  if (spec.starts_with("file:") && spec.size() > 5) return MeterKind::file;
  if (live && spec == "jack") return MeterKind::jack;
  throw BadInput(fmt::format("--meter must be {}, got '{}'",
                             live ? "simulated, file:PATH or jack" : "simulated or file:PATH",
                             std::string(spec)));
}

std::unique_ptr<Meter> make_meter(std::string_view spec, std::uint64_t seed) {
  if (meter_kind(spec, false) == MeterKind::simulated)
    return std::make_unique<SimulatedMeter>(seed);
  return std::make_unique<FileMeter>(meter_file(spec));
}

}  // namespace cacophony::sound
