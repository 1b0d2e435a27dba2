#include "options/practice_options.h"

#include <fmt/format.h>

#include <fmt/ranges.h>

#include <cstdio>
#include <vector>

#include "cacophony/report/practice_csv.h"
#include "cacophony/report/practice_page.h"
#include "cacophony/report/practice_words.h"
#include "io/output_file.h"
#include "options/command_model.h"
#include "options/options.h"

namespace cacophony::cli {
namespace {

std::string percent(double share) {
  return fmt::format("{:.0f}%", share * 100);
}

// "rushing" or "dragging" for a mean offset 2 ms or more off, as a musician says it.
std::string leaning(double mean_ms) {
  if (mean_ms <= -2) return " (rushing)";
  if (mean_ms >= 2) return " (dragging)";
  return "";
}

// In plain words: "8 hits, 0 missed, 0 extra; 10.0 ms late on average (dragging), steadiness
// ±1.2 ms; 100% within ±10 ms, 100% within ±25 ms". Without hits, only the counts.
std::string figures_text(const practice::Figures& f) {
  const std::string counts = fmt::format("{} hits, {} missed, {} extra", f.hits, f.missed, f.extra);
  if (f.hits == 0) return counts;
  return fmt::format(
      "{}; {} on average{}, steadiness ±{:.1f} ms; {} within ±10 ms, {} within "
      "±25 ms",
      counts, offset_words(f.mean_offset_ms), leaning(f.mean_offset_ms), f.sd_ms,
      percent(f.within_10ms), percent(f.within_25ms));
}

// "label: one; two; three", when there is anything to say.
void print_sentences(FILE* log, const char* label, const std::vector<std::string>& lines) {
  if (lines.empty()) return;
  std::fprintf(log, "%s: %s\n", label, fmt::format("{}", fmt::join(lines, "; ")).c_str());
}

}  // namespace

void add_practice_options(CLI::App& cmd, RawPractice& raw) {
  cmd.add_option("--mute", raw.mute, "Gap training: play ON bars, then mute OFF bars (e.g. 2/2)");
  cmd.add_option("--mute-random", raw.mute_random,
                 "Gap training: mute each bar with probability P, 0..1 (from --seed)");
  cmd.add_option("--latency", raw.latency,
                 fmt::format("Heard-to-captured latency in ms, {0:g}..{1:g} (default: JACK's and "
                             "the calibration's)",
                             -kMaxLatencyMs, kMaxLatencyMs));
  takes_file(cmd.add_option("--json", raw.json, "Write every hit and the figures as JSON"));
  takes_file(cmd.add_option("--report", raw.report, "Write the take's report page (HTML)"));
  takes_file(cmd.add_option(
      "--csv", raw.csv,
      "Write one row per grid position, for a spreadsheet: bar, beat, sub (0 on the beat), "
      "position_s (seconds from the first beat), muted (yes|no), hit_s (the hit, latency taken "
      "off; empty when missed), offset_ms (negative: early), status (hit|missed); and a row per "
      "extra hit with only hit_s and status extra"));
}

practice::MutePlan mute_plan(const RawPractice& raw, std::uint64_t seed) {
  practice::MutePlan plan;
  plan.seed = seed;
  if (!raw.mute.empty() && !raw.mute_random.empty())
    throw UsageError("--mute and --mute-random: give one");
  if (!raw.mute.empty()) {
    const std::size_t slash = raw.mute.find('/');
    if (slash == std::string::npos)
      throw UsageError(fmt::format("--mute must be ON/OFF bars, e.g. 2/2, got '{}'", raw.mute));
    plan.on = static_cast<int>(parse_count("--mute ON", raw.mute.substr(0, slash), 1, 1000));
    plan.off = static_cast<int>(parse_count("--mute OFF", raw.mute.substr(slash + 1), 1, 1000));
  }
  if (!raw.mute_random.empty()) plan.random = parse_real("--mute-random", raw.mute_random, 0, 1);
  return plan;
}

std::optional<double> latency_ms(const RawPractice& raw) {
  if (raw.latency.empty()) return std::nullopt;
  return parse_real("--latency", raw.latency, -kMaxLatencyMs, kMaxLatencyMs);
}

std::string bar_line(const practice::BarFigures& bar) {
  return fmt::format("bar {}{}: {}", bar.bar, bar.muted ? " (muted)" : "",
                     figures_text(bar.figures));
}

OutputFiles practice_outputs(const RawPractice& raw) {
  return OutputFiles(
      {{Output::json, &raw.json}, {Output::report, &raw.report}, {Output::csv, &raw.csv}});
}

void report_result(const practice::Result& r, const OutputFiles& outputs, const std::string& take,
                   const std::string& rhythm) {
  FILE* log = outputs.log();
  if (r.overall.hits == 0 && r.extra.empty()) std::fprintf(log, "no hits found\n");
  std::fprintf(log, "overall: %s\n", figures_text(r.overall).c_str());
  if (r.player_bpm)
    std::fprintf(log, "you played at %.1f bpm (the click: %g)\n", *r.player_bpm, r.grid_bpm);
  if (r.muted_bpm)
    std::fprintf(log, "in muted bars: %.1f bpm, %+.1f bpm off the click\n", *r.muted_bpm,
                 *r.muted_bpm - r.grid_bpm);
  print_sentences(log, "phases", phases_words(r));
  print_sentences(log, "tempo", tempo_words(r));
  flush(log);
  if (OutputFile* json = outputs.get(Output::json)) {
    json->write(practice_json(r));
    json->commit();
  }
  if (OutputFile* page = outputs.get(Output::report)) {
    page->write(practice_page(r, PracticePageInfo{take, rhythm}));
    page->commit();
  }
  if (OutputFile* csv = outputs.get(Output::csv)) {
    csv->write(practice_csv(r));
    csv->commit();
  }
}

}  // namespace cacophony::cli
