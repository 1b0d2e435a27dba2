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

// The file's first `max_seconds`, folded to mono, at its own rate.
std::vector<float> read_mono(const std::filesystem::path& path, int& rate,
                             double max_seconds = kMaxSampleSeconds) {
  check_regular(path);
  SF_INFO info{};
  SNDFILE* file = sf_open(path.c_str(), SFM_READ, &info);
  if (!file) throw BadRecording(path, Why::unreadable, sf_strerror(nullptr));
  const auto frames =
      std::min<sf_count_t>(info.frames, static_cast<sf_count_t>(max_seconds * info.samplerate));
  const auto channels = static_cast<std::size_t>(info.channels);
  std::vector<float> interleaved(static_cast<std::size_t>(std::max<sf_count_t>(frames, 0)) *
                                 channels);
  const sf_count_t got = frames > 0 ? sf_readf_float(file, interleaved.data(), frames) : 0;
  sf_close(file);
  if (got <= 0) throw BadRecording(path, Why::empty);
  std::vector<float> mono(static_cast<std::size_t>(got));
  for (std::size_t i = 0; i < mono.size(); ++i) {
    float sum = 0.0f;
    for (std::size_t c = 0; c < channels; ++c) sum += interleaved[i * channels + c];
    mono[i] = sum / static_cast<float>(channels);
  }
  rate = info.samplerate;
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
    sounds.kinds[k] = kind == ClickKind::accent ? accent : normal;
    scale(sounds.kinds[k], kind);
  }
  return sounds;
}

Recording read_recording(const std::filesystem::path& path, double max_seconds) {
  Recording r;
  r.samples = read_mono(path, r.rate, max_seconds);
  return r;
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
