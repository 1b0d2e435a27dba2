// Onsets: aubio finds strokes coarsely (to a hop, late by its peak picking); each one is then
// refined in the signal itself to where its envelope first rises out of the quiet before it.
#include <aubio/aubio.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <stdexcept>

#include "cacophony/practice/practice.h"

namespace cacophony::practice {
namespace {

// Energy: drums and plucked strings begin with a sudden rise of loudness, and the energy function
// sees it over broadband noise, where the spectral methods (HFC, the fluxes) weigh every noisy
// bin: at -30 dBFS of white noise they missed most of a drum take, energy missed nothing.
// Log compression evens out loud and soft strokes; whitening is off, as it lifts the noise.
constexpr const char* kMethod = "energy";
constexpr uint_t kBufSize = 512;
constexpr uint_t kHop = 128;        // a fine hop: aubio's grain is only a first guess
constexpr float kThreshold = 0.2f;  // the take's strokes pass from 0.2 to 0.5; low, to keep ghosts
constexpr float kCompression = 1.f;
constexpr float kSilenceDb = -60.f;  // digital near-silence never starts a stroke
constexpr float kMinIoiMs = 15.f;    // under a flam's gap, so both strokes are seen and merged

constexpr double kEnvelopeMs = 1;     // short enough to keep the attack sharp, long to calm noise
constexpr double kSearchBackMs = 30;  // aubio reports a stroke up to this late
constexpr double kSearchAheadMs = 15;
constexpr double kQuietMs = 40;  // how far back the background before a stroke is measured
constexpr double kRiseMs = 15;   // a slow stroke (a kick) may take this long to its peak
// The attack is where the envelope last stood at the background: within kMargin of it, or
// kRise of the way up to the peak. A kick's beater click is only ~5 % of its body's envelope, so
// kRise stays low; kMargin keeps noise (1.45 times its median at most) from passing.
constexpr double kMargin = 1.75;
constexpr double kRise = 0.03;
constexpr double kMinContrast = 2.5;  // a stroke's peak over its background; noise reaches 1.45
constexpr float kMinPeak = 1e-3f;     // -60 dBFS

// aubio is a library too: it must not write to our stderr.
void silence_aubio() {
  static std::once_flag once;
  std::call_once(once,
                 [] { aubio_log_set_function([](sint_t, const char_t*, void*) {}, nullptr); });
}

std::int64_t ms_frames(double ms, int rate) {
  return static_cast<std::int64_t>(std::lround(ms * rate / 1000.0));
}

// Silence aubio hears before the signal: a signal loud from its first hop would otherwise be
// taken for aubio's start-of-file onset, which it reports as no onset, and which hides a stroke
// there. Longer than aubio's minimum interval between onsets (counted from its frame 0), and
// whole hops, so the signal keeps its place on aubio's hop grid.
std::int64_t lead_in(int rate) {
  const std::int64_t hops = (ms_frames(2 * kMinIoiMs, rate) + kBufSize) / kHop + 1;
  return hops * kHop;
}

}  // namespace

struct OnsetDetector::Impl {
  int rate;
  aubio_onset_t* onset = nullptr;
  fvec_t* in = nullptr;
  fvec_t* out = nullptr;
  std::vector<float> history;  // the signal from frame `base` on
  std::int64_t base = 0;
  std::int64_t lead;                // lead_in(rate)
  std::int64_t processed;           // frames given to aubio, from the lead-in's silence on
  std::deque<std::int64_t> coarse;  // aubio's onsets not refined yet
  std::vector<Hit> strokes;         // refined, in order, not yet grouped into hits

  explicit Impl(int r) : rate(r), lead(lead_in(r)), processed(-lead) {
    if (rate <= 0) throw std::invalid_argument("rate must be positive");
    silence_aubio();
    onset = new_aubio_onset(kMethod, kBufSize, kHop, static_cast<uint_t>(rate));
    in = new_fvec(kHop);
    out = new_fvec(1);
    if (!onset || !in || !out) {
      release();
      throw std::runtime_error("aubio: cannot create the onset detector");
    }
    aubio_onset_set_threshold(onset, kThreshold);
    aubio_onset_set_silence(onset, kSilenceDb);
    aubio_onset_set_awhitening(onset, 0);
    aubio_onset_set_compression(onset, kCompression);
    aubio_onset_set_minioi_ms(onset, kMinIoiMs);
    aubio_onset_set_delay(onset, 0);  // refinement searches back instead
  }
  ~Impl() { release(); }
  void release() {
    if (onset) del_aubio_onset(onset);
    if (in) del_fvec(in);
    if (out) del_fvec(out);
  }

