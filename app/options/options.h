#pragma once
// Command-line values: each parser accepts exactly what its help says and otherwise throws
// UsageError with one line naming the option, the accepted range and what was given.

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "cacophony/bpm/bpm.h"
#include "cacophony/metronome/delay.h"
#include "cacophony/runtime/time.h"
#include "cacophony/scenario/scenario.h"

namespace cacophony::cli {

// Bad input: reported as one line on stderr, exit code 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

Bpm parse_bpm(const std::string& text);
std::int64_t parse_count(const std::string& option, const std::string& text, std::int64_t min,
                         std::int64_t max);
// A number as every option takes it (std::from_chars): decimal digits with an optional '-',
// fraction and exponent; no '+', space, hex, inf or nan. Nullopt for anything else.
std::optional<double> read_number(std::string_view text);
// A decimal number (fractions allowed, read_number) in [min, max].
double parse_real(const std::string& option, const std::string& text, double min, double max);
std::uint64_t parse_seed(const std::string& text);
Delay parse_delay_option(const std::string& text);
runtime::TimeMode parse_time(const std::string& text);
// The time modes' names (runtime::kTimeModes), `between` each two and `last` before the last:
// time_words("|", "|") is "real|threads|simulated".
std::string time_words(std::string_view between, std::string_view last);
// $XDG_CONFIG_HOME/cacophony/NAME, else ~/.config/cacophony/NAME, else ./cacophony/NAME.
std::filesystem::path config_file(const std::string& name);

// A JACK client name (-n, --name): 1..kMaxClientName bytes, no ':' (it splits a port's name).
inline constexpr std::size_t kMaxClientName = 63;
std::string parse_client_name(const std::string& text);
// The scenarios named, in order; an unknown id is a UsageError.
std::vector<const Scenario*> parse_scenarios(const std::vector<std::string>& ids);

}  // namespace cacophony::cli
