// Fuzzes a recording given to --meter file: or --follow file:: the bytes become a memory file
// (memfd_create), opened by its /proc/self/fd path, then metered past its end. FileMeter either
// reads it or throws BadRecording; anything else is a bug.
// The same bytes are then the samples of a mono 32-bit float WAV, where random bits are often NaN
// or infinite: FileMeter, and RecordingReader (analyze's takes), must refuse such a file as
// not_finite, naming the first such frame, and take every other.

#include <sys/mman.h>
#include <unistd.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "cacophony/sound/error.h"
#include "cacophony/sound/file_meter.h"
#include "cacophony/sound/samples.h"

using namespace cacophony::sound;

namespace {

// A memory file holding `bytes`; its path is /proc/self/fd/N.
int memory_file(const void* bytes, std::size_t size) {
  const int fd = ::memfd_create("recording", 0);
  if (fd < 0) std::abort();
  if (size > 0 && ::write(fd, bytes, size) != static_cast<ssize_t>(size)) std::abort();
  return fd;
}

std::string path_of(int fd) {
  return "/proc/self/fd/" + std::to_string(fd);
}

void meter_through(const std::string& path) {
  FileMeter meter(path);
  // Beats at 120 bpm in a 48 kHz render, through the end of the recording and a second past it.
  const std::int64_t frames = meter.frames() * 48000 / meter.rate() + 48000;
  for (std::int64_t beat = 0, frame = 0; frame <= frames; ++beat, frame += 24000) {
    const int volume = meter.volume_at(beat, frame, 48000);
    if (volume < 0 || volume > 100) std::abort();
  }
}

void put32(std::vector<unsigned char>& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<unsigned char>(v >> (8 * i)));
}

// A mono 48 kHz WAV of 32-bit float samples, the bytes given.
std::vector<unsigned char> float_wav(const std::uint8_t* data, std::size_t bytes) {
  std::vector<unsigned char> wav;
  const auto tag = [&](const char* t) { wav.insert(wav.end(), t, t + 4); };
  tag("RIFF");
  put32(wav, static_cast<std::uint32_t>(36 + bytes));
  tag("WAVE");
  tag("fmt ");
  put32(wav, 16);
  put32(wav, 3 | (1u << 16));  // IEEE float, one channel
  put32(wav, 48000);
  put32(wav, 48000 * 4);
  put32(wav, 4 | (32u << 16));  // 4 bytes a frame, 32 bits a sample
  tag("data");
  put32(wav, static_cast<std::uint32_t>(bytes));
  wav.insert(wav.end(), data, data + bytes);
  return wav;
}

// The first frame that is not finite, or -1.
std::int64_t first_not_finite(const std::uint8_t* data, std::size_t frames) {
  for (std::size_t i = 0; i < frames; ++i) {
    float v;
    std::memcpy(&v, data + 4 * i, 4);
    if (!std::isfinite(v)) return static_cast<std::int64_t>(i);
  }
  return -1;
}

// `read` either goes through, when every sample is finite, or throws not_finite at `bad`.
template <typename Read>
void expect_finite_rule(const Read& read, std::int64_t bad) {
  try {
    read();
    if (bad >= 0) std::abort();
  } catch (const BadRecording& e) {
    if (bad >= 0 && (e.why != BadRecording::Why::not_finite || e.found != bad)) std::abort();
    if (bad < 0 && e.why == BadRecording::Why::not_finite) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  int fd = memory_file(data, size);
  try {
    meter_through(path_of(fd));
  } catch (const BadRecording&) {
  }
  ::close(fd);

  const std::size_t frames = size / 4;
  if (frames == 0) return 0;
  const std::vector<unsigned char> wav = float_wav(data, frames * 4);
  const std::int64_t bad = first_not_finite(data, frames);
  fd = memory_file(wav.data(), wav.size());
  expect_finite_rule([&] { meter_through(path_of(fd)); }, bad);
  expect_finite_rule(
      [&] {
        RecordingReader reader(path_of(fd), 3600);
        for (std::vector<float> block; reader.read(block);) {
        }
      },
      bad);
  ::close(fd);
  return 0;
}
