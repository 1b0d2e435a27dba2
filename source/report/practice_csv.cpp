#include "cacophony/report/practice_csv.h"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

namespace cacophony {
namespace {

std::string seconds(std::int64_t frame, int rate) {
  return fmt::format("{:.6f}", static_cast<double>(frame) / rate);
}

std::string finite(double value, const char* format) {
  return std::isfinite(value) ? fmt::format(fmt::runtime(format), value) : "";
}

std::string position_row(const practice::Position& p, const practice::Matched* hit, int rate) {
  const std::string head = fmt::format("{},{},{},{},{},", p.bar, p.beat, p.sub,
                                       seconds(p.frame, rate), p.muted ? "yes" : "no");
  if (!hit) return head + fmt::format(",,missed,{}\n", p.voice);
  return head + fmt::format("{},{},hit,{}\n", seconds(hit->hit_frame, rate),
                            finite(hit->offset_ms, "{:.3f}"), p.voice);
}

std::string extra_row(const practice::Extra& e, int rate) {
  return fmt::format(",,,,,{},,extra,\n", seconds(e.frame, rate));
}

}  // namespace

std::string practice_csv(const practice::Result& r) {
  if (r.rate <= 0) throw std::invalid_argument(fmt::format("practice CSV: rate {}", r.rate));
  std::string out = "bar,beat,sub,position_s,muted,hit_s,offset_ms,status,voice\n";
  // The grid, its hits and the extra hits are each in order of time: merged as they go.
  std::size_t h = 0, e = 0;
  for (const practice::Position& p : r.grid) {
    for (; e < r.extra.size() && r.extra[e].frame < p.frame; ++e)
      out += extra_row(r.extra[e], r.rate);
    while (h < r.hits.size() && r.hits[h].position.frame < p.frame) ++h;
    const bool hit = h < r.hits.size() && r.hits[h].position.frame == p.frame;
    out += position_row(p, hit ? &r.hits[h] : nullptr, r.rate);
    h += hit ? 1 : 0;
  }
  for (; e < r.extra.size(); ++e) out += extra_row(r.extra[e], r.rate);
  return out;
}

}  // namespace cacophony
