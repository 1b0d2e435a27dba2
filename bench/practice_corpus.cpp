// The onset benchmark on the practice corpus (bench/corpus/corpus.h): for every condition, the
// takes of one half of the corpus (held-out by default) through practice::detect_hits and through
// aubio's own onset methods at their defaults (hfc, specflux, complex, energy: new_aubio_onset
// with a 512-frame window and a 256-frame hop and nothing else set, as `aubioonset` runs them).
// Each detector's hits are scored against the takes' truth (corpus::evaluate: +-25 ms, one to
// one) and a table per condition is printed: precision, recall, F-measure and the absolute timing
// error's p50, p95 and max in ms, over all the condition's takes.
//
//   cacophony_onset_bench [--set tuning|held-out] [--family NAME] [--takes N] [--detail]
//
// --detail lists, take by take, what our detector got wrong: each stroke missed, each extra hit
// and each match more than 1 ms off, with the strokes around it; a stroke missed, with how loud the
// take is in the 20 ms before it (a stroke under that barely changes the signal).
//
// Progress goes to stderr. Exit 0, or 2 with one line on stderr for bad usage.

#include <aubio/aubio.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include "corpus/corpus.h"

namespace {

using namespace cacophony;

const std::vector<std::string> kAubioMethods = {"hfc", "specflux", "complex", "energy"};

struct Options {
  corpus::Set set = corpus::Set::held_out;
  std::string family;
  std::size_t takes = 5;  // ~1 min on the reference machine with today's detector
  bool detail = false;
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--detail") {
      o.detail = true;
      continue;
    }
    if (i + 1 >= argc) throw std::invalid_argument("missing value after " + arg);
    const std::string value = argv[++i];
    if (arg == "--set" && (value == "tuning" || value == "held-out")) {
      o.set = value == "tuning" ? corpus::Set::tuning : corpus::Set::held_out;
    } else if (arg == "--family") {
      o.family = value;
    } else if (arg == "--takes" && value.find_first_not_of("0123456789") == std::string::npos &&
               value.size() < 4 && std::stoi(value) > 0) {
      o.takes = static_cast<std::size_t>(std::stoi(value));
    } else {
      throw std::invalid_argument("bad option " + arg + " " + value +
                                  " (--set tuning|held-out, --family NAME, --takes N, --detail)");
    }
  }
  return o;
}

// aubio's method at its defaults over the whole take, as aubioonset reads a file.
std::vector<practice::Hit> aubio_hits(const std::string& method, const std::vector<float>& take,
                                      int rate) {
  constexpr uint_t kWindow = 512, kHop = 256;
  aubio_onset_t* onset = new_aubio_onset(method.c_str(), kWindow, kHop, static_cast<uint_t>(rate));
  fvec_t* in = new_fvec(kHop);
  fvec_t* out = new_fvec(1);
  std::vector<practice::Hit> hits;
  for (std::size_t at = 0; at < take.size(); at += kHop) {
    for (std::size_t i = 0; i < kHop; ++i) in->data[i] = at + i < take.size() ? take[at + i] : 0.0f;
    aubio_onset_do(onset, in, out);
    if (out->data[0] != 0)
      hits.push_back({static_cast<std::int64_t>(aubio_onset_get_last(onset)), 0.0f});
  }
  del_fvec(out);
  del_fvec(in);
  del_aubio_onset(onset);
  return hits;
}

const char* kind_name(corpus::Kind k) {
  return k == corpus::Kind::main ? "main" : k == corpus::Kind::ghost ? "ghost" : "flam";
}

double frames_ms(std::int64_t frames, int rate) {
  return 1000.0 * static_cast<double>(frames) / rate;
}

// A stroke and its neighbours: kind, level, and how far (ms) and how loud the strokes around are.
std::string stroke_context(const corpus::Take& take, std::size_t s) {
  const corpus::Stroke& k = take.strokes[s];
  std::string out = fmt::format("{} {:.1f} dB at {:.3f} s", kind_name(k.kind), k.peak_db,
                                frames_ms(k.frame, take.rate) / 1000);
  if (s > 0) {
    const corpus::Stroke& b = take.strokes[s - 1];
    out += fmt::format(", after {} {:.1f} dB {:.0f} ms before", kind_name(b.kind), b.peak_db,
                       frames_ms(k.frame - b.frame, take.rate));
  }
  if (s + 1 < take.strokes.size())
    out += fmt::format(", next {:.0f} ms on",
                       frames_ms(take.strokes[s + 1].frame - k.frame, take.rate));
  return out;
}

