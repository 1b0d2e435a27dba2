// The checker of tests/pipewire_play.sh: the clicks in a recording (its first channel), their
// count and their spacing. Prints every onset and its distance from the one before, then exits
//   0 when there are COUNT clicks, each exactly SPACING frames after the one before;
//   3 when the run lost cycles: COUNT clicks, none late, some early, at least half the spacings
//     exact (at any other tempo none is);
//   1 otherwise (a click doubled, missing or late, a wrong tempo), with a line on each.
// The player counts its clicks' frames in the stream it writes, and the recording is a stream
// too, so with every cycle heard every spacing is exact. A cycle lost on the way (an xrun: the
// player or the recorder woken too late) drops QUANTUM frames from one stream at one point, and
// so only ever brings the clicks after it early: the spacing across it is short by a quantum, or,
// when the loss cuts into a click's head, two neighbouring spacings share the quantum.
// Usage: pipewire_onsets FILE COUNT SPACING QUANTUM

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <vector>

#include "support/audio.h"
#include "support/onsets.h"

namespace {

int check(const char* file, long count, long spacing, long quantum) {
  const cacophony::test_support::Audio audio = cacophony::test_support::read_audio(file);
  // A click is a tone burst followed by exact silence: 100 zeros (2 ms) end one.
  const std::vector<long> at = cacophony::test_support::onsets<long>(audio.samples, 100);
  std::printf("%zu frames at %d Hz, %zu onsets (frame, distance, error):\n", audio.samples.size(),
              audio.rate, at.size());
  bool wrong = false;
  long early = 0;  // frames lost before the last click
  long exact = 0;
  for (std::size_t i = 0; i < at.size(); ++i) {
    if (i == 0) {
      std::printf("  %ld\n", at[i]);
      continue;
    }
    const long error = at[i] - at[i - 1] - spacing;
    std::printf("  %ld  %ld  %+ld\n", at[i], at[i] - at[i - 1], error);
    if (error > 0) {
      std::printf("FAIL: clicks %zu and %zu are %ld frames apart, more than %ld\n", i, i + 1,
                  at[i] - at[i - 1], spacing);
      wrong = true;
    }
    if (error < 0) early -= error;
    if (error == 0) ++exact;
  }
  if (static_cast<long>(at.size()) != count) {
    std::printf("FAIL: %zu clicks, expected %ld\n", at.size(), count);
    wrong = true;
  }
  if (early > 0 && 2 * exact < count - 1) {
    std::printf(
        "FAIL: clicks early, %ld of %ld spacings exact: a wrong tempo (or cycles lost all along)\n",
        exact, count - 1);
    wrong = true;
  }
  if (wrong) return 1;
  if (early > 0) {
    std::printf("cycles lost: the last click %ld frames early (%.2f quanta of %ld)\n", early,
                static_cast<double>(early) / static_cast<double>(quantum), quantum);
    return 3;
  }
  std::printf("every spacing exactly %ld frames\n", spacing);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: pipewire_onsets FILE COUNT SPACING QUANTUM\n");
    return 2;
  }
  try {
    return check(argv[1], std::stol(argv[2]), std::stol(argv[3]), std::stol(argv[4]));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "pipewire_onsets: %s\n", e.what());
    return 2;
  }
}
