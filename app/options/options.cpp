#include "options/options.h"
#include "io/voice.h"

#include <fmt/format.h>

#include <cstdlib>

#include <charconv>

namespace cacophony::cli {

Bpm parse_bpm(const std::string& text) {
  try {
    return Bpm::parse(text);
  } catch (const std::invalid_argument& e) {
    throw UsageError(fmt::format("--bpm: {}", e.what()));
  }
}

std::int64_t parse_count(const std::string& option, const std::string& text, std::int64_t min,
                         std::int64_t max) {
  std::int64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end || value < min || value > max)
    throw UsageError(
        fmt::format("{} must be a whole number in [{}, {}], got '{}'", option, min, max, text));
  return value;
}

std::optional<double> read_number(std::string_view text) {
  double value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end || !std::isfinite(value)) return std::nullopt;
  return value;
}

double parse_real(const std::string& option, const std::string& text, double min, double max) {
  const std::optional<double> value = read_number(text);
  if (!value || !(*value >= min && *value <= max))
    throw UsageError(
        fmt::format("{} must be a number in [{:g}, {:g}], got '{}'", option, min, max, text));
  return *value;
}

std::uint64_t parse_seed(const std::string& text) {
  std::uint64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end)
    throw UsageError(fmt::format("--seed must be a whole number in [0, 2^64), got '{}'", text));
  return value;
}

Delay parse_delay_option(const std::string& text) {
  if (auto d = parse_delay(text)) return *d;
  throw UsageError(fmt::format("--delay must be short, random or triangular, got '{}'", text));
}

std::string time_words(std::string_view between, std::string_view last) {
  std::string words;
  for (std::size_t i = 0; i < runtime::kTimeModes.size(); ++i) {
    if (i > 0) words += i + 1 == runtime::kTimeModes.size() ? last : between;
    words += runtime::name(runtime::kTimeModes[i]);
  }
  return words;
}

runtime::TimeMode parse_time(const std::string& text) {
  for (const runtime::TimeMode mode : runtime::kTimeModes)
    if (text == runtime::name(mode)) return mode;
  throw UsageError(fmt::format("--time must be {}, got '{}'", time_words(", ", " or "), text));
}

std::vector<const Scenario*> parse_scenarios(const std::vector<std::string>& ids) {
  std::vector<const Scenario*> chosen;
  for (const std::string& id : ids) {
    const Scenario* s = find_scenario(id);
    if (!s)
      throw UsageError(fmt::format("unknown scenario '{}' (see {} list)", id, program_name()));
    chosen.push_back(s);
  }
  return chosen;
}

std::filesystem::path config_file(const std::string& name) {
  const char* config = std::getenv("XDG_CONFIG_HOME");
  const char* home = std::getenv("HOME");
  const std::filesystem::path base = config && *config ? std::filesystem::path(config)
                                     : home && *home   ? std::filesystem::path(home) / ".config"
                                                       : std::filesystem::path(".");
  return base / "cacophony" / name;
}

std::string parse_client_name(const std::string& text) {
  if (text.empty() || text.size() > kMaxClientName || text.find(':') != std::string::npos)
    throw UsageError(
        fmt::format("--name must be 1..{} bytes without ':' (JACK's ports are NAME:out), got '{}'",
                    kMaxClientName, text));
  return text;
}

}  // namespace cacophony::cli