  std::int64_t end() const { return base + static_cast<std::int64_t>(history.size()); }
  // Before the signal's first frame it is silent, so that a stroke at frame 0 has a background.
  float at(std::int64_t frame) const {
    return frame < 0 ? 0.0f : history[static_cast<std::size_t>(frame - base)];
  }
  // The first frame refinement may read: the signal's (and the silence before it) until trim()
  // drops some of it.
  std::int64_t first_kept(std::int64_t wanted) const {
    return base > 0 ? std::max(base, wanted) : wanted;
  }

  void run_aubio();
  std::vector<double> envelope(std::int64_t lo, std::int64_t hi, std::int64_t w) const;
  std::optional<Hit> refine(std::int64_t coarse_frame) const;
  void refine_ready(bool finishing);
  void emit_ready(bool finishing, std::vector<Hit>& out_hits);
  void trim();
};

void OnsetDetector::Impl::run_aubio() {
  while (processed + kHop <= end()) {
    for (uint_t i = 0; i < kHop; ++i) in->data[i] = at(processed + i);
    aubio_onset_do(onset, in, out);
    processed += kHop;
    if (out->data[0] > 0) {
      const auto last = static_cast<std::int64_t>(aubio_onset_get_last(onset)) - lead;
      coarse.push_back(std::clamp<std::int64_t>(last, 0, processed));
    }
  }
}

// env[i]: the mean |x| over the w frames ending at frame lo + i, for lo <= frame < hi.
std::vector<double> OnsetDetector::Impl::envelope(std::int64_t lo, std::int64_t hi,
                                                  std::int64_t w) const {
  std::vector<double> env(static_cast<std::size_t>(hi - lo), 0.0);
  double sum = 0;
  for (std::int64_t f = lo; f < hi; ++f) {
    sum += std::abs(at(f));
    if (f - w >= lo) sum -= std::abs(at(f - w));
    env[static_cast<std::size_t>(f - lo)] = sum / static_cast<double>(std::min(w, f - lo + 1));
  }
  return env;
}

// The attack near aubio's onset: the envelope's peak around it; the background before the peak
// (the median over a stretch ending before a slow stroke's rise, so a decaying tail or the noise
// is measured, not the stroke); then walking back from the peak to where the envelope last stood
// at the background. Walking back, not forward, keeps a flam's main stroke from taking its grace
// note's time; a margin over the background keeps a tail's ripples from taking it early.
std::optional<Hit> OnsetDetector::Impl::refine(std::int64_t c) const {
  const std::int64_t w = std::max<std::int64_t>(1, ms_frames(kEnvelopeMs, rate));
  const std::int64_t lo = first_kept(c - ms_frames(kSearchBackMs + kQuietMs, rate));
  const std::int64_t hi = std::min(end(), c + ms_frames(kSearchAheadMs, rate));
  if (hi - lo <= 2 * w) return std::nullopt;
  const std::vector<double> env = envelope(lo, hi, w);
  const auto n = static_cast<std::int64_t>(env.size());
  const auto e = [&](std::int64_t i) { return env[static_cast<std::size_t>(i)]; };
  std::int64_t peak = std::min(ms_frames(kQuietMs, rate) + w, n - 1);
  for (std::int64_t i = peak; i < n; ++i) peak = e(i) > e(peak) ? i : peak;
  // Only the signal's own frames tell its background: the silence before frame 0 is not heard.
  const std::int64_t quiet = std::max({w, peak - ms_frames(kQuietMs, rate), -lo});
  const std::int64_t quiet_end = std::max(quiet + 1, peak - ms_frames(kRiseMs, rate));
  // A stroke at the very start has nothing before it: its background is then what follows its
  // peak, so that a signal that merely starts loud (noise) is no stroke, and a click is.
  const bool at_start = quiet + 1 >= quiet_end;
  std::vector<double> stretch(env.begin() + (at_start ? peak : quiet),
                              env.begin() + (at_start ? n : quiet_end));
  std::nth_element(stretch.begin(),
                   stretch.begin() + static_cast<std::ptrdiff_t>(stretch.size() / 2),
                   stretch.end());
  const double background = stretch[stretch.size() / 2];
  if (e(peak) < kMinContrast * background || e(peak) < kMinPeak) return std::nullopt;
  const double level = std::max(kMargin * background, background + kRise * (e(peak) - background));
  std::int64_t attack = peak;
  while (attack > quiet && e(attack - 1) >= level) --attack;
  Hit hit{lo + attack, 0.0f};
  const std::int64_t stop = std::min(end(), hit.frame + ms_frames(kFlamMs, rate));
  for (std::int64_t f = hit.frame; f < stop; ++f) hit.peak = std::max(hit.peak, std::abs(at(f)));
  return hit;
}

void OnsetDetector::Impl::refine_ready(bool finishing) {
  const std::int64_t ahead = ms_frames(kSearchAheadMs + kFlamMs, rate);
  while (!coarse.empty() && (finishing || coarse.front() + ahead <= end())) {
    if (const auto hit = refine(coarse.front())) {
      const auto at_or_after =
          std::lower_bound(strokes.begin(), strokes.end(), hit->frame,
                           [](const Hit& h, std::int64_t f) { return h.frame < f; });
      strokes.insert(at_or_after, *hit);
    }
    coarse.pop_front();
  }
}

// A hit is certain once no stroke aubio may still report can fall within kFlamMs of its first.
void OnsetDetector::Impl::emit_ready(bool finishing, std::vector<Hit>& out_hits) {
  const std::int64_t flam = ms_frames(kFlamMs, rate);
  const std::int64_t settled = processed - 2 * kHop - ms_frames(kSearchBackMs + kQuietMs, rate);
  while (!strokes.empty()) {
    const std::int64_t first = strokes.front().frame;
    if (!finishing && (!coarse.empty() || first + flam >= settled)) return;
    auto group_end = std::find_if(strokes.begin(), strokes.end(),
                                  [&](const Hit& h) { return h.frame >= first + flam; });
    out_hits.push_back(*std::max_element(
        strokes.begin(), group_end, [](const Hit& a, const Hit& b) { return a.peak < b.peak; }));
    strokes.erase(strokes.begin(), group_end);
  }
}

// Keeps what refinement may still look at: back from the earliest onset aubio may yet report.
void OnsetDetector::Impl::trim() {
  std::int64_t keep = processed - 2 * kHop - ms_frames(kSearchBackMs + kQuietMs, rate) - kBufSize;
  if (!coarse.empty())
    keep = std::min(keep, coarse.front() - ms_frames(kSearchBackMs + kQuietMs, rate));
  if (!strokes.empty()) keep = std::min(keep, strokes.front().frame);
  const std::int64_t drop = std::clamp<std::int64_t>(keep - base, 0, end() - base);
  if (drop < static_cast<std::int64_t>(history.size() / 2)) return;  // drop in large pieces
  history.erase(history.begin(), history.begin() + drop);
  base += drop;
}

OnsetDetector::OnsetDetector(int rate) : impl_(std::make_unique<Impl>(rate)) {}
OnsetDetector::~OnsetDetector() = default;

void OnsetDetector::feed(const float* samples, std::size_t n, std::vector<Hit>& out) {
  impl_->history.insert(impl_->history.end(), samples, samples + n);
  impl_->run_aubio();
  impl_->refine_ready(false);
  impl_->emit_ready(false, out);
  impl_->trim();
}

void OnsetDetector::finish(std::vector<Hit>& out) {
  // Silence after the signal, so that its last partial hop reaches aubio too.
  impl_->history.insert(impl_->history.end(), kBufSize + kHop, 0.0f);
  impl_->run_aubio();
  impl_->refine_ready(true);
  impl_->emit_ready(true, out);
}

// Strokes aubio may still report refine to `settled` or later (emit_ready); a coarse onset not yet
// refined may go back to kSearchBackMs + kQuietMs before it, and a group held is given out at its
// first stroke or after.
std::int64_t OnsetDetector::settled() const {
  const Impl& d = *impl_;
  const std::int64_t back = ms_frames(kSearchBackMs + kQuietMs, d.rate);
  std::int64_t frame = d.processed - 2 * kHop - back;
  for (const std::int64_t c : d.coarse) frame = std::min(frame, c - back);
  if (!d.strokes.empty()) frame = std::min(frame, d.strokes.front().frame);
  return frame;
}

std::vector<Hit> detect_hits(const std::vector<float>& samples, int rate) {
  OnsetDetector detector(rate);
  std::vector<Hit> hits;
  detector.feed(samples.data(), samples.size(), hits);
  detector.finish(hits);
  return hits;
}

}  // namespace cacophony::practice
