#pragma once
// What analyze and practice share on the command line: the gap training (--mute ON/OFF,
// --mute-random P with --seed), the latency (--latency MS), and the outputs (--json F,
// --report F, --csv F), with the terminal summary.

#include <CLI/CLI.hpp>
#include <cstdint>
#include <optional>
#include <string>

#include "cacophony/practice/practice.h"
#include "io/output_file.h"

namespace cacophony::cli {

struct RawPractice {
  std::string mute;
  std::string mute_random;
  std::string latency;
  std::string json;
  std::string report;
  std::string csv;
};

void add_practice_options(CLI::App& command, RawPractice& raw);

// Throws UsageError: ON/OFF must be whole numbers with ON >= 1 and OFF >= 1; P in [0, 1].
practice::MutePlan mute_plan(const RawPractice& raw, std::uint64_t seed);
// The largest latency, in ms either way, taken from --latency or the stored calibration.
inline constexpr double kMaxLatencyMs = 1000;
// --latency in ms (-kMaxLatencyMs..kMaxLatencyMs), when given.
std::optional<double> latency_ms(const RawPractice& raw);

// `frames` at `rate`, in ms, as the messages say them.
inline double frames_ms(std::int64_t frames, int rate) {
  return static_cast<double>(frames) * 1000 / rate;
}

// Each bar's figures as one line, as the bar ends.
std::string bar_line(const practice::BarFigures& bar);
// The --json, --report and --csv files, opened (and checked, as OutputFiles does) before the work,
// so that a bad path costs no take.
OutputFiles practice_outputs(const RawPractice& raw);

// The summary on outputs.log(), then the --json, --report and --csv files. `take` names what was
// measured and `rhythm` how its grid was given, for the page.
void report_result(const practice::Result& result, const OutputFiles& outputs,
                   const std::string& take, const std::string& rhythm);

}  // namespace cacophony::cli
