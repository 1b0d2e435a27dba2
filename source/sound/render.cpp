#include "cacophony/sound/render.h"

#include <fmt/format.h>
#include <sndfile.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <memory>
#include <vector>

#include "cacophony/sound/engine.h"
#include "cacophony/sound/error.h"
#include "cacophony/sound/meter.h"

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
  throw BadInput(
      fmt::format("cannot write '{}': the output must end in .wav or .flac", out.string()));
}

// The recording under the clicks, read along with the render and folded to mono.
class Recording {
 public:
  Recording(const std::filesystem::path& path, int rate) {
    SF_INFO info{};
    file_.reset(sf_open(path.c_str(), SFM_READ, &info));
    if (!file_)
      throw BadInput(fmt::format("cannot read '{}': {}", path.string(), sf_strerror(nullptr)));
    if (info.samplerate != rate)
      throw BadInput(fmt::format(
          "--mix: '{}' is at {} Hz and the render at {} Hz; resampling is not supported, "
          "use --rate {}",
          path.string(), info.samplerate, rate, info.samplerate));
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

// Removes the temporary file unless released.
struct Temporary {
  std::filesystem::path path;
  bool keep = false;
  ~Temporary() {
    if (keep) return;
    std::error_code ec;
    std::filesystem::remove(path, ec);
  }
};

}  // namespace

void check_rate(std::int64_t rate) {
  if (rate < kMinRate || rate > kMaxRate)
    throw BadInput(fmt::format("unsupported rate {} Hz: the rate must be in [{}, {}]", rate,
                               kMinRate, kMaxRate));
}

RenderResult render(const RenderOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  check_rate(options.rate);
  const int format = format_for(options.out);
  if (options.beats < 1) throw BadInput("--beats must be at least 1");
  std::unique_ptr<Meter> meter = make_meter(options.meter, options.seed);
  std::unique_ptr<Recording> recording;
  if (options.mix) {
    const std::filesystem::path song = meter_file(options.meter);
    if (song.empty()) throw BadInput("--mix needs a recording to mix: --meter file:PATH");
    recording = std::make_unique<Recording>(song, options.rate);
  }

  FixedGrid grid(options.rate, options.bpm);
  Engine engine(options.rate, grid, options.beats);
  Metering metering{meter.get(), &engine};
  engine.set_beat_hook(on_beat, &metering);
  const std::int64_t total = engine.total_frames();
  const bool wav = (format & SF_FORMAT_TYPEMASK) == SF_FORMAT_WAV;
  // A WAV file's sizes are 32-bit; FLAC counts samples in 36 bits.
  if (wav ? total * 2 > 0xFFFF'0000LL : total >= (std::int64_t{1} << 36))
    throw BadInput(fmt::format("{} beats at {} bpm make {:.1f} hours, more than a {} file holds{}",
                               options.beats, options.bpm.value(),
                               static_cast<double>(total) / options.rate / 3600.0,
                               wav ? "WAV" : "FLAC", wav ? " (4 GB): write .flac" : ""));

  std::error_code ec;
  if (std::filesystem::is_directory(options.out, ec))
    throw BadInput(fmt::format("cannot write '{}': it is a folder", options.out.string()));
  Temporary tmp{options.out.string() + fmt::format(".{}.tmp", getpid())};
  SF_INFO info{};
  info.samplerate = options.rate;
  info.channels = 1;
  info.format = format;
  File file(sf_open(tmp.path.c_str(), SFM_WRITE, &info));
  if (!file)
    throw BadInput(
        fmt::format("cannot write '{}': {}", options.out.string(), sf_strerror(nullptr)));
  sf_command(file.get(), SFC_SET_CLIPPING, nullptr, SF_TRUE);

  RenderResult result;
  std::vector<float> block(kBlock);
  bool shown = false;
  int shown_percent = -1;
  std::int64_t blocks = 0;
  while (!engine.finished()) {
    if (options.stop && options.stop->load(std::memory_order_relaxed)) {
      result.interrupted = true;
      break;
    }
    const std::size_t n = engine.process(block.data(), kBlock);
    if (recording) recording->add_to(block.data(), n);
    if (sf_writef_float(file.get(), block.data(), static_cast<sf_count_t>(n)) !=
        static_cast<sf_count_t>(n))
      throw std::runtime_error(
          fmt::format("writing '{}' failed: {}", options.out.string(), sf_strerror(file.get())));
    result.frames += static_cast<std::int64_t>(n);
    if (options.progress && ++blocks % 64 == 0) {
      const auto elapsed = std::chrono::steady_clock::now() - started;
      const int percent = static_cast<int>(result.frames * 100 / total);
      if (elapsed > std::chrono::seconds(1) && percent != shown_percent) {
        std::fprintf(stderr, "\rrender: %3d%%", percent);
        std::fflush(stderr);
        shown = true;
        shown_percent = percent;
      }
    }
  }
  if (shown)
    std::fprintf(stderr, "\rrender: %3d%%\n", static_cast<int>(result.frames * 100 / total));

  if (sf_close(file.release()) != 0)
    throw std::runtime_error(fmt::format("writing '{}' failed", options.out.string()));
  std::filesystem::rename(tmp.path, options.out, ec);
  if (ec)
    throw std::runtime_error(
        fmt::format("cannot write '{}': {}", options.out.string(), ec.message()));
  tmp.keep = true;
  result.beats = engine.beats_started();
  result.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

}  // namespace cacophony::sound