// How loud the take is just before a stroke: a stroke whose own peak lies under what sounds there
// (the tail of the one before, the noise) barely changes the signal's level.
std::string peak_before(const corpus::Take& take, std::size_t s) {
  constexpr double kBeforeMs = 20;
  const std::int64_t frame = take.strokes[s].frame;
  const auto from = std::max<std::int64_t>(0, frame - std::llround(kBeforeMs * take.rate / 1000));
  float top = 0;
  for (std::int64_t f = from; f < frame; ++f)
    top = std::max(top, std::abs(take.samples[static_cast<std::size_t>(f)]));
  return fmt::format("the {:.0f} ms before it peak at {:.1f} dB", kBeforeMs,
                     20 * std::log10(std::max(top, 1e-9f)));
}

// An extra hit, beside the stroke nearest to it.
void print_extra(const corpus::Take& take, const practice::Hit& hit) {
  std::string beside = "no stroke in the take";
  if (!take.strokes.empty()) {
    const auto nearest = std::min_element(
        take.strokes.begin(), take.strokes.end(), [&](const auto& a, const auto& b) {
          return std::abs(a.frame - hit.frame) < std::abs(b.frame - hit.frame);
        });
    beside = fmt::format("{:+.0f} ms from {}", frames_ms(hit.frame - nearest->frame, take.rate),
                         stroke_context(take, std::size_t(nearest - take.strokes.begin())));
  }
  std::printf("    seed %llu extra at %.3f s, %.1f dB, %s\n",
              static_cast<unsigned long long>(take.seed), frames_ms(hit.frame, take.rate) / 1000,
              20 * std::log10(std::max(hit.peak, 1e-9f)), beside.c_str());
}

// Our detector's misses, extras and matches more than 1 ms off on one take.
void print_detail(const corpus::Take& take, const std::vector<practice::Hit>& hits,
                  const corpus::Score& score) {
  const auto seed = static_cast<unsigned long long>(take.seed);
  std::vector<bool> matched(hits.size());
  std::size_t matches = 0;  // into score.errors_ms, which holds the matches in order of stroke
  for (std::size_t s = 0; s < take.strokes.size(); ++s) {
    if (!score.match[s]) {
      std::printf("    seed %llu miss  %s, %s\n", seed, stroke_context(take, s).c_str(),
                  peak_before(take, s).c_str());
      continue;
    }
    matched[*score.match[s]] = true;
    const double error = score.errors_ms[matches++];
    if (std::abs(error) > 1)
      std::printf("    seed %llu %+.2f ms  %s\n", seed, error, stroke_context(take, s).c_str());
  }
  for (std::size_t h = 0; h < hits.size(); ++h)
    if (!matched[h]) print_extra(take, hits[h]);
}

// One detector's results over a condition's takes.
struct Tally {
  std::size_t strokes = 0, true_positives = 0, extras = 0;
  std::vector<double> errors_ms;  // absolute

  void add(const corpus::Score& s) {
    strokes += s.strokes;
    true_positives += s.true_positives;
    extras += s.extras;
    for (const double e : s.errors_ms) errors_ms.push_back(std::abs(e));
  }
  double precision() const {
    const std::size_t hits = true_positives + extras;
    return hits ? static_cast<double>(true_positives) / static_cast<double>(hits) : 1;
  }
  double recall() const {
    return strokes ? static_cast<double>(true_positives) / static_cast<double>(strokes) : 1;
  }
  double f() const {
    const double p = precision(), r = recall();
    return p + r > 0 ? 2 * p * r / (p + r) : 0;
  }
  // The absolute error's quantile q (0..1], or NaN without a match.
  double error(double q) const {
    if (errors_ms.empty()) return NAN;
    std::vector<double> v = errors_ms;
    std::sort(v.begin(), v.end());
    return v[static_cast<std::size_t>(std::ceil(q * static_cast<double>(v.size()))) - 1];
  }
};

// A condition's takes through every detector: ours first, then aubio's methods in order; last,
// on takes with the click bleeding, ours told the click (practice::ClickBleed).
std::vector<Tally> measure(const corpus::Condition& c, const std::vector<std::uint64_t>& seeds,
                           bool detail) {
  std::vector<Tally> out(1 + kAubioMethods.size() + (c.bleed_db ? 1 : 0));
  for (const auto seed : seeds) {
    const corpus::Take take = corpus::make_take(c, seed);
    const auto score = [&](const std::vector<practice::Hit>& hits) {
      return corpus::evaluate(take.strokes, hits, take.rate);
    };
    const std::vector<practice::Hit> ours = practice::detect_hits(take.samples, take.rate);
    const corpus::Score scored = score(ours);
    out[0].add(scored);
    if (detail) print_detail(take, ours, scored);
    for (std::size_t m = 0; m < kAubioMethods.size(); ++m)
      out[m + 1].add(score(aubio_hits(kAubioMethods[m], take.samples, take.rate)));
    if (c.bleed_db)
      out.back().add(
          score(practice::detect_hits(take.samples, take.rate, corpus::told_click(take))));
  }
  return out;
}

