// Fuzzes a recording given to --meter file:: the bytes become a memory file (memfd_create), opened
// by its /proc/self/fd path, then metered past its end. FileMeter either reads it or throws
// BadRecording; anything else is a bug.

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "cacophony/sound/error.h"
#include "cacophony/sound/file_meter.h"

using namespace cacophony::sound;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const int fd = ::memfd_create("recording", 0);
  if (fd < 0) std::abort();
  if (size > 0 && ::write(fd, data, size) != static_cast<ssize_t>(size)) std::abort();
  try {
    FileMeter meter("/proc/self/fd/" + std::to_string(fd));
    // Beats at 120 bpm in a 48 kHz render, through the end of the recording and a second past it.
    const std::int64_t frames = meter.frames() * 48000 / meter.rate() + 48000;
    for (std::int64_t beat = 0, frame = 0; frame <= frames; ++beat, frame += 24000) {
      const int volume = meter.volume_at(beat, frame, 48000);
      if (volume < 0 || volume > 100) std::abort();
    }
  } catch (const BadRecording&) {
  }
  ::close(fd);
  return 0;
}
