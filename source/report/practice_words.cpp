#include "cacophony/report/practice_words.h"

#include <fmt/format.h>

#include <array>
#include <cmath>

namespace cacophony {
namespace {

using practice::Pace;
using practice::TempoPhase;

// Up to twelve bars in words, as a musician counts them ("the last four bars").
std::string count_words(std::int64_t n) {
  static const std::array<const char*, 13> words = {"no",   "one",    "two",   "three", "four",
                                                    "five", "six",    "seven", "eight", "nine",
                                                    "ten",  "eleven", "twelve"};
  return n >= 0 && n < static_cast<std::int64_t>(words.size()) ? words[static_cast<std::size_t>(n)]
                                                               : std::to_string(n);
}

// Where a tempo phase is: "in bars 9–12", or "in the last four bars" when it ends the take.
std::string where(const TempoPhase& t, std::int64_t last_bar) {
  const std::int64_t n = t.last_bar - t.first_bar + 1;
  if (t.last_bar == last_bar && n > 1) return fmt::format("in the last {} bars", count_words(n));
  return "in " + bars_words(t.first_bar, t.last_bar);
}

std::string tempo_sentence(const TempoPhase& t, const TempoPhase* before, double grid_bpm,
                           std::int64_t last_bar) {
  if (t.pace == Pace::held) return fmt::format("held {:.0f} bpm {}", t.bpm, where(t, last_bar));
  const bool faster = t.pace == Pace::faster;
  if (!before)
    return fmt::format("started at {:.0f} bpm, {} than the click ({:g}), {}", t.bpm,
                       faster ? "faster" : "slower", grid_bpm, where(t, last_bar));
  return fmt::format("{} from {:.0f} to {:.0f} bpm {}", faster ? "sped up" : "slowed", before->bpm,
                     t.bpm, where(t, last_bar));
}

}  // namespace

std::string bars_words(std::int64_t first, std::int64_t last) {
  return first == last ? fmt::format("bar {}", first) : fmt::format("bars {}–{}", first, last);
}

std::string offset_words(double mean_ms) {
  if (std::abs(mean_ms) < 0.05) return "on the beat";
  return fmt::format("{:.1f} ms {}", std::abs(mean_ms), mean_ms < 0 ? "early" : "late");
}

std::string phase_words(const practice::Phase& p) {
  const std::string bars = bars_words(p.first_bar, p.last_bar);
  switch (p.lean) {
    case practice::Lean::rushed:
      return fmt::format("{} rushed by {:.0f} ms", bars, -p.mean_offset_ms);
    case practice::Lean::dragged:
      return fmt::format("{} dragged by {:.0f} ms", bars, p.mean_offset_ms);
    case practice::Lean::steady:
      break;
  }
  return fmt::format("{} steady ({:+.1f} ms)", bars, p.mean_offset_ms);
}

std::vector<std::string> phases_words(const practice::Result& result) {
  std::vector<std::string> out;
  for (const practice::Phase& p : practice::phases(result)) out.push_back(phase_words(p));
  return out;
}

std::vector<std::string> tempo_words(const practice::Result& result) {
  const std::vector<TempoPhase> phases = practice::tempo_phases(result);
  if (phases.empty() || phases.front().first_bar == phases.back().last_bar) return {};
  if (phases.size() == 1 && phases.front().pace == Pace::held)
    return {fmt::format("held {:.0f} bpm throughout", phases.front().bpm)};
  if (phases.size() == 1)
    return {
        fmt::format("played at {:.0f} bpm throughout, {} than the click ({:g})", phases.front().bpm,
                    phases.front().pace == Pace::faster ? "faster" : "slower", result.grid_bpm)};
  std::vector<std::string> out;
  const std::int64_t last_bar =
      result.bars.empty() ? phases.back().last_bar : result.bars.back().bar;
  for (std::size_t i = 0; i < phases.size(); ++i)
    out.push_back(
        tempo_sentence(phases[i], i > 0 ? &phases[i - 1] : nullptr, result.grid_bpm, last_bar));
  return out;
}

}  // namespace cacophony
