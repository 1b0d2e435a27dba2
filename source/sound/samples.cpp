#include "cacophony/sound/samples.h"

#include <samplerate.h>
#include <sndfile.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "cacophony/sound/error.h"
#include "regular_file.h"

namespace cacophony::sound {
namespace {

using Why = BadRecording::Why;

// The sample's first kMaxSampleSeconds, folded to mono, at its own rate.
std::vector<float> read_mono(const std::filesystem::path& path, int& rate) {
  RecordingReader reader(path, kMaxSampleSeconds);
  rate = reader.rate();
  std::vector<float> mono;
  for (std::vector<float> block; reader.read(block);)
    mono.insert(mono.end(), block.begin(), block.end());
  return mono;
}

std::vector<float> at_rate(const std::vector<float>& samples, int from, int to) {
  if (from == to) return samples;
  std::vector<float> out;
  Resampler resampler(from, to);
  resampler.convert(samples, true, out);
  return out;
}

// The sample in `path`, at `rate`.
std::vector<float> sample_at(const std::filesystem::path& path, int rate) {
  int own_rate = 0;
  const std::vector<float> samples = read_mono(path, own_rate);
  check_rates(path, own_rate, rate);
  return at_rate(samples, own_rate, rate);
}

void scale(std::vector<float>& samples, ClickKind kind) {
  const auto gain = static_cast<float>(std::pow(10.0, Click::level_db(kind) / 20.0));
  for (float& s : samples) s *= gain;
}

}  // namespace

ClickSounds load_sounds(const std::vector<std::filesystem::path>& paths, int rate) {
  if (paths.empty() || paths.size() > 2) throw std::invalid_argument("one or two samples");
  const std::vector<float> accent = sample_at(paths.front(), rate);
  const std::vector<float> normal = sample_at(paths.back(), rate);
  ClickSounds sounds;
  for (std::size_t k = 0; k < kClickKinds; ++k) {
    const auto kind = static_cast<ClickKind>(k);
    const bool accented = kind == ClickKind::accent || kind == ClickKind::count_in_accent;
    sounds.kinds[k] = accented ? accent : normal;
    scale(sounds.kinds[k], kind);
  }
  for (auto& voice : sounds.voices)
    voice = {sounds.of(ClickKind::accent), sounds.of(ClickKind::normal)};
  return sounds;
}

struct RecordingReader::File {
  SNDFILE* handle = nullptr;
  ~File() {
    if (handle) sf_close(handle);
  }
};

RecordingReader::RecordingReader(const std::filesystem::path& path, double max_seconds)
    : path_(path), file_(std::make_unique<File>()) {
  check_regular(path);
  SF_INFO info{};
  file_->handle = sf_open(path.c_str(), SFM_READ, &info);
  if (!file_->handle) throw BadRecording(path, Why::unreadable, sf_strerror(nullptr));
  rate_ = info.samplerate;
  channels_ = static_cast<std::size_t>(info.channels);
  left_ = std::min<sf_count_t>(info.frames, static_cast<sf_count_t>(max_seconds * rate_));
  interleaved_.resize(kBlock * channels_);
}

RecordingReader::~RecordingReader() = default;

bool RecordingReader::read(std::vector<float>& mono) {
  mono.clear();
  const auto want = std::min<sf_count_t>(left_, static_cast<sf_count_t>(kBlock));
  const sf_count_t got = want > 0 ? sf_readf_float(file_->handle, interleaved_.data(), want) : 0;
  if (got <= 0) {
    if (read_ == 0) throw BadRecording(path_, Why::empty);
    left_ = 0;
    return false;
  }
  const auto channels = static_cast<std::int64_t>(channels_);
  check_finite(path_, interleaved_.data(), got, channels, read_);
  mono.resize(static_cast<std::size_t>(got));
  for (std::size_t i = 0; i < mono.size(); ++i) {
    float sum = 0.0f;
    for (std::size_t c = 0; c < channels_; ++c) sum += interleaved_[i * channels_ + c];
    mono[i] = sum / static_cast<float>(channels_);
  }
  left_ -= got;
  read_ += got;
  return true;
}

struct Resampler::State {
  SRC_STATE* src = nullptr;
  ~State() {
    if (src) src_delete(src);
  }
};

Resampler::Resampler(int from, int to)
    : state_(std::make_unique<State>()), ratio_(static_cast<double>(to) / from) {
  int error = 0;
  state_->src = src_new(SRC_SINC_MEDIUM_QUALITY, 1, &error);
  if (!state_->src) throw std::runtime_error(src_strerror(error));
}

Resampler::~Resampler() = default;

void Resampler::convert(const std::vector<float>& in, bool last, std::vector<float>& out) {
  std::vector<float> chunk(static_cast<std::size_t>(std::ceil(in.size() * ratio_)) + 256);
  SRC_DATA data{};
  data.data_in = in.data();
  data.input_frames = static_cast<long>(in.size());
  data.src_ratio = ratio_;
  data.end_of_input = last ? 1 : 0;
  // libsamplerate keeps what it can't convert yet; at the end it is flushed over several calls.
  do {
    data.data_out = chunk.data();
    data.output_frames = static_cast<long>(chunk.size());
    if (const int error = src_process(state_->src, &data); error != 0)
      throw std::runtime_error(src_strerror(error));
    out.insert(out.end(), chunk.begin(), chunk.begin() + data.output_frames_gen);
    data.data_in += data.input_frames_used;
    data.input_frames -= data.input_frames_used;
  } while (data.input_frames > 0 || (last && data.output_frames_gen > 0));
}

}  // namespace cacophony::sound
