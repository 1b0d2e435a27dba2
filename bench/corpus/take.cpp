// A take of the corpus: the rhythm, the strokes as played, the room and the noise (corpus.h).

#include <algorithm>
#include <cmath>
#include <numeric>

#include "cacophony/practice/click_track.h"
#include "cacophony/sound/click.h"
#include "internal.h"

namespace cacophony::corpus {
namespace {

using detail::Sample;

double gain(double db) {
  return std::pow(10.0, db / 20);
}

std::int64_t frames(double ms, int rate) {
  return std::llround(ms * rate / 1000);
}

// FNV-1a: a hash of the condition's name that is the same in every build.
std::uint64_t hash(const std::string& text) {
  std::uint64_t h = 14695981039346656037ull;
  for (const char c : text) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  return h;
}

double uniform(std::mt19937_64& rng, double lo, double hi) {
  return std::uniform_real_distribution<double>(lo, hi)(rng);
}

// A stroke as it sounds: the truth's stroke and the sample that plays it.
struct Played {
  Stroke stroke;
  const Sample* sample = nullptr;
  bool grace = false;  // a flam's grace stroke: heard, but not a stroke of its own
};

rhythm::Performance straight(int bars, double bpm, int subdivide) {
  rhythm::Performance p;
  rhythm::Section s;
  s.beats = static_cast<std::int64_t>(bars) * 4;
  s.tempo = rhythm::Tempo::constant(bpm);
  p.sections = {s};
  p.feel.subdivide = subdivide;
  return p;
}

std::vector<std::size_t> choose_skipped(const Take& take, int count, std::mt19937_64& rng) {
  const std::size_t n = take.grid.size();
  if (count < 0) count = std::max(1, static_cast<int>(std::lround(static_cast<double>(n) / 20)));
  std::vector<std::size_t> candidates(n - 1);
  std::iota(candidates.begin(), candidates.end(), 1);  // never the first position
  std::shuffle(candidates.begin(), candidates.end(), rng);
  candidates.resize(std::min(candidates.size(), static_cast<std::size_t>(count)));
  std::sort(candidates.begin(), candidates.end());
  return candidates;
}

// The main strokes: every position but the skipped, at its offset and level.
std::vector<Played> main_strokes(const Take& take, std::mt19937_64& rng) {
  const auto& v = detail::voices(take.condition.instrument);
  std::vector<Played> out;
  for (std::size_t i = 0; i < take.grid.size(); ++i) {
    const practice::Position& p = take.grid[i];
    const double offset = uniform(rng, -30, 30);
    const double db = p.sub != 0    ? uniform(rng, -16, -11)
                      : p.beat == 1 ? -6
                                    : uniform(rng, -11, -8);
    if (std::binary_search(take.skipped.begin(), take.skipped.end(), i)) continue;
    const std::string& id =
        p.sub != 0 ? v.between : v.beats[static_cast<std::size_t>(p.beat - 1) % v.beats.size()];
    const Stroke s{take.grid_start + p.frame + frames(offset, take.rate), Kind::main, i, db};
    out.push_back({s, &detail::sample(id, take.rate)});
  }
  return out;
}

// Flams and ghost notes by corpus.h's rule, added to `strokes` (in order of frame).
void ornament(const Take& take, std::vector<Played>& strokes, std::mt19937_64& rng) {
  const Sample& ghost = detail::sample(detail::voices(take.condition.instrument).ghost, take.rate);
  std::vector<Played> added;
  std::int64_t ghost_bar = 0;
  for (std::size_t k = 1; k < strokes.size(); ++k) {
    Played& s = strokes[k];
    const Played& before = strokes[k - 1];
    const std::int64_t gap = s.stroke.frame - before.stroke.frame;
    const bool flam = gap >= frames(120, take.rate) && uniform(rng, 0, 1) < 0.1;
    if (flam) {
      s.stroke.kind = Kind::flam;
      const Stroke grace{s.stroke.frame - frames(uniform(rng, 10, 30), take.rate),
                         Kind::flam,
                         {},
                         s.stroke.peak_db - uniform(rng, 6, 12)};
      added.push_back({grace, s.sample, true});
    }
    const std::int64_t bar = take.grid[*s.stroke.position].bar;
    const bool neighbours = *s.stroke.position == *before.stroke.position + 1;
    if (neighbours && bar != ghost_bar && gap >= frames(160, take.rate) &&
        uniform(rng, 0, 1) < 0.5) {
      ghost_bar = bar;
      const double db = std::max(-30.0, before.stroke.peak_db - uniform(rng, 6, 18));
      added.push_back({{before.stroke.frame + gap / 2, Kind::ghost, {}, db}, &ghost, false});
    }
  }
  strokes.insert(strokes.end(), added.begin(), added.end());
  std::sort(strokes.begin(), strokes.end(),
            [](const Played& a, const Played& b) { return a.stroke.frame < b.stroke.frame; });
}

void place(std::vector<float>& out, const std::vector<float>& sound, std::int64_t first, double g) {
  for (std::size_t i = 0; i < sound.size(); ++i) {
    const auto at = first + static_cast<std::int64_t>(i);
    if (at >= 0 && at < static_cast<std::int64_t>(out.size()))
      out[static_cast<std::size_t>(at)] += static_cast<float>(g * sound[i]);
  }
}

// The RMS of a stroke alone, dry, over the 50 ms from its attack.
double attack_rms(const Played& p, int rate) {
  const auto& s = p.sample->samples;
  const auto from = static_cast<std::size_t>(p.sample->attack);
  const std::size_t to = std::min(s.size(), from + static_cast<std::size_t>(frames(50, rate)));
  double squares = 0;
  for (std::size_t i = from; i < to; ++i) squares += static_cast<double>(s[i]) * s[i];
  return gain(p.stroke.peak_db) * std::sqrt(squares / static_cast<double>(frames(50, rate)));
}

constexpr sound::ClickKind kClickKinds[] = {sound::ClickKind::accent, sound::ClickKind::normal,
                                            sound::ClickKind::subdivision};

// Which of kClickKinds the metronome plays on a position.
std::size_t click_kind(const practice::Position& p) {
  return p.sub != 0 ? 2 : p.beat == 1 ? 0 : 1;
}

// The metronome's click on every grid frame, as heard from the speakers.
void bleed(Take& take, double db) {
  const auto clicks = sound::ClickSounds::synthesised(take.rate);
  for (const practice::Position& p : take.grid) {
    take.clicks.push_back(take.grid_start + p.frame);
    place(take.samples, clicks.of(kClickKinds[click_kind(p)]), take.clicks.back(), gain(-6 + db));
  }
}

void plan(Take& take, std::mt19937_64& rng) {
  const Condition& c = take.condition;
  const int bars = c.bars > 0 ? c.bars : static_cast<int>(uniform(rng, 4, 9));
  take.bpm = std::round(uniform(rng, 90, 140));
  int subdivide = c.subdivide;
  if (subdivide == 0) {
    const int choices[] = {1, 2, 4};
    subdivide = choices[static_cast<std::size_t>(uniform(rng, 0, take.bpm <= 110 ? 3 : 2))];
  }
  take.grid = practice::positions(straight(bars, take.bpm, subdivide), take.rate, {});
  take.grid_start = frames(uniform(rng, 1000, 2000), take.rate);
  take.skipped = choose_skipped(take, c.skipped, rng);
}

}  // namespace

Take make_take(const Condition& condition, std::uint64_t seed) {
  std::mt19937_64 rng(seed ^ hash(condition.name));
  Take take;
  take.condition = condition;
  take.seed = seed;
  take.rate = condition.rate;
  plan(take, rng);
  std::vector<Played> played = main_strokes(take, rng);
  if (condition.ornaments) ornament(take, played, rng);
  take.samples.assign(
      static_cast<std::size_t>(take.grid_start + take.grid.back().frame + frames(1500, take.rate)),
      0.0f);
  take.softest_rms = 1;
  for (const Played& p : played) {
    place(take.samples, p.sample->samples, p.stroke.frame - p.sample->attack,
          gain(p.stroke.peak_db));
    if (p.grace) continue;
    take.strokes.push_back(p.stroke);
    take.softest_rms = std::min(take.softest_rms, attack_rms(p, take.rate));
  }
  if (condition.bleed_db) bleed(take, *condition.bleed_db);
  if (condition.rt60 > 0) take.samples = detail::reverb(take.samples, take.rate, condition.rt60);
  if (condition.noise == Noise::none) return take;
  take.noise_rms = condition.noise_dbfs ? gain(*condition.noise_dbfs)
                                        : take.softest_rms / gain(condition.snr_db);
  const auto floor = detail::noise(condition.noise, take.samples.size(), take.rate, rng);
  for (std::size_t i = 0; i < floor.size(); ++i)
    take.samples[i] += static_cast<float>(take.noise_rms * floor[i]);
  return take;
}

practice::ClickBleed told_click(const Take& take) {
  practice::ClickBleed told;
  if (take.clicks.empty()) return told;
  const auto clicks = sound::ClickSounds::synthesised(take.rate);
  for (const sound::ClickKind kind : kClickKinds) told.sounds.push_back(clicks.of(kind));
  for (std::size_t i = 0; i < take.grid.size(); ++i)
    told.clicks.push_back({take.clicks[i], click_kind(take.grid[i])});
  told.max_delay = std::llround(practice::kBleedDelayMs * take.rate / 1000);
  return told;
}

}  // namespace cacophony::corpus
