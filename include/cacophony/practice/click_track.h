#pragma once
// ClickTrackCutter: a click track beside a take (the click that went to the speaker, recorded on
// the take's timeline and at its rate, as a DAW bounces it) cut into one sound per click, to tell
// the detector the click the take's microphone heard (ClickBleed).
//
// Guarantees
// - Each click's sound runs from kClickLeadMs before the click found in the track (a found onset
//   may be a little late; the lead keeps the sound's start) to the next click's sound, and
//   kClickLongestMs at most (a click is a short burst; what rings on beyond is left in the take,
//   a tail that does not rise). A click whose sound would be empty is left out.
// - The bleed may be heard up to kBleedDelayMs after the track's click (ClickBleed::max_delay):
//   sound takes ~2.9 ms a metre, so a speaker up to ~17 m from the microphone.
// - Each sound is kept once: a click cut bit for bit like one before it is told as that one's
//   sound. A metronome, a DAW or `render` repeats a few sounds at whole frames, so a click track's
//   memory does not grow with its length (BENCHMARKS.md: `analyze --click-track` over 10 minutes
//   peaked at 110 MB before, 14.6 MB now).
//   Where clicks differ, kClickLongestMs of samples each at most; nothing else is kept.
//
// Thread safety: one thread at a time.

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "cacophony/practice/practice.h"

namespace cacophony::practice {

inline constexpr double kClickLeadMs = 2;
inline constexpr double kClickLongestMs = 100;
inline constexpr double kBleedDelayMs = 50;

class ClickTrackCutter {
 public:
  // `clicks` are the track's hits, in order (detect_hits on the track), at `rate`.
  ClickTrackCutter(const std::vector<Hit>& clicks, int rate);
  // The track's next `n` samples, from its first frame on.
  void feed(const float* samples, std::size_t n);
  // Once the whole track has been fed: every click, a click the track's end cut short as far as it
  // goes. The cutter is then spent.
  ClickBleed finish();

 private:
  struct Span {
    std::int64_t from = 0, to = 0;
    std::vector<float> cut;  // what has been fed of it, until it is whole
  };
  void keep(std::size_t i);

  std::vector<Span> spans_;  // each click's sound in the track, in order, apart
  ClickBleed bleed_;         // the clicks whole so far, and their sounds, each kept once
  // The sounds kept (into bleed_.sounds) by a hash of their samples' bits.
  std::unordered_map<std::uint64_t, std::vector<std::size_t>> by_hash_;
  std::int64_t at_ = 0;    // the track's frames fed
  std::size_t first_ = 0;  // the first span not yet whole
};

}  // namespace cacophony::practice
