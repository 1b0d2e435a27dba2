#include "cacophony/sound/render.h"

#include <sndfile.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cacophony/sound/engine.h"
#include "cacophony/sound/error.h"
#include "cacophony/sound/output_formats.h"
#include "cacophony/sound/rhythm_grid.h"
#include "cacophony/sound/samples.h"
#include "regular_file.h"

namespace cacophony::sound {
namespace {

constexpr std::size_t kBlock = 4096;

struct CloseFile {
  void operator()(SNDFILE* f) const { sf_close(f); }
};
using File = std::unique_ptr<SNDFILE, CloseFile>;

// The recording under the clicks, read along with the render, folded to mono and resampled to
// the render's rate when it has another.
class Mix {
 public:
  Mix(const std::filesystem::path& path, int rate) {
    SF_INFO info{};
    file_.reset(sf_open(path.c_str(), SFM_READ, &info));
    if (!file_) throw BadRecording(path, BadRecording::Why::unreadable, sf_strerror(nullptr));
    check_rates(path, info.samplerate, rate);
    if (info.samplerate != rate) resampler_.emplace(info.samplerate, rate);
    path_ = path;
    channels_ = static_cast<std::size_t>(info.channels);
    buffer_.resize(kBlock * channels_);
  }

  void add_to(float* out, std::size_t frames) {
    while (ready_.size() - used_ < frames && !ended_) read_block();
    const std::size_t n = std::min(frames, ready_.size() - used_);
    for (std::size_t i = 0; i < n; ++i) out[i] += ready_[used_ + i];
    used_ += n;
    if (used_ > kBlock) {  // keep the queue short
      ready_.erase(ready_.begin(), ready_.begin() + static_cast<std::ptrdiff_t>(used_));
      used_ = 0;
    }
  }

 private:
  void read_block() {
    const sf_count_t got = sf_readf_float(file_.get(), buffer_.data(), kBlock);
    ended_ = got < static_cast<sf_count_t>(kBlock);
    check_finite(path_, buffer_.data(), std::max<sf_count_t>(got, 0),
                 static_cast<std::int64_t>(channels_), read_);
    read_ += std::max<sf_count_t>(got, 0);
    mono_.resize(static_cast<std::size_t>(std::max<sf_count_t>(got, 0)));
    for (std::size_t i = 0; i < mono_.size(); ++i) {
      float sum = 0.0f;
      for (std::size_t k = 0; k < channels_; ++k) sum += buffer_[i * channels_ + k];
      mono_[i] = sum / static_cast<float>(channels_);
    }
    if (resampler_)
      resampler_->convert(mono_, ended_, ready_);
    else
      ready_.insert(ready_.end(), mono_.begin(), mono_.end());
  }