void print_condition(const corpus::Condition& c, const std::vector<Tally>& tallies) {
  std::printf("\n%s (%s, %zu strokes)\n  %-15s %6s %6s %6s %7s %7s %7s  %4s %5s\n", c.name.c_str(),
              c.family.c_str(), tallies[0].strokes, "detector", "P", "R", "F", "p50", "p95", "max",
              "miss", "extra");
  for (std::size_t d = 0; d < tallies.size(); ++d) {
    const Tally& t = tallies[d];
    const std::string name = d == 0                      ? "ours"
                             : d <= kAubioMethods.size() ? "aubio-" + kAubioMethods[d - 1]
                                                         : "ours+click";
    std::fputs(fmt::format("  {:<15} {:>6.3f} {:>6.3f} {:>6.3f} {:>7.2f} {:>7.2f} {:>7.2f}  {:>4} "
                           "{:>5}\n",
                           name, t.precision(), t.recall(), t.f(), t.error(0.5), t.error(0.95),
                           t.error(1), t.strokes - t.true_positives, t.extras)
                   .c_str(),
               stdout);
  }
  std::fflush(stdout);
}

// The summary's line for the condition: ours beside aubio's best method (by F, then p95); where
// the click bleeds, a second line with ours told the click (as practice --speakers and analyze
// --click-track tell it), beside the same.
std::string summary_rows(const corpus::Condition& c, const std::vector<Tally>& tallies) {
  std::size_t best = 1;
  for (std::size_t d = 2; d <= kAubioMethods.size(); ++d)
    if (tallies[d].f() > tallies[best].f() ||
        (tallies[d].f() == tallies[best].f() && tallies[d].error(0.95) < tallies[best].error(0.95)))
      best = d;
  const Tally& a = tallies[best];
  const auto row = [&](const std::string& name, const Tally& o) {
    return fmt::format(
        "| {} | {:.3f} | {:.3f} | {:.3f} | {:.2f} | {:.2f} | {} | {:.3f} | {:.2f} | {:.2f} |\n",
        name, o.precision(), o.recall(), o.f(), o.error(0.95), o.error(1), kAubioMethods[best - 1],
        a.f(), a.error(0.95), a.error(1));
  };
  std::string out = row(c.name, tallies[0]);
  if (tallies.size() > 1 + kAubioMethods.size())
    out += row(c.name + ", told the click", tallies.back());
  return out;
}

void run(const Options& o) {
  const auto chosen = corpus::conditions(o.family);
  const auto seeds = corpus::seeds(o.set, o.takes);
  const auto start = std::chrono::steady_clock::now();
  std::printf("Onsets on the practice corpus, %s set (seeds",
              o.set == corpus::Set::held_out ? "held-out" : "tuning");
  for (const auto s : seeds) std::printf(" %llu", static_cast<unsigned long long>(s));
  std::printf("); match within +-%g ms; errors are absolute, in ms\n", corpus::kMatchMs);
  std::string summary =
      "| condition | P | R | F | p95 | max | aubio's best | F | p95 | max |\n"
      "|---|---|---|---|---|---|---|---|---|---|\n";
  for (std::size_t k = 0; k < chosen.size(); ++k) {
    std::fprintf(stderr, "[%zu/%zu] %s\n", k + 1, chosen.size(), chosen[k].name.c_str());
    if (o.detail) std::printf("\n%s\n", chosen[k].name.c_str());
    const auto tallies = measure(chosen[k], seeds, o.detail);
    print_condition(chosen[k], tallies);
    summary += summary_rows(chosen[k], tallies);
  }
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  std::printf("\nOurs beside aubio's best default method per condition (errors in ms):\n\n%s",
              summary.c_str());
  std::printf("\n%zu conditions x %zu takes in %.0f s\n", chosen.size(), seeds.size(),
              took.count());
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  try {
    options = parse(argc, argv);
    corpus::conditions(options.family);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "cacophony_onset_bench: error: %s\n", e.what());
    return 2;
  }
  try {
    run(options);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "cacophony_onset_bench: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
