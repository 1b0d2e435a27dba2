// Fuzzes what is typed on stdin while `play` runs: each input is written to a pipe that becomes
// standard input, then a fresh LiveInput reads it to its end, as keys (the first byte odd) or as
// lines, into a LiveControl over a live grid and an engine that never play.

#include <fcntl.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "cacophony/sound/engine.h"
#include "cacophony/sound/live_grid.h"
#include "cacophony/sound/meter.h"
#include "live/live_control.h"
#include "live/live_input.h"

using namespace cacophony;

// A pipe holds 64 KiB: a longer input would block its own writer.
constexpr std::size_t kMaxInput = 60000;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0 || size > kMaxInput) return 0;
  int fds[2];
  if (::pipe(fds) != 0) std::abort();
  if (size > 1 && ::write(fds[1], data + 1, size - 1) != static_cast<ssize_t>(size - 1))
    std::abort();
  ::close(fds[1]);
  if (::dup2(fds[0], STDIN_FILENO) < 0) std::abort();
  ::close(fds[0]);
  {
    rhythm::Section section;
    section.beats = rhythm::kEndless;
    sound::LiveGrid grid(section, 1, 48000);
    sound::Engine engine(48000, grid, sound::Engine::kEndless);
    sound::SteadyMeter steady(80);
    cli::LiveControl control(engine, &grid, nullptr, &steady);
    cli::LiveInput input(control, data[0] & 1);
    for (int i = 0; i < 100 && !input.quit(); ++i) input.poll();
    const cli::LiveStatus s = control.status();
    if (!(s.tempo >= control.min_tempo() && s.tempo <= control.max_tempo())) std::abort();
    if (s.beats < 1 || s.beats > 64 || s.subdivide < 1 || s.subdivide > 4) std::abort();
  }
  // fd 0 stays taken between inputs, so the next input's dup2 replaces nothing else.
  const int null = ::open("/dev/null", O_RDONLY);
  if (null < 0 || ::dup2(null, STDIN_FILENO) < 0) std::abort();
  ::close(null);
  return 0;
}
