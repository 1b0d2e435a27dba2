#pragma once
// Test helpers: an audio file's first channel, read whole through libsndfile; a mono file written.

#include <sndfile.h>

#include <filesystem>
#include <stdexcept>
#include <vector>

namespace cacophony::test_support {

struct Audio {
  int rate = 0;
  int channels = 0;
  std::vector<float> samples;  // the first channel
};

inline Audio read_audio(const std::filesystem::path& path) {
  SF_INFO info{};
  SNDFILE* f = sf_open(path.c_str(), SFM_READ, &info);
  if (!f) throw std::runtime_error("cannot open " + path.string() + ": " + sf_strerror(nullptr));
  std::vector<float> all(static_cast<std::size_t>(info.frames * info.channels));
  const sf_count_t got = sf_readf_float(f, all.data(), info.frames);
  sf_close(f);
  Audio a{info.samplerate, info.channels, {}};
  for (sf_count_t i = 0; i < got; ++i)
    a.samples.push_back(all[static_cast<std::size_t>(i * info.channels)]);
  return a;
}

// Writes `block` `times` over, back to back, as a one-channel file of `format` (a float WAV
// unless told), all of it or throws: a long take written without holding it whole.
inline void write_repeated(const std::filesystem::path& path, int rate,
                           const std::vector<float>& block, int times,
                           int format = SF_FORMAT_WAV | SF_FORMAT_FLOAT) {
  SF_INFO info{};
  info.samplerate = rate;
  info.channels = 1;
  info.format = format;
  SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
  if (!f) throw std::runtime_error("cannot write " + path.string() + ": " + sf_strerror(nullptr));
  const auto frames = static_cast<sf_count_t>(block.size());
  for (int i = 0; i < times; ++i)
    if (sf_writef_float(f, block.data(), frames) != frames) {
      sf_close(f);
      throw std::runtime_error("short write to " + path.string());
    }
  sf_close(f);
}

// Writes `mono` as a one-channel file of `format` (a float WAV unless told), all of it or throws.
inline void write_audio(const std::filesystem::path& path, int rate, const std::vector<float>& mono,
                        int format = SF_FORMAT_WAV | SF_FORMAT_FLOAT) {
  write_repeated(path, rate, mono, 1, format);
}

}  // namespace cacophony::test_support