  File file_;
  std::filesystem::path path_;
  std::int64_t read_ = 0;  // frames read so far
  std::size_t channels_ = 1;
  bool ended_ = false;
  std::vector<float> buffer_;
  std::vector<float> mono_;
  std::optional<Resampler> resampler_;
  std::vector<float> ready_;  // converted, not yet mixed from `used_` on
  std::size_t used_ = 0;
};

struct Metering {
  Meter* meter;
  Engine* engine;
};

void on_beat(void* context, std::int64_t count, const Onset& onset) {
  auto* m = static_cast<Metering*>(context);
  m->engine->set_volume(m->meter->volume_at(count, onset.frame, m->engine->rate()));
}

// The containers whose sizes are not 32-bit: their own 64-bit ones (W64, RF64, CAF), FLAC's 36-bit
// sample count, or none at all (Ogg, MPEG streams).
constexpr std::array kLargeContainers{SF_FORMAT_FLAC, SF_FORMAT_OGG,  SF_FORMAT_MPEG,
                                      SF_FORMAT_W64,  SF_FORMAT_RF64, SF_FORMAT_CAF};

void check_length(const RenderOptions& options, std::int64_t total, const OutputFormat& format) {
  using Limit = TooLong::Limit;
  const int container = format.format & SF_FORMAT_TYPEMASK;
  const bool large = std::find(kLargeContainers.begin(), kLargeContainers.end(), container) !=
                     kLargeContainers.end();
  // 4 GB of 16-bit samples, less room for the header.
  if (!large && total > 0x7FFF'8000LL)
    throw TooLong(total, options.rate, Limit::four_gb, format.extension);
  if (total >= (std::int64_t{1} << 36))
    throw TooLong(total, options.rate, container == SF_FORMAT_FLAC ? Limit::flac : Limit::render,
                  format.extension);
}

// The output on the caller's descriptor, finished by finish().
class Output {
 public:
  Output(const std::filesystem::path& out, int fd, const OutputFormat& format, int rate)
      : out_(out) {
    // Into a pipe, only a container that streams: libsndfile refuses some in its own words, and
    // leaves others with their header unfinished.
    if (lseek(fd, 0, SEEK_CUR) < 0 && errno == ESPIPE && !streams(format))
      throw BadOutput(out, BadOutput::Why::unstreamable);
    SF_INFO info{};
    info.samplerate = rate;
    info.channels = 1;
    info.format = format.format;
    file_.reset(sf_open_fd(fd, SFM_WRITE, &info, SF_FALSE));
    // A system error is the disk's (full, failing), not the user's.
    if (!file_ && sf_error(nullptr) == SF_ERR_SYSTEM)
      throw WriteFailed(out, WriteFailed::Why::write, sf_strerror(nullptr));
    if (!file_) throw BadOutput(out, BadOutput::Why::refused, sf_strerror(nullptr));
  }

  // Converted to 16 bits here, clipped at full scale: libsndfile's own clipping conversion,
  // sample by sample, took half of a render's time.
  void write(const float* block, std::size_t frames) {
    pcm_.resize(frames);
    for (std::size_t i = 0; i < frames; ++i) {
      const float v = std::clamp(block[i] * 32767.0f, -32768.0f, 32767.0f);
      // Adding and taking away 1.5 * 2^23 rounds to the nearest integer, ties to even.
      pcm_[i] = static_cast<short>((v + 12582912.0f) - 12582912.0f);
    }
    if (sf_writef_short(file_.get(), pcm_.data(), static_cast<sf_count_t>(frames)) !=
        static_cast<sf_count_t>(frames))
      throw WriteFailed(out_, WriteFailed::Why::write, sf_strerror(file_.get()));
  }

  // Completes the header.
  void finish() {
    if (sf_close(file_.release()) != 0) throw WriteFailed(out_, WriteFailed::Why::close);
  }

 private:
  std::filesystem::path out_;
  File file_;
  std::vector<short> pcm_;
};

bool stopped(const RenderOptions& options) {
  return options.stop && options.stop->load(std::memory_order_relaxed);
}

// Runs the engine into `output` until the track ends or `stop` is set.
RenderResult write_blocks(Engine& engine, Mix* recording, Output& output,
                          const RenderOptions& options) {
  RenderResult result;
  const std::int64_t total = engine.total_frames();
  std::vector<float> block(kBlock);
  std::int64_t blocks = 0;
  while (!engine.finished()) {
    if (stopped(options)) {
      result.interrupted = true;
      break;
    }
    const std::size_t n = engine.process(block.data(), kBlock);
    if (recording) recording->add_to(block.data(), n);
    output.write(block.data(), n);
    result.frames += static_cast<std::int64_t>(n);
    if (options.progress && ++blocks % 64 == 0) options.progress(result.frames, total, false);
  }
  if (options.progress) options.progress(result.frames, total, true);
  result.beats = engine.beats_started();
  return result;
}

}  // namespace

void check_rate(std::int64_t rate) {
  if (rate < kMinRate || rate > kMaxRate) throw BadRate(rate);
}

void check_output(const std::filesystem::path& out, int rate) {
  output_format(out, rate);
}

RenderResult render(RenderOptions options, Meter& meter) {
  check_rate(options.rate);
  const OutputFormat& format = output_format(options.out, options.rate);
  std::optional<Mix> recording;
  if (!options.mix.empty()) recording.emplace(options.mix, options.rate);

  std::unique_ptr<Grid> grid;
  if (options.songs.empty())
    grid = std::make_unique<RhythmGrid>(std::move(options.performance), options.rate);
  else
    grid = std::make_unique<SetlistGrid>(std::move(options.songs), options.first_song, options.rate,
                                         false);
  ClickSounds sounds = options.sounds;
  if (sounds.of(ClickKind::accent).empty()) sounds = ClickSounds::synthesised(options.rate);
  Engine engine(options.rate, *grid, Engine::kEndless, std::move(sounds));
  Metering metering{&meter, &engine};
  engine.set_beat_hook(on_beat, &metering);
  check_length(options, engine.total_frames(), format);

  Output output(options.out, options.fd, format, options.rate);
  RenderResult result = write_blocks(engine, recording ? &*recording : nullptr, output, options);
  output.finish();
  return result;
}

}  // namespace cacophony::sound
