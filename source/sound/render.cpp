#include "cacophony/sound/render.h"

#include <sndfile.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cacophony/sound/engine.h"
#include "cacophony/sound/error.h"

namespace cacophony::sound {
namespace {

constexpr std::size_t kBlock = 4096;

struct CloseFile {
  void operator()(SNDFILE* f) const { sf_close(f); }
};
using File = std::unique_ptr<SNDFILE, CloseFile>;

int format_for(const std::filesystem::path& out) {
  std::string ext = out.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (ext == ".wav") return SF_FORMAT_WAV | SF_FORMAT_PCM_16;
  if (ext == ".flac") return SF_FORMAT_FLAC | SF_FORMAT_PCM_16;
  throw BadOutput(out, BadOutput::Why::extension);
}

// The recording under the clicks, read along with the render and folded to mono.
class Recording {
 public:
  Recording(const std::filesystem::path& path, int rate) {
    SF_INFO info{};
    file_.reset(sf_open(path.c_str(), SFM_READ, &info));
    if (!file_) throw BadRecording(path, BadRecording::Why::unreadable, sf_strerror(nullptr));
    if (info.samplerate != rate)
      throw BadRecording(path, BadRecording::Why::rate, {}, info.samplerate, rate);
    channels_ = info.channels;
    buffer_.resize(kBlock * static_cast<std::size_t>(channels_));
  }

  void add_to(float* out, std::size_t frames) {
    if (done_) return;
    const sf_count_t got =
        sf_readf_float(file_.get(), buffer_.data(), static_cast<sf_count_t>(frames));
    if (got < static_cast<sf_count_t>(frames)) done_ = true;
    const auto c = static_cast<std::size_t>(channels_);
    for (std::size_t i = 0; i < static_cast<std::size_t>(got); ++i) {
      float sum = 0.0f;
      for (std::size_t k = 0; k < c; ++k) sum += buffer_[i * c + k];
      out[i] += sum / static_cast<float>(c);
    }
  }

 private:
  File file_;
  int channels_ = 1;
  bool done_ = false;
  std::vector<float> buffer_;
};

struct Metering {
  Meter* meter;
  Engine* engine;
};

void on_beat(void* context, std::int64_t count, const Onset& onset) {
  auto* m = static_cast<Metering*>(context);
  m->engine->set_volume(m->meter->volume_at(count, onset.frame, m->engine->rate()));
}

void check_length(const RenderOptions& options, std::int64_t total, int format) {
  const bool wav = (format & SF_FORMAT_TYPEMASK) == SF_FORMAT_WAV;
  // A WAV file's sizes are 32-bit; FLAC counts samples in 36 bits.
  if (wav ? total * 2 > 0xFFFF'0000LL : total >= (std::int64_t{1} << 36))
    throw TooLong(options.beats, options.bpm.value(), total, options.rate, wav);
}

// The output on the caller's descriptor, finished by finish().
class Output {
 public:
  Output(const std::filesystem::path& out, int fd, int format, int rate) : out_(out) {
    SF_INFO info{};
    info.samplerate = rate;
    info.channels = 1;
    info.format = format;
    file_.reset(sf_open_fd(fd, SFM_WRITE, &info, SF_FALSE));
    // A system error is the disk's (full, failing), not the user's.
    if (!file_ && sf_error(nullptr) == SF_ERR_SYSTEM)
      throw WriteFailed(out, WriteFailed::Why::write, sf_strerror(nullptr));
    if (!file_) throw BadOutput(out, BadOutput::Why::refused, sf_strerror(nullptr));
    sf_command(file_.get(), SFC_SET_CLIPPING, nullptr, SF_TRUE);
  }

  void write(const float* block, std::size_t frames) {
    if (sf_writef_float(file_.get(), block, static_cast<sf_count_t>(frames)) !=
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
};

bool stopped(const RenderOptions& options) {
  return options.stop && options.stop->load(std::memory_order_relaxed);
}

// Runs the engine into `output` until the track ends or `stop` is set.
RenderResult write_blocks(Engine& engine, Recording* recording, Output& output,
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

void check_extension(const std::filesystem::path& out) {
  format_for(out);
}

RenderResult render(const RenderOptions& options, Meter& meter) {
  check_rate(options.rate);
  const int format = format_for(options.out);
  std::optional<Recording> recording;
  if (!options.mix.empty()) recording.emplace(options.mix, options.rate);

  FixedGrid grid(options.rate, options.bpm);
  Engine engine(options.rate, grid, options.beats);
  Metering metering{&meter, &engine};
  engine.set_beat_hook(on_beat, &metering);
  check_length(options, engine.total_frames(), format);

  Output output(options.out, options.fd, format, options.rate);
  RenderResult result = write_blocks(engine, recording ? &*recording : nullptr, output, options);
  output.finish();
  return result;
}

}  // namespace cacophony::sound
