// The corpus's conditions, its split and the score of a detector on a take (corpus.h).

#include "corpus.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace cacophony::corpus {
namespace {

std::string noise_name(Noise n) {
  switch (n) {
    case Noise::none:
      return "none";
    case Noise::white:
      return "white";
    case Noise::pink:
      return "pink";
    case Noise::brown:
      return "brown";
    case Noise::hum50:
      return "hum50";
    case Noise::hum60:
      return "hum60";
  }
  return "?";
}

// The name of a condition from its factors: instrument/rate/noise[/snrN]/rtS[/bleedD].
Condition named(Condition c, std::string family) {
  c.family = std::move(family);
  c.name = fmt::format("{}/{:g}k/{}", c.instrument, c.rate / 1000.0, noise_name(c.noise));
  if (c.noise != Noise::none) c.name += fmt::format("/snr{:g}", c.snr_db);
  c.name += fmt::format("/rt{:g}", c.rt60);
  if (c.bleed_db) c.name += fmt::format("/bleed{:g}", *c.bleed_db);
  return c;
}

// The three takes issue 24 saw fail, from its description.
std::vector<Condition> issue() {
  Condition rumble;  // an 808 snare over room rumble at about -30 dBFS, one beat skipped
  rumble.name = "issue/808-rumble";
  rumble.instrument = "808-snare";
  rumble.noise = Noise::brown;
  rumble.noise_dbfs = -30;
  Condition tails;  // GMRockKit with almost no noise: snare tails of ~300 ms and more
  tails.name = "issue/rock-tails";
  tails.noise = Noise::white;
  tails.noise_dbfs = -61;
  tails.bars = 8;
  tails.subdivide = 2;
  tails.skipped = 0;
  Condition hard;  // the same with Snare-Hard and no noise, one beat missed
  hard.name = "issue/snare-hard";
  hard.instrument = "snare-hard";
  hard.noise = Noise::none;
  hard.bars = 8;
  rumble.bars = 4;
  rumble.subdivide = hard.subdivide = 1;
  rumble.skipped = hard.skipped = 1;
  for (Condition* c : {&rumble, &tails, &hard}) {
    c->family = "issue";
    c->ornaments = false;
  }
  return {rumble, tails, hard};
}

std::vector<Condition> all() {
  const Condition base;
  std::vector<Condition> out = {named(base, "base")};
  for (const char* i : {"snare-soft", "snare-hard", "kick", "hat-closed", "hat-open", "clap",
                        "rimshot", "toms", "cymbal", "808", "marimba", "guitar"}) {
    Condition c = base;
    c.instrument = i;
    out.push_back(named(c, "instrument"));
  }
  for (const int rate : {44100, 96000}) {
    Condition c = base;
    c.rate = rate;
    out.push_back(named(c, "rate"));
  }
  for (const Noise n : {Noise::none, Noise::white, Noise::brown, Noise::hum50, Noise::hum60}) {
    Condition c = base;
    c.noise = n;
    out.push_back(named(c, "noise"));
  }
  for (const double snr : {40, 20, 10}) {
    Condition c = base;
    c.snr_db = snr;
    out.push_back(named(c, "snr"));
  }
  for (const double rt : {0.15, 0.3, 0.6, 1.0}) {
    Condition c = base;
    c.rt60 = rt;
    out.push_back(named(c, "reverb"));
  }
  for (const double db : {-30, -20, -12}) {
    Condition c = base;
    c.bleed_db = db;
    out.push_back(named(c, "bleed"));
  }
  const auto hard = [](const char* instrument, int rate, Noise noise, double snr, double rt,
                       std::optional<double> bleed) {
    Condition c;
    c.instrument = instrument;
    c.rate = rate;
    c.noise = noise;
    c.snr_db = snr;
    c.rt60 = rt;
    c.bleed_db = bleed;
    return named(c, "hard");
  };
  out.push_back(hard("snare-soft", 96000, Noise::brown, 10, 0.6, -20));
  out.push_back(hard("hat-open", 44100, Noise::hum50, 20, 1.0, -12));
  out.push_back(hard("808", 48000, Noise::white, 10, 0, {}));
  out.push_back(hard("cymbal", 48000, Noise::pink, 20, 0.3, -20));
  for (const Condition& c : issue()) out.push_back(c);
  return out;
}

}  // namespace

std::vector<std::string> families() {
  return {"base", "instrument", "rate", "noise", "snr", "reverb", "bleed", "hard", "issue"};
}

std::vector<Condition> conditions(std::string_view family) {
  const auto names = families();
  if (!family.empty() && std::find(names.begin(), names.end(), family) == names.end())
    throw std::invalid_argument(fmt::format("no condition family '{}'", family));
  std::vector<Condition> out;
  for (Condition& c : all())
    if (family.empty() || c.family == family || c.family == "base") out.push_back(std::move(c));
  return out;
}

bool held_out(std::uint64_t seed) {
  return seed % 2 == 1;
}

std::vector<std::uint64_t> seeds(Set set, std::size_t n) {
  std::vector<std::uint64_t> out;
  for (std::uint64_t s = 1; out.size() < n; ++s)
    if (held_out(s) == (set == Set::held_out)) out.push_back(s);
  return out;
}

Score evaluate(const std::vector<Stroke>& truth, const std::vector<practice::Hit>& hits, int rate) {
  struct Pair {
    std::int64_t distance;
    std::size_t stroke, hit;
  };
  const auto window = static_cast<std::int64_t>(std::floor(kMatchMs * rate / 1000));
  std::vector<Pair> pairs;
  for (std::size_t s = 0; s < truth.size(); ++s)
    for (std::size_t h = 0; h < hits.size(); ++h)
      if (std::abs(hits[h].frame - truth[s].frame) <= window)
        pairs.push_back({std::abs(hits[h].frame - truth[s].frame), s, h});
  std::stable_sort(pairs.begin(), pairs.end(),
                   [](const Pair& a, const Pair& b) { return a.distance < b.distance; });
  std::vector<std::optional<std::size_t>> match(truth.size());
  std::vector<bool> used(hits.size());
  for (const Pair& p : pairs) {
    if (match[p.stroke] || used[p.hit]) continue;
    match[p.stroke] = p.hit;
    used[p.hit] = true;
  }
  Score score;
  score.strokes = truth.size();
  for (std::size_t s = 0; s < truth.size(); ++s)
    if (match[s])
      score.errors_ms.push_back(static_cast<double>(hits[*match[s]].frame - truth[s].frame) *
                                1000.0 / rate);
  score.true_positives = score.errors_ms.size();
  score.misses = truth.size() - score.true_positives;
  score.extras = hits.size() - score.true_positives;
  score.match = std::move(match);
  const auto tp = static_cast<double>(score.true_positives);
  if (!hits.empty()) score.precision = tp / static_cast<double>(hits.size());
  if (!truth.empty()) score.recall = tp / static_cast<double>(truth.size());
  const double sum = score.precision + score.recall;
  score.f = sum > 0 ? 2 * score.precision * score.recall / sum : 0;
  return score;
}

}  // namespace cacophony::corpus
