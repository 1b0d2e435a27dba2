#pragma once
// Test helper: an audio file's first channel, read whole through libsndfile.

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

}  // namespace cacophony::test_support
